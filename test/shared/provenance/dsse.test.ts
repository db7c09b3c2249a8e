import { createPublicKey, sign } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { isDsseEnvelope, pae, parseDsseEnvelope, verifyDsseEnvelope, type DsseEnvelope } from '../../../shared/provenance/dsse.js'
import { ProvenanceErrorCode } from '../../../shared/provenance/provenance-error.js'
import { bytesOf, ed25519KeyPair, flipByte, p256KeyPair, type KeyPair } from './fixtures.js'

const text = (bytes: Uint8Array): string => Buffer.from(bytes).toString('utf8')
const utf8 = (value: string): Uint8Array => new TextEncoder().encode(value)

/**
 * The key of the DSSE specification's test vector (protocol.md, "Test Vectors"): ECDSA
 * P-256 with SHA-256, deterministic (RFC 6979), signature as raw r || s.
 */
function specificationKey(): ReturnType<typeof createPublicKey> {
  const coordinate = (n: bigint): string => Buffer.from(n.toString(16).padStart(64, '0'), 'hex').toString('base64url')
  return createPublicKey({
    format: 'jwk',
    key: {
      kty: 'EC',
      crv: 'P-256',
      x: coordinate(46950820868899156662930047687818585632848591499744589407958293238635476079160n),
      y: coordinate(5640078356564379163099075877009565129882514886557779369047442380624545832820n),
    },
  })
}

function signEnvelope(payloadType: string, body: Uint8Array, pairs: readonly KeyPair[], encoding: 'base64' | 'base64url' = 'base64'): DsseEnvelope {
  const data = pae(payloadType, body)
  return {
    payloadType,
    payload: body,
    signatures: pairs.map((pair, i) => ({
      keyid: `key-${i}`,
      sig: sign(pair.privateKey.asymmetricKeyType === 'ed25519' ? null : 'sha256', data, pair.privateKey).toString(encoding),
    })),
  }
}

describe('pae', () => {
  it.each([
    ['the specification example', 'http://example.com/HelloWorld', 'hello world', 'DSSEv1 29 http://example.com/HelloWorld 11 hello world'],
    ['an empty type and body', '', '', 'DSSEv1 0  0 '],
    ['the in-toto payload type', 'application/vnd.in-toto+json', '{}', 'DSSEv1 28 application/vnd.in-toto+json 2 {}'],
    ['byte lengths, not character lengths', 'é', 'ಠ', 'DSSEv1 2 é 3 ಠ'],
  ])('encodes %s', (_name, type, body, expected) => {
    expect(text(pae(type, utf8(body)))).toBe(expected)
  })
})

describe('parseDsseEnvelope', () => {
  it('decodes the payload (standard or URL-safe base64) and keeps the signatures', () => {
    // Prepare
    const json = { payloadType: 'application/vnd.in-toto+json', payload: '-_-_Pj8=', signatures: [{ keyid: 'k', sig: 'abc=' }, { sig: 'def=' }] }
    // Act
    const envelope = parseDsseEnvelope(bytesOf(json))
    // Assess
    expect(envelope).toEqual({
      payloadType: 'application/vnd.in-toto+json',
      payload: new Uint8Array([0xfb, 0xff, 0xbf, 0x3e, 0x3f]),
      signatures: [{ keyid: 'k', sig: 'abc=' }, { sig: 'def=' }],
    })
    expect(isDsseEnvelope(json)).toBe(true)
    expect(isDsseEnvelope({ _type: 'https://in-toto.io/Statement/v1' })).toBe(false)
  })

  it.each([
    ['not JSON', 'nope'],
    ['no payloadType', { payload: '', signatures: [] }],
    ['a payload that is not base64', { payloadType: 't', payload: 'a b', signatures: [] }],
    ['signatures that are not a list', { payloadType: 't', payload: '', signatures: {} }],
    ['a signature without sig', { payloadType: 't', payload: '', signatures: [{ keyid: 'k' }] }],
  ])('refuses %s', (_name, json) => {
    expect(() => parseDsseEnvelope(bytesOf(json))).toThrow(expect.objectContaining({ code: ProvenanceErrorCode.AttestationInvalid }))
  })
})

