/**
 * The media types pushscan reads, from the OCI image spec and Docker's manifest v2 spec.
 *
 * @see https://github.com/opencontainers/image-spec/blob/main/media-types.md
 * @see https://github.com/distribution/distribution/blob/main/docs/content/spec/manifest-v2-2.md
 * @module
 */

export const MediaType = {
  OciIndex: 'application/vnd.oci.image.index.v1+json',
  OciManifest: 'application/vnd.oci.image.manifest.v1+json',
  OciConfig: 'application/vnd.oci.image.config.v1+json',
  OciLayer: 'application/vnd.oci.image.layer.v1.tar',
  OciLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  OciLayerZstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
  OciLayerNondistributable: 'application/vnd.oci.image.layer.nondistributable.v1.tar',
  OciLayerNondistributableGzip: 'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip',
  OciLayerNondistributableZstd: 'application/vnd.oci.image.layer.nondistributable.v1.tar+zstd',
  OciEmpty: 'application/vnd.oci.empty.v1+json',
  DockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  DockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  DockerConfig: 'application/vnd.docker.container.image.v1+json',
  DockerLayer: 'application/vnd.docker.image.rootfs.diff.tar',
  DockerLayerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  DockerLayerForeignGzip: 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
  DockerSchema1: 'application/vnd.docker.distribution.manifest.v1+json',
  DockerSchema1Signed: 'application/vnd.docker.distribution.manifest.v1+prettyjws',
  InToto: 'application/vnd.in-toto+json',
} as const

export type MediaType = (typeof MediaType)[keyof typeof MediaType]

/** The Accept header for manifest requests: every manifest and index type we can read. */
export const MANIFEST_ACCEPT = [
  MediaType.OciIndex,
  MediaType.OciManifest,
  MediaType.DockerManifestList,
  MediaType.DockerManifest,
].join(', ')

export function isIndexMediaType(mediaType: string | undefined): boolean {
  return mediaType === MediaType.OciIndex || mediaType === MediaType.DockerManifestList
}

export function isImageManifestMediaType(mediaType: string | undefined): boolean {
  return mediaType === MediaType.OciManifest || mediaType === MediaType.DockerManifest
}

export function isSchema1MediaType(mediaType: string | undefined): boolean {
  return mediaType === MediaType.DockerSchema1 || mediaType === MediaType.DockerSchema1Signed
}

/** How a layer blob is compressed, as its media type declares it. */
export type Compression = 'gzip' | 'zstd' | 'none'

const LAYER_COMPRESSION: Readonly<Record<string, Compression>> = {
  [MediaType.OciLayer]: 'none',
  [MediaType.OciLayerGzip]: 'gzip',
  [MediaType.OciLayerZstd]: 'zstd',
  [MediaType.OciLayerNondistributable]: 'none',
  [MediaType.OciLayerNondistributableGzip]: 'gzip',
  [MediaType.OciLayerNondistributableZstd]: 'zstd',
  [MediaType.DockerLayer]: 'none',
  [MediaType.DockerLayerGzip]: 'gzip',
  [MediaType.DockerLayerForeignGzip]: 'gzip',
  // `docker save` archives and some registries describe layers loosely
  'application/vnd.docker.image.rootfs.diff.tar.zstd': 'zstd',
  'application/x-tar': 'none',
  'application/tar': 'none',
  'application/gzip': 'gzip',
  'application/x-gzip': 'gzip',
}

/**
 * The compression a layer media type declares, or undefined when the media type is not a
 * filesystem layer (an attestation, a signature, a Helm chart…).
 */
export function layerCompression(mediaType: string): Compression | undefined {
  return LAYER_COMPRESSION[mediaType]
}

/** Foreign and non-distributable layers may be absent from the registry (Windows base layers). */
export function isForeignLayer(mediaType: string): boolean {
  return mediaType === MediaType.DockerLayerForeignGzip || mediaType.includes('.nondistributable.')
}
