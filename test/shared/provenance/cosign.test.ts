import { constants, generateKeyPairSync, sign } from 'node:crypto'
import { beforeAll, describe, expect, it } from 'vitest'
import { ErrorCode } from '../../../shared/errors.js'
import { MediaType } from '../../../shared/image/media-types.js'
import {
  CosignAnnotation,
  CosignMediaType,
  cosignSignatureEntry,
  cosignTag,
  parseCosignSignatureManifest,
  parseSimpleSigningPayload,
  referrersFallbackTag,
  repositoryName,
  verifyCosignAttestation,
  verifyCosignSignature,
  type CosignVerifyInput,
} from '../../../shared/provenance/cosign.js'
import { pae } from '../../../shared/provenance/dsse.js'
import { ProvenanceErrorCode } from '../../../shared/provenance/provenance-error.js'
import { keyFingerprint } from '../../../shared/provenance/trusted-keys.js'
import {
  bytesOf,
  cosignSign,
  digestOf,
  ed25519KeyPair,
  flipByte,
  flipSignatureByte,
  manifestOf,
  p256KeyPair,
  rsaKeyPair,
  selfSignedCertificate,
  simpleSigningPayload,
  type SelfSignedCertificate,
} from './fixtures.js'

const IMAGE = digestOf('a')
const OTHER_IMAGE = digestOf('b')
const REPOSITORY = 'ghcr.io/acme/app'
const provenanceError = (code: string): unknown => expect.objectContaining({ name: 'ProvenanceError', code })

describe('cosign tags', () => {
  it.each([
    ['sig', `sha256-${'a'.repeat(64)}.sig`],
    ['att', `sha256-${'a'.repeat(64)}.att`],
    ['sbom', `sha256-${'a'.repeat(64)}.sbom`],
  ] as const)('names the %s tag of a digest', (kind, tag) => {
    expect(cosignTag(IMAGE, kind)).toBe(tag)
  })

  it.each([
    [IMAGE, `sha256-${'a'.repeat(64)}`],
    [`sha512:${'c'.repeat(128)}`, `sha512-${'c'.repeat(64)}`],
  ])('names the referrers tag of %s (reference limited to 64 characters)', (digest, tag) => {
    expect(referrersFallbackTag(digest)).toBe(tag)
  })

  it('refuses something that is not a digest', () => {
    expect(() => cosignTag('latest', 'sig')).toThrow(expect.objectContaining({ code: ErrorCode.ReferenceInvalid }))
    expect(() => referrersFallbackTag('sha256:xyz')).toThrow(expect.objectContaining({ code: ErrorCode.ReferenceInvalid }))
  })
})

