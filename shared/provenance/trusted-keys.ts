/**
 * Trusted public keys and the raw signature check shared by cosign and DSSE verification.
 *
 * Supported keys are those cosign and the DSSE implementations produce: ECDSA on NIST P-256
 * (cosign's default, `cosign generate-key-pair`), P-384 and P-521; Ed25519 (and Ed448); RSA
 * with PKCS #1 v1.5 or PSS padding. An ECDSA signature is accepted in ASN.1 DER
 * (`Ecdsa-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER }`, RFC 3279 §2.2.3, what cosign and
 * Go's `ecdsa.SignASN1` write) or as the raw `r || s` concatenation (IEEE P1363, what the DSSE
 * specification's test vector uses); both encode the same pair, so accepting both widens
 * nothing an attacker could use.
 *
 * @see https://github.com/sigstore/cosign/blob/main/specs/SIGNATURE_SPEC.md
 * @module
 */
import { constants, createHash, createPublicKey, KeyObject, verify } from 'node:crypto'
import { ProvenanceError, ProvenanceErrorCode } from './provenance-error.js'

/** A key as configuration gives it: a KeyObject, a PEM string, or either with a display name. */
export type TrustedKeyInput = KeyObject | string | { name?: string; key: KeyObject | string }

/** A loaded public key. */
export interface TrustedKey {
  readonly key: KeyObject
  /** `sha256:<hex>` of the key's DER SubjectPublicKeyInfo. */
  readonly fingerprint: string
  /** The name configuration gave the key, if any. */
  readonly name?: string
}

/** ECDSA curves: the byte length of their scalars and the hashes tried, preferred first. */
const EC_CURVES: Readonly<Record<string, { scalarBytes: number; hashes: readonly string[] }>> = {
  prime256v1: { scalarBytes: 32, hashes: ['sha256'] },
  secp384r1: { scalarBytes: 48, hashes: ['sha384', 'sha256'] },
  secp521r1: { scalarBytes: 66, hashes: ['sha512', 'sha256'] },
}

const EDDSA_SIGNATURE_BYTES: Readonly<Record<string, number>> = { ed25519: 64, ed448: 114 }

/**
 * Loads trusted keys, deriving the public half of private keys.
 *
 * @throws ProvenanceError `TRUSTED_KEY_INVALID` when a key does not parse or is of a kind
 *   that cannot verify signatures (a secret key, X25519, DSA, an unsupported curve).
 * @example loadTrustedKeys([readFileSync('cosign.pub', 'utf8')])
 */
export function loadTrustedKeys(inputs: readonly TrustedKeyInput[]): TrustedKey[] {
  return inputs.map((input, i) => {
    const { name, key } = typeof input === 'string' || input instanceof KeyObject ? { name: undefined, key: input } : input
    const publicKey = toPublicKey(key, name ?? `key ${i + 1}`)
    const trusted: { key: KeyObject; fingerprint: string; name?: string } = { key: publicKey, fingerprint: keyFingerprint(publicKey) }
    if (name !== undefined && name !== '') trusted.name = name
    return trusted
  })
}

function toPublicKey(key: KeyObject | string, label: string): KeyObject {
  let publicKey: KeyObject
  try {
    if (key instanceof KeyObject && key.type === 'secret') throw new Error('a secret key cannot verify signatures')
    publicKey = key instanceof KeyObject && key.type === 'public' ? key : createPublicKey(key)
  } catch (error) {
    throw new ProvenanceError(ProvenanceErrorCode.TrustedKeyInvalid, `trusted ${label} is not a usable public key: ${(error as Error).message}`, {
      cause: error,
    })
  }
  const type = publicKey.asymmetricKeyType
  const curve = publicKey.asymmetricKeyDetails?.namedCurve
  const supported =
    type === 'rsa' || type === 'rsa-pss' || (type !== undefined && type in EDDSA_SIGNATURE_BYTES) || (type === 'ec' && curve !== undefined && curve in EC_CURVES)
  if (!supported) {
    throw new ProvenanceError(
      ProvenanceErrorCode.TrustedKeyInvalid,
      `trusted ${label} is a ${type ?? 'unknown'}${curve ? ` (${curve})` : ''} key; supported: ECDSA P-256/P-384/P-521, Ed25519, Ed448, RSA`
    )
  }
  return publicKey
}

/**
 * The key's fingerprint: `sha256:` and the hex SHA-256 of its DER SubjectPublicKeyInfo, the
 * same bytes as the base64 body of its `PUBLIC KEY` PEM.
 */
export function keyFingerprint(key: KeyObject): string {
  const der = key.export({ type: 'spki', format: 'der' })
  return `sha256:${createHash('sha256').update(der).digest('hex')}`
}

/** How a verified signature names its signer: the key's configured name, else its fingerprint. */
export function signerName(key: TrustedKey): string {
  return key.name ?? key.fingerprint
}

/**
 * Decodes base64 in the standard or the URL-safe alphabet, padded or not (DSSE: verifiers
 * MUST accept either). Returns undefined for anything else, whitespace included.
 */
export function decodeBase64(text: string): Uint8Array | undefined {
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(text) || text.replace(/=+$/, '').length % 4 === 1) return undefined
  return new Uint8Array(Buffer.from(text, 'base64'))
}

