/**
 * Finds the layers of a base image named by annotation (`org.opencontainers.image.base.name`),
 * for the platform being scanned, so the scan can confirm or refute the claim.
 *
 * @module
 */
import { ErrorCode, ManifestError } from '../errors.js'
import { parseImageConfig } from '../image/config.js'
import { parseDigest } from '../image/digest.js'
import { isAttestationManifest } from '../image/manifest.js'
import { platformMatches } from '../image/platform.js'
import { manifestReference, parseReference } from '../image/reference.js'
import type { ScanLimits } from '../layers/limits.js'
import type { RegistryClient } from '../registry/registry-client.js'
import type { ProvenanceDeps } from './collect-provenance.js'

export interface BaseLookupOptions {
  limits: Pick<ScanLimits, 'maxConfigBytes' | 'maxLayers'>
  /** Registries the base may be fetched from (the service's allow-list); any when absent. */
  allowRegistry?: (registry: string) => boolean
}

export function registryBaseLookup(client: RegistryClient, options: BaseLookupOptions): NonNullable<ProvenanceDeps['baseDiffIds']> {
  return async (name, digest, platform) => {
    const ref = parseReference(name)
    if (digest && !ref.digest) ref.digest = parseDigest(digest)
    if (options.allowRegistry && !options.allowRegistry(ref.registry)) return undefined
    const repo = { registry: ref.registry, repository: ref.repository }
    let fetched = await client.getManifest(repo, manifestReference(ref))
    if (fetched.manifest.kind === 'index') {
      const child = fetched.manifest.manifests.find((d) => !isAttestationManifest(d) && (!platform || !d.platform || platformMatches(platform, d.platform)))
      if (!child) throw new ManifestError(ErrorCode.PlatformNotFound, `base image ${name} has no manifest for the image's platform`)
      fetched = await client.getManifest(repo, child.digest)
    }
    if (fetched.manifest.kind !== 'manifest') return undefined
    const config = parseImageConfig(await client.blobBytes(repo, fetched.manifest.config, options.limits.maxConfigBytes), options.limits.maxLayers)
    return config.diffIds
  }
}
