import { describe, expect, it } from 'vitest'
import {
  baseImageFindings,
  provenanceRules,
  signatureFindings,
  tagMovementFindings,
  type CheckedSignature,
} from '../../../shared/provenance/provenance-rules.js'
import { digestOf } from './fixtures.js'

const SIG = digestOf('5')

describe('provenance rules', () => {
  it.each([
    ['provenance-unsigned', 'low'],
    ['provenance-signature-invalid', 'critical'],
    ['provenance-signature-unknown-key', 'medium'],
    ['provenance-base-mismatch', 'high'],
    ['provenance-tag-moved-base-changed', 'medium'],
  ])('%s is a documented %s provenance rule', (id, severity) => {
    const rule = provenanceRules.find((r) => r.id === id)
    expect(rule).toMatchObject({ id, severity, category: 'provenance' })
    expect(rule!.id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/)
    expect(rule!.description.length).toBeGreaterThan(40)
    expect(rule!.remediation.length).toBeGreaterThan(20)
    expect(Object.isFrozen(rule)).toBe(true)
  })

  it('has unique ids', () => {
    expect(new Set(provenanceRules.map((r) => r.id)).size).toBe(provenanceRules.length)
  })
})

describe('signatureFindings', () => {
  const ok: CheckedSignature = { artifact: SIG, outcome: 'ok', signer: 'release' }
  const unknown: CheckedSignature = { artifact: SIG, outcome: 'unknown-key', error: 'no trusted key verifies the signature' }
  const keyless: CheckedSignature = { artifact: SIG, outcome: 'keyless', signer: 'dev@example.com' }

  it.each<[string, CheckedSignature[], boolean, Array<[string, string?]>]>([
    ['no signature', [], false, [['provenance-unsigned']]],
    ['no signature, keys configured', [], true, [['provenance-unsigned']]],
    ['a verified signature', [ok], true, []],
    ['a signature and no keys', [{ artifact: SIG, outcome: 'no-trusted-keys' }], false, []],
    ['a bad signature', [{ artifact: SIG, outcome: 'bad-signature', error: 'the signature is not base64' }], true, [['provenance-signature-invalid', `${SIG}: bad-signature (the signature is not base64)`]]],
    ['a signature of another digest', [{ artifact: SIG, outcome: 'wrong-digest' }], true, [['provenance-signature-invalid', `${SIG}: wrong-digest`]]],
    ['a signature of another repository beside a good one', [ok, { artifact: SIG, outcome: 'wrong-repository' }], true, [['provenance-signature-invalid', `${SIG}: wrong-repository`]]],
    // cosign signatures name no key: one that no trusted key verifies fails verification
    ['a key-based signature no trusted key verifies', [unknown], true, [['provenance-signature-invalid', `${SIG}: unknown-key (no trusted key verifies the signature)`]]],
    ['only a keyless signature under a key policy', [keyless], true, [['provenance-signature-unknown-key', '1 signature(s) by dev@example.com']]],
    ['a keyless signature and no keys', [keyless], false, []],
    ['a second, unknown signer beside a trusted one', [ok, unknown], true, []],
  ])('%s', (_name, signatures, keysConfigured, expected) => {
    const findings = signatureFindings(signatures, keysConfigured)
    expect(findings.map((f) => [f.ruleId, ...(f.evidence === undefined ? [] : [f.evidence])])).toEqual(expected)
  })

  it('gives critical and medium severities', () => {
    const findings = signatureFindings([{ artifact: SIG, outcome: 'bad-payload' }, keyless], true)
    expect(findings.map((f) => [f.ruleId, f.severity, f.category])).toEqual([
      ['provenance-signature-invalid', 'critical', 'provenance'],
      ['provenance-signature-unknown-key', 'medium', 'provenance'],
    ])
  })
})

describe('baseImageFindings', () => {
  it.each([
    [{ name: 'debian:12', confirmed: true }, undefined, []],
    [{ name: 'debian:12', confirmed: null }, undefined, []],
    [
      { name: 'debian:12', confirmed: false, sharedLayers: 0, baseLayers: 1 },
      digestOf('9'),
      [{ ruleId: 'provenance-base-mismatch', category: 'provenance', severity: 'high', location: { layer: digestOf('9') }, evidence: "declared base debian:12: 0 of its 1 layers are the image's first" }],
    ],
  ])('for %j', (base, layer, expected) => {
    expect(baseImageFindings(base, layer)).toMatchObject(expected)
  })
})

describe('tagMovementFindings', () => {
  it('reports a tag whose base changed, and nothing otherwise', () => {
    expect(tagMovementFindings({ tag: 'latest', previousDigest: digestOf('1'), baseChanged: true })).toMatchObject([
      { ruleId: 'provenance-tag-moved-base-changed', severity: 'medium', evidence: `tag latest previously pointed at ${digestOf('1')}` },
    ])
    expect(tagMovementFindings({ tag: 'latest', previousDigest: digestOf('1'), baseChanged: false })).toEqual([])
  })
})
