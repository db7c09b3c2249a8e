/**
 * An {@link ImageSource} over an OCI image layout (`oci-layout`, `index.json`,
 * `blobs/<alg>/<hex>`), wherever its files are: a directory or a tar archive, through a
 * {@link BlobStore}.
 *
 * @see https://github.com/opencontainers/image-spec/blob/main/image-layout.md
 * @module
 */
import { basename, resolve } from 'node:path'
import type { Readable } from 'node:stream'
import { ArchiveError, ErrorCode, ManifestError } from '../errors.js'
import { sha256Digest } from '../image/digest.js'
import { parseManifest, type Descriptor, type FetchedManifest, type ImageIndex, type Manifest } from '../image/manifest.js'
import type { ImageSource, SourceSubject } from '../ports/image-source.js'
import { isObject } from '../shape.js'
import type { BlobStore } from './blob-store.js'
import { listNames, looksLikeReference, sameImageName, tryParseReference } from './naming.js'
import { blobPath, MAX_MANIFEST_BYTES, openVerifiedBlob, readVerifiedBlob, readVerifiedManifest } from './verified-reads.js'

/** The annotation that names a manifest in `index.json`: a tag, or a full reference. */
export const REF_NAME_ANNOTATION = 'org.opencontainers.image.ref.name'

const MAX_LAYOUT_FILE_BYTES = 64 * 1024

export interface LayoutSourceOptions {
  /** `oci` for a directory, `oci-archive` for a tar file. */
  type: 'oci' | 'oci-archive'
  /** The directory or file, as the user named it; its base name names untagged images. */
  path: string
  /** Selects the `index.json` entry whose ref.name annotation is this. */
  tag?: string
}

/**
 * Reads an OCI layout's `oci-layout` and `index.json` and picks the root: the entry named
 * `tag`; else the only entry; else `index.json` itself, as an index. Structural problems are
 * ArchiveError `ARCHIVE_INVALID`. The store is closed with the source.
 */
export async function openLayoutSource(store: BlobStore, options: LayoutSourceOptions): Promise<ImageSource> {
  await checkLayoutFile(store)
  const indexBytes = await store.read('index.json', MAX_MANIFEST_BYTES)
  if (!indexBytes) throw invalid(store, 'index.json is missing')
  const index = parseIndexJson(store, indexBytes)

  let selected: Descriptor | undefined
  if (options.tag !== undefined) {
    const tag = options.tag
    selected = index.manifests.find((d) => {
      const name = d.annotations?.[REF_NAME_ANNOTATION]
      return name !== undefined && sameImageName(tag, name)
    })
    if (!selected) {
      const names = index.manifests.flatMap((d) => d.annotations?.[REF_NAME_ANNOTATION] ?? [])
      throw invalid(store, `no image tagged "${tag}" in index.json; available tags: ${listNames(names)}`)
    }
  } else if (index.manifests.length === 1) {
    selected = index.manifests[0]
  } else if (index.manifests.length === 0) {
    throw invalid(store, 'index.json lists no manifests')
  }

  const subject = layoutSubject(options, selected?.annotations?.[REF_NAME_ANNOTATION])
  const rootIndex: FetchedManifest | undefined = selected ? undefined : { digest: sha256Digest(indexBytes), bytes: indexBytes, manifest: index }
  return new LayoutSource(store, subject, selected, rootIndex)
}

class LayoutSource implements ImageSource {
  readonly subject: SourceSubject
  readonly #store: BlobStore
  readonly #selected: Descriptor | undefined
  readonly #rootIndex: FetchedManifest | undefined

  constructor(store: BlobStore, subject: SourceSubject, selected: Descriptor | undefined, rootIndex: FetchedManifest | undefined) {
    this.#store = store
    this.subject = subject
    this.#selected = selected
    this.#rootIndex = rootIndex
  }

  async root(): Promise<FetchedManifest> {
    if (this.#rootIndex) return this.#rootIndex
    return this.manifest(this.#selected!)
  }

  async manifest(descriptor: Descriptor): Promise<FetchedManifest> {
    if (this.#rootIndex && descriptor.digest === this.#rootIndex.digest) return this.#rootIndex
    return readVerifiedManifest(this.#store, blobPath(descriptor.digest), descriptor)
  }

  async blobBytes(descriptor: Descriptor, maxBytes: number): Promise<Uint8Array> {
    return readVerifiedBlob(this.#store, blobPath(descriptor.digest), descriptor, maxBytes)
  }

  async openBlob(descriptor: Descriptor): Promise<Readable> {
    return openVerifiedBlob(this.#store, blobPath(descriptor.digest), descriptor)
  }

  async close(): Promise<void> {
    await this.#store.close()
  }
}

async function checkLayoutFile(store: BlobStore): Promise<void> {
  const bytes = await store.read('oci-layout', MAX_LAYOUT_FILE_BYTES)
  if (!bytes) throw invalid(store, 'not an OCI image layout: the "oci-layout" file is missing')
  let json: unknown
  try {
    json = JSON.parse(bytes.toString('utf8'))
  } catch {
    throw invalid(store, 'the "oci-layout" file is not valid JSON')
  }
  const version = isObject(json) ? json.imageLayoutVersion : undefined
  if (typeof version !== 'string') throw invalid(store, 'the "oci-layout" file has no imageLayoutVersion')
  if (!/^1\.\d+\.\d+$/.test(version)) throw invalid(store, `unsupported imageLayoutVersion "${version}"`)
}

function parseIndexJson(store: BlobStore, bytes: Uint8Array): ImageIndex {
  let parsed: Manifest
  try {
    parsed = parseManifest(bytes)
  } catch (error) {
    if (error instanceof ManifestError) throw invalid(store, `index.json: ${error.message}`, error)
    throw error
  }
  if (parsed.kind !== 'index') throw invalid(store, 'index.json is not an image index')
  return parsed
}

/**
 * Names the image: a ref.name that is a full reference gives registry, repository and tag;
 * a bare tag gives `local`, the layout's base name and that tag.
 */
function layoutSubject(options: LayoutSourceOptions, refName: string | undefined): SourceSubject {
  const subject: SourceSubject = {
    type: options.type,
    registry: 'local',
    repository: basename(resolve(options.path)),
    tags: [],
    path: options.path,
  }
  if (refName === undefined || refName === '') return subject
  const ref = looksLikeReference(refName) ? tryParseReference(refName) : undefined
  if (ref) {
    subject.registry = ref.registry
    subject.repository = ref.repository
    subject.tags = ref.tag !== undefined ? [ref.tag] : []
  } else {
    subject.tags = [refName]
  }
  return subject
}

function invalid(store: BlobStore, why: string, cause?: unknown): ArchiveError {
  return new ArchiveError(ErrorCode.ArchiveInvalid, `${store.location}: ${why}`, cause === undefined ? {} : { cause })
}
