/**
 * vitest globalSetup: starts three real registries (no auth, htpasswd, token) once for the
 * whole run and provides their addresses and credentials to the tests:
 * `inject('registryNoAuth')`, `inject('registryHtpasswd')`, `inject('registryToken')`.
 *
 * @module
 */
import type { TestProject } from 'vitest/node'
import type { ProvidedAuthRegistry } from './provided.js'
import { startRegistry, type RunningRegistry } from './registry-process.js'

function withCredentials(registry: RunningRegistry): ProvidedAuthRegistry {
  if (registry.username === undefined || registry.password === undefined) throw new Error('registry has no credentials')
  return { url: registry.url, host: registry.host, username: registry.username, password: registry.password }
}

/** Starts the registries and returns the teardown that stops them. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const started = await Promise.allSettled([
    startRegistry({ auth: 'none' }),
    startRegistry({ auth: 'htpasswd' }),
    startRegistry({ auth: 'token' }),
  ])
  const running = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []))
  const teardown = async (): Promise<void> => {
    await Promise.all(running.map((registry) => registry.stop()))
  }
  const failed = started.find((result): result is PromiseRejectedResult => result.status === 'rejected')
  if (failed) {
    await teardown()
    throw failed.reason
  }
  const [noAuth, htpasswd, token] = running
  if (!noAuth || !htpasswd || !token) throw new Error('registries missing')
  project.provide('registryNoAuth', { url: noAuth.url, host: noAuth.host })
  project.provide('registryHtpasswd', withCredentials(htpasswd))
  project.provide('registryToken', withCredentials(token))
  return teardown
}
