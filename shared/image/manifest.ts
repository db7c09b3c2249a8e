/**
 * Image manifests and indexes (OCI and Docker v2), parsed from their exact bytes.
 *
 * @see https://github.com/opencontainers/image-spec/blob/main/manifest.md
 * @see https://github.com/opencontainers/image-spec/blob/main/image-index.md
 * @module
 */
import { ErrorCode, ManifestError } from '../errors.js'
import {
  expectArray,
  expectInteger,
  expectObject,
  expectString,
  isObject,
  optionalString,
  optionalStringArray,
  optionalStringMap,
  parseJsonBytes,
  type Fail,
  type JsonObject,
} from '../shape.js'
import { parseDigest, type Digest } from './digest.js'
import { isImageManifestMediaType, isIndexMediaType, isSchema1MediaType, MediaType } from './media-types.js'
import { isUnknownPlatform, type Platform } from './platform.js'

export interface Descriptor {
  mediaType: string
  digest: Digest
  size: number
  urls?: string[]
  annotations?: Record<string, string>
  platform?: Platform
  artifactType?: string
}

export interface ImageManifest {
  kind: 'manifest'
  mediaType: string
  config: Descriptor
  layers: Descriptor[]
  annotations?: Record<string, string>
  subject?: Descriptor
  artifactType?: string
}

export interface ImageIndex {
  kind: 'index'
  mediaType: string
  manifests: Descriptor[]
  annotations?: Record<string, string>
  subject?: Descriptor
  artifactType?: string
}

export type Manifest = ImageManifest | ImageIndex

/** A manifest as fetched: its exact bytes, their digest and the parsed value. */
export interface FetchedManifest {
  digest: Digest
  bytes: Uint8Array
  manifest: Manifest
}

const fail: Fail = (message) => {
  throw new ManifestError(ErrorCode.ManifestInvalid, message)
}

/** Content types that say nothing about which manifest this is. */
const GENERIC_CONTENT_TYPES = new Set(['', 'application/json', 'application/octet-stream', 'text/plain'])

/**
 * Parses manifest bytes. `contentType` is what the registry said it sent; when the document
 * names its own `mediaType` the two must agree (distribution-spec: clients SHOULD reject
 * otherwise). Schema 1 manifests are refused with `MANIFEST_SCHEMA1`.
 */
export function parseManifest(bytes: Uint8Array, contentType = ''): Manifest {
  const declaredType = contentType.split(';')[0]!.trim().toLowerCase()
  if (isSchema1MediaType(declaredType)) throw schema1Error()
  const json = expectObject(parseJsonBytes(bytes, 'manifest', fail), 'manifest', fail)
  if (json.schemaVersion === 1) throw schema1Error()
  expectInteger(json.schemaVersion, 'manifest.schemaVersion', fail, 2, 2)
  const ownType = optionalString(json.mediaType, 'manifest.mediaType', fail) || undefined
  if (ownType && !GENERIC_CONTENT_TYPES.has(declaredType) && ownType !== declaredType) {
    fail(`manifest mediaType "${ownType}" does not match the Content-Type "${declaredType}"`)
  }
  const mediaType = ownType ?? (GENERIC_CONTENT_TYPES.has(declaredType) ? inferMediaType(json) : declaredType)
  if (isIndexMediaType(mediaType)) return parseIndex(json, mediaType)
  if (isImageManifestMediaType(mediaType)) return parseImageManifest(json, mediaType)
  throw new ManifestError(ErrorCode.ManifestUnsupported, `unsupported manifest media type "${mediaType}"`)
}

function schema1Error(): ManifestError {
  return new ManifestError(
    ErrorCode.ManifestSchema1,
    'Docker schema 1 manifests are not supported (deprecated since 2017); re-push the image with a current client'
  )
}

