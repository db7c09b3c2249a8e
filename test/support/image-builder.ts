/**
 * Building OCI and Docker images, indexes and BuildKit-style attestations entirely in
 * memory, for pushing to a real registry or serving from the fault registry.
 *
 * @module
 */
import { MediaType } from '../../shared/image/media-types.js'
import { layerMediaType, sha256, type BlobLike, type BuiltBlob } from './layer-builder.js'

export {
  buildLayer,
  buildTar,
  DEFAULT_MTIME,
  layerMediaType,
  opaqueWhiteout,
  sha256,
  whiteout,
  type BlobLike,
  type BuildLayerOptions,
  type BuiltBlob,
  type EntryCommon,
  type LayerCompression,
  type LayerEntrySpec,
} from './layer-builder.js'

/** Which manifest family to produce. */
export type ImageFormat = 'oci' | 'docker'

/** An image platform. */
export interface Platform {
  os: string
  architecture: string
  variant?: string
}

/** Fields of the config's `config` object (the runtime defaults); anything else is passed through. */
export interface ImageRuntimeConfig {
  User?: string
  Env?: string[]
  Cmd?: string[]
  Entrypoint?: string[]
  WorkingDir?: string
  ExposedPorts?: Record<string, Record<string, never>>
  Volumes?: Record<string, Record<string, never>>
  Labels?: Record<string, string>
  StopSignal?: string
  [field: string]: unknown
}

/** One `history` entry of an image config. */
export interface HistoryEntry {
  created?: string
  created_by?: string
  author?: string
  comment?: string
  empty_layer?: boolean
}

/** Options for {@link buildImage}. */
export interface BuildImageOptions {
  layers: readonly BuiltBlob[]
  format: ImageFormat
  /** Default linux/amd64. */
  platform?: Platform
  /** Merged over the default `{ Env: [PATH=…] }`. */
  config?: ImageRuntimeConfig
  /** Default: one entry per layer, `created_by: "layer N"` with N counted from 1. */
  history?: HistoryEntry[]
  /** Manifest annotations (OCI only). */
  annotations?: Record<string, string>
  /** Extra top-level config fields (`author`, `os.version`, …), or overrides of the generated ones. */
  configFields?: Record<string, unknown>
}

/** A manifest or config blob with its parsed JSON. */
export interface JsonBlob extends BlobLike {
  json: Record<string, unknown>
}

/** An image: its manifest, config and layers. */
export interface BuiltImage {
  manifest: JsonBlob
  config: JsonBlob
  /** The layers as the manifest lists them (media types adjusted to the format). */
  layers: BuiltBlob[]
  platform: Platform
  format: ImageFormat
}

/** Options for {@link buildIndex}. */
export interface BuildIndexOptions {
  images: readonly BuiltImage[]
  format: ImageFormat
  /** Images (from `images`) that get a BuildKit-style attestation manifest. */
  attestationFor?: readonly BuiltImage[]
  /** The in-toto statement of each attestation (default: an empty SPDX SBOM). */
  statementFor?: (image: BuiltImage) => Record<string, unknown>
  /** Index annotations (OCI only). */
  annotations?: Record<string, string>
}

/** An image index (OCI) or manifest list (Docker). */
export interface BuiltIndex {
  manifest: JsonBlob
  images: BuiltImage[]
  attestations: BuiltImage[]
}

/** Every blob and manifest of an image or index, keyed by digest. */
export interface ImageContents {
  /** Configs and layers (also attestation ones), each once. */
  blobs: Map<string, BlobLike>
  /** Manifests in push order: children before the index that names them; the root is last. */
  manifests: Map<string, JsonBlob>
  /** The top-level manifest or index. */
  root: JsonBlob
}

/** The default PATH of Docker images. */
export const DEFAULT_ENV = ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin']

const CREATED = '2024-01-01T00:00:00Z'

export function jsonBlob(mediaType: string, json: Record<string, unknown>): JsonBlob {
  const bytes = Buffer.from(JSON.stringify(json))
  return { mediaType, digest: sha256(bytes), size: bytes.length, bytes, json }
}

/** The descriptor that points at a blob. */
export function descriptorOf(blob: BlobLike, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    mediaType: blob.mediaType,
    digest: blob.digest,
    size: blob.size,
    ...extra,
    ...(blob.annotations ? { annotations: blob.annotations } : {}),
  }
}

function platformJson(platform: Platform): Record<string, string> {
  return {
    architecture: platform.architecture,
    os: platform.os,
    ...(platform.variant === undefined ? {} : { variant: platform.variant }),
  }
}

export function assemble(
  format: ImageFormat,
  layers: BuiltBlob[],
  platform: Platform,
  configJson: Record<string, unknown>,
  annotations: Record<string, string> | undefined,
): BuiltImage {
  if (format === 'docker' && annotations) throw new Error('Docker v2 schema 2 manifests have no annotations; use format "oci"')
  const config = jsonBlob(format === 'oci' ? MediaType.OciConfig : MediaType.DockerConfig, configJson)
  const manifest = jsonBlob(format === 'oci' ? MediaType.OciManifest : MediaType.DockerManifest, {
    schemaVersion: 2,
    mediaType: format === 'oci' ? MediaType.OciManifest : MediaType.DockerManifest,
    config: descriptorOf(config),
    layers: layers.map((layer) => descriptorOf(layer)),
    ...(annotations ? { annotations } : {}),
  })
  return { manifest, config, layers, platform, format }
}

