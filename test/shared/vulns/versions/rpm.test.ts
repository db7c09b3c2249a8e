import { describe, expect, it } from 'vitest'
import { compare, isValid, parse, rpmvercmp } from '../../../../shared/vulns/versions/rpm.js'
import { ascendingPairs, sgn } from './helpers.js'

describe('rpm versions (rpmvercmp)', () => {
  it.each(ascendingPairs(['1.0~rc1~git1', '1.0~rc1', '1.0~rc2', '1.0', '1.0^', '1.0^git1', '1.0^git2', '1.0.1', '1.0.1a', '1.1', '2.0', '10']))(
    '%s < %s',
    (a, b) => {
      expect(rpmvercmp(a, b)).toBeLessThan(0)
      expect(rpmvercmp(b, a)).toBeGreaterThan(0)
    },
  )

  it.each<[string, string, number]>([
    ['1.0~rc1', '1.0', -1],
    ['1.0', '1.0^git1', -1],
    ['1.0^git1', '1.0.1', -1],
    ['5.5p1', '5.5p2', -1],
    ['5.5p10', '5.5p2', 1],
    ['10xyz', '10.1xyz', -1],
    ['xyz10', 'xyz10.1', -1],
    // a numeric run is newer than an alphabetic one
    ['xyz.4', '8', -1],
    ['1.0a', '1.0', 1],
    ['1b.fc17', '1.fc17', -1],
    ['1.0^git1', '1.0^git1~1', 1],
    // separators are only separators
    ['1.0a', '1.0.a', 0],
    ['1_0', '1.0', 0],
    ['1.0', '1.0.', 0],
    ['1.0010', '1.10', 0],
    ['2.0', '2.0', 0],
  ])('rpmvercmp(%s, %s) is %i', (a, b, expected) => {
    expect(sgn(rpmvercmp(a, b))).toBe(expected)
    expect(sgn(-rpmvercmp(b, a))).toBe(expected)
  })

  it.each<[string, string, number]>([
    ['1:1.0-1', '2.0-1', 1],
    ['0:1.0-1', '1.0-1', 0],
    ['1.0-1', '1.0-2', -1],
    ['1.0-1.el9', '1.0-1.el9_2', -1],
    ['3.0.7-24.el9', '3.0.7-25.el9_3', -1],
    ['1.0', '1.0-1', -1],
    ['2.0-1', '1.9-99', 1],
  ])('compare(%s, %s) is %i', (a, b, expected) => {
    expect(sgn(compare(a, b))).toBe(expected)
  })

  it('parses epoch, version and release', () => {
    expect(parse('2:1.2.3-4.el9')).toEqual({ epoch: 2, version: '1.2.3', release: '4.el9' })
    expect(parse('1.2.3')).toEqual({ epoch: 0, version: '1.2.3', release: null })
  })

  it.each(['', 'x:1.0', '1.0-', '-1', '1 .0', ':1.0'])('rejects %j', (version) => {
    expect(isValid(version)).toBe(false)
    expect(() => compare(version, '1.0')).toThrow(expect.objectContaining({ code: 'VERSION_INVALID' }))
  })
})
