import { describe, expect, it } from 'vitest'
import { VulnDataError } from '../../../shared/vulns/errors.js'
import { parseOsvRecord, parseOsvRecordJson } from '../../../shared/vulns/osv.js'
import { loadOsvFixtures, osvFixture } from './fixtures.js'

const MINIMAL = { id: 'GHSA-2222-3333-4444', modified: '2099-06-01T00:00:00Z' }

function withAffected(affected: unknown): unknown {
  return { ...MINIMAL, affected: [affected] }
}

describe('parseOsvRecord', () => {
  it('parses every fixture', () => {
    expect(loadOsvFixtures().map((r) => r.id)).toHaveLength(19)
  })

  it('parses the GHSA fixture into typed values', () => {
    expect(osvFixture('GHSA-2222-3333-4444')).toEqual({
      schemaVersion: '1.4.0',
      id: 'GHSA-2222-3333-4444',
      modified: '2099-06-01T00:00:00Z',
      published: '2099-05-30T00:00:00Z',
      aliases: ['CVE-2099-3001'],
      upstream: [],
      related: [],
      summary: 'Prototype pollution in acme-template',
      details: 'Merging untrusted objects can modify Object.prototype.',
      severity: [
        { type: 'CVSS_V4', score: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N' },
        { type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N' },
      ],
      affected: [
        {
          package: { ecosystem: 'npm', name: 'acme-template', purl: 'pkg:npm/acme-template' },
          severity: [],
          ranges: [
            {
              type: 'SEMVER',
              events: [
                { kind: 'introduced', version: '0' },
                { kind: 'fixed', version: '4.17.21' },
                { kind: 'introduced', version: '5.0.0-alpha.1' },
                { kind: 'fixed', version: '5.2.1' },
              ],
            },
          ],
          versions: [],
        },
      ],
      databaseSpecific: { cwe_ids: ['CWE-1321'], severity: 'HIGH', github_reviewed: true },
    })
  })

  it('keeps withdrawn, upstream, ecosystem_specific and GIT repos', () => {
    expect(osvFixture('GHSA-3333-4444-5555').withdrawn).toBe('2099-06-10T00:00:00Z')
    expect(osvFixture('DSA-9001-1').upstream).toEqual(['CVE-2099-1001'])
    expect(osvFixture('DEBIAN-CVE-2099-1001').affected[0]?.ecosystemSpecific).toEqual({ urgency: 'medium' })
    expect(osvFixture('OSV-2099-1').affected[0]?.ranges[0]?.repo).toBe('https://example.com/acme/acme-http.git')
  })

  it('accepts the minimal record and defaults the arrays', () => {
    expect(parseOsvRecord(MINIMAL)).toEqual({ ...MINIMAL, aliases: [], upstream: [], related: [], severity: [], affected: [] })
  })

  it('drops severity entries of unknown types and ignores unknown fields', () => {
    const record = parseOsvRecord({ ...MINIMAL, severity: [{ type: 'CVSS_V5', score: 'x' }, { type: 'Ubuntu', score: 'high' }], credits: [{ name: 'x' }], future_field: 1 })
    expect(record.severity).toEqual([{ type: 'Ubuntu', score: 'high' }])
  })

  it('reads package-level severity', () => {
    const record = parseOsvRecord(withAffected({ package: { ecosystem: 'npm', name: 'x' }, severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' }] }))
    expect(record.affected[0]?.severity).toHaveLength(1)
  })

  it.each<[string, unknown, RegExp]>([
    ['a non-object', [], /\(root\): expected an object/],
    ['a missing id', { modified: MINIMAL.modified }, /id: expected a string/],
    ['an empty id', { ...MINIMAL, id: ' ' }, /id: expected a non-empty string/],
    ['an id with spaces', { ...MINIMAL, id: 'GHSA 1' }, /id: expected an identifier without spaces/],
    ['a missing modified', { id: 'X-1' }, /X-1: modified: expected a string/],
    ['a bad timestamp', { ...MINIMAL, modified: '2099-06-01' }, /modified: expected an RFC 3339 timestamp/],
    ['an impossible date', { ...MINIMAL, modified: '2099-13-45T00:00:00Z' }, /modified: expected an RFC 3339 timestamp/],
    ['a bad published', { ...MINIMAL, published: 12 }, /published: expected a string/],
    ['aliases not an array', { ...MINIMAL, aliases: 'CVE-1' }, /aliases: expected an array/],
    ['a non-string alias', { ...MINIMAL, aliases: [1] }, /aliases\[0\]: expected a string/],
    ['a severity without score', { ...MINIMAL, severity: [{ type: 'CVSS_V3' }] }, /severity\[0\]\.score: expected a string/],
    ['affected not an array', { ...MINIMAL, affected: {} }, /affected: expected an array/],
    ['a package without name', withAffected({ package: { ecosystem: 'npm' } }), /affected\[0\]\.package\.name: expected a string/],
    ['a package with an empty ecosystem', withAffected({ package: { ecosystem: '', name: 'x' } }), /affected\[0\]\.package\.ecosystem: expected a non-empty string/],
    ['an unknown range type', withAffected({ ranges: [{ type: 'DATE', events: [{ introduced: '0' }] }] }), /ranges\[0\]\.type: expected one of SEMVER, ECOSYSTEM, GIT/],
    ['a range without events', withAffected({ ranges: [{ type: 'SEMVER', events: [] }] }), /ranges\[0\]\.events: expected a non-empty array/],
    ['an event with two kinds', withAffected({ ranges: [{ type: 'SEMVER', events: [{ introduced: '1.0.0', fixed: '1.0.2' }] }] }), /events\[0\]: expected exactly one of/],
    ['an event with no kind', withAffected({ ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { broken: '1' }] }] }), /events\[1\]: expected exactly one of/],
    ['an event with a number', withAffected({ ranges: [{ type: 'SEMVER', events: [{ introduced: 0 }] }] }), /events\[0\]\.introduced: expected a string/],
    ['a range without introduced', withAffected({ ranges: [{ type: 'ECOSYSTEM', events: [{ fixed: '1.0' }] }] }), /ranges\[0\]\.events: expected at least one "introduced" event/],
    ['versions with a number', withAffected({ versions: ['1.0', 2] }), /versions\[1\]: expected a string/],
    ['ecosystem_specific not an object', withAffected({ ecosystem_specific: [] }), /ecosystem_specific: expected an object/],
    ['database_specific not an object', { ...MINIMAL, database_specific: 'x' }, /database_specific: expected an object/],
  ])('rejects %s', (_label, value, message) => {
    expect(() => parseOsvRecord(value)).toThrow(VulnDataError)
    expect(() => parseOsvRecord(value)).toThrow(message)
    expect(() => parseOsvRecord(value)).toThrow(expect.objectContaining({ code: 'VULN_RECORD_INVALID' }))
  })

  it('rejects text that is not JSON', () => {
    expect(() => parseOsvRecordJson('{"id":')).toThrow(expect.objectContaining({ code: 'VULN_RECORD_INVALID' }))
  })
})
