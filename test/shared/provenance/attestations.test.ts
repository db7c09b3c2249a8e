import { describe, expect, it } from 'vitest'
import { MediaType } from '../../../shared/image/media-types.js'
import { attestationLayers, attestationManifests, attestationManifestsFor, summariseAttestation } from '../../../shared/provenance/attestations.js'
import { ProvenanceErrorCode } from '../../../shared/provenance/provenance-error.js'
import { bytesOf, digestOf, indexOf, manifestOf } from './fixtures.js'

const AMD64 = digestOf('1')
const ARM64 = digestOf('2')
const AMD64_ATTESTATION = digestOf('3')
const ARM64_ATTESTATION = digestOf('4')
const ORPHAN_ATTESTATION = digestOf('5')
const ATTESTATION_MANIFEST = digestOf('6')

const unknownPlatform = { architecture: 'unknown', os: 'unknown' }
const attests = (digest: string): Record<string, string> => ({ 'vnd.docker.reference.digest': digest, 'vnd.docker.reference.type': 'attestation-manifest' })

/** What `docker buildx build --platform linux/amd64,linux/arm64 --provenance=true --sbom=true --push` writes. */
const buildxIndex = indexOf({
  manifests: [
    { mediaType: MediaType.OciManifest, digest: AMD64, size: 1000, platform: { architecture: 'amd64', os: 'linux' } },
    { mediaType: MediaType.OciManifest, digest: ARM64, size: 1000, platform: { architecture: 'arm64', os: 'linux' } },
    { mediaType: MediaType.OciManifest, digest: AMD64_ATTESTATION, size: 840, annotations: attests(AMD64), platform: unknownPlatform },
    { mediaType: MediaType.OciManifest, digest: ARM64_ATTESTATION, size: 840, annotations: attests(ARM64), platform: unknownPlatform },
    { mediaType: MediaType.OciManifest, digest: ORPHAN_ATTESTATION, size: 840, annotations: attests(digestOf('9')), platform: unknownPlatform },
    { mediaType: MediaType.OciManifest, digest: digestOf('7'), size: 840, annotations: { 'vnd.docker.reference.type': 'something-else' }, platform: unknownPlatform },
  ],
})

const IMAGE_HEX = '1'.repeat(64)

const provenanceStatement = {
  _type: 'https://in-toto.io/Statement/v0.1',
  predicateType: 'https://slsa.dev/provenance/v0.2',
  subject: [{ name: 'pkg:docker/ghcr.io/acme/app@latest?platform=linux%2Famd64', digest: { sha256: IMAGE_HEX } }],
  predicate: {
    builder: { id: 'https://github.com/acme/app/actions/runs/7' },
    buildType: 'https://mobyproject.org/buildkit@v1',
    invocation: { configSource: { entryPoint: 'Dockerfile' }, parameters: { frontend: 'dockerfile.v0' } },
    metadata: { 'https://mobyproject.org/buildkit@v1#metadata': { vcs: { source: 'https://github.com/acme/app', revision: 'a'.repeat(40) } } },
  },
}

const sbomStatement = (predicateType: string): Record<string, unknown> => ({
  _type: 'https://in-toto.io/Statement/v0.1',
  predicateType,
  subject: [{ name: '_', digest: { sha256: IMAGE_HEX } }],
  predicate: { SPDXID: 'SPDXRef-DOCUMENT', spdxVersion: 'SPDX-2.3' },
})

describe('attestationManifests', () => {
  it('selects the attestation manifests and says which image each attests', () => {
    expect(attestationManifests(buildxIndex).map(({ descriptor, attests, attestsManifestInIndex }) => ({ digest: descriptor.digest, attests, attestsManifestInIndex }))).toEqual([
      { digest: AMD64_ATTESTATION, attests: AMD64, attestsManifestInIndex: true },
      { digest: ARM64_ATTESTATION, attests: ARM64, attestsManifestInIndex: true },
      { digest: ORPHAN_ATTESTATION, attests: digestOf('9'), attestsManifestInIndex: false },
    ])
  })

  it.each([
    [AMD64, [AMD64_ATTESTATION]],
    [ARM64, [ARM64_ATTESTATION]],
    [digestOf('8'), []],
  ])('finds the attestations of %s', (image, expected) => {
    expect(attestationManifestsFor(buildxIndex, image).map((d) => d.digest)).toEqual(expected)
  })

  it('finds nothing in an index without attestations', () => {
    expect(attestationManifests(indexOf({ manifests: [{ mediaType: MediaType.OciManifest, digest: AMD64, size: 1, platform: { architecture: 'amd64', os: 'linux' } }] }))).toEqual([])
  })
})