describe('parseCosignSignatureManifest', () => {
  const bundle = { SignedEntryTimestamp: 'MEUCIQ==', Payload: { body: 'eyJ9', integratedTime: 1700000000, logIndex: 42, logID: 'c0d2' } }

  it('returns each simple-signing layer with its signature material and skips other layers', () => {
    // Prepare
    const manifest = manifestOf({
      mediaType: MediaType.OciManifest,
      config: { mediaType: MediaType.OciConfig, digest: digestOf('c'), size: 233 },
      layers: [
        { mediaType: CosignMediaType.SimpleSigning, digest: digestOf('d'), size: 250, annotations: { [CosignAnnotation.Signature]: 'MEUCIQ==' } },
        {
          mediaType: CosignMediaType.SimpleSigning,
          digest: digestOf('e'),
          size: 250,
          annotations: {
            [CosignAnnotation.Signature]: 'MEYCIQ==',
            [CosignAnnotation.Certificate]: '-----BEGIN CERTIFICATE-----\n…',
            [CosignAnnotation.Chain]: '-----BEGIN CERTIFICATE-----\n…chain',
            [CosignAnnotation.Bundle]: JSON.stringify(bundle),
          },
        },
        { mediaType: 'application/vnd.example.other', digest: digestOf('f'), size: 1 },
      ],
    })
    // Act
    const layers = parseCosignSignatureManifest(manifest)
    // Assess
    expect(layers).toEqual([
      { payloadDescriptor: manifest.layers[0], signature: 'MEUCIQ==' },
      {
        payloadDescriptor: manifest.layers[1],
        signature: 'MEYCIQ==',
        certificate: '-----BEGIN CERTIFICATE-----\n…',
        chain: '-----BEGIN CERTIFICATE-----\n…chain',
        bundle: { signedEntryTimestamp: 'MEUCIQ==', payload: { body: 'eyJ9', integratedTime: 1700000000, logIndex: 42, logId: 'c0d2' } },
      },
    ])
  })

  it.each([
    ['a layer without signature', {}],
    ['an empty signature', { [CosignAnnotation.Signature]: '' }],
    ['a bundle that is not JSON', { [CosignAnnotation.Signature]: 'MEUCIQ==', [CosignAnnotation.Bundle]: '{' }],
    ['a bundle without Payload', { [CosignAnnotation.Signature]: 'MEUCIQ==', [CosignAnnotation.Bundle]: '{"SignedEntryTimestamp":"x"}' }],
  ])('refuses %s', (_name, annotations) => {
    // Prepare
    const manifest = manifestOf({
      mediaType: MediaType.OciManifest,
      config: { mediaType: MediaType.OciConfig, digest: digestOf('c'), size: 233 },
      layers: [{ mediaType: CosignMediaType.SimpleSigning, digest: digestOf('d'), size: 250, annotations }],
    })
    // Act + Assess
    expect(() => parseCosignSignatureManifest(manifest)).toThrow(provenanceError(ProvenanceErrorCode.SignatureInvalid))
  })
})

describe('parseSimpleSigningPayload', () => {
  it('reads the identity, digest, type and optional annotations', () => {
    expect(parseSimpleSigningPayload(simpleSigningPayload(IMAGE, REPOSITORY, { commit: 'abc' }))).toEqual({
      dockerReference: REPOSITORY,
      dockerManifestDigest: IMAGE,
      type: 'cosign container image signature',
      optional: { commit: 'abc' },
    })
  })

  it.each([
    ['not JSON', 'not json'],
    ['no critical', { optional: null }],
    ['another type', { critical: { identity: { 'docker-reference': 'x' }, image: { 'docker-manifest-digest': IMAGE }, type: 'something else' } }],
    ['no digest', { critical: { identity: { 'docker-reference': 'x' }, image: {}, type: 'cosign container image signature' } }],
    ['optional not an object', { critical: { identity: { 'docker-reference': 'x' }, image: { 'docker-manifest-digest': IMAGE }, type: 'cosign container image signature' }, optional: 3 }],
  ])('refuses a payload with %s', (_name, payload) => {
    expect(() => parseSimpleSigningPayload(bytesOf(payload))).toThrow(provenanceError(ProvenanceErrorCode.SignatureInvalid))
  })
})

describe('repositoryName', () => {
  it.each([
    ['index.docker.io/library/nginx', 'docker.io/library/nginx'],
    ['docker.io/library/nginx', 'docker.io/library/nginx'],
    ['nginx', 'docker.io/library/nginx'],
    ['docker.io/library/nginx:1.27', 'docker.io/library/nginx'],
    [`ghcr.io/acme/app@${IMAGE}`, 'ghcr.io/acme/app'],
    ['GHCR.IO/acme/app:v1', 'ghcr.io/acme/app'],
    ['localhost:5000/team/app', 'localhost:5000/team/app'],
  ])('%s → %s', (reference, name) => {
    expect(repositoryName(reference)).toBe(name)
  })
})

