/**
 * `docker-archive:PATH[:TAG]`: a tar file written by `docker save` or `skopeo copy …
 * docker-archive:`, read in place through a tar index. The archive must be uncompressed.
 *
 * Such an archive holds no registry manifest: `manifest.json` lists, per image, the config
 * file, the tags and the layer files. A canonical Docker v2 manifest is synthesised from it
 * and serves as the root, so the rest of the scan reads the image as if it came from a
 * registry.
 *
 * @see https://github.com/moby/moby/blob/master/image/spec/v1.2.md
 * @module
 */
import { createHash } from 'node:crypto'
import { basename, resolve } from 'node:path'
import type { Readable } from 'node:stream'
import { ArchiveError, ErrorCode, ManifestError } from '../errors.js'
import { parseDigest, sha256Digest, type Digest } from '../image/digest.js'
import { parseManifest, type Descriptor, type FetchedManifest } from '../image/manifest.js'
import { MediaType } from '../image/media-types.js'
import type { ImageSource, SourceSubject } from '../ports/image-source.js'
import { expectArray, expectObject, expectString, optionalStringArray, parseJsonBytes, type Fail } from '../shape.js'
import { TarBlobStore } from './blob-store.js'
import { sniffCompression } from './magic.js'
import { listNames, sameImageName, tryParseReference } from './naming.js'
import { normaliseTarPath, readTarIndex, type TarIndex } from './tar-index.js'
import { openVerifiedBlob, readVerifiedBlob } from './verified-reads.js'

const MAX_MANIFEST_JSON_BYTES = 16 * 1024 * 1024
/** Largest config read when opening the archive (to hash it and find the DiffIDs). */
const MAX_CONFIG_BYTES = 32 * 1024 * 1024

/** One image of `manifest.json`. */
export interface DockerArchiveImage {
  /** Path of the config file in the archive. */
  config: string
  /** Tags as written (`app:1`, `docker.io/library/app:1`); may be empty. */
  repoTags: string[]
  /** Paths of the layer files, bottom first. */
  layers: string[]
}

/**
 * Opens the `docker save` archive at `path`. `tag` picks the image whose `RepoTags` names the
 * same reference (`app:1` ≡ `docker.io/library/app:1`), or `@N` the N-th image as skopeo
 * does; without it the archive must hold one image. Otherwise ArchiveError `ARCHIVE_INVALID`
 * listing the tags there are.
 */
export async function openDockerArchive(path: string, tag?: string): Promise<ImageSource> {
  const index = await readTarIndex(path)
  const store = new TarBlobStore(index)
  try {
    const images = await readArchiveManifest(index)
    const { image, matchedTag } = selectImage(index, images, tag)
    const config = await describeConfig(index, image.config)
    const layers: LayerDescriptor[] = []
    for (const [i, layerPath] of image.layers.entries()) {
      layers.push(await describeLayer(index, layerPath, i, config))
    }
    const root = synthesiseManifest(config.descriptor, layers.map((layer) => layer.descriptor))
    const paths = new Map<Digest, string>([[config.descriptor.digest, config.path]])
    for (const layer of layers) paths.set(layer.descriptor.digest, layer.path)
    return new DockerArchiveSource(store, archiveSubject(path, image.repoTags, matchedTag), root, paths)
  } catch (error) {
    await store.close()
    throw error
  }
}

class DockerArchiveSource implements ImageSource {
  readonly subject: SourceSubject
  readonly #store: TarBlobStore
  readonly #root: FetchedManifest
  readonly #paths: ReadonlyMap<Digest, string>

  constructor(store: TarBlobStore, subject: SourceSubject, root: FetchedManifest, paths: ReadonlyMap<Digest, string>) {
    this.#store = store
    this.subject = subject
    this.#root = root
    this.#paths = paths
  }

  async root(): Promise<FetchedManifest> {
    return this.#root
  }

