import { describe, expect, it } from 'vitest'
import { MediaType } from '../../../shared/image/media-types.js'
import { parseReferrers, sbomFormatOfMediaType } from '../../../shared/provenance/referrers.js'
import { ProvenanceErrorCode } from '../../../shared/provenance/provenance-error.js'
import { bytesOf, digestOf } from './fixtures.js'

const referrer = (char: string, artifactType: string | undefined, annotations?: Record<string, string>): Record<string, unknown> => ({
  mediaType: MediaType.OciManifest,
  digest: digestOf(char),
  size: 500,
  ...(artifactType === undefined ? {} : { artifactType }),
  ...(annotations === undefined ? {} : { annotations }),
})

describe('parseReferrers', () => {
  it('classifies every kind of referrer', () => {
    // Prepare
    const response = bytesOf({
      schemaVersion: 2,
      mediaType: MediaType.OciIndex,
      manifests: [
        referrer('1', 'application/vnd.dev.cosign.artifact.sig.v1+json', { 'org.opencontainers.image.created': '2025-01-01T00:00:00Z' }),
        referrer('2', 'application/vnd.dev.sigstore.bundle.v0.3+json', { 'dev.sigstore.bundle.predicateType': 'https://sigstore.dev/cosign/sign/v1' }),
        referrer('3', 'application/vnd.cncf.notary.signature', { 'io.cncf.notary.x509chain.thumbprint#S256': '["abc"]' }),
        referrer('4', 'application/vnd.in-toto+json', { 'in-toto.io/predicate-type': 'https://slsa.dev/provenance/v1' }),
        referrer('5', 'application/vnd.dsse.envelope.v1+json', { 'in-toto.io/predicate-type': 'https://spdx.dev/Document' }),
        referrer('6', 'application/spdx+json'),
        referrer('7', 'application/vnd.cyclonedx+json'),
        referrer('8', 'application/vnd.example.helm.chart'),
        referrer('9', undefined),
        referrer('a', 'application/vnd.dev.sigstore.bundle+json;version=0.2'),
      ],
    })
    // Act
    const referrers = parseReferrers(response, MediaType.OciIndex)
    // Assess
    expect(referrers.map(({ descriptor, ...rest }) => ({ digest: descriptor.digest, ...rest }))).toEqual([
      { digest: digestOf('1'), kind: 'cosign-signature', artifactType: 'application/vnd.dev.cosign.artifact.sig.v1+json', created: '2025-01-01T00:00:00Z' },
      { digest: digestOf('2'), kind: 'sigstore-bundle', artifactType: 'application/vnd.dev.sigstore.bundle.v0.3+json', predicateType: 'https://sigstore.dev/cosign/sign/v1' },
      { digest: digestOf('3'), kind: 'notation-signature', artifactType: 'application/vnd.cncf.notary.signature' },
      { digest: digestOf('4'), kind: 'attestation', artifactType: 'application/vnd.in-toto+json', predicateType: 'https://slsa.dev/provenance/v1' },
      { digest: digestOf('5'), kind: 'sbom', artifactType: 'application/vnd.dsse.envelope.v1+json', predicateType: 'https://spdx.dev/Document', sbomFormat: 'spdx' },
      { digest: digestOf('6'), kind: 'sbom', artifactType: 'application/spdx+json', sbomFormat: 'spdx' },
      { digest: digestOf('7'), kind: 'sbom', artifactType: 'application/vnd.cyclonedx+json', sbomFormat: 'cyclonedx' },
      { digest: digestOf('8'), kind: 'other', artifactType: 'application/vnd.example.helm.chart' },
      { digest: digestOf('9'), kind: 'other', artifactType: MediaType.OciManifest },
      { digest: digestOf('a'), kind: 'sigstore-bundle', artifactType: 'application/vnd.dev.sigstore.bundle+json;version=0.2' },
    ])
  })

  it('reads an empty response', () => {
    expect(parseReferrers(bytesOf({ schemaVersion: 2, mediaType: MediaType.OciIndex, manifests: [] }))).toEqual([])
  })

  it.each([
    ['an image manifest', bytesOf({ schemaVersion: 2, mediaType: MediaType.OciManifest, config: referrer('1', undefined), layers: [] })],
    ['bytes that are not JSON', bytesOf('<html>not found</html>')],
    ['an index with a malformed descriptor', bytesOf({ schemaVersion: 2, mediaType: MediaType.OciIndex, manifests: [{ digest: 'x' }] })],
  ])('refuses %s', (_name, bytes) => {
    expect(() => parseReferrers(bytes)).toThrow(expect.objectContaining({ name: 'ProvenanceError', code: ProvenanceErrorCode.ReferrersInvalid }))
  })
})

describe('sbomFormatOfMediaType', () => {
  it.each([
    ['application/spdx+json', 'spdx'],
    ['text/spdx', 'spdx'],
    ['application/vnd.cyclonedx+xml', 'cyclonedx'],
    ['application/vnd.cyclonedx+json; version=1.5', 'cyclonedx'],
    ['application/vnd.syft+json', 'syft'],
    ['application/json', undefined],
  ])('%s → %s', (mediaType, format) => {
    expect(sbomFormatOfMediaType(mediaType)).toBe(format)
  })
})
