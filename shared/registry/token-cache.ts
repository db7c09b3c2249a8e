/**
 * Bearer tokens from registry token servers, cached per registry, token service and scope
 * until shortly before they expire.
 *
 * @see https://distribution.github.io/distribution/spec/auth/token/
 * @module
 */
import type { Clock } from '../ports/clock.js'

/** Tokens are dropped this long before they expire, so none expires in flight. */
const EXPIRY_MARGIN_MS = 10_000
/** The spec's default when the server does not say. */
const DEFAULT_TTL_SECONDS = 60

export interface CachedToken {
  token: string
  expiresAt: number
}

export class TokenCache {
  readonly #tokens = new Map<string, CachedToken>()
  readonly #clock: Clock

  constructor(clock: Clock) {
    this.#clock = clock
  }

  static key(registry: string, realm: string, service: string, scopes: string[]): string {
    return [registry, realm, service, [...scopes].sort().join(' ')].join('|')
  }

  get(key: string): string | undefined {
    const hit = this.#tokens.get(key)
    if (!hit) return undefined
    if (hit.expiresAt - EXPIRY_MARGIN_MS <= this.#clock.now()) {
      this.#tokens.delete(key)
      return undefined
    }
    return hit.token
  }

  /** Stores a token response; `issuedAt` (RFC 3339) and `expiresIn` (seconds) as the server sent them. */
  set(key: string, token: string, expiresIn: number | undefined, issuedAt: string | undefined): void {
    const now = this.#clock.now()
    const issued = issuedAt ? Date.parse(issuedAt) : Number.NaN
    // a server clock far from ours must not make tokens look expired or eternal
    const start = Number.isFinite(issued) && Math.abs(issued - now) < 5 * 60_000 ? issued : now
    const ttl = expiresIn !== undefined && Number.isFinite(expiresIn) && expiresIn > 0 ? expiresIn : DEFAULT_TTL_SECONDS
    this.#tokens.set(key, { token, expiresAt: start + ttl * 1000 })
  }

  delete(key: string): void {
    this.#tokens.delete(key)
  }
}
