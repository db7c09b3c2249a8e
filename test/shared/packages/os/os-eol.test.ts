import { describe, expect, it } from 'vitest'
import { OS_EOL_TABLE, OS_EOL_TABLE_WRITTEN, endOfLife } from '../../../../shared/packages/os/os-eol.js'

const AT = new Date('2026-11-15T12:00:00Z')

describe('endOfLife', () => {
  it.each<[string, string, { eol: boolean; date: string } | undefined]>([
    ['debian', '9', { eol: true, date: '2022-06-30' }],
    ['debian', '10', { eol: true, date: '2024-06-30' }],
    ['debian', '11', { eol: true, date: '2026-08-31' }],
    ['debian', '12', { eol: false, date: '2028-06-30' }],
    ['debian', '12.7', { eol: false, date: '2028-06-30' }],
    ['debian', '13', { eol: false, date: '2030-06-30' }],
    ['debian', '', undefined],
    ['debian', 'trixie/sid', undefined],
    ['ubuntu', '18.04', { eol: true, date: '2023-05-31' }],
    ['ubuntu', '22.04', { eol: false, date: '2027-04' }],
    ['ubuntu', '24.04', { eol: false, date: '2029-04' }],
    ['ubuntu', '23.10', { eol: true, date: '2024-07-11' }],
    ['ubuntu', '22', undefined],
    ['alpine', '3.20.3', { eol: true, date: '2026-04-01' }],
    ['alpine', '3.21.0', { eol: true, date: '2026-11-01' }],
    ['alpine', '3.22', { eol: false, date: '2027-05-01' }],
    ['alpine', '3.9', undefined],
    ['alpine', 'edge', undefined],
    ['rhel', '8.10', { eol: false, date: '2029-05-31' }],
    ['rhel', '7.9', { eol: true, date: '2024-06-30' }],
    ['rocky', '9.4', { eol: false, date: '2032-05-31' }],
    ['almalinux', '8.9', { eol: false, date: '2029-03-01' }],
    ['centos', '7', { eol: true, date: '2024-06-30' }],
    ['centos', '8', { eol: true, date: '2021-12-31' }],
    ['fedora', '39', { eol: true, date: '2024-11-26' }],
    ['fedora', '43', { eol: false, date: '2026-12' }],
    ['amzn', '2', { eol: true, date: '2026-06-30' }],
    ['amzn', '2023', { eol: false, date: '2029-06-30' }],
    ['amzn', '2018.03', { eol: true, date: '2023-12-31' }],
    ['Debian', '12', { eol: false, date: '2028-06-30' }],
    ['redhat', '9', { eol: false, date: '2032-05-31' }],
    ['arch', '', undefined],
    ['gentoo', '2.15', undefined],
  ])('%s %s at 2026-11-15', (family, version, expected) => {
    expect(endOfLife(family, version, AT)).toEqual(expected)
  })

  it.each<[string, string, string, boolean]>([
    ['on the last day', 'debian', '2028-06-30T23:59:59Z', false],
    ['the day after', 'debian', '2028-07-01T00:00:00Z', true],
    ['in the last month of a month date', 'ubuntu', '2027-04-30T23:59:59Z', false],
    ['after a month date', 'ubuntu', '2027-05-01T00:00:00Z', true],
  ])('counts the end %s', (_label, family, now, eol) => {
    const version = family === 'debian' ? '12' : '22.04'
    expect(endOfLife(family, version, new Date(now))?.eol).toBe(eol)
  })

  it('has well-formed dates and was written in 2026-11', () => {
    expect(OS_EOL_TABLE_WRITTEN).toBe('2026-11')
    for (const [family, releases] of Object.entries(OS_EOL_TABLE)) {
      for (const [release, date] of Object.entries(releases)) {
        expect(date, `${family} ${release}`).toMatch(/^20\d\d-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?$/)
        expect(Number.isNaN(new Date(date).getTime()), `${family} ${release}`).toBe(false)
      }
    }
  })

  it('dates later releases of a family no earlier than older LTS ones', () => {
    const order = (family: string, releases: string[]): string[] => releases.map((release) => OS_EOL_TABLE[family]![release]!)
    expect(order('debian', ['9', '10', '11', '12', '13'])).toEqual([...order('debian', ['9', '10', '11', '12', '13'])].sort())
    expect(order('alpine', ['3.16', '3.17', '3.18', '3.19', '3.20', '3.21', '3.22'])).toEqual(
      [...order('alpine', ['3.16', '3.17', '3.18', '3.19', '3.20', '3.21', '3.22'])].sort(),
    )
  })
})