function inferMediaType(json: JsonObject): string {
  if (Array.isArray(json.manifests)) return MediaType.OciIndex
  if (isObject(json.config) && Array.isArray(json.layers)) return MediaType.OciManifest
  return fail('manifest has neither "manifests" nor "config" and "layers"')
}

function parseIndex(json: JsonObject, mediaType: string): ImageIndex {
  const manifests = expectArray(json.manifests, 'index.manifests', fail).map((d, i) =>
    parseDescriptor(d, `index.manifests[${i}]`)
  )
  const index: ImageIndex = { kind: 'index', mediaType, manifests }
  const annotations = optionalStringMap(json.annotations, 'index.annotations', fail)
  if (annotations) index.annotations = annotations
  if (json.subject !== undefined) index.subject = parseDescriptor(json.subject, 'index.subject')
  const artifactType = optionalString(json.artifactType, 'index.artifactType', fail)
  if (artifactType) index.artifactType = artifactType
  return index
}

function parseImageManifest(json: JsonObject, mediaType: string): ImageManifest {
  const manifest: ImageManifest = {
    kind: 'manifest',
    mediaType,
    config: parseDescriptor(json.config, 'manifest.config'),
    layers: expectArray(json.layers, 'manifest.layers', fail).map((d, i) => parseDescriptor(d, `manifest.layers[${i}]`)),
  }
  const annotations = optionalStringMap(json.annotations, 'manifest.annotations', fail)
  if (annotations) manifest.annotations = annotations
  if (json.subject !== undefined) manifest.subject = parseDescriptor(json.subject, 'manifest.subject')
  const artifactType = optionalString(json.artifactType, 'manifest.artifactType', fail)
  if (artifactType) manifest.artifactType = artifactType
  return manifest
}

/** Parses one descriptor (`{mediaType, digest, size, …}`). */
export function parseDescriptor(value: unknown, at: string): Descriptor {
  const json = expectObject(value, at, fail)
  let digest: Digest
  try {
    digest = parseDigest(expectString(json.digest, `${at}.digest`, fail))
  } catch (error) {
    if (error instanceof ManifestError) throw error
    return fail(`${at}.digest: ${(error as Error).message}`)
  }
  const descriptor: Descriptor = {
    mediaType: expectString(json.mediaType, `${at}.mediaType`, fail),
    digest,
    size: expectInteger(json.size, `${at}.size`, fail),
  }
  const urls = optionalStringArray(json.urls, `${at}.urls`, fail)
  if (urls) descriptor.urls = urls
  const annotations = optionalStringMap(json.annotations, `${at}.annotations`, fail)
  if (annotations) descriptor.annotations = annotations
  if (json.platform !== undefined) descriptor.platform = parsePlatformObject(json.platform, `${at}.platform`)
  const artifactType = optionalString(json.artifactType, `${at}.artifactType`, fail)
  if (artifactType) descriptor.artifactType = artifactType
  return descriptor
}

function parsePlatformObject(value: unknown, at: string): Platform {
  const json = expectObject(value, at, fail)
  const platform: Platform = {
    os: expectString(json.os, `${at}.os`, fail),
    architecture: expectString(json.architecture, `${at}.architecture`, fail),
  }
  const variant = optionalString(json.variant, `${at}.variant`, fail)
  if (variant) platform.variant = variant
  const osVersion = optionalString(json['os.version'], `${at}.os.version`, fail)
  if (osVersion) platform.osVersion = osVersion
  return platform
}

/**
 * BuildKit attestation manifests (SBOM, provenance) sit in the index beside the images,
 * under the platform `unknown/unknown`; they hold no filesystem to scan.
 *
 * @see https://github.com/moby/buildkit/blob/master/docs/attestations/attestation-storage.md
 */
export function isAttestationManifest(descriptor: Descriptor): boolean {
  return (
    descriptor.annotations?.['vnd.docker.reference.type'] === 'attestation-manifest' ||
    isUnknownPlatform(descriptor.platform)
  )
}
