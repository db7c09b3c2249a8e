import { describe, expect, it } from 'vitest'
import { declaredSource } from '../../../shared/provenance/source.js'
import { digestOf } from './fixtures.js'

describe('declaredSource', () => {
  const attestation = { predicateType: 'https://slsa.dev/provenance/v0.2', artifact: digestOf('1'), via: 'index' as const, sourceRepository: 'https://github.com/acme/app', sourceRevision: 'a'.repeat(40) }

  it.each([
    [
      'annotations first',
      { 'org.opencontainers.image.source': 'https://github.com/acme/app', 'org.opencontainers.image.created': '2025-01-01T00:00:00Z' },
      { 'org.opencontainers.image.source': 'https://example.com/label', 'org.opencontainers.image.revision': 'b'.repeat(40) },
      [],
      { repository: 'https://github.com/acme/app', revision: 'b'.repeat(40), created: '2025-01-01T00:00:00Z' },
    ],
    ['provenance when nothing is declared', undefined, {}, [attestation], { repository: 'https://github.com/acme/app', revision: 'a'.repeat(40) }],
    ['nothing', undefined, undefined, [], {}],
  ])('takes %s', (_name, annotations, labels, attestations, expected) => {
    expect(declaredSource(annotations, labels, attestations)).toEqual(expected)
  })
})
