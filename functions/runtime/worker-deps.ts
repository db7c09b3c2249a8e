/**
 * Builds the worker's dependencies from the service configuration; shared by the Lambda
 * worker and the local one so both scan the same way.
 *
 * @module
 */
import { readFile } from 'node:fs/promises'
import { Agent } from 'undici'
import { createAnalyzerSet } from '../../shared/analyzers/index.js'
import type { ServiceConfig } from '../../shared/config.js'
import { ErrorCode, InputError } from '../../shared/errors.js'
import { guardedLookup, hostGuard } from '../../shared/policy/host-guard.js'
import type { Clock } from '../../shared/ports/clock.js'
import type { Logger } from '../../shared/ports/logger.js'
import type { ObjectStore } from '../../shared/ports/object-store.js'
import { ObjectLayerCache } from '../../shared/layers/object-layer-cache.js'
import { ReportStore } from '../../shared/report/report-store.js'
import { chainCredentials, parseDockerConfig, staticCredentials, type CredentialProvider } from '../../shared/registry/credentials.js'
import { UndiciRegistryClient } from '../../shared/registry/undici-registry-client.js'
import type { WorkerDeps } from '../../shared/scan/process-scan-request.js'
import { SCANNER_NAME, SCANNER_VERSION } from '../../shared/version.js'

/** An undici dispatcher whose DNS lookups refuse addresses the policy does not allow. */
export function guardedAgent(config: Pick<ServiceConfig, 'policy'>): Agent {
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

export interface WorkerWiring {
  config: ServiceConfig
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
    },
  }
}