describe('attestationLayers', () => {
  it('lists the in-toto layers of a BuildKit attestation manifest with their predicate types', () => {
    // Prepare
    const manifest = manifestOf({
      mediaType: MediaType.OciManifest,
      config: { mediaType: MediaType.OciConfig, digest: digestOf('c'), size: 241 },
      layers: [
        { mediaType: 'application/vnd.in-toto+json', digest: digestOf('d'), size: 5000, annotations: { 'in-toto.io/predicate-type': 'https://spdx.dev/Document' } },
        { mediaType: 'application/vnd.in-toto+json', digest: digestOf('e'), size: 1400, annotations: { 'in-toto.io/predicate-type': 'https://slsa.dev/provenance/v0.2' } },
        { mediaType: 'application/vnd.in-toto+json', digest: digestOf('f'), size: 100 },
        { mediaType: 'application/vnd.example.unknown', digest: digestOf('0'), size: 1 },
      ],
    })
    // Act
    const layers = attestationLayers(manifest)
    // Assess
    expect(layers.map(({ descriptor, predicateType, kind, envelope }) => ({ digest: descriptor.digest, predicateType, kind, envelope }))).toEqual([
      { digest: digestOf('d'), predicateType: 'https://spdx.dev/Document', kind: 'sbom', envelope: false },
      { digest: digestOf('e'), predicateType: 'https://slsa.dev/provenance/v0.2', kind: 'provenance', envelope: false },
      { digest: digestOf('f'), predicateType: undefined, kind: 'other', envelope: false },
    ])
  })

  it('lists the DSSE layers of a cosign attestation manifest', () => {
    const manifest = manifestOf({
      mediaType: MediaType.OciManifest,
      config: { mediaType: MediaType.OciConfig, digest: digestOf('c'), size: 241 },
      layers: [
        {
          mediaType: 'application/vnd.dsse.envelope.v1+json',
          digest: digestOf('d'),
          size: 900,
          annotations: { 'dev.cosignproject.cosign/signature': '', predicateType: 'https://slsa.dev/provenance/v1' },
        },
      ],
    })
    expect(attestationLayers(manifest)).toMatchObject([{ predicateType: 'https://slsa.dev/provenance/v1', kind: 'provenance', envelope: true }])
  })
})

describe('summariseAttestation', () => {
  it('summarises a BuildKit provenance layer', () => {
    expect(summariseAttestation(bytesOf(provenanceStatement), AMD64_ATTESTATION)).toEqual({
      attestations: [
        {
          predicateType: 'https://slsa.dev/provenance/v0.2',
          artifact: AMD64_ATTESTATION,
          via: 'index',
          builder: 'https://github.com/acme/app/actions/runs/7',
          sourceRepository: 'https://github.com/acme/app',
          sourceRevision: 'a'.repeat(40),
        },
      ],
      sboms: [],
      subjects: [`sha256:${IMAGE_HEX}`],
    })
  })

  it.each([
    ['https://spdx.dev/Document', 'spdx'],
    ['https://cyclonedx.org/bom/v1.5', 'cyclonedx'],
  ])('recognises a %s SBOM', (predicateType, format) => {
    expect(summariseAttestation(bytesOf(sbomStatement(predicateType)), AMD64_ATTESTATION)).toEqual({
      attestations: [],
      sboms: [{ format, artifact: AMD64_ATTESTATION, via: 'index' }],
      subjects: [`sha256:${IMAGE_HEX}`],
    })
  })

  it('unwraps a DSSE envelope (cosign .att) and keeps another predicate as an attestation', () => {
    // Prepare
    const statement = { ...sbomStatement('https://cosign.sigstore.dev/attestation/vuln/v1'), predicate: { scanner: { uri: 'pkg:github/aquasecurity/trivy@0.50.0' } } }
    const envelope = { payloadType: 'application/vnd.in-toto+json', payload: Buffer.from(JSON.stringify(statement)).toString('base64'), signatures: [{ keyid: '', sig: 'MEUCIQ==' }] }
    // Act
    const summary = summariseAttestation(bytesOf(envelope), digestOf('e'), 'tag')
    // Assess
    expect(summary.attestations).toEqual([{ predicateType: 'https://cosign.sigstore.dev/attestation/vuln/v1', artifact: digestOf('e'), via: 'tag' }])
  })

  it.each([
    ['bytes that are not JSON', bytesOf('garbage')],
    ['a JSON array', bytesOf([1])],
    ['an envelope of another payload type', bytesOf({ payloadType: 'text/plain', payload: 'aGk=', signatures: [] })],
    ['an object that is not a statement', bytesOf({ hello: 'world' })],
  ])('refuses %s', (_name, bytes) => {
    expect(() => summariseAttestation(bytes, ATTESTATION_MANIFEST)).toThrow(expect.objectContaining({ code: ProvenanceErrorCode.AttestationInvalid }))
  })
})
