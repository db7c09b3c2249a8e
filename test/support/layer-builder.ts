/**
 * Building layer tarballs in memory with tar-stream: files, directories, links, devices,
 * FIFOs, whiteouts and raw pax records, compressed with gzip, zstd or not at all. The same
 * specs always give the same bytes.
 *
 * @module
 */
import { createHash } from 'node:crypto'
import { promisify } from 'node:util'
import { gzip } from 'node:zlib'
import tar, { type Header } from 'tar-stream'
import { MediaType } from '../../shared/image/media-types.js'
import { runCommand } from './run-command.js'

/** How a layer's tar is compressed. */
export type LayerCompression = 'gzip' | 'zstd' | 'none'

/** The default mtime of every entry: 2024-01-01T00:00:00Z. */
export const DEFAULT_MTIME = new Date(Date.UTC(2024, 0, 1))

/** Fields every entry kind accepts. */
export interface EntryCommon {
  /** Path inside the layer, e.g. `usr/bin/env` (give directories a trailing `/` if you want one). */
  name: string
  /** Permission bits including setuid/setgid/sticky; 0 is kept as 0. */
  mode?: number
  uid?: number
  gid?: number
  uname?: string
  gname?: string
  /** A Date, or seconds since the epoch. Default {@link DEFAULT_MTIME}. */
  mtime?: Date | number
  /** Raw pax records for this entry (forces a pax extended header), e.g. `{ 'SCHILY.xattr.user.x': 'y' }`. */
  pax?: Record<string, string>
}

/** One entry of a layer. A spec without `type` is a regular file. */
export type LayerEntrySpec =
  | (EntryCommon & { type?: 'file'; content?: string | Buffer })
  | (EntryCommon & { type: 'directory' })
  | (EntryCommon & { type: 'symlink' | 'hardlink'; linkname: string })
  | (EntryCommon & { type: 'char-device' | 'block-device'; devmajor?: number; devminor?: number })
  | (EntryCommon & { type: 'fifo' })

/** Bytes with the descriptor fields a registry needs. */
export interface BlobLike {
  mediaType: string
  /** `sha256:<hex>` */
  digest: string
  size: number
  bytes: Buffer
  /** Descriptor annotations to use wherever this blob is referenced. */
  annotations?: Record<string, string>
}

/** A layer blob. */
export interface BuiltBlob extends BlobLike {
  /** sha256 of the uncompressed tar (the config's `rootfs.diff_ids` entry). */
  diffId: string
  /** How `bytes` is compressed; absent for blobs that are not filesystem layers. */
  compression?: LayerCompression
}

/** Options for {@link buildLayer}. */
export interface BuildLayerOptions {
  compression: LayerCompression
}

