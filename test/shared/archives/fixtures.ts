/**
 * Fixtures for the local image source tests, made in code: tar files (with tar-stream, or
 * header by header for the odd formats), small gzip layers, OCI layouts and docker archives.
 *
 * @module
 */
import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import type { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { createGunzip, gzipSync } from 'node:zlib'
import tar from 'tar-stream'
import type { ImageSource } from '../../../shared/ports/image-source.js'
import type { FetchedManifest, ImageManifest } from '../../../shared/image/manifest.js'
import { layerCompression } from '../../../shared/image/media-types.js'

export const FIXED_MTIME = new Date(Date.UTC(2024, 0, 1))

/** A fresh temporary directory; remove it with {@link removeTemp}. */
export async function makeTemp(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `pushscan-archives-${prefix}-`))
}

export async function removeTemp(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true })
}

/** Runs a command and fails with its stderr when it exits non-zero. */
export function run(command: string, args: string[], cwd?: string): void {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8' })
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${result.stderr || result.error?.message}`)
}

export function sha256(bytes: Uint8Array | string): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`
}

/** One member for {@link writeTar}. */
export interface TarSpec {
  name: string
  data?: string | Buffer
  type?: 'file' | 'directory' | 'symlink' | 'link'
  linkname?: string
}

/** Packs `entries` with tar-stream into a buffer. */
export async function tarBytes(entries: readonly TarSpec[]): Promise<Buffer> {
  const pack = tar.pack()
  const chunks: Buffer[] = []
  const done = (async () => {
    for await (const chunk of pack) chunks.push(chunk as Buffer)
  })()
  for (const spec of entries) {
    const header = { name: spec.name, type: spec.type ?? 'file', mtime: FIXED_MTIME, mode: spec.type === 'directory' ? 0o755 : 0o644, ...(spec.linkname ? { linkname: spec.linkname } : {}) }
    await new Promise<void>((resolve, reject) => {
      pack.entry(header, spec.data ?? '', (error) => (error ? reject(error) : resolve()))
    })
  }
  pack.finalize()
  await done
  return Buffer.concat(chunks)
}

/** Packs `entries` with tar-stream into the file `path`. */
export async function writeTar(path: string, entries: readonly TarSpec[]): Promise<void> {
  await mkdir(dirname(path), { recursive: true })
  const pack = tar.pack()
  const written = pipeline(pack as unknown as Readable, createWriteStream(path))
  for (const spec of entries) {
    const header = { name: spec.name, type: spec.type ?? 'file', mtime: FIXED_MTIME, mode: 0o644, ...(spec.linkname ? { linkname: spec.linkname } : {}) }
    await new Promise<void>((resolve, reject) => {
      pack.entry(header, spec.data ?? '', (error) => (error ? reject(error) : resolve()))
    })
  }
  pack.finalize()
  await written
}

/** Fields of a hand-made tar header. */
export interface RawHeader {
  name: string
  size?: number
  typeflag?: string
  linkname?: string
  /** `ustar` (POSIX, default), `gnu` or `v7` (no magic). */
  format?: 'ustar' | 'gnu' | 'v7'
  prefix?: string
  /** Write the size field in base-256. */
  base256Size?: boolean
}

/** One 512-byte header block with a correct checksum. */
export function rawHeader(header: RawHeader): Buffer {
  const block = Buffer.alloc(512)
  block.write(header.name, 0, 100, 'utf8')
  block.write('0000644\0', 100, 'latin1')
  block.write('0000000\0', 108, 'latin1')
  block.write('0000000\0', 116, 'latin1')
  const size = header.size ?? 0
  if (header.base256Size) {
    block[124] = 0x80
    let rest = size
    for (let i = 135; i > 124; i--) {
      block[i] = rest % 256
      rest = Math.floor(rest / 256)
    }
  } else {
    block.write(size.toString(8).padStart(11, '0') + '\0', 124, 'latin1')
  }
  block.write('14547021200\0', 136, 'latin1')
  block.write(header.typeflag ?? '0', 156, 'latin1')
  if (header.linkname) block.write(header.linkname, 157, 100, 'utf8')
  const format = header.format ?? 'ustar'
  if (format === 'ustar') {
    block.write('ustar\x0000', 257, 'latin1')
    if (header.prefix) block.write(header.prefix, 345, 155, 'utf8')
  } else if (format === 'gnu') {
    block.write('ustar  \0', 257, 'latin1')
  }
  block.fill(0x20, 148, 156)
  let sum = 0
  for (const byte of block) sum += byte
  block.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'latin1')
  return block
}

/** `data` padded to whole 512-byte blocks. */
export function padded(data: Buffer | string): Buffer {
  const bytes = Buffer.from(data)
  return Buffer.concat([bytes, Buffer.alloc((512 - (bytes.length % 512)) % 512)])
}