  async manifest(descriptor: Descriptor): Promise<FetchedManifest> {
    if (descriptor.digest === this.#root.digest) return this.#root
    throw new ArchiveError(ErrorCode.ManifestUnknown, `${this.#store.location}: no manifest ${descriptor.digest} (a docker archive holds one per image)`)
  }

  async blobBytes(descriptor: Descriptor, maxBytes: number): Promise<Uint8Array> {
    return readVerifiedBlob(this.#store, this.#path(descriptor), descriptor, maxBytes)
  }

  async openBlob(descriptor: Descriptor): Promise<Readable> {
    return openVerifiedBlob(this.#store, this.#path(descriptor), descriptor)
  }

  async close(): Promise<void> {
    await this.#store.close()
  }

  #path(descriptor: Descriptor): string {
    const path = this.#paths.get(descriptor.digest)
    if (path === undefined) throw new ArchiveError(ErrorCode.BlobUnknown, `${this.#store.location}: no blob ${descriptor.digest}`)
    return path
  }
}

/** Reads and checks `manifest.json`. */
export async function readArchiveManifest(index: TarIndex): Promise<DockerArchiveImage[]> {
  const fail: Fail = (message) => {
    throw new ArchiveError(ErrorCode.ArchiveInvalid, `${index.path}: manifest.json: ${message}`)
  }
  if (!index.hasFile('manifest.json')) {
    throw new ArchiveError(ErrorCode.ArchiveInvalid, `${index.path}: not a docker archive: manifest.json is missing`)
  }
  const bytes = await index.readMember('manifest.json', MAX_MANIFEST_JSON_BYTES)
  return expectArray(parseJsonBytes(bytes, 'manifest.json', fail), 'manifest', fail).map((value, i) => {
    const at = `[${i}]`
    const json = expectObject(value, at, fail)
    return {
      config: normaliseTarPath(expectString(json.Config, `${at}.Config`, fail)),
      repoTags: optionalStringArray(json.RepoTags, `${at}.RepoTags`, fail) ?? [],
      layers: expectArray(json.Layers, `${at}.Layers`, fail).map((layer, j) => normaliseTarPath(expectString(layer, `${at}.Layers[${j}]`, fail))),
    }
  })
}

function selectImage(index: TarIndex, images: DockerArchiveImage[], tag: string | undefined): { image: DockerArchiveImage; matchedTag?: string } {
  const allTags = images.flatMap((image) => image.repoTags)
  if (tag !== undefined) {
    const position = /^@(\d+)$/.exec(tag)
    if (position) {
      const image = images[Number(position[1])]
      if (!image) throw invalid(index, `no image ${tag}: the archive holds ${images.length}`)
      return { image }
    }
    for (const image of images) {
      const matchedTag = image.repoTags.find((repoTag) => sameImageName(tag, repoTag))
      if (matchedTag !== undefined) return { image, matchedTag }
    }
    throw invalid(index, `no image tagged "${tag}"; available tags: ${listNames(allTags)}`)
  }
  const [only] = images
  if (images.length === 1 && only) return { image: only }
  if (images.length === 0) throw invalid(index, 'manifest.json lists no images')
  throw invalid(index, `the archive holds ${images.length} images; name one as docker-archive:PATH:TAG or :@N; available tags: ${listNames(allTags)}`)
}

interface ConfigDescriptor {
  path: string
  descriptor: Descriptor
  bytes: Buffer
  /** The config's rootfs.diff_ids, parsed on first need. */
  diffIds?: Array<Digest | undefined>
}

interface LayerDescriptor {
  path: string
  descriptor: Descriptor
}

async function describeConfig(index: TarIndex, path: string): Promise<ConfigDescriptor> {
  const bytes = await index.readMember(path, MAX_CONFIG_BYTES)
  return { path, bytes, descriptor: { mediaType: MediaType.DockerConfig, digest: sha256Digest(bytes), size: bytes.length } }
}

/** A layer's descriptor: media type sniffed, digest from its path, the DiffIDs, or hashing. */
async function describeLayer(index: TarIndex, path: string, position: number, config: ConfigDescriptor): Promise<LayerDescriptor> {
  const entry = index.file(path)
  const compression = sniffCompression(await index.readMemberHead(path, 6))
  const mediaType =
    compression === 'gzip' ? MediaType.DockerLayerGzip : compression === 'zstd' ? MediaType.OciLayerZstd : MediaType.DockerLayer
  const digest = digestFromBlobPath(path) ?? (compression === 'none' ? diffIdAt(config, position) : undefined) ?? (await hashMember(index, path))
  return { path, descriptor: { mediaType, digest, size: entry.size } }
}

/** Docker ≥ 25 stores layers as `blobs/sha256/<hex>`: the path is the digest. */
function digestFromBlobPath(path: string): Digest | undefined {
  const match = /^blobs\/(sha256|sha512)\/([0-9a-f]+)$/.exec(path)
  if (!match) return undefined
  try {
    return parseDigest(`${match[1]}:${match[2]}`)
  } catch {
    return undefined
  }
}

/** The uncompressed layer's digest is its DiffID; streaming it later proves the claim. */
function diffIdAt(config: ConfigDescriptor, position: number): Digest | undefined {
  config.diffIds ??= parseDiffIds(config.bytes)
  return config.diffIds[position]
}

function parseDiffIds(bytes: Buffer): Array<Digest | undefined> {
  const fail: Fail = (message) => {
    throw new ManifestError(ErrorCode.ConfigInvalid, message)
  }
  const json = expectObject(parseJsonBytes(bytes, 'image config', fail), 'config', fail)
  const rootfs = expectObject(json.rootfs, 'config.rootfs', fail)
  return expectArray(rootfs.diff_ids, 'config.rootfs.diff_ids', fail).map((value) => {
    try {
      return typeof value === 'string' ? parseDigest(value) : undefined
    } catch {
      return undefined
    }
  })
}

async function hashMember(index: TarIndex, path: string): Promise<Digest> {
  const hash = createHash('sha256')
  for await (const chunk of index.openMember(path)) hash.update(chunk as Buffer)
  return `sha256:${hash.digest('hex')}` as Digest
}

/** A Docker v2 manifest, keys in the order Docker writes them, serialised compactly. */
function synthesiseManifest(config: Descriptor, layers: Descriptor[]): FetchedManifest {
  const descriptor = (d: Descriptor) => ({ mediaType: d.mediaType, size: d.size, digest: d.digest })
  const bytes = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MediaType.DockerManifest,
      config: descriptor(config),
      layers: layers.map(descriptor),
    })
  )
  return { digest: sha256Digest(bytes), bytes, manifest: parseManifest(bytes, MediaType.DockerManifest) }
}

/**
 * Names the image after the tag that selected it, or its first tag; the tags are those of
 * the same repository. Untagged images are `local` and named after the file.
 */
function archiveSubject(path: string, repoTags: string[], matchedTag: string | undefined): SourceSubject {
  const subject: SourceSubject = { type: 'docker-archive', registry: 'local', repository: basename(resolve(path)), tags: [], path }
  const refs = repoTags.flatMap((tag) => tryParseReference(tag) ?? [])
  const primary = (matchedTag !== undefined ? tryParseReference(matchedTag) : undefined) ?? refs[0]
  if (!primary) return subject
  subject.registry = primary.registry
  subject.repository = primary.repository
  const tags = refs.filter((ref) => ref.registry === primary.registry && ref.repository === primary.repository).flatMap((ref) => ref.tag ?? [])
  subject.tags = [...new Set(tags)]
  return subject
}

function invalid(index: TarIndex, why: string): ArchiveError {
  return new ArchiveError(ErrorCode.ArchiveInvalid, `${index.path}: ${why}`)
}