/**
 * True when `signature` has the shape a signature by `key` must have (length, encoding), so
 * a failure to verify means "another key, or altered" rather than "garbage".
 */
export function signatureFitsKey(key: KeyObject, signature: Uint8Array): boolean {
  const type = key.asymmetricKeyType
  if (type === 'ec') {
    const curve = EC_CURVES[key.asymmetricKeyDetails?.namedCurve ?? '']
    if (!curve) return false
    return signature.length === 2 * curve.scalarBytes || isDerEcdsaSignature(signature, curve.scalarBytes)
  }
  if (type === 'rsa' || type === 'rsa-pss') {
    const bits = key.asymmetricKeyDetails?.modulusLength ?? 0
    return signature.length === Math.ceil(bits / 8)
  }
  const eddsaLength = type === undefined ? undefined : EDDSA_SIGNATURE_BYTES[type]
  return eddsaLength !== undefined && signature.length === eddsaLength
}

/** True when `key` verifies `signature` over exactly `data`. Never throws. */
export function verifyWithKey(key: KeyObject, data: Uint8Array, signature: Uint8Array): boolean {
  const type = key.asymmetricKeyType
  try {
    if (type === 'ec') {
      const curve = EC_CURVES[key.asymmetricKeyDetails?.namedCurve ?? '']
      if (!curve) return false
      const encodings = signature[0] === 0x30 ? (['der', 'ieee-p1363'] as const) : (['ieee-p1363', 'der'] as const)
      return curve.hashes.some((hash) => encodings.some((dsaEncoding) => verify(hash, data, { key, dsaEncoding }, signature)))
    }
    if (type === 'ed25519' || type === 'ed448') return verify(null, data, key, signature)
    if (type === 'rsa-pss') {
      const hash = key.asymmetricKeyDetails?.hashAlgorithm ?? 'sha256'
      // the key carries its PSS parameters (salt length, MGF1 hash); passing others fails
      return verify(hash, data, key, signature)
    }
    if (type === 'rsa') {
      return (
        verify('sha256', data, { key, padding: constants.RSA_PKCS1_PADDING }, signature) ||
        verify('sha256', data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_AUTO }, signature)
      )
    }
    return false
  } catch {
    return false
  }
}

/** The outcome of trying a signature with every trusted key. */
export interface KeyMatch {
  /** The first trusted key that verifies the signature. */
  key?: TrustedKey
  /** True when the signature has the shape of a signature by at least one trusted key. */
  wellFormed: boolean
}

/**
 * Tries `signature` over `data` with each trusted key. `hint` (a DSSE `keyid`, which is
 * unauthenticated) only moves the keys whose name or fingerprint it equals to the front.
 */
export function verifyWithTrustedKeys(keys: readonly TrustedKey[], data: Uint8Array, signature: Uint8Array, hint?: string): KeyMatch {
  const ordered = hint ? [...keys].sort((a, b) => Number(matchesHint(b, hint)) - Number(matchesHint(a, hint))) : keys
  let wellFormed = false
  for (const key of ordered) {
    if (!signatureFitsKey(key.key, signature)) continue
    wellFormed = true
    if (verifyWithKey(key.key, data, signature)) return { key, wellFormed }
  }
  return { wellFormed }
}

function matchesHint(key: TrustedKey, hint: string): boolean {
  return key.name === hint || key.fingerprint === hint || key.fingerprint === `sha256:${hint}`
}

/**
 * True when `bytes` is a DER `SEQUENCE { INTEGER r, INTEGER s }` with minimal encodings and
 * 0 < r, s < 2^(8·scalarBytes), and nothing after it.
 */
function isDerEcdsaSignature(bytes: Uint8Array, scalarBytes: number): boolean {
  if (bytes[0] !== 0x30) return false
  const sequence = readLength(bytes, 1)
  if (!sequence || sequence.start + sequence.length !== bytes.length) return false
  let offset = sequence.start
  for (let n = 0; n < 2; n++) {
    if (bytes[offset] !== 0x02) return false
    const integer = readLength(bytes, offset + 1)
    if (!integer || integer.length === 0 || integer.start + integer.length > bytes.length) return false
    const first = bytes[integer.start]!
    if (first & 0x80) return false // negative
    if (first === 0 && (integer.length === 1 || !(bytes[integer.start + 1]! & 0x80))) return false // zero or not minimal
    const magnitude = first === 0 ? integer.length - 1 : integer.length
    if (magnitude > scalarBytes) return false
    offset = integer.start + integer.length
  }
  return offset === bytes.length
}

/** Reads a DER length (short form, or long form with one or two bytes). */
function readLength(bytes: Uint8Array, at: number): { start: number; length: number } | undefined {
  const first = bytes[at]
  if (first === undefined) return undefined
  if (first < 0x80) return { start: at + 1, length: first }
  const count = first & 0x7f
  if (count === 0 || count > 2 || at + count >= bytes.length) return undefined
  let length = 0
  for (let i = 1; i <= count; i++) length = length * 256 + bytes[at + i]!
  if (length < 0x80 || (count === 2 && length < 0x100)) return undefined // not minimal
  return { start: at + 1 + count, length }
}