/** `sha256:<hex>` of some bytes. */
export function sha256(bytes: Buffer | string): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`
}

/** A whiteout entry that deletes `path` from the layers below. */
export function whiteout(path: string): LayerEntrySpec {
  const clean = path.replace(/\/+$/, '')
  const slash = clean.lastIndexOf('/')
  return { name: `${clean.slice(0, slash + 1)}.wh.${clean.slice(slash + 1)}`, content: '', mode: 0 }
}

/** An opaque whiteout: hides everything the layers below have in `directory`. */
export function opaqueWhiteout(directory: string): LayerEntrySpec {
  const clean = directory.replace(/\/+$/, '')
  return { name: `${clean ? `${clean}/` : ''}.wh..wh..opq`, content: '', mode: 0 }
}

const DEFAULT_MODES: Record<string, number> = {
  file: 0o644,
  directory: 0o755,
  symlink: 0o777,
  link: 0o644,
  'character-device': 0o600,
  'block-device': 0o600,
  fifo: 0o644,
}

/** tar-stream's type names. */
const TAR_TYPES = {
  file: 'file',
  directory: 'directory',
  symlink: 'symlink',
  hardlink: 'link',
  'char-device': 'character-device',
  'block-device': 'block-device',
  fifo: 'fifo',
} as const

/** File-type bits that keep a zero permission mode truthy for tar-stream (it masks them away). */
const TYPE_BITS = 0o170000

type PackHeader = Partial<Header> & Pick<Header, 'name'>

function toHeader(spec: LayerEntrySpec): { header: PackHeader; content: Buffer } {
  const type = TAR_TYPES[spec.type ?? 'file']
  const mode = spec.mode ?? DEFAULT_MODES[type] ?? 0o644
  const mtime = spec.mtime === undefined ? DEFAULT_MTIME : typeof spec.mtime === 'number' ? new Date(spec.mtime * 1000) : spec.mtime
  const header: PackHeader = {
    name: spec.name,
    type,
    // tar-stream replaces a falsy mode with its default; type bits keep 0 as 0 in the encoded header
    mode: mode === 0 ? TYPE_BITS : mode,
    uid: spec.uid ?? 0,
    gid: spec.gid ?? 0,
    mtime,
    ...(spec.uname === undefined ? {} : { uname: spec.uname }),
    ...(spec.gname === undefined ? {} : { gname: spec.gname }),
    ...(spec.pax === undefined ? {} : { pax: spec.pax }),
  }
  switch (spec.type) {
    case undefined:
    case 'file': {
      const content = typeof spec.content === 'string' ? Buffer.from(spec.content, 'utf8') : (spec.content ?? Buffer.alloc(0))
      header.size = content.length
      return { header, content }
    }
    case 'symlink':
    case 'hardlink':
      header.linkname = spec.linkname
      return { header, content: Buffer.alloc(0) }
    case 'char-device':
    case 'block-device':
      header.devmajor = spec.devmajor ?? 0
      header.devminor = spec.devminor ?? 0
      return { header, content: Buffer.alloc(0) }
    default:
      return { header, content: Buffer.alloc(0) }
  }
}

/** Packs the entries, in the given order, into an uncompressed tar. */
export async function buildTar(entries: readonly LayerEntrySpec[]): Promise<Buffer> {
  const pack = tar.pack()
  for (const spec of entries) {
    const { header, content } = toHeader(spec)
    pack.entry(header, content)
  }
  pack.finalize()
  const chunks: Buffer[] = []
  for await (const chunk of pack) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

const gzipAsync = promisify(gzip)

/** Compresses a tar. gzip is node's zlib (header mtime 0); zstd is `zstd -q -c -3`. */
export async function compress(tarBytes: Buffer, compression: LayerCompression): Promise<Buffer> {
  switch (compression) {
    case 'none':
      return tarBytes
    case 'gzip':
      return gzipAsync(tarBytes)
    case 'zstd':
      return (await runCommand('zstd', ['-q', '-c', '-3'], { input: tarBytes })).stdout
  }
}

const OCI_LAYER_TYPES: Record<LayerCompression, string> = {
  none: MediaType.OciLayer,
  gzip: MediaType.OciLayerGzip,
  zstd: MediaType.OciLayerZstd,
}

/** The media type of a layer in an OCI manifest or a Docker v2 manifest (Docker has no zstd). */
export function layerMediaType(format: 'oci' | 'docker', compression: LayerCompression): string {
  if (format === 'oci') return OCI_LAYER_TYPES[compression]
  if (compression === 'zstd') throw new Error('Docker v2 schema 2 manifests cannot hold zstd layers; use format "oci"')
  return compression === 'gzip' ? MediaType.DockerLayerGzip : MediaType.DockerLayer
}

/**
 * Builds a layer blob from entry specs. The media type is the OCI one for the compression;
 * {@link buildImage} swaps it for the Docker type in Docker images.
 */
export async function buildLayer(entries: readonly LayerEntrySpec[], options: BuildLayerOptions): Promise<BuiltBlob> {
  const tarBytes = await buildTar(entries)
  const bytes = await compress(tarBytes, options.compression)
  return {
    mediaType: layerMediaType('oci', options.compression),
    digest: sha256(bytes),
    size: bytes.length,
    bytes,
    diffId: sha256(tarBytes),
    compression: options.compression,
  }
}
