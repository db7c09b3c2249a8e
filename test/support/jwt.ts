/**
 * Signing RS256 JSON Web Tokens the way CNCF distribution's `auth: token` expects them:
 * the signing certificate travels in the `x5c` header and is checked against the
 * registry's `rootcertbundle`.
 *
 * @module
 */
import { sign, type KeyObject } from 'node:crypto'

/** One grant in a registry token's `access` claim. */
export interface AccessEntry {
  type: string
  name: string
  actions: string[]
}

/** The claims of a registry bearer token. */
export interface RegistryTokenClaims {
  iss: string
  sub: string
  aud: string
  exp: number
  nbf: number
  iat: number
  jti: string
  access: AccessEntry[]
}

function base64url(value: string | Buffer): string {
  return Buffer.from(value).toString('base64url')
}

/**
 * Signs `claims` with RS256. `certificateDer` is the DER of the certificate that holds the
 * public key; it goes into the `x5c` header as standard base64.
 */
export function signRs256Jwt(claims: RegistryTokenClaims, privateKey: KeyObject, certificateDer: Buffer): string {
  const header = base64url(JSON.stringify({ typ: 'JWT', alg: 'RS256', x5c: [certificateDer.toString('base64')] }))
  const payload = base64url(JSON.stringify(claims))
  const signature = sign('sha256', Buffer.from(`${header}.${payload}`), privateKey)
  return `${header}.${payload}.${base64url(signature)}`
}

/** Splits a JWT and decodes its header and claims without checking the signature. */
export function decodeJwt(token: string): { header: Record<string, unknown>; claims: Record<string, unknown>; signedPart: string; signature: Buffer } {
  const [header, payload, signature] = token.split('.')
  if (header === undefined || payload === undefined || signature === undefined) throw new Error('not a JWT')
  return {
    header: JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as Record<string, unknown>,
    claims: JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>,
    signedPart: `${header}.${payload}`,
    signature: Buffer.from(signature, 'base64url'),
  }
}
