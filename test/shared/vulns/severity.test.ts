import { describe, expect, it } from 'vitest'
import type { OsvRecord, OsvSeverity } from '../../../shared/vulns/osv.js'
import { severityOf, severityOfLabel, severityOfScore, type SeverityResult } from '../../../shared/vulns/severity.js'
import { osvFixture } from './fixtures.js'

const V4_CRITICAL = 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N'
const V3_HIGH = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N'
const V3_ZERO = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N'
const V2_HIGH = 'AV:N/AC:L/Au:N/C:P/I:P/A:P'

function record(severity: OsvSeverity[], databaseSpecific?: OsvRecord['databaseSpecific']): Pick<OsvRecord, 'severity' | 'databaseSpecific'> {
  return databaseSpecific === undefined ? { severity } : { severity, databaseSpecific }
}

describe('severityOf', () => {
  it.each<[string, Pick<OsvRecord, 'severity' | 'databaseSpecific'>, SeverityResult]>([
    [
      'CVSS v4 before v3 and the GHSA rating',
      record(
        [
          { type: 'CVSS_V3', score: V3_HIGH },
          { type: 'CVSS_V4', score: V4_CRITICAL },
        ],
        { severity: 'LOW' },
      ),
      { severity: 'critical', source: 'cvss_v4', score: 9.3, vector: V4_CRITICAL },
    ],
    ['CVSS v3 before the GHSA rating', record([{ type: 'CVSS_V3', score: V3_HIGH }], { severity: 'LOW' }), { severity: 'high', source: 'cvss_v3', score: 7.5, vector: V3_HIGH }],
    ['the GHSA rating alone', record([], { severity: 'MODERATE' }), { severity: 'medium', source: 'database_specific' }],
    ['the GHSA rating before CVSS v2', record([{ type: 'CVSS_V2', score: V2_HIGH }], { severity: 'LOW' }), { severity: 'low', source: 'database_specific' }],
    ['the Ubuntu priority', record([{ type: 'Ubuntu', score: 'negligible' }]), { severity: 'low', source: 'ubuntu_priority' }],
    ['CVSS v2 as a last resort', record([{ type: 'CVSS_V2', score: V2_HIGH }]), { severity: 'high', source: 'cvss_v2', score: 7.5, vector: V2_HIGH }],
    ['a broken v4 vector skipped for v3', record([{ type: 'CVSS_V4', score: 'CVSS:4.0/AV:N' }, { type: 'CVSS_V3', score: V3_HIGH }]), { severity: 'high', source: 'cvss_v3', score: 7.5, vector: V3_HIGH }],
    ['a v3 vector filed as CVSS_V4 ignored', record([{ type: 'CVSS_V4', score: V3_HIGH }]), { severity: 'unknown', source: 'none' }],
    ['a zero score deferring to the database', record([{ type: 'CVSS_V3', score: V3_ZERO }], { severity: 'HIGH' }), { severity: 'high', source: 'database_specific' }],
    ['a zero score alone as low', record([{ type: 'CVSS_V3', score: V3_ZERO }]), { severity: 'low', source: 'cvss_v3', score: 0, vector: V3_ZERO }],
    ['an unrated database word', record([], { severity: 'UNKNOWN' }), { severity: 'unknown', source: 'none' }],
    ['nothing', record([]), { severity: 'unknown', source: 'none' }],
  ])('prefers %s', (_label, input, expected) => {
    expect(severityOf(input)).toEqual(expected)
  })

  it('prefers the package-level severity and reads its ecosystem_specific', () => {
    const base = record([{ type: 'CVSS_V3', score: V3_HIGH }])
    expect(severityOf(base, { severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' }] })).toMatchObject({ severity: 'critical', score: 9.8 })
    expect(severityOf(record([]), { ecosystemSpecific: { urgency: 'high' } })).toEqual({ severity: 'high', source: 'debian_urgency' })
    expect(severityOf(record([]), { ecosystemSpecific: { urgency: 'not yet assigned' } })).toEqual({ severity: 'unknown', source: 'none' })
    expect(severityOf(record([]), { ecosystemSpecific: { severity: 'HIGH' } })).toEqual({ severity: 'high', source: 'ecosystem_specific' })
    expect(severityOf(record([]), { databaseSpecific: { severity: 'CRITICAL' } })).toEqual({ severity: 'critical', source: 'database_specific' })
  })

  it.each<[string, SeverityResult['severity']]>([
    ['GHSA-2222-3333-4444', 'critical'],
    ['GHSA-2222-3333-5555', 'medium'],
    ['ALPINE-CVE-2099-2001', 'critical'],
    ['UBUNTU-CVE-2099-6001', 'medium'],
    ['RLSA-2099:0001', 'high'],
    ['GO-2099-0001', 'unknown'],
  ])('rates the fixture %s %s', (id, severity) => {
    expect(severityOf(osvFixture(id)).severity).toBe(severity)
  })

  it('rates Debian records by the urgency of the package', () => {
    const debian = osvFixture('DEBIAN-CVE-2099-1002')
    expect(severityOf(debian, debian.affected[0])).toEqual({ severity: 'low', source: 'debian_urgency' })
  })

  it.each<[string, string | null]>([
    ['CRITICAL', 'critical'],
    ['HIGH', 'high'],
    ['Important', 'high'],
    ['MODERATE', 'medium'],
    ['medium', 'medium'],
    ['LOW', 'low'],
    ['negligible', 'low'],
    ['unimportant', 'low'],
    ['low**', 'low'],
    ['medium*', 'medium'],
    ['not yet assigned', null],
    ['untriaged', null],
    ['', null],
  ])('severityOfLabel(%j) is %s', (label, expected) => {
    expect(severityOfLabel(label)).toBe(expected)
  })

  it.each<[number, string]>([
    [0.1, 'low'],
    [3.9, 'low'],
    [4, 'medium'],
    [6.9, 'medium'],
    [7, 'high'],
    [8.9, 'high'],
    [9, 'critical'],
    [10, 'critical'],
  ])('severityOfScore(%d) is %s', (score, severity) => {
    expect(severityOfScore(score)).toBe(severity)
  })
})