/** A PAX extended header record (`"<len> key=value\n"`). */
export function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`
  let length = Buffer.byteLength(body) + 1
  while (String(length).length + Buffer.byteLength(body) !== length) length = String(length).length + Buffer.byteLength(body)
  return `${length}${body}`
}

/** The two zero blocks that end an archive. */
export const END_OF_ARCHIVE = Buffer.alloc(1024)

/** A small gzip layer and what describes it. */
export interface BuiltLayer {
  /** The blob bytes (gzip or plain tar). */
  blob: Buffer
  /** The uncompressed tar bytes. */
  tar: Buffer
  digest: string
  diffId: string
  mediaType: string
}

/** A layer holding `files`; gzip-compressed unless `compress` is false. */
export async function buildLayer(files: Record<string, string>, compress = true): Promise<BuiltLayer> {
  const tarData = await tarBytes(Object.entries(files).map(([name, data]) => ({ name, data })))
  const blob = compress ? gzipSync(tarData) : tarData
  return {
    blob,
    tar: tarData,
    digest: sha256(blob),
    diffId: sha256(tarData),
    mediaType: compress ? 'application/vnd.oci.image.layer.v1.tar+gzip' : 'application/vnd.oci.image.layer.v1.tar',
  }
}

/** A config for `layers`, as bytes. */
export function buildConfig(layers: readonly BuiltLayer[], extra: Record<string, unknown> = {}): Buffer {
  return Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      config: { Env: ['PATH=/usr/bin'], Cmd: ['/bin/sh'] },
      rootfs: { type: 'layers', diff_ids: layers.map((layer) => layer.diffId) },
      history: layers.map((_, i) => ({ created: '2024-01-01T00:00:00Z', created_by: `step ${i}` })),
      ...extra,
    })
  )
}

/** An OCI image manifest for a config and layers, as bytes. */
export function buildManifest(config: Buffer, layers: readonly BuiltLayer[]): Buffer {
  return Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256(config), size: config.length },
      layers: layers.map((layer) => ({ mediaType: layer.mediaType, digest: layer.digest, size: layer.blob.length })),
    })
  )
}

/** One image of a hand-made OCI layout. */
export interface LayoutImage {
  layers: BuiltLayer[]
  /** The ref.name annotation of its index.json entry. */
  refName?: string
  configExtra?: Record<string, unknown>
}

/** What {@link writeOciLayout} wrote. */
export interface WrittenLayout {
  /** Files by path relative to the layout root. */
  files: Map<string, Buffer>
  images: Array<{ config: Buffer; manifest: Buffer; manifestDigest: string }>
}

/** The files of an OCI layout holding `images`, by relative path. */
export function layoutFiles(images: readonly LayoutImage[]): WrittenLayout {
  const files = new Map<string, Buffer>()
  const blob = (bytes: Buffer): string => {
    const digest = sha256(bytes)
    files.set(`blobs/sha256/${digest.slice(7)}`, bytes)
    return digest
  }
  const written: WrittenLayout['images'] = []
  const manifests = images.map((image) => {
    const config = buildConfig(image.layers, image.configExtra)
    blob(config)
    for (const layer of image.layers) blob(layer.blob)
    const manifest = buildManifest(config, image.layers)
    const manifestDigest = blob(manifest)
    written.push({ config, manifest, manifestDigest })
    return {
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      digest: manifestDigest,
      size: manifest.length,
      ...(image.refName ? { annotations: { 'org.opencontainers.image.ref.name': image.refName } } : {}),
    }
  })
  files.set('oci-layout', Buffer.from(JSON.stringify({ imageLayoutVersion: '1.0.0' })))
  files.set('index.json', Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests })))
  return { files, images: written }
}

/** Writes layout files as a directory (`oci`) or as a tar file (`oci-archive`). */
export async function writeLayoutFiles(kind: 'oci' | 'oci-archive', path: string, files: ReadonlyMap<string, Buffer>): Promise<void> {
  if (kind === 'oci-archive') {
    await writeTar(path, [...files].map(([name, data]) => ({ name, data })))
    return
  }
  for (const [name, bytes] of files) {
    await mkdir(dirname(join(path, name)), { recursive: true })
    await writeFile(join(path, name), bytes)
  }
}

/** Writes an OCI layout directory. */
export async function writeOciLayout(dir: string, images: readonly LayoutImage[]): Promise<WrittenLayout> {
  const layout = layoutFiles(images)
  await writeLayoutFiles('oci', dir, layout.files)
  return layout
}

/** Reads a stream to the end. */
export async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of stream) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

/** The image manifest a source's root leads to (the first entry when the root is an index). */
export async function imageManifest(source: ImageSource): Promise<FetchedManifest & { manifest: ImageManifest }> {
  let fetched = await source.root()
  while (fetched.manifest.kind === 'index') {
    const first = fetched.manifest.manifests[0]
    if (!first) throw new Error('empty index')
    fetched = await source.manifest(first)
  }
  return fetched as FetchedManifest & { manifest: ImageManifest }
}

/** The DiffIDs of an image, by streaming each verified layer and hashing it uncompressed. */
export async function diffIdsOf(source: ImageSource, manifest: ImageManifest): Promise<string[]> {
  const out: string[] = []
  for (const layer of manifest.layers) {
    const blob = await source.openBlob(layer)
    const hash = createHash('sha256')
    const sink = async (chunks: AsyncIterable<Buffer>): Promise<void> => {
      for await (const chunk of chunks) hash.update(chunk)
    }
    if (layerCompression(layer.mediaType) === 'gzip') await pipeline(blob, createGunzip(), sink)
    else await pipeline(blob, sink)
    out.push(`sha256:${hash.digest('hex')}`)
  }
  return out
}
