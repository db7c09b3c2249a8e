import { createHash, generateKeyPairSync, generateKeySync } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { ProvenanceErrorCode } from '../../../shared/provenance/provenance-error.js'
import { decodeBase64, keyFingerprint, loadTrustedKeys, signatureFitsKey } from '../../../shared/provenance/trusted-keys.js'
import { cosignSign, ed25519KeyPair, p256KeyPair, rsaKeyPair } from './fixtures.js'

describe('loadTrustedKeys', () => {
  it('loads PEM strings, KeyObjects and named keys, deriving public keys from private ones', () => {
    // Prepare
    const a = p256KeyPair()
    const b = ed25519KeyPair()
    // Act
    const keys = loadTrustedKeys([a.publicPem, { name: 'b', key: b.privateKey }])
    // Assess
    expect(keys.map((k) => [k.key.type, k.key.asymmetricKeyType, k.name])).toEqual([
      ['public', 'ec', undefined],
      ['public', 'ed25519', 'b'],
    ])
  })

  it.each([
    ['garbage', 'not a key'],
    ['a secret key', generateKeySync('hmac', { length: 256 })],
    ['an X25519 key', generateKeyPairSync('x25519').publicKey],
    ['a secp256k1 key', generateKeyPairSync('ec', { namedCurve: 'secp256k1' }).publicKey],
  ])('refuses %s', (_name, key) => {
    expect(() => loadTrustedKeys([key])).toThrow(expect.objectContaining({ name: 'ProvenanceError', code: ProvenanceErrorCode.TrustedKeyInvalid }))
  })
})

describe('keyFingerprint', () => {
  it('is the sha256 of the DER SubjectPublicKeyInfo', () => {
    const { publicKey, publicPem } = p256KeyPair()
    const der = Buffer.from(publicPem.replace(/-----[A-Z ]+-----|\s/g, ''), 'base64')
    expect(keyFingerprint(publicKey)).toBe(`sha256:${createHash('sha256').update(der).digest('hex')}`)
  })
})

describe('decodeBase64', () => {
  it.each([
    ['aGVsbG8=', 'hello'],
    ['aGVsbG8', 'hello'],
    ['-_8', '\ufffd\ufffd'],
    ['', ''],
  ])('decodes %s', (text, decoded) => {
    expect(Buffer.from(decodeBase64(text)!).toString('utf8')).toBe(decoded)
  })

  it.each(['a b', 'abc$', 'a', 'aGVsbG8===', 'aGVs\nbG8='])('refuses %j', (text) => {
    expect(decodeBase64(text)).toBeUndefined()
  })
})

describe('signatureFitsKey', () => {
  const ec = p256KeyPair()
  const ed = ed25519KeyPair()
  const rsa = rsaKeyPair()
  const data = new TextEncoder().encode('payload')
  const der = new Uint8Array(Buffer.from(cosignSign(data, ec.privateKey), 'base64'))

  it.each([
    ['a DER ECDSA signature', ec.publicKey, der, true],
    ['a raw r||s ECDSA signature', ec.publicKey, new Uint8Array(64), true],
    ['DER with trailing bytes', ec.publicKey, new Uint8Array([...der, 0]), false],
    ['DER with a negative integer', ec.publicKey, new Uint8Array([0x30, 0x06, 0x02, 0x01, 0x80, 0x02, 0x01, 0x01]), false],
    ['DER with a non-minimal integer', ec.publicKey, new Uint8Array([0x30, 0x07, 0x02, 0x02, 0x00, 0x01, 0x02, 0x01, 0x01]), false],
    ['DER with an integer longer than the curve', ec.publicKey, new Uint8Array([0x30, 0x26, 0x02, 0x21, 0x01, ...new Uint8Array(32), 0x02, 0x01, 0x01]), false],
    ['a 64-byte Ed25519 signature', ed.publicKey, new Uint8Array(64), true],
    ['a 63-byte Ed25519 signature', ed.publicKey, new Uint8Array(63), false],
    ['a modulus-sized RSA signature', rsa.publicKey, new Uint8Array(256), true],
    ['a short RSA signature', rsa.publicKey, new Uint8Array(255), false],
  ])('%s fits: %s', (_name, key, signature, fits) => {
    expect(signatureFitsKey(key, signature)).toBe(fits)
  })
})
