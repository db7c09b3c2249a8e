import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openDockerArchive } from '../../../shared/archives/docker-archive.js'
import { parseDigest } from '../../../shared/image/digest.js'
import type { ImageSource } from '../../../shared/ports/image-source.js'
import { buildConfig, buildLayer, makeTemp, readAll, removeTemp, sha256, writeTar, type BuiltLayer, type TarSpec } from './fixtures.js'

let dir: string
let counter = 0
let plainA: BuiltLayer
let plainB: BuiltLayer
let gzipC: BuiltLayer

beforeAll(async () => {
  dir = await makeTemp('docker-archive')
  plainA = await buildLayer({ 'etc/os-release': 'ID=test\n' }, false)
  plainB = await buildLayer({ 'app/main.js': 'console.log(1)\n' }, false)
  gzipC = await buildLayer({ 'app/extra.js': 'console.log(2)\n' }, true)
})

afterAll(async () => {
  await removeTemp(dir)
})

const hex = (digest: string): string => digest.slice('sha256:'.length)

/** One image of a hand-made `docker save` archive. */
interface SavedImage {
  repoTags: string[] | null
  layers: BuiltLayer[]
  /** `legacy`: `<id>/layer.tar` and `<config hex>.json`; `blobs`: Docker ≥ 25's `blobs/sha256/<hex>`. */
  style?: 'legacy' | 'blobs'
  /** Config overrides (e.g. wrong DiffIDs). */
  configExtra?: Record<string, unknown>
}

/** Writes a docker-archive holding `images`; returns its path and the config bytes. */
async function writeDockerArchive(images: SavedImage[], options: { name?: string; dedupe?: boolean; omit?: string } = {}): Promise<{ path: string; configs: Buffer[] }> {
  const members = new Map<string, TarSpec>()
  const configs: Buffer[] = []
  const manifest = images.map((image) => {
    const config = buildConfig(image.layers, image.configExtra)
    configs.push(config)
    const blobs = image.style === 'blobs'
    const configPath = blobs ? `blobs/sha256/${hex(sha256(config))}` : `${hex(sha256(config))}.json`
    members.set(configPath, { name: configPath, data: config })
    const layerPaths = image.layers.map((layer, i) => {
      if (blobs) {
        const path = `blobs/sha256/${hex(layer.digest)}`
        members.set(path, { name: path, data: layer.blob })
        return path
      }
      const id = hex(sha256(`${layer.digest}/${options.dedupe ? 0 : i}`))
      const path = `${id}/layer.tar`
      const first = [...members.values()].find((m) => m.data === layer.blob)
      if (options.dedupe && first) members.set(`${i}/layer.tar`, { name: `${i}/layer.tar`, type: 'symlink', linkname: `../${first.name}` })
      else members.set(path, { name: path, data: layer.blob })
      return options.dedupe && first ? `${i}/layer.tar` : path
    })
    return { Config: configPath, RepoTags: image.repoTags, Layers: layerPaths }
  })
  members.set('manifest.json', { name: 'manifest.json', data: JSON.stringify(manifest) })
  if (options.omit) members.delete(options.omit)
  counter++
  const path = join(dir, `${counter}`, options.name ?? 'image.tar')
  await writeTar(path, [...members.values()])
  return { path, configs }
}

async function withSource<T>(path: string, tag: string | undefined, use: (source: ImageSource) => Promise<T>): Promise<T> {
  const source = await openDockerArchive(path, tag)
  try {
    return await use(source)
  } finally {
    await source.close()
  }
}

