/**
 * The registry client port: what the scan needs from an OCI distribution registry.
 *
 * @module
 */
import type { Readable } from 'node:stream'
import type { Digest } from '../image/digest.js'
import type { Descriptor, FetchedManifest } from '../image/manifest.js'
import type { RateLimit } from './rate-limit.js'

/** A repository in a registry: `{ registry: 'docker.io', repository: 'library/nginx' }`. */
export interface RepositoryRef {
  registry: string
  repository: string
}

/** What a manifest HEAD says, without downloading (and, on Docker Hub, without counting a pull). */
export interface ManifestHead {
  digest: Digest
  mediaType: string
  size: number
}

export interface RegistryClient {
  /** GETs a manifest or index by tag or digest, verifying its bytes against the digest. */
  getManifest(repo: RepositoryRef, reference: string): Promise<FetchedManifest>
  /** HEADs a manifest: resolves a tag to a digest. */
  headManifest(repo: RepositoryRef, reference: string): Promise<ManifestHead>
  /** Reads a small blob whole, refusing more than `maxBytes`; digest and size verified. */
  blobBytes(repo: RepositoryRef, descriptor: Descriptor, maxBytes: number): Promise<Uint8Array>
  /** Streams a blob, verifying size and digest as it goes; resumes after a dropped connection. */
  openBlob(repo: RepositoryRef, descriptor: Descriptor): Promise<Readable>
  /**
   * The manifest a tag or digest names, or undefined when there is none. Looks with HEAD
   * first: a HEAD does not count as a pull on Docker Hub, and most lookups (signature tags)
   * find nothing.
   */
  findManifest(repo: RepositoryRef, reference: string): Promise<FetchedManifest | undefined>
  /**
   * The OCI 1.1 referrers of a manifest (an image index of descriptors), or undefined when
   * the registry has no referrers API (then clients use the `sha256-<hex>` tag fallback).
   */
  getReferrers(repo: RepositoryRef, digest: Digest): Promise<FetchedManifest | undefined>
  /** The latest rate-limit headers a registry sent, if any. */
  rateLimit(registry: string): RateLimit | undefined
}
