import { describe, it, expect } from 'vitest'
import { gunzipSync } from 'node:zlib'
import tar, { type Header } from 'tar-stream'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { MediaType } from '../../shared/image/media-types.js'
import {
  blobsOf,
  buildImage,
  buildIndex,
  buildLayer,
  buildTar,
  opaqueWhiteout,
  sha256,
  whiteout,
  type LayerEntrySpec,
} from '../support/image-builder.js'
import { runCommand } from '../support/run-command.js'

async function entriesOf(tarBytes: Buffer): Promise<Array<{ header: Header; content: Buffer }>> {
  const extract = tar.extract()
  const entries: Array<{ header: Header; content: Buffer }> = []
  const reading = (async () => {
    for await (const entry of extract) {
      const chunks: Buffer[] = []
      for await (const chunk of entry) chunks.push(chunk as Buffer)
      entries.push({ header: entry.header, content: Buffer.concat(chunks) })
    }
  })()
  await Promise.all([pipeline(Readable.from([tarBytes]), extract), reading])
  return entries
}

const LONG_WITH_SLASHES = `${'deep/'.repeat(25)}file.txt`
const LONG_WITHOUT_SLASH = 'n'.repeat(140)

const SPECS: LayerEntrySpec[] = [
  { name: 'etc/', type: 'directory', mode: 0o755 },
  { name: 'etc/passwd', content: 'root:x:0:0::/root:/bin/sh\n' },
  { name: 'usr/bin/su', content: Buffer.from([0x7f, 0x45, 0x4c, 0x46]), mode: 0o4755, uid: 0, gid: 0 },
  { name: 'usr/bin/wall', content: 'x', mode: 0o2755, gid: 5 },
  { name: 'usr/bin/su-again', type: 'hardlink', linkname: 'usr/bin/su' },
  { name: 'bin', type: 'symlink', linkname: 'usr/bin' },
  { name: 'dev/null', type: 'char-device', devmajor: 1, devminor: 3 },
  { name: 'dev/sda', type: 'block-device', devmajor: 8, devminor: 0 },
  { name: 'run/initctl', type: 'fifo' },
  { name: LONG_WITH_SLASHES, content: 'deep' },
  { name: LONG_WITHOUT_SLASH, content: 'long', mtime: 1_000_000 },
  { name: 'with-xattr', content: 'x', pax: { 'SCHILY.xattr.security.capability': 'cap' } },
  whiteout('etc/motd'),
  opaqueWhiteout('app/tmp/'),
]

describe('buildLayer', () => {
  it('writes every entry kind, long names and pax records', async () => {
    const entries = await entriesOf(await buildTar(SPECS))
    const byName = new Map(entries.map((entry) => [entry.header.name, entry]))
    expect(entries.map((entry) => entry.header.name)).toEqual(SPECS.map((spec) => spec.name))
    expect(byName.get('usr/bin/su')?.header.mode).toBe(0o4755)
    expect(byName.get('usr/bin/wall')?.header).toMatchObject({ mode: 0o2755, gid: 5 })
    expect(byName.get('usr/bin/su-again')?.header).toMatchObject({ type: 'link', linkname: 'usr/bin/su' })
    expect(byName.get('bin')?.header).toMatchObject({ type: 'symlink', linkname: 'usr/bin' })
    expect(byName.get('dev/null')?.header).toMatchObject({ type: 'character-device', devmajor: 1, devminor: 3 })
    expect(byName.get('dev/sda')?.header).toMatchObject({ type: 'block-device', devmajor: 8, devminor: 0 })
    expect(byName.get('run/initctl')?.header.type).toBe('fifo')
    expect(byName.get(LONG_WITH_SLASHES)?.content.toString()).toBe('deep')
    expect(byName.get(LONG_WITHOUT_SLASH)?.header.mtime.getTime()).toBe(1_000_000_000)
    expect(byName.get('with-xattr')?.header.pax).toMatchObject({ 'SCHILY.xattr.security.capability': 'cap' })
    expect(byName.get('etc/.wh.motd')?.header.mode).toBe(0)
    expect(byName.get('app/tmp/.wh..wh..opq')?.header.size).toBe(0)
    expect(byName.get('etc/passwd')?.header.mtime.toISOString()).toBe('2024-01-01T00:00:00.000Z')
  })

  it('is deterministic and computes digest, size and diffId for each compression', async () => {
    const plain = await buildLayer(SPECS, { compression: 'none' })
    const gzip = await buildLayer(SPECS, { compression: 'gzip' })
    const zstd = await buildLayer(SPECS, { compression: 'zstd' })
    expect((await buildLayer(SPECS, { compression: 'gzip' })).digest).toBe(gzip.digest)
    expect((await buildLayer(SPECS, { compression: 'zstd' })).digest).toBe(zstd.digest)
    expect(plain.digest).toBe(plain.diffId)
    expect(gzip.diffId).toBe(plain.diffId)
    expect(zstd.diffId).toBe(plain.diffId)
    expect(gzip.bytes.subarray(4, 8).readUInt32LE()).toBe(0) // gzip header mtime
    expect(sha256(gunzipSync(gzip.bytes))).toBe(plain.diffId)
    const unzstd = await runCommand('zstd', ['-q', '-d', '-c'], { input: zstd.bytes })
    expect(sha256(unzstd.stdout)).toBe(plain.diffId)
    expect([gzip.digest, gzip.size]).toEqual([sha256(gzip.bytes), gzip.bytes.length])
    expect([plain.mediaType, gzip.mediaType, zstd.mediaType]).toEqual([MediaType.OciLayer, MediaType.OciLayerGzip, MediaType.OciLayerZstd])
  })
})

