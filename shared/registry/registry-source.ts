/**
 * An {@link ImageSource} over a registry: the reference's manifest, its children and blobs.
 *
 * @module
 */
import { ErrorCode, ManifestError } from '../errors.js'
import type { Descriptor, FetchedManifest } from '../image/manifest.js'
import { manifestReference, type ImageRef } from '../image/reference.js'
import type { ImageSource } from '../ports/image-source.js'
import type { RegistryClient } from './registry-client.js'

export function registryImageSource(client: RegistryClient, ref: ImageRef): ImageSource {
  const repo = { registry: ref.registry, repository: ref.repository }
  return {
    subject: { type: 'registry', registry: ref.registry, repository: ref.repository, tags: ref.tag ? [ref.tag] : [] },
    root: () => client.getManifest(repo, manifestReference(ref)),
    async manifest(descriptor: Descriptor): Promise<FetchedManifest> {
      const fetched = await client.getManifest(repo, descriptor.digest)
      if (fetched.bytes.length !== descriptor.size) {
        throw new ManifestError(ErrorCode.ManifestInvalid, `manifest ${descriptor.digest} is ${fetched.bytes.length} bytes; the index says ${descriptor.size}`)
      }
      return fetched
    },
    blobBytes: (descriptor, maxBytes) => client.blobBytes(repo, descriptor, maxBytes),
    openBlob: (descriptor) => client.openBlob(repo, descriptor),
    findManifest: (reference) => client.findManifest(repo, reference),
    referrers: (digest) => client.getReferrers(repo, digest),
    close: async () => {},
  }
}