/**
 * Builds an image config and manifest over the given layers. Layer media types follow the
 * format; a zstd layer in a Docker image throws.
 */
export function buildImage(options: BuildImageOptions): BuiltImage {
  const platform = options.platform ?? { os: 'linux', architecture: 'amd64' }
  const layers = options.layers.map((layer) =>
    layer.compression === undefined ? { ...layer } : { ...layer, mediaType: layerMediaType(options.format, layer.compression) },
  )
  const history = options.history ?? layers.map((_, index) => ({ created: CREATED, created_by: `layer ${index + 1}` }))
  const configJson: Record<string, unknown> = {
    created: CREATED,
    ...platformJson(platform),
    config: { Env: DEFAULT_ENV, ...options.config },
    rootfs: { type: 'layers', diff_ids: layers.map((layer) => layer.diffId) },
    history,
    ...options.configFields,
  }
  return assemble(options.format, layers, platform, configJson, options.annotations)
}

/** An in-toto statement about `image` (subject: its digest) with this predicate. */
export function statementAbout(image: BuiltImage, predicateType: string, predicate: Record<string, unknown>): Record<string, unknown> {
  return {
    _type: 'https://in-toto.io/Statement/v0.1',
    predicateType,
    subject: [{ name: `pkg:docker/pushscan-test@latest?platform=${image.platform.os}%2F${image.platform.architecture}`, digest: { sha256: image.manifest.digest.slice('sha256:'.length) } }],
    predicate,
  }
}

/** The in-toto statement BuildKit would attach about `image`: an SPDX SBOM, unless another is given. */
function attestationFor(image: BuiltImage, statementJson?: Record<string, unknown>): BuiltImage {
  const json = statementJson ?? statementAbout(image, 'https://spdx.dev/Document', { spdxVersion: 'SPDX-2.3', SPDXID: 'SPDXRef-DOCUMENT', name: 'sbom', packages: [] })
  const predicateType = String(json.predicateType)
  const statement = Buffer.from(JSON.stringify(json))
  const layer: BuiltBlob = {
    mediaType: MediaType.InToto,
    digest: sha256(statement),
    size: statement.length,
    bytes: statement,
    diffId: sha256(statement),
    annotations: { 'in-toto.io/predicate-type': predicateType },
  }
  const platform = { os: 'unknown', architecture: 'unknown' }
  return assemble('oci', [layer], platform, {
    architecture: 'unknown',
    os: 'unknown',
    config: {},
    rootfs: { type: 'layers', diff_ids: [layer.diffId] },
  }, undefined)
}

/**
 * Builds an OCI image index or a Docker manifest list over `images`, plus one attestation
 * manifest (platform unknown/unknown, `vnd.docker.reference.*` annotations) for each image
 * in `attestationFor`, listed after the images as BuildKit does.
 */
export function buildIndex(options: BuildIndexOptions): BuiltIndex {
  if (options.format === 'docker' && options.annotations) throw new Error('Docker manifest lists have no annotations; use format "oci"')
  const attested = options.attestationFor ?? []
  for (const image of attested) {
    if (!options.images.includes(image)) throw new Error(`attestationFor names an image that is not in images: ${image.manifest.digest}`)
  }
  const attestations = attested.map((image) => attestationFor(image, options.statementFor?.(image)))
  const mediaType = options.format === 'oci' ? MediaType.OciIndex : MediaType.DockerManifestList
  const manifests = [
    ...options.images.map((image) => descriptorOf(image.manifest, { platform: platformJson(image.platform) })),
    ...attestations.map((attestation, index) =>
      descriptorOf(attestation.manifest, {
        platform: platformJson(attestation.platform),
        annotations: {
          'vnd.docker.reference.type': 'attestation-manifest',
          'vnd.docker.reference.digest': attested[index]?.manifest.digest ?? '',
        },
      }),
    ),
  ]
  const manifest = jsonBlob(mediaType, {
    schemaVersion: 2,
    mediaType,
    manifests,
    ...(options.annotations ? { annotations: options.annotations } : {}),
  })
  return { manifest, images: [...options.images], attestations }
}

function isIndex(value: BuiltImage | BuiltIndex): value is BuiltIndex {
  return 'images' in value
}

/** Every blob (configs, layers) and every manifest of an image or index, ready to push or serve. */
export function blobsOf(imageOrIndex: BuiltImage | BuiltIndex): ImageContents {
  const blobs = new Map<string, BlobLike>()
  const manifests = new Map<string, JsonBlob>()
  const images = isIndex(imageOrIndex) ? [...imageOrIndex.images, ...imageOrIndex.attestations] : [imageOrIndex]
  for (const image of images) {
    blobs.set(image.config.digest, image.config)
    for (const layer of image.layers) blobs.set(layer.digest, layer)
    manifests.set(image.manifest.digest, image.manifest)
  }
  manifests.delete(imageOrIndex.manifest.digest)
  manifests.set(imageOrIndex.manifest.digest, imageOrIndex.manifest)
  return { blobs, manifests, root: imageOrIndex.manifest }
}