describe('buildImage and buildIndex', () => {
  it('builds OCI and Docker manifests with the right media types', async () => {
    const gzip = await buildLayer([{ name: 'a', content: 'a' }], { compression: 'gzip' })
    const none = await buildLayer([{ name: 'b', content: 'b' }], { compression: 'none' })
    const zstd = await buildLayer([{ name: 'c', content: 'c' }], { compression: 'zstd' })
    const oci = buildImage({
      layers: [gzip, none, zstd],
      format: 'oci',
      platform: { os: 'linux', architecture: 'arm', variant: 'v7' },
      config: { User: 'app', Cmd: ['/bin/sh'], ExposedPorts: { '80/tcp': {} }, Labels: { a: 'b' } },
      annotations: { 'org.opencontainers.image.title': 't' },
    })
    expect(oci.manifest.json).toMatchObject({
      schemaVersion: 2,
      mediaType: MediaType.OciManifest,
      config: { mediaType: MediaType.OciConfig, digest: oci.config.digest, size: oci.config.size },
      layers: [
        { mediaType: MediaType.OciLayerGzip, digest: gzip.digest, size: gzip.size },
        { mediaType: MediaType.OciLayer, digest: none.digest },
        { mediaType: MediaType.OciLayerZstd, digest: zstd.digest },
      ],
      annotations: { 'org.opencontainers.image.title': 't' },
    })
    expect(oci.config.json).toMatchObject({
      architecture: 'arm',
      os: 'linux',
      variant: 'v7',
      config: { User: 'app', Cmd: ['/bin/sh'], Env: [expect.stringMatching(/^PATH=/)] },
      rootfs: { type: 'layers', diff_ids: [gzip.diffId, none.diffId, zstd.diffId] },
      history: [{ created_by: 'layer 1' }, { created_by: 'layer 2' }, { created_by: 'layer 3' }],
    })
    expect(oci.manifest.digest).toBe(sha256(oci.manifest.bytes))
    expect(JSON.parse(oci.config.bytes.toString())).toEqual(oci.config.json)

    const docker = buildImage({ layers: [gzip, none], format: 'docker' })
    expect(docker.manifest.mediaType).toBe(MediaType.DockerManifest)
    expect(docker.config.mediaType).toBe(MediaType.DockerConfig)
    expect(docker.layers.map((layer) => layer.mediaType)).toEqual([MediaType.DockerLayerGzip, MediaType.DockerLayer])
    expect(gzip.mediaType).toBe(MediaType.OciLayerGzip) // the input is not changed
    expect(() => buildImage({ layers: [zstd], format: 'docker' })).toThrow(/zstd/)
  })

  it('builds an index with BuildKit-style attestations and lists every blob', async () => {
    const layer = await buildLayer([{ name: 'a', content: 'a' }], { compression: 'gzip' })
    const amd64 = buildImage({ layers: [layer], format: 'oci' })
    const arm64 = buildImage({ layers: [layer], format: 'oci', platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } })
    const index = buildIndex({ images: [amd64, arm64], format: 'oci', attestationFor: [amd64] })
    const manifests = index.manifest.json.manifests as Array<Record<string, unknown>>
    expect(index.manifest.mediaType).toBe(MediaType.OciIndex)
    expect(manifests).toHaveLength(3)
    expect(manifests[1]).toMatchObject({ digest: arm64.manifest.digest, platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } })
    const attestation = index.attestations[0]
    expect(manifests[2]).toMatchObject({
      mediaType: MediaType.OciManifest,
      digest: attestation?.manifest.digest,
      platform: { os: 'unknown', architecture: 'unknown' },
      annotations: { 'vnd.docker.reference.type': 'attestation-manifest', 'vnd.docker.reference.digest': amd64.manifest.digest },
    })
    expect(attestation?.layers[0]?.mediaType).toBe(MediaType.InToto)
    expect(JSON.parse(attestation?.layers[0]?.bytes.toString() ?? '{}')).toMatchObject({ _type: expect.stringContaining('in-toto') })

    const contents = blobsOf(index)
    expect([...contents.manifests.keys()]).toEqual([amd64.manifest.digest, arm64.manifest.digest, attestation?.manifest.digest, index.manifest.digest])
    expect(contents.root).toBe(index.manifest)
    // one shared layer, two configs (amd64 and arm64 differ), plus the attestation's config and statement
    expect(contents.blobs.size).toBe(5)
    for (const [digest, blob] of contents.blobs) expect(sha256(blob.bytes)).toBe(digest)

    const list = buildIndex({ images: [buildImage({ layers: [layer], format: 'docker' })], format: 'docker' })
    expect(list.manifest.mediaType).toBe(MediaType.DockerManifestList)
    expect(() => buildIndex({ images: [amd64], format: 'oci', attestationFor: [arm64] })).toThrow(/not in images/)
  })
})
