/**
 * Fake secrets for the tests, built at run time from parts and a seeded generator, so that the
 * repository never holds a literal token another scanner (or GitHub push protection) would flag.
 *
 * @module
 */

export const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'
export const LOWER_ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789'
export const UPPER_ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'
export const HEX = '0123456789abcdef'
export const DIGITS = '0123456789'
export const BASE64 = `${ALNUM}+/`
export const BASE64URL = `${ALNUM}-_`
/** The alphabet of AWS key ids after the prefix. */
export const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'
export const BASE32_LOWER = BASE32.toLowerCase()
export const BECH32 = 'QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L'

/** mulberry32: a small, good-enough PRNG with a 32-bit state. */
function generator(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const NOT_RANDOM = /(.)\1{3,}|0123|1234|2345|3456|abcd|bcde|cdef|xxx|example|dummy|sample|fake|test|secret|token|pass/i

/**
 * `length` random-looking characters of `alphabet`, the same for the same `seed`. Strings that
 * happen to look made-up (runs, sequences, words the allow rules know) are skipped.
 */
export function fake(alphabet: string, length: number, seed: number): string {
  for (let attempt = 0; ; attempt++) {
    const next = generator(seed * 7919 + attempt)
    let out = ''
    for (let i = 0; i < length; i++) out += alphabet[Math.floor(next() * alphabet.length)]
    if (!NOT_RANDOM.test(out)) return out
  }
}

/** Standard base64 of `text`. */
export function b64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64')
}

/** base64url without padding (as in JWTs). */
export function b64url(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url')
}

/** A PEM body: `bytes` random bytes in base64, wrapped at 64 characters. */
export function pemBody(bytes: number, seed: number): string {
  const next = generator(seed)
  const raw = Buffer.alloc(bytes)
  for (let i = 0; i < bytes; i++) raw[i] = Math.floor(next() * 256)
  return raw.toString('base64').replace(/.{64}/g, '$&\n').trim()
}

/** `-----BEGIN <label>-----` … `-----END <label>-----` around a body. */
export function pem(label: string, body: string, headers = ''): string {
  const dashes = '-'.repeat(5)
  return `${dashes}BEGIN ${label}${dashes}\n${headers}${body}\n${dashes}END ${label}${dashes}\n`
}
