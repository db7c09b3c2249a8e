/**
 * Comparing shared secrets (URL tokens, `Authorization` headers of Harbor, distribution
 * and EventBridge API destinations) without leaking, through timing, how much of a guess
 * was right or how long the secret is.
 *
 * @module
 */
import { createHash, timingSafeEqual } from 'node:crypto'

function sha256(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest()
}

/**
 * True when `a` and `b` are the same string. Both are hashed with SHA-256 first, so the
 * comparison takes the same time whatever the lengths and wherever they differ.
 */
export function secretsEqual(a: string, b: string): boolean {
  return timingSafeEqual(sha256(a), sha256(b))
}

const BEARER = /^\s*bearer\s+(\S(?:.*\S)?)\s*$/i

/**
 * The token of an `Authorization: Bearer <token>` header (scheme matched case-insensitively,
 * surrounding whitespace trimmed), or undefined when the header is missing, uses another
 * scheme, or has no token.
 */
export function bearerToken(authorizationHeader: string | undefined): string | undefined {
  if (authorizationHeader === undefined) return undefined
  return BEARER.exec(authorizationHeader)?.[1]
}
