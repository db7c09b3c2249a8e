/**
 * Which registries pushscan may talk to, and the SSRF guard.
 *
 * A webhook names the registry the worker will connect to, so the name is untrusted. Two
 * checks apply, in the api (the allow-list) and again in the worker (both):
 *
 * 1. The registry must be on the allow-list: an exact `host[:port]`, or a `*.suffix`
 *    pattern (`*.dkr.ecr.eu-west-1.amazonaws.com`).
 * 2. Every address pushscan connects to (the registry, its token server, the blob storage
 *    it redirects to) must be public. Loopback, private, link-local (cloud metadata at
 *    169.254.169.254), carrier-grade NAT, multicast and unspecified addresses are refused,
 *    unless the host was listed exactly (not through a wildcard) or the address falls in a
 *    network listed as a CIDR (`10.0.0.0/8`).
 *
 * @module
 */
import { isIP } from 'node:net'
import { normaliseRegistry } from '../image/reference.js'

export interface RegistryPolicy {
  /** Exact hosts (`host[:port]`, normalised) that are allowed, private addresses included. */
  hosts: ReadonlySet<string>
  /** `*.suffix` patterns, stored as `.suffix`. */
  suffixes: readonly string[]
  /** Networks whose private addresses are allowed. */
  networks: readonly Cidr[]
}

export interface Cidr {
  family: 4 | 6
  bits: bigint
  prefix: number
}

/** Parses `docker.io,ghcr.io,*.dkr.ecr.eu-west-1.amazonaws.com,127.0.0.1:5000,10.0.0.0/8`. */
export function parseRegistryPolicy(list: string): RegistryPolicy {
  const hosts = new Set<string>()
  const suffixes: string[] = []
  const networks: Cidr[] = []
  for (const raw of list.split(',')) {
    const entry = raw.trim().toLowerCase()
    if (!entry) continue
    if (entry.includes('/')) {
      networks.push(parseCidr(entry))
      continue
    }
    if (entry.startsWith('*.')) {
      if (!/^\*\.[a-z0-9.-]+$/.test(entry)) throw new Error(`invalid registry pattern "${raw.trim()}"`)
      suffixes.push(entry.slice(1))
      continue
    }
    if (!/^(\[[0-9a-f:]+\]|[a-z0-9.-]+)(:\d{1,5})?$/.test(entry)) throw new Error(`invalid registry host "${raw.trim()}"`)
    hosts.add(normaliseRegistry(entry))
  }
  return { hosts, suffixes, networks }
}

/** True when the registry (`host[:port]`) is on the allow-list. */
export function isRegistryAllowed(policy: RegistryPolicy, registry: string): boolean {
  const normalised = normaliseRegistry(registry)
  if (policy.hosts.has(normalised)) return true
  const host = hostOf(normalised)
  if (policy.hosts.has(host)) return true
  return policy.suffixes.some((suffix) => host.endsWith(suffix) && host.length > suffix.length)
}

/** True when connecting to `address` for `host` is allowed: public, or private but listed. */
export function isAddressAllowed(policy: RegistryPolicy, host: string, address: string): boolean {
  if (!isRestrictedAddress(address)) return true
  const normalised = normaliseRegistry(host)
  if (policy.hosts.has(normalised) || policy.hosts.has(hostOf(normalised))) return true
  const parsed = parseAddress(address)
  return parsed !== undefined && policy.networks.some((network) => inNetwork(parsed, network))
}

/** The host part of `host[:port]` (`[::1]:5000` → `::1`). */
export function hostOf(registry: string): string {
  if (registry.startsWith('[')) return registry.slice(1, registry.indexOf(']'))
  const colon = registry.lastIndexOf(':')
  return colon > 0 && /^\d+$/.test(registry.slice(colon + 1)) ? registry.slice(0, colon) : registry
}

interface Address {
  family: 4 | 6
  bits: bigint
}

const RESTRICTED: readonly Cidr[] = [
  '0.0.0.0/8', // "this network"
  '10.0.0.0/8',
  '100.64.0.0/10', // carrier-grade NAT
  '127.0.0.0/8',
  '169.254.0.0/16', // link-local, cloud metadata
  '172.16.0.0/12',
  '192.0.0.0/24',
  '192.168.0.0/16',
  '198.18.0.0/15', // benchmarking
  '224.0.0.0/4', // multicast
  '240.0.0.0/4', // reserved, broadcast
  '::/128',
  '::1/128',
  'fc00::/7', // unique local
  'fe80::/10', // link-local
  'ff00::/8', // multicast
].map(parseCidr)

/** True for loopback, private, link-local, CGNAT, multicast and unspecified addresses. */
export function isRestrictedAddress(address: string): boolean {
  const parsed = parseAddress(address)
  if (!parsed) return true // not an address at all: refuse
  return RESTRICTED.some((network) => inNetwork(parsed, network))
}

function parseAddress(address: string): Address | undefined {
  const bare = address.replace(/^\[|\]$/g, '').split('%')[0]!
  const version = isIP(bare)
  if (version === 4) return { family: 4, bits: ipv4Bits(bare) }
  if (version === 6) {
    const bits = ipv6Bits(bare)
    // IPv4-mapped (::ffff:a.b.c.d) is judged as the IPv4 address it carries
    if (bits >> 32n === 0xffffn) return { family: 4, bits: bits & 0xffffffffn }
    return { family: 6, bits }
  }
  return undefined
}

function ipv4Bits(address: string): bigint {
  return address.split('.').reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n)
}

function ipv6Bits(address: string): bigint {
  let text = address
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text)
  if (v4) {
    const n = ipv4Bits(v4[1]!)
    text = `${text.slice(0, v4.index)}${((n >> 16n) & 0xffffn).toString(16)}:${(n & 0xffffn).toString(16)}`
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined]
  const headParts = head ? head.split(':') : []
  const tailParts = tail ? tail.split(':') : []
  const missing = 8 - headParts.length - tailParts.length
  const groups = tail === undefined ? headParts : [...headParts, ...Array<string>(missing).fill('0'), ...tailParts]
  return groups.reduce((acc, group) => (acc << 16n) | BigInt(parseInt(group || '0', 16)), 0n)
}

function parseCidr(text: string): Cidr {
  const [address, prefixText] = text.split('/')
  const parsed = address ? parseAddress(address) : undefined
  const width = parsed?.family === 4 ? 32 : 128
  const prefix = Number(prefixText)
  if (!parsed || !Number.isInteger(prefix) || prefix < 0 || prefix > width) throw new Error(`invalid network "${text}"`)
  return { family: parsed.family, bits: parsed.bits, prefix }
}

function inNetwork(address: Address, network: Cidr): boolean {
  if (address.family !== network.family) return false
  const width = BigInt(network.family === 4 ? 32 : 128)
  const shift = width - BigInt(network.prefix)
  return address.bits >> shift === network.bits >> shift
}
