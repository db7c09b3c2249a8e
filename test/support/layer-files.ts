/**
 * Layer files built once and cached under test/.cache/layers: the Debian 12 root filesystem
 * as a gzip and a zstd layer (for scan tests and the benchmark), and a synthetic layer of
 * more than 1 GiB (for the benchmark's memory figure).
 *
 * @module
 */
import { createHash } from 'node:crypto'
import { createReadStream, createWriteStream } from 'node:fs'
import { access, mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Readable, Transform, type TransformCallback } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { createGzip } from 'node:zlib'
import tar from 'tar-stream'
import type { BuiltBlob } from './layer-builder.js'
import { CACHE_DIR, debianRootfsTar } from './debian-rootfs.js'
import { runCommand } from './run-command.js'

export const LAYER_DIR = join(CACHE_DIR, 'layers')

export interface LayerFile {
  path: string
  mediaType: string
  digest: string
  size: number
  diffId: string
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(() => true, () => false)
}

class Hasher extends Transform {
  readonly hash = createHash('sha256')
  bytes = 0
  override _transform(chunk: Buffer, _e: BufferEncoding, cb: TransformCallback): void {
    this.hash.update(chunk)
    this.bytes += chunk.length
    cb(null, chunk)
  }
}

async function describe(path: string, mediaType: string, diffId: string): Promise<LayerFile> {
  const hasher = new Hasher()
  await pipeline(createReadStream(path), hasher, async function* (source) {
    for await (const _ of source) {
      // hashing only
    }
  })
  return { path, mediaType, digest: `sha256:${hasher.hash.digest('hex')}`, size: hasher.bytes, diffId }
}

/** Compresses `tarPath` (once) and describes the result; the DiffID is the tar's sha256. */
async function compressed(tarPath: string, name: string, compression: 'gzip' | 'zstd'): Promise<LayerFile> {
  await mkdir(LAYER_DIR, { recursive: true })
  const out = join(LAYER_DIR, `${name}.tar.${compression === 'gzip' ? 'gz' : 'zst'}`)
  const meta = `${out}.json`
  if (await exists(meta)) return JSON.parse(await readFile(meta, 'utf8')) as LayerFile
  const tarHasher = new Hasher()
  if (compression === 'gzip') {
    await pipeline(createReadStream(tarPath), tarHasher, createGzip({ level: 6 }), createWriteStream(`${out}.${process.pid}.tmp`))
  } else {
    await pipeline(createReadStream(tarPath), tarHasher, async function* (s) {
      for await (const _ of s) {
        // the zstd CLI compresses; this pass only hashes
      }
    })
    await runCommand('zstd', ['-q', '-3', '-f', '-o', `${out}.${process.pid}.tmp`, tarPath])
  }
  await rename(`${out}.${process.pid}.tmp`, out)
  const diffId = `sha256:${tarHasher.hash.digest('hex')}`
  const layer = await describe(out, compression === 'gzip' ? 'application/vnd.oci.image.layer.v1.tar+gzip' : 'application/vnd.oci.image.layer.v1.tar+zstd', diffId)
  await writeFile(meta, JSON.stringify(layer))
  return layer
}

/** The debootstrap Debian 12 rootfs (~120 MB uncompressed) as a gzip layer. */
export async function debianGzipLayer(): Promise<LayerFile> {
  return compressed(await debianRootfsTar(), 'debian', 'gzip')
}

/** The same rootfs as a zstd layer. */
export async function debianZstdLayer(): Promise<LayerFile> {
  return compressed(await debianRootfsTar(), 'debian', 'zstd')
}

const FILES = 1100
const FILE_BYTES = 1024 * 1024

/** Deterministic, moderately compressible file content (text-like lines with counters). */
function fileContent(index: number): Buffer {
  const lines: string[] = []
  let size = 0
  for (let line = 0; size < FILE_BYTES; line++) {
    const text = `file ${index} line ${line} ${((index * 2654435761 + line * 40503) >>> 0).toString(36)} lorem ipsum dolor sit amet\n`
    lines.push(text)
    size += text.length
  }
  return Buffer.from(lines.join('')).subarray(0, FILE_BYTES)
}

/** A layer of 1100 files of 1 MiB: more than 1 GiB uncompressed. */
export async function bigGzipLayer(): Promise<LayerFile> {
  await mkdir(LAYER_DIR, { recursive: true })
  const tarPath = join(LAYER_DIR, 'big.tar')
  if (!(await exists(`${tarPath}.done`))) {
    const pack = tar.pack()
    const writing = pipeline(pack, createWriteStream(tarPath))
    for (let i = 0; i < FILES; i++) {
      await new Promise<void>((resolve, reject) => {
        pack.entry({ name: `data/${String(i).padStart(5, '0')}.txt`, size: FILE_BYTES, mtime: new Date(0) }, fileContent(i), (error) => (error ? reject(error) : resolve()))
      })
    }
    pack.finalize()
    await writing
    await writeFile(`${tarPath}.done`, '')
  }
  return compressed(tarPath, 'big', 'gzip')
}

/** The layer as a blob for the image builder (read into memory). */
export async function layerBlob(layer: LayerFile): Promise<BuiltBlob> {
  const bytes = await readFile(layer.path)
  return { mediaType: layer.mediaType, digest: layer.digest, size: layer.size, bytes, diffId: layer.diffId, compression: layer.mediaType.endsWith('zstd') ? 'zstd' : 'gzip' }
}

/** Reads a whole file as a stream of 256 KiB chunks. */
export function fileStream(path: string): Readable {
  return createReadStream(path, { highWaterMark: 256 * 1024 })
}
