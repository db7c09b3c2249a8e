/**
 * Builds the worker's dependencies from the service configuration; shared by the Lambda
 * worker and the local one so both scan the same way.
 *
 * @module
 */
import { readFile } from 'node:fs/promises'
import { basename } from 'node:path'
import { Agent } from 'undici'
import { createAnalyzerSet } from '../../shared/analyzers/index.js'
import { ConfigError, ENV, type WorkerConfig } from '../../shared/config.js'
import { ErrorCode, InputError } from '../../shared/errors.js'
import { guardedLookup, hostGuard } from '../../shared/policy/host-guard.js'
import { isRegistryAllowed } from '../../shared/policy/registry-policy.js'
import { loadTrustedKeys, type TrustedKey } from '../../shared/provenance/index.js'
import { registryBaseLookup } from '../../shared/scan/base-lookup.js'
import type { Clock } from '../../shared/ports/clock.js'
import type { Logger } from '../../shared/ports/logger.js'
import type { ObjectStore } from '../../shared/ports/object-store.js'
import { ObjectLayerCache } from '../../shared/layers/object-layer-cache.js'
import { ReportStore } from '../../shared/report/report-store.js'
import { chainCredentials, parseDockerConfig, staticCredentials, type CredentialProvider } from '../../shared/registry/credentials.js'
import { UndiciRegistryClient } from '../../shared/registry/undici-registry-client.js'
import type { WorkerDeps } from '../../shared/scan/process-scan-request.js'
import { SCANNER_NAME, SCANNER_VERSION } from '../../shared/version.js'
import { ObjectVulnIndexStore } from '../../shared/vulns/object-vuln-index-store.js'
import { VulnIndexCache } from '../../shared/vulns/vuln-index-cache.js'

/** An undici dispatcher whose DNS lookups refuse addresses the policy does not allow. */
export function guardedAgent(config: Pick<WorkerConfig, 'policy'>): Agent {
  return new Agent({ connections: 16, connect: { lookup: guardedLookup(config.policy) as never } })
}

/** Credentials from the docker config.json-style file named by PUSHSCAN_REGISTRY_AUTH. */
export async function fileCredentials(path: string | undefined): Promise<CredentialProvider | undefined> {
  if (!path) return undefined
  let bytes: Buffer
  try {
    bytes = await readFile(path)
  } catch (error) {
    throw new InputError(ErrorCode.CredentialsInvalid, `PUSHSCAN_REGISTRY_AUTH: cannot read ${path}: ${(error as Error).message}`)
  }
  return staticCredentials(parseDockerConfig(bytes))
}

/** PUSHSCAN_COSIGN_KEYS: PEM text, or comma-separated paths to PEM files. */
export async function cosignKeys(value: string | undefined): Promise<TrustedKey[]> {
  if (!value) return []
  try {
    if (value.includes('-----BEGIN')) return loadTrustedKeys(value.split(/(?=-----BEGIN )/).filter((pem) => pem.trim()))
    const keys: TrustedKey[] = []
    for (const path of value.split(',').map((p) => p.trim()).filter(Boolean)) keys.push(...loadTrustedKeys([{ name: basename(path), key: await readFile(path, 'utf8') }]))
    return keys
  } catch (error) {
    throw new ConfigError(ErrorCode.ConfigInvalidValue, ENV.CosignKeys, (error as Error).message)
  }
}

export interface WorkerWiring {
  config: WorkerConfig
  objects: ObjectStore
  clock: Clock
  logger: Logger
  dispatcher: Agent
  /** Further credential sources (ECR in AWS), asked after the credentials file. */
  credentials?: CredentialProvider[]
}

export async function createWorkerDeps(wiring: WorkerWiring): Promise<WorkerDeps> {
  const { config, logger, clock } = wiring
  const providers = [await fileCredentials(config.registryAuthPath), ...(wiring.credentials ?? [])].filter((p): p is CredentialProvider => p !== undefined)
  const trustedKeys = await cosignKeys(config.cosignKeys)
  // the index `pushscan vulndb import` or the refresh stored beside the reports, reloaded when it changes
  const vulnIndex = new VulnIndexCache(new ObjectVulnIndexStore(wiring.objects, logger), logger)
  const registry = new UndiciRegistryClient({
    dispatcher: wiring.dispatcher,
    credentials: chainCredentials(...providers),
    insecureRegistries: config.insecureRegistries,
    mirrors: config.mirrors,
    maxManifestBytes: config.limits.maxManifestBytes,
    userAgent: `${SCANNER_NAME}/${SCANNER_VERSION}`,
    guard: hostGuard(config.policy),
    logger,
    clock,
  })
  return {
    registry,
    reports: new ReportStore(wiring.objects),
    policy: config.policy,
    scan: {
      analyzers: createAnalyzerSet(),
      limits: config.limits,
      clock,
      logger,
      scanner: { name: SCANNER_NAME, version: SCANNER_VERSION },
      // base layers shared by many images are read once, across every repository
      cache: new ObjectLayerCache(wiring.objects, logger),
      vulnerabilityIndex: () => vulnIndex.current(),
      provenance: {
        trustedKeys,
        baseDiffIds: registryBaseLookup(registry, { limits: config.limits, allowRegistry: (r) => isRegistryAllowed(config.policy, r) }),
      },
    },
  }
}
