/**
 * The three local sources agree on what an image is: an OCI layout made by hand is copied
 * with skopeo to a docker-archive and an oci-archive (and tarred with GNU tar), and every
 * form gives the same config digest and the same DiffIDs.
 */
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openLocalImage } from '../../../shared/archives/index.js'
import { parseImageConfig } from '../../../shared/image/config.js'
import type { SourceSubject } from '../../../shared/ports/image-source.js'
import { buildLayer, diffIdsOf, imageManifest, makeTemp, removeTemp, run, sha256, writeOciLayout, type BuiltLayer } from './fixtures.js'

// skopeo and GNU tar are installed by .ci/run; a machine without them fails here loudly
describe('local sources converted with skopeo', () => {
  let dir: string
  let layers: BuiltLayer[]
  let config: Buffer

  beforeAll(async () => {
    dir = await makeTemp('skopeo')
    layers = [
      await buildLayer({ 'etc/os-release': 'ID=handmade\nVERSION_ID=1\n', 'bin/hello': '#!/bin/sh\necho hello\n' }),
      await buildLayer({ 'app/index.js': 'console.log("app")\n', 'app/package.json': '{"name":"app"}\n' }),
    ]
    const layout = await writeOciLayout(join(dir, 'layout'), [{ layers, refName: 'v1' }])
    config = layout.images[0]!.config
    run('skopeo', ['--insecure-policy', 'copy', '--quiet', 'oci:layout:v1', 'docker-archive:docker.tar:example.com/team/app:v1'], dir)
    run('skopeo', ['--insecure-policy', 'copy', '--quiet', 'oci:layout:v1', 'oci-archive:oci.tar:v1'], dir)
    run('tar', ['--format=gnu', '-cf', 'gnu.tar', '-C', 'layout', '.'], dir)
  }, 120_000)

  afterAll(async () => {
    await removeTemp(dir)
  })

  it.each<[string, (dir: string) => string, Omit<SourceSubject, 'path'>]>([
    ['oci layout', (d) => `oci:${d}/layout:v1`, { type: 'oci', registry: 'local', repository: 'layout', tags: ['v1'] }],
    ['oci layout, no tag', (d) => `oci:${d}/layout`, { type: 'oci', registry: 'local', repository: 'layout', tags: ['v1'] }],
    ['skopeo oci-archive', (d) => `oci-archive:${d}/oci.tar:v1`, { type: 'oci-archive', registry: 'local', repository: 'oci.tar', tags: ['v1'] }],
    ['GNU tar of the layout', (d) => `oci-archive:${d}/gnu.tar`, { type: 'oci-archive', registry: 'local', repository: 'gnu.tar', tags: ['v1'] }],
    ['skopeo docker-archive', (d) => `docker-archive:${d}/docker.tar`, { type: 'docker-archive', registry: 'example.com', repository: 'team/app', tags: ['v1'] }],
    [
      'skopeo docker-archive, by tag',
      (d) => `docker-archive:${d}/docker.tar:example.com/team/app:v1`,
      { type: 'docker-archive', registry: 'example.com', repository: 'team/app', tags: ['v1'] },
    ],
  ])('%s gives the same config and DiffIDs', async (_name, spec, subject) => {
    // Prepare
    const source = await openLocalImage(spec(dir))
    if (!source) throw new Error('not recognised as a local image')
    try {
      // Act
      const { manifest } = await imageManifest(source)
      const configBytes = await source.blobBytes(manifest.config, 1 << 20)
      const streamedDiffIds = await diffIdsOf(source, manifest)
      // Assess
      expect(manifest.config.digest).toBe(sha256(config))
      expect(Buffer.from(configBytes)).toEqual(config)
      expect(parseImageConfig(configBytes, 100).diffIds).toEqual(layers.map((layer) => layer.diffId))
      expect(streamedDiffIds).toEqual(layers.map((layer) => layer.diffId))
      expect(source.subject).toMatchObject(subject)
    } finally {
      await source.close()
    }
  })
})