describe('verifyCosignSignature with a key', () => {
  const signer = p256KeyPair()
  const stranger = p256KeyPair()
  const payload = simpleSigningPayload(IMAGE, REPOSITORY)
  const signature = cosignSign(payload, signer.privateKey)
  const base: CosignVerifyInput = { payload, signatureBase64: signature, publicKeys: [signer.publicPem], expectedDigest: IMAGE, expectedRepository: REPOSITORY }

  it('verifies a signature made by a trusted key and names the key by fingerprint', () => {
    expect(verifyCosignSignature(base)).toEqual({ verified: true, outcome: 'ok', signer: keyFingerprint(signer.publicKey) })
  })

  it.each<[string, Partial<CosignVerifyInput>, Record<string, unknown>]>([
    ['with a named KeyObject', { publicKeys: [{ name: 'release', key: signer.publicKey }] }, { verified: true, outcome: 'ok', signer: 'release' }],
    ['among several keys', { publicKeys: [stranger.publicPem, { name: 'release', key: signer.publicPem }] }, { verified: true, outcome: 'ok', signer: 'release' }],
    ['with a Docker Hub alias of the repository', { payload: simpleSigningPayload(IMAGE, 'index.docker.io/library/app'), expectedRepository: 'docker.io/library/app' }, { verified: true, outcome: 'ok' }],
    ['with a tagged reference in the payload', { payload: simpleSigningPayload(IMAGE, `${REPOSITORY}:1.0`) }, { verified: true, outcome: 'ok' }],
    ['when the repository is one of several names', { expectedRepository: ['mirror.example.com/acme/app', REPOSITORY] }, { verified: true, outcome: 'ok' }],
    ['in IEEE P1363 encoding', { signatureBase64: sign('sha256', payload, { key: signer.privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64') }, { verified: true, outcome: 'ok' }],
    ['with a tampered payload byte', { payload: flipByte(payload, 20), signatureBase64: signature }, { verified: false, outcome: 'unknown-key' }],
    ['with a tampered signature byte', { signatureBase64: flipSignatureByte(signature, -1) }, { verified: false, outcome: 'unknown-key' }],
    ['with a signature that is not DER', { signatureBase64: flipSignatureByte(signature, 0) }, { verified: false, outcome: 'bad-signature' }],
    ['with a truncated signature', { signatureBase64: Buffer.from(signature, 'base64').subarray(0, 20).toString('base64') }, { verified: false, outcome: 'bad-signature' }],
    ['with a signature that is not base64', { signatureBase64: 'not base64!' }, { verified: false, outcome: 'bad-signature' }],
    ['with another key', { publicKeys: [stranger.publicPem] }, { verified: false, outcome: 'unknown-key' }],
    ['with no trusted keys', { publicKeys: [] }, { verified: null, outcome: 'no-trusted-keys' }],
  ])('%s', (_name, change, expected) => {
    // Prepare
    const input: CosignVerifyInput = { ...base, ...change }
    if (change.payload && !change.signatureBase64) input.signatureBase64 = cosignSign(change.payload, signer.privateKey)
    // Act
    const result = verifyCosignSignature(input)
    // Assess
    expect(result).toMatchObject(expected)
  })

  it.each([
    ['another digest', simpleSigningPayload(OTHER_IMAGE, REPOSITORY), 'wrong-digest', OTHER_IMAGE],
    ['another repository', simpleSigningPayload(IMAGE, 'ghcr.io/evil/app'), 'wrong-repository', 'ghcr.io/evil/app'],
    ['a payload that is not simple signing', bytesOf({ hello: 'world' }), 'bad-payload', 'simple-signing'],
  ])('rejects a valid signature over a payload naming %s', (_name, otherPayload, outcome, mentioned) => {
    // Act
    const result = verifyCosignSignature({ ...base, payload: otherPayload, signatureBase64: cosignSign(otherPayload, signer.privateKey) })
    // Assess
    expect(result).toEqual({ verified: false, outcome, signer: keyFingerprint(signer.publicKey), error: expect.stringContaining(mentioned) })
  })

  it.each([
    ['Ed25519', ed25519KeyPair()],
    ['RSA PKCS #1 v1.5', rsaKeyPair()],
  ])('verifies %s signatures', (_name, pair) => {
    const result = verifyCosignSignature({ ...base, signatureBase64: cosignSign(payload, pair.privateKey), publicKeys: [pair.publicPem] })
    expect(result).toMatchObject({ verified: true, outcome: 'ok' })
  })

  it('verifies RSA-PSS signatures', () => {
    // Prepare
    const pair = rsaKeyPair()
    const pss = sign('sha256', payload, { key: pair.privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }).toString('base64')
    const pssKey = generateKeyPairSync('rsa-pss', { modulusLength: 2048, hashAlgorithm: 'sha256', mgf1HashAlgorithm: 'sha256' })
    const pssKeySignature = sign('sha256', payload, pssKey.privateKey).toString('base64')
    // Act + Assess
    expect(verifyCosignSignature({ ...base, signatureBase64: pss, publicKeys: [pair.publicPem] })).toMatchObject({ verified: true })
    expect(verifyCosignSignature({ ...base, signatureBase64: pssKeySignature, publicKeys: [pssKey.publicKey] })).toMatchObject({ verified: true })
  })

  it('refuses a configured key that is not a public key', () => {
    expect(() => verifyCosignSignature({ ...base, publicKeys: ['-----BEGIN PUBLIC KEY-----\nnope\n-----END PUBLIC KEY-----'] })).toThrow(
      provenanceError(ProvenanceErrorCode.TrustedKeyInvalid)
    )
  })
})

describe('verifyCosignSignature, keyless', () => {
  const payload = simpleSigningPayload(IMAGE, REPOSITORY)
  let emailCertificate: SelfSignedCertificate
  let uriCertificate: SelfSignedCertificate

  beforeAll(async () => {
    ;[emailCertificate, uriCertificate] = await Promise.all([
      selfSignedCertificate('email:dev@example.com'),
      selfSignedCertificate('URI:https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1.0.0'),
    ])
  })

  it('reports a keyless layer as present, consistent and unverified, with the SAN e-mail', () => {
    // Prepare
    const manifest = manifestOf({
      mediaType: MediaType.OciManifest,
      config: { mediaType: MediaType.OciConfig, digest: digestOf('c'), size: 233 },
      layers: [
        {
          mediaType: CosignMediaType.SimpleSigning,
          digest: digestOf('d'),
          size: payload.length,
          annotations: { [CosignAnnotation.Signature]: cosignSign(payload, emailCertificate.privateKey), [CosignAnnotation.Certificate]: emailCertificate.certificatePem },
        },
      ],
    })
    const [layer] = parseCosignSignatureManifest(manifest)
    // Act
    const result = verifyCosignSignature({
      payload,
      signatureBase64: layer!.signature,
      certificate: layer!.certificate!,
      publicKeys: [],
      expectedDigest: IMAGE,
      expectedRepository: REPOSITORY,
    })
    // Assess
    expect(result).toEqual({ verified: null, outcome: 'keyless', signer: 'dev@example.com', error: 'keyless signatures are not verified offline' })
  })

  it('names a workload identity by its URI SAN, and stays unverified when keys are configured', () => {
    const result = verifyCosignSignature({
      payload,
      signatureBase64: cosignSign(payload, uriCertificate.privateKey),
      certificate: uriCertificate.certificatePem,
      publicKeys: [p256KeyPair().publicPem],
      expectedDigest: IMAGE,
      expectedRepository: REPOSITORY,
    })
    expect(result).toEqual({
      verified: null,
      outcome: 'keyless',
      signer: 'https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1.0.0',
      error: 'keyless signatures are not verified offline',
    })
  })

  it.each([
    ['without keys', [] as string[], null],
    ['with keys', [p256KeyPair().publicPem], false],
  ])('finds a signature its own certificate does not verify (%s)', (_name, publicKeys, verified) => {
    const result = verifyCosignSignature({
      payload,
      signatureBase64: cosignSign(payload, p256KeyPair().privateKey),
      certificate: emailCertificate.certificatePem,
      publicKeys,
      expectedDigest: IMAGE,
      expectedRepository: REPOSITORY,
    })
    expect(result).toEqual({ verified, outcome: 'bad-signature', signer: 'dev@example.com', error: 'the signature does not verify against its certificate' })
  })

  it('finds a consistent keyless signature of another image', () => {
    const other = simpleSigningPayload(OTHER_IMAGE, REPOSITORY)
    const result = verifyCosignSignature({
      payload: other,
      signatureBase64: cosignSign(other, emailCertificate.privateKey),
      certificate: emailCertificate.certificatePem,
      publicKeys: [],
      expectedDigest: IMAGE,
      expectedRepository: REPOSITORY,
    })
    expect(result).toMatchObject({ verified: null, outcome: 'wrong-digest', signer: 'dev@example.com' })
  })

  it('finds a certificate that does not parse', () => {
    const result = verifyCosignSignature({ payload, signatureBase64: 'MEUCIQ==', certificate: 'not a certificate', publicKeys: [], expectedDigest: IMAGE, expectedRepository: REPOSITORY })
    expect(result).toEqual({ verified: null, outcome: 'bad-signature', error: 'the signing certificate does not parse' })
  })
})

describe('verifyCosignAttestation', () => {
  const signer = p256KeyPair()
  const statement = {
    _type: 'https://in-toto.io/Statement/v1',
    subject: [{ name: REPOSITORY, digest: { sha256: 'a'.repeat(64) } }],
    predicateType: 'https://slsa.dev/provenance/v1',
    predicate: { runDetails: { builder: { id: 'https://github.com/actions/runner' } } },
  }

  function envelope(payload: unknown, payloadType = 'application/vnd.in-toto+json', key = signer.privateKey): Uint8Array {
    const body = bytesOf(payload)
    const sig = sign('sha256', pae(payloadType, body), key).toString('base64')
    return bytesOf({ payloadType, payload: Buffer.from(body).toString('base64'), signatures: [{ keyid: '', sig }] })
  }

  it('verifies a signed statement about the image and returns it', () => {
    const result = verifyCosignAttestation({ envelope: envelope(statement), publicKeys: [signer.publicPem], expectedDigest: IMAGE })
    expect(result).toMatchObject({ verified: true, outcome: 'ok', statement: { predicateType: 'https://slsa.dev/provenance/v1' } })
  })

  it.each([
    ['a statement about another image', envelope({ ...statement, subject: [{ name: 'x', digest: { sha256: 'b'.repeat(64) } }] }), [signer.publicPem], { verified: false, outcome: 'wrong-digest' }],
    ['another payload type', envelope(statement, 'application/json'), [signer.publicPem], { verified: false, outcome: 'bad-payload' }],
    ['another key', envelope(statement, undefined, p256KeyPair().privateKey), [signer.publicPem], { verified: false, outcome: 'unknown-key' }],
    ['no trusted keys', envelope(statement), [], { verified: null, outcome: 'no-trusted-keys', statement: { predicateType: 'https://slsa.dev/provenance/v1' } }],
    ['an envelope that is not one', bytesOf({ payload: 'x' }), [signer.publicPem], { verified: false, outcome: 'bad-signature' }],
  ])('reports %s', (_name, bytes, publicKeys, expected) => {
    expect(verifyCosignAttestation({ envelope: bytes, publicKeys, expectedDigest: IMAGE })).toMatchObject(expected)
  })
})

describe('cosignSignatureEntry', () => {
  it.each([
    [{ verified: true, outcome: 'ok', signer: 'release' } as const, { format: 'cosign', artifact: OTHER_IMAGE, via: 'tag', verified: true, signer: 'release' }],
    [{ verified: null, outcome: 'no-trusted-keys', error: 'no trusted keys configured' } as const, { format: 'cosign', artifact: OTHER_IMAGE, via: 'tag', verified: null, error: 'no trusted keys configured' }],
  ])('builds the report item for %j', (verification, entry) => {
    expect(cosignSignatureEntry(verification, OTHER_IMAGE, 'tag')).toEqual(entry)
  })
})