describe('verifyDsseEnvelope', () => {
  const alice = p256KeyPair()
  const bob = ed25519KeyPair()
  const body = bytesOf({ _type: 'https://in-toto.io/Statement/v1' })

  it('verifies the specification test vector with its key', () => {
    // Prepare
    const envelope = parseDsseEnvelope(
      bytesOf({
        payload: 'aGVsbG8gd29ybGQ=',
        payloadType: 'http://example.com/HelloWorld',
        signatures: [{ sig: 'A3JqsQGtVsJ2O2xqrI5IcnXip5GToJ3F+FnZ+O88SjtR6rDAajabZKciJTfUiHqJPcIAriEGAHTVeCUjW2JIZA==' }],
      })
    )
    // Act
    const result = verifyDsseEnvelope(envelope, [{ name: 'spec', key: specificationKey() }])
    // Assess
    expect(result).toEqual({ verified: true, outcome: 'ok', signer: 'spec' })
  })

  it.each([
    ['an ECDSA P-256 signature (DER)', [alice], [{ name: 'alice', key: alice.publicPem }], 'base64' as const],
    ['an Ed25519 signature in URL-safe base64', [bob], [{ name: 'bob', key: bob.publicPem }], 'base64url' as const],
    ['the second of two signatures', [bob, alice], [{ name: 'alice', key: alice.publicKey }], 'base64' as const],
  ])('round-trips %s', (_name, signers, keys, encoding) => {
    // Prepare
    const envelope = signEnvelope('application/vnd.in-toto+json', body, signers, encoding)
    // Act
    const result = verifyDsseEnvelope(parseDsseEnvelope(bytesOf({ ...envelope, payload: Buffer.from(envelope.payload).toString(encoding) })), keys)
    // Assess
    expect(result).toMatchObject({ verified: true, outcome: 'ok' })
  })

  it.each<[string, (e: DsseEnvelope) => DsseEnvelope, Record<string, unknown>]>([
    ['a changed payload byte', (e) => ({ ...e, payload: flipByte(e.payload, 3) }), { verified: false, outcome: 'unknown-key' }],
    ['a changed payload type', (e) => ({ ...e, payloadType: 'application/json' }), { verified: false, outcome: 'unknown-key' }],
    ['no signatures', (e) => ({ ...e, signatures: [] }), { verified: false, outcome: 'bad-signature' }],
    ['a signature that is not base64', (e) => ({ ...e, signatures: [{ sig: '%%%' }] }), { verified: false, outcome: 'bad-signature' }],
    ['a keyid naming another trusted key (only a hint)', (e) => ({ ...e, signatures: e.signatures.map((s) => ({ ...s, keyid: 'bob' })) }), { verified: true, outcome: 'ok', signer: 'alice' }],
  ])('with %s', (_name, change, expected) => {
    // Prepare
    const envelope = change(signEnvelope('application/vnd.in-toto+json', body, [alice]))
    // Act + Assess
    expect(verifyDsseEnvelope(envelope, [{ name: 'bob', key: bob.publicPem }, { name: 'alice', key: alice.publicPem }])).toMatchObject(expected)
  })

  it('is unknown-key for a well-formed signature by another key, null without keys', () => {
    const envelope = signEnvelope('application/vnd.in-toto+json', body, [p256KeyPair()])
    expect(verifyDsseEnvelope(envelope, [alice.publicPem])).toMatchObject({ verified: false, outcome: 'unknown-key' })
    expect(verifyDsseEnvelope(envelope, [])).toEqual({ verified: null, outcome: 'no-trusted-keys', error: 'no trusted keys configured' })
  })
})
