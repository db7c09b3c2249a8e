/**
 * Where an image's manifests and blobs come from: a registry, or a local archive or
 * OCI layout. The scan never cares which.
 *
 * @module
 */
import type { Readable } from 'node:stream'
import type { Digest } from '../image/digest.js'
import type { Descriptor, FetchedManifest } from '../image/manifest.js'

/** How the report names the origin of a scanned image. */
export interface SourceSubject {
  /** `registry`, `docker-archive`, `oci-archive` or `oci`. */
  type: 'registry' | 'docker-archive' | 'oci-archive' | 'oci'
  /** Registry host (`docker.io`, `127.0.0.1:5000`), or the registry the archive's tag names, or `local`. */
  registry: string
  /** Repository path (`library/nginx`); for archives, the one their tag names, or the file's name. */
  repository: string
  /** Tags known to point at the image. */
  tags: string[]
  /** For archives and layouts: the path that was read. */
  path?: string
}

export interface ImageSource {
  readonly subject: SourceSubject
  /** The manifest or index the reference names. */
  root(): Promise<FetchedManifest>
  /** A manifest an index points to; its bytes are checked against the descriptor's digest. */
  manifest(descriptor: Descriptor): Promise<FetchedManifest>
  /** A small blob (a config) read whole; refused above `maxBytes`; digest and size verified. */
  blobBytes(descriptor: Descriptor, maxBytes: number): Promise<Uint8Array>
  /**
   * A blob as a stream. The stream fails if the bytes do not match the descriptor's size and
   * digest, so reading it to the end proves the content. The caller must consume or destroy it.
   */
  openBlob(descriptor: Descriptor): Promise<Readable>
  /**
   * The manifest a tag names in the same repository, or undefined when there is none; for
   * signature discovery (`sha256-<hex>.sig`). Absent for sources that have no tags to look up.
   */
  findManifest?(reference: string): Promise<FetchedManifest | undefined>
  /** The OCI referrers of a manifest; undefined when the source has no referrers API. */
  referrers?(digest: Digest): Promise<FetchedManifest | undefined>
  /** Releases connections and file handles. */
  close(): Promise<void>
}
