/**
 * DSSE (Dead Simple Signing Envelope): the envelope in-toto attestations are signed in, by
 * cosign (`cosign attest`, the `.att` tag) and in Sigstore bundles.
 *
 * ```
 * { "payloadType": "<type>", "payload": "<base64(body)>", "signatures": [{ "keyid": "…", "sig": "<base64>" }] }
 * SIGNATURE = Sign(PAE(UTF8(payloadType), body))
 * PAE(type, body) = "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body
 * ```
 * LEN is the ASCII decimal byte length; base64 may be standard or URL-safe and verifiers
 * must accept both. `keyid` is an unauthenticated hint and is only used to order the keys.
 *
 * @see https://github.com/secure-systems-lab/dsse/blob/master/protocol.md
 * @see https://github.com/secure-systems-lab/dsse/blob/master/envelope.md
 * @module
 */
import { expectArray, expectObject, expectString, isObject, optionalString, parseJsonBytes, type Fail } from '../shape.js'
import { ProvenanceError, ProvenanceErrorCode } from './provenance-error.js'
import { SignatureOutcome, type SignatureVerification } from './signature-outcome.js'
import { decodeBase64, loadTrustedKeys, signerName, verifyWithTrustedKeys, type TrustedKeyInput } from './trusted-keys.js'

/** The media type of a DSSE envelope stored as a blob (cosign attestation layers). */
export const DSSE_ENVELOPE_MEDIA_TYPE = 'application/vnd.dsse.envelope.v1+json'

/** The payload type of in-toto statements in a DSSE envelope. */
export const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json'

export interface DsseSignature {
  /** Unauthenticated hint naming the key; may be absent or empty. */
  keyid?: string
  /** The signature, base64 as found (decoded when verified). */
  sig: string
}

export interface DsseEnvelope {
  payloadType: string
  /** The decoded payload: the exact bytes that were signed (inside the PAE). */
  payload: Uint8Array
  signatures: DsseSignature[]
}

const fail: Fail = (message) => {
  throw new ProvenanceError(ProvenanceErrorCode.AttestationInvalid, message)
}

/**
 * The Pre-Authentication Encoding of a payload: what a DSSE signature signs.
 *
 * @example new TextDecoder().decode(pae('http://example.com/HelloWorld', new TextEncoder().encode('hello world')))
 *   // 'DSSEv1 29 http://example.com/HelloWorld 11 hello world'
 */
export function pae(payloadType: string, payload: Uint8Array): Uint8Array {
  const type = Buffer.from(payloadType, 'utf8')
  return new Uint8Array(
    Buffer.concat([Buffer.from(`DSSEv1 ${type.length} `, 'ascii'), type, Buffer.from(` ${payload.length} `, 'ascii'), payload])
  )
}

/** True when a parsed JSON value has the shape of a DSSE envelope (rather than a bare statement). */
export function isDsseEnvelope(value: unknown): boolean {
  return isObject(value) && typeof value.payloadType === 'string' && typeof value.payload === 'string' && Array.isArray(value.signatures)
}

/**
 * Parses an envelope from its JSON bytes or an already parsed JSON value.
 *
 * @throws ProvenanceError `ATTESTATION_INVALID` when it is not an envelope or its payload is not base64.
 */
export function parseDsseEnvelope(input: Uint8Array | unknown): DsseEnvelope {
  const json = expectObject(input instanceof Uint8Array ? parseJsonBytes(input, 'DSSE envelope', fail) : input, 'envelope', fail)
  const payloadType = expectString(json.payloadType, 'envelope.payloadType', fail)
  const payload = decodeBase64(expectString(json.payload, 'envelope.payload', fail))
  if (!payload) fail('envelope.payload is not base64')
  const signatures = expectArray(json.signatures, 'envelope.signatures', fail).map((value, i) => {
    const at = `envelope.signatures[${i}]`
    const signature = expectObject(value, at, fail)
    const parsed: DsseSignature = { sig: expectString(signature.sig, `${at}.sig`, fail) }
    const keyid = optionalString(signature.keyid, `${at}.keyid`, fail)
    if (keyid) parsed.keyid = keyid
    return parsed
  })
  return { payloadType, payload: payload!, signatures }
}

/**
 * Verifies an envelope with trusted keys: it is verified when any of its signatures verifies
 * over the PAE with any trusted key (a threshold of one). The payload type is not judged
 * here; callers check it is the one they expect before trusting the payload.
 *
 * @returns `verified: null` with no trusted keys; `ok` with the signer; else `unknown-key`
 *   when some signature is well-formed for a trusted key's algorithm, `bad-signature` when none is.
 */
export function verifyDsseEnvelope(envelope: DsseEnvelope, publicKeys: readonly TrustedKeyInput[]): SignatureVerification {
  const keys = loadTrustedKeys(publicKeys)
  if (keys.length === 0) return { verified: null, outcome: SignatureOutcome.NoTrustedKeys, error: 'no trusted keys configured' }
  if (envelope.signatures.length === 0) return { verified: false, outcome: SignatureOutcome.BadSignature, error: 'the envelope has no signatures' }
  const data = pae(envelope.payloadType, envelope.payload)
  let wellFormed = false
  for (const signature of envelope.signatures) {
    const bytes = decodeBase64(signature.sig)
    if (!bytes) continue
    const match = verifyWithTrustedKeys(keys, data, bytes, signature.keyid)
    if (match.key) return { verified: true, outcome: SignatureOutcome.Ok, signer: signerName(match.key) }
    wellFormed ||= match.wellFormed
  }
  return wellFormed
    ? { verified: false, outcome: SignatureOutcome.UnknownKey, error: 'no trusted key verifies the envelope' }
    : { verified: false, outcome: SignatureOutcome.BadSignature, error: 'no signature in the envelope is well-formed for a trusted key' }
}
