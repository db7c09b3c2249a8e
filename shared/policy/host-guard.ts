/**
 * The SSRF guard at connection time: every host the registry client is about to contact
 * (registry, token realm, redirect target) is resolved and refused when an address is not
 * allowed by the {@link RegistryPolicy}. The same check runs inside DNS lookups of the
 * undici dispatcher, so a name that re-resolves to a private address between the check and
 * the connection (DNS rebinding) is refused too.
 *
 * @module
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns'
import { isIP } from 'node:net'
import { ErrorCode } from '../errors.js'
import { RegistryError } from '../registry/registry-error.js'
import { isAddressAllowed, type RegistryPolicy } from './registry-policy.js'

export type Resolve = (host: string) => Promise<string[]>

/** Resolves a host to all its addresses with the system resolver. */
export const systemResolve: Resolve = (host) =>
  new Promise((resolve, reject) => {
    dnsLookup(host, { all: true }, (error, addresses: LookupAddress[]) => (error ? reject(error) : resolve(addresses.map((a) => a.address))))
  })

function refused(host: string, address: string): RegistryError {
  return new RegistryError(ErrorCode.RegistryNotAllowed, `refusing to connect to ${host} (${address}): a private, loopback or link-local address that is not on the allow-list`)
}

/** A check for the registry client's `guard` option. */
export function hostGuard(policy: RegistryPolicy, resolve: Resolve = systemResolve): (url: URL) => Promise<void> {
  return async (url) => {
    const host = url.hostname.replace(/^\[|\]$/g, '')
    const hostPort = url.port ? `${url.hostname}:${url.port}` : url.hostname
    const addresses = isIP(host) ? [host] : await resolve(host).catch(() => [] as string[])
    // an unresolvable name is left to fail on connect, as any network error would
    for (const address of addresses) {
      if (!isAddressAllowed(policy, hostPort, address)) throw refused(hostPort, address)
    }
  }
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void

/**
 * A `dns.lookup` replacement for undici's `connect.lookup`: it resolves as usual and fails
 * the connection when an address is not allowed for that host.
 */
export function guardedLookup(policy: RegistryPolicy) {
  return (hostname: string, options: { all?: boolean; family?: number } | number, callback: LookupCallback): void => {
    const opts = typeof options === 'number' ? { family: options } : options
    dnsLookup(hostname, { ...opts, all: true }, (error, addresses: LookupAddress[]) => {
      if (error) return callback(error, '')
      const bad = addresses.find((a) => !isAddressAllowed(policy, hostname, a.address))
      if (bad) return callback(Object.assign(refused(hostname, bad.address), { errno: 0, syscall: 'lookup' }) as NodeJS.ErrnoException, '')
      if (opts.all) return callback(null, addresses)
      const first = addresses[0]
      if (!first) return callback(Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }), '')
      callback(null, first.address, first.family)
    })
  }
}