describe('openDockerArchive', () => {
  it('synthesises a canonical Docker v2 manifest from a legacy archive of uncompressed layers', async () => {
    // Prepare
    const { path, configs } = await writeDockerArchive([{ repoTags: ['app:1', 'app:latest'], layers: [plainA, plainB] }])
    const config = configs[0]!
    const expectedBytes = JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: config.length, digest: sha256(config) },
      layers: [plainA, plainB].map((layer) => ({ mediaType: 'application/vnd.docker.image.rootfs.diff.tar', size: layer.tar.length, digest: layer.diffId })),
    })
    // Act
    const { root, subject, again } = await withSource(path, undefined, async (source) => {
      const fetched = await source.root()
      return { root: fetched, subject: source.subject, again: await source.manifest({ mediaType: '', digest: fetched.digest, size: fetched.bytes.length }) }
    })
    // Assess
    expect(Buffer.from(root.bytes).toString()).toBe(expectedBytes)
    expect(root.digest).toBe(sha256(expectedBytes))
    expect(root.manifest).toMatchObject({ kind: 'manifest', mediaType: 'application/vnd.docker.distribution.manifest.v2+json' })
    expect(again).toBe(root)
    expect(subject).toEqual({ type: 'docker-archive', registry: 'docker.io', repository: 'library/app', tags: ['1', 'latest'], path })
  })

  it('streams verified layers and reads the config', async () => {
    // Prepare
    const { path, configs } = await writeDockerArchive([{ repoTags: ['app:1'], layers: [plainA, gzipC] }])
    // Act
    const result = await withSource(path, undefined, async (source) => {
      const root = await source.root()
      if (root.manifest.kind !== 'manifest') throw new Error('expected a manifest')
      const config = await source.blobBytes(root.manifest.config, 1 << 20)
      const layers = []
      for (const layer of root.manifest.layers) layers.push(await readAll(await source.openBlob(layer)))
      return { config, layers, descriptors: root.manifest.layers }
    })
    // Assess
    expect(Buffer.from(result.config)).toEqual(configs[0])
    expect(result.layers).toEqual([plainA.blob, gzipC.blob])
    expect(result.descriptors).toEqual([
      { mediaType: 'application/vnd.docker.image.rootfs.diff.tar', digest: plainA.diffId, size: plainA.blob.length },
      { mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', digest: gzipC.digest, size: gzipC.blob.length },
    ])
  })

  it('takes layer digests from blobs/sha256 paths (Docker 25 and later)', async () => {
    // Prepare
    const { path, configs } = await writeDockerArchive([{ repoTags: ['app:1'], layers: [plainA, gzipC], style: 'blobs' }])
    // Act
    const root = await withSource(path, undefined, (source) => source.root())
    // Assess
    expect(root.manifest).toMatchObject({
      config: { digest: sha256(configs[0]!) },
      layers: [{ digest: plainA.digest }, { digest: gzipC.digest, mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip' }],
    })
  })

  it('follows the symlinks docker save writes for repeated layers', async () => {
    // Prepare
    const { path } = await writeDockerArchive([{ repoTags: ['app:1'], layers: [plainA, plainA] }], { dedupe: true })
    // Act
    const layers = await withSource(path, undefined, async (source) => {
      const root = await source.root()
      if (root.manifest.kind !== 'manifest') throw new Error('expected a manifest')
      const out = []
      for (const layer of root.manifest.layers) out.push(await readAll(await source.openBlob(layer)))
      return out
    })
    // Assess
    expect(layers).toEqual([plainA.blob, plainA.blob])
  })

  it('describes a zstd layer as an OCI zstd layer, with its hash', async () => {
    // Prepare: only the magic matters here, the bytes are never decompressed
    const blob = Buffer.concat([Buffer.from([0x28, 0xb5, 0x2f, 0xfd]), Buffer.from('not really zstd')])
    const zstd: BuiltLayer = { blob, tar: blob, digest: sha256(blob), diffId: sha256('whatever'), mediaType: '' }
    const { path } = await writeDockerArchive([{ repoTags: ['app:1'], layers: [zstd] }])
    // Act
    const root = await withSource(path, undefined, (source) => source.root())
    // Assess
    expect(root.manifest).toMatchObject({ layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+zstd', digest: sha256(blob), size: blob.length }] })
  })

  it('detects, while streaming, an uncompressed layer that does not match its DiffID', async () => {
    // Prepare
    const { path } = await writeDockerArchive([{ repoTags: ['app:1'], layers: [plainA], configExtra: { rootfs: { type: 'layers', diff_ids: [plainB.diffId] } } }])
    // Act, Assess
    await withSource(path, undefined, async (source) => {
      const root = await source.root()
      if (root.manifest.kind !== 'manifest') throw new Error('expected a manifest')
      await expect(readAll(await source.openBlob(root.manifest.layers[0]!))).rejects.toMatchObject({ code: 'BLOB_DIGEST_MISMATCH' })
    })
  })

  describe('with several images', () => {
    const images = (): SavedImage[] => [
      { repoTags: ['app:1', 'app:latest'], layers: [plainA] },
      { repoTags: ['registry.example.com:5000/team/tool:2'], layers: [plainB] },
    ]

    it.each([
      ['app:1', 0, { registry: 'docker.io', repository: 'library/app', tags: ['1', 'latest'] }],
      ['docker.io/library/app:1', 0, { registry: 'docker.io', repository: 'library/app', tags: ['1', 'latest'] }],
      ['index.docker.io/library/app:latest', 0, { registry: 'docker.io', repository: 'library/app', tags: ['1', 'latest'] }],
      ['app', 0, { registry: 'docker.io', repository: 'library/app', tags: ['1', 'latest'] }],
      ['registry.example.com:5000/team/tool:2', 1, { registry: 'registry.example.com:5000', repository: 'team/tool', tags: ['2'] }],
      ['@1', 1, { registry: 'registry.example.com:5000', repository: 'team/tool', tags: ['2'] }],
    ])('selects %s', async (tag, position, expected) => {
      // Prepare
      const { path, configs } = await writeDockerArchive(images())
      // Act
      const { root, subject } = await withSource(path, tag, async (source) => ({ root: await source.root(), subject: source.subject }))
      // Assess
      expect(root.manifest).toMatchObject({ config: { digest: sha256(configs[position]!) } })
      expect(subject).toEqual({ type: 'docker-archive', ...expected, path })
    })

    it.each([
      [undefined, /holds 2 images.*available tags: "app:1", "app:latest", "registry\.example\.com:5000\/team\/tool:2"/],
      ['app:2', /no image tagged "app:2"; available tags: "app:1", "app:latest"/],
      ['@2', /no image @2/],
    ])('refuses tag %s, listing the tags', async (tag, message) => {
      // Prepare
      const { path } = await writeDockerArchive(images())
      // Act, Assess
      await expect(openDockerArchive(path, tag)).rejects.toMatchObject({ name: 'ArchiveError', code: 'ARCHIVE_INVALID', message: expect.stringMatching(message) })
    })
  })

  it('names an untagged image after the file', async () => {
    // Prepare
    const { path } = await writeDockerArchive([{ repoTags: null, layers: [plainA] }], { name: 'saved.tar' })
    // Act
    const subject = await withSource(path, undefined, async (source) => source.subject)
    // Assess
    expect(subject).toEqual({ type: 'docker-archive', registry: 'local', repository: 'saved.tar', tags: [], path })
  })

  it('does not know other manifests or blobs', async () => {
    // Prepare
    const { path } = await writeDockerArchive([{ repoTags: ['app:1'], layers: [plainA] }])
    const other = { mediaType: 'application/octet-stream', digest: parseDigest(sha256('other')), size: 5 }
    // Act, Assess
    await withSource(path, undefined, async (source) => {
      await expect(source.manifest(other)).rejects.toMatchObject({ name: 'ArchiveError', code: 'MANIFEST_UNKNOWN' })
      await expect(source.openBlob(other)).rejects.toMatchObject({ name: 'ArchiveError', code: 'BLOB_UNKNOWN' })
      await expect(source.blobBytes(other, 100)).rejects.toMatchObject({ code: 'BLOB_UNKNOWN' })
    })
  })

  it.each([
    ['manifest.json', /manifest\.json is missing/],
    ['layer', /no member/],
  ])('refuses an archive without its %s', async (what, message) => {
    // Prepare
    const layerPath = `${hex(sha256(`${plainA.digest}/0`))}/layer.tar`
    const { path } = await writeDockerArchive([{ repoTags: ['app:1'], layers: [plainA] }], { omit: what === 'layer' ? layerPath : what })
    // Act, Assess
    await expect(openDockerArchive(path)).rejects.toMatchObject({ code: 'ARCHIVE_INVALID', message: expect.stringMatching(message) })
  })
})
