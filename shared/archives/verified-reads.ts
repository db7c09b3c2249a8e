/**
 * Reading manifests and blobs out of a {@link BlobStore} with the checks a registry client
 * makes: size and digest against the descriptor, size limits, stream verification.
 *
 * @module
 */
import { pipeline, type Readable } from 'node:stream'
import { ArchiveError, ErrorCode, LimitError, ManifestError, PushscanError } from '../errors.js'
import { digestAlgorithm, digestHex, digestLike, DigestVerifier, type Digest } from '../image/digest.js'
import { parseManifest, type Descriptor, type FetchedManifest } from '../image/manifest.js'
import type { BlobStore } from './blob-store.js'

/** Largest manifest or index read (the limit registries commonly apply). */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024

/** Where an OCI layout keeps the blob with `digest`: `blobs/<alg>/<hex>`. */
export function blobPath(digest: Digest): string {
  return `blobs/${digestAlgorithm(digest)}/${digestHex(digest)}`
}

/**
 * Reads the manifest or index `descriptor` names from `relPath`, checks its size and digest
 * (ManifestError `MANIFEST_DIGEST_MISMATCH`) and parses it. Missing → ArchiveError `MANIFEST_UNKNOWN`.
 */
export async function readVerifiedManifest(store: BlobStore, relPath: string, descriptor: Descriptor): Promise<FetchedManifest> {
  if (descriptor.size > MAX_MANIFEST_BYTES) {
    throw new ManifestError(ErrorCode.ManifestTooLarge, `manifest ${descriptor.digest} is ${descriptor.size} bytes, over the limit of ${MAX_MANIFEST_BYTES}`)
  }
  const size = await store.size(relPath)
  if (size === undefined) throw missing(store, ErrorCode.ManifestUnknown, 'manifest', descriptor.digest, relPath)
  if (size !== descriptor.size) {
    throw new ManifestError(ErrorCode.ManifestDigestMismatch, `manifest ${descriptor.digest} is ${size} bytes, the descriptor says ${descriptor.size}`)
  }
  const bytes = await store.read(relPath, descriptor.size)
  if (!bytes) throw missing(store, ErrorCode.ManifestUnknown, 'manifest', descriptor.digest, relPath)
  const actual = digestLike(descriptor.digest, bytes)
  if (actual !== descriptor.digest) {
    throw new ManifestError(ErrorCode.ManifestDigestMismatch, `manifest hashes to ${actual}, expected ${descriptor.digest}`)
  }
  return { digest: descriptor.digest, bytes, manifest: parseManifest(bytes, descriptor.mediaType) }
}

/**
 * Reads a small blob whole, refusing it above `maxBytes` (LimitError `BLOB_TOO_LARGE`:
 * small blobs are configs), and checks its size (`BLOB_SIZE_MISMATCH`) and digest
 * (`BLOB_DIGEST_MISMATCH`). Missing → ArchiveError `BLOB_UNKNOWN`.
 */
export async function readVerifiedBlob(store: BlobStore, relPath: string, descriptor: Descriptor, maxBytes: number): Promise<Uint8Array> {
  if (descriptor.size > maxBytes) {
    throw new LimitError(ErrorCode.BlobTooLarge, 'maxBlobBytes', descriptor.size, `blob ${descriptor.digest} is ${descriptor.size} bytes, over the limit of ${maxBytes}`)
  }
  const size = await store.size(relPath)
  if (size === undefined) throw missing(store, ErrorCode.BlobUnknown, 'blob', descriptor.digest, relPath)
  if (size !== descriptor.size) {
    throw new PushscanError(ErrorCode.BlobSizeMismatch, `blob ${descriptor.digest} is ${size} bytes, the descriptor says ${descriptor.size}`)
  }
  const bytes = await store.read(relPath, descriptor.size)
  if (!bytes) throw missing(store, ErrorCode.BlobUnknown, 'blob', descriptor.digest, relPath)
  const actual = digestLike(descriptor.digest, bytes)
  if (actual !== descriptor.digest) {
    throw new PushscanError(ErrorCode.BlobDigestMismatch, `content hashes to ${actual}, expected ${descriptor.digest}`)
  }
  return bytes
}

/**
 * Opens a blob as a stream that fails (`BLOB_SIZE_MISMATCH`, `BLOB_DIGEST_MISMATCH`) unless
 * its bytes match the descriptor. Missing → ArchiveError `BLOB_UNKNOWN`.
 */
export async function openVerifiedBlob(store: BlobStore, relPath: string, descriptor: Descriptor): Promise<Readable> {
  const source = await store.open(relPath)
  if (!source) throw missing(store, ErrorCode.BlobUnknown, 'blob', descriptor.digest, relPath)
  return verifyStream(source, descriptor)
}

/**
 * Pipes `source` through a {@link DigestVerifier} for `descriptor` and returns the verifier:
 * an error on either side destroys both, and destroying the result closes the source.
 */
export function verifyStream(source: Readable, descriptor: Descriptor): Readable {
  const verifier = new DigestVerifier({ digest: descriptor.digest, size: descriptor.size })
  // errors reach the consumer through the verifier, which pipeline destroys with them
  pipeline(source, verifier, () => undefined)
  return verifier
}

function missing(store: BlobStore, code: ErrorCode, what: string, digest: Digest, relPath: string): ArchiveError {
  return new ArchiveError(code, `${store.location}: ${what} ${digest} is missing ("${relPath}")`)
}
