import { describe, expect, it } from 'vitest'
import { compare, isValid } from '../../../../shared/vulns/versions/maven.js'
import { ascendingPairs, sgn } from './helpers.js'

describe('Maven versions (Version Order Specification)', () => {
  it.each(ascendingPairs(['1-alpha', '1-beta', '1-milestone', '1-rc', '1-snapshot', '1', '1-sp', '1-abc', '1-xyz', '1-1', '1.1', '1.2', '1.10', '2']))(
    '%s < %s',
    (a, b) => {
      expect(compare(a, b)).toBeLessThan(0)
      expect(compare(b, a)).toBeGreaterThan(0)
    },
  )

  // the specification's own examples
  it.each<[string, string, number]>([
    ['1', '1.1', -1],
    ['1-snapshot', '1', -1],
    ['1', '1-sp', -1],
    ['1-foo2', '1-foo10', -1],
    ['1.foo', '1-foo', 0],
    ['1-foo', '1-1', -1],
    ['1-1', '1.1', -1],
    ['1.ga', '1-ga', 0],
    ['1-ga', '1-0', 0],
    ['1-0', '1.0', 0],
    ['1.0', '1', 0],
    ['1-sp', '1-ga', 1],
    ['1-sp.1', '1-ga.1', 1],
    ['1-sp-1', '1-ga-1', -1],
    ['1-ga-1', '1-1', 0],
    ['1-a1', '1-alpha-1', 0],
    // aliases and case
    ['1-cr', '1-rc', 0],
    ['1.0.0.RELEASE', '1', 0],
    ['1.0.0.Final', '1.0.0', 0],
    ['1.0-SNAPSHOT', '1.0-snapshot', 0],
    ['1.0-M1', '1.0-milestone-1', 0],
    ['1.0-b2', '1.0-beta-2', 0],
    ['1.0-a-1', '1.0-alpha-1', 1], // `a` means alpha only when directly followed by a number
    // common release lines
    ['2.17.0', '2.17.1', -1],
    ['2.15.0-rc2', '2.15.0', -1],
    ['2.15.0-rc1', '2.15.0-rc2', -1],
    ['5.3.18', '5.3.9', 1],
    ['1.0.0-alpha1', '1.0.0-beta1', -1],
    ['1.0.0-SNAPSHOT', '1.0.0-rc1', 1],
    ['31.1-jre', '31.1-android', 1],
    ['1.0.0.0', '1', 0],
  ])('compare(%s, %s) is %i', (a, b, expected) => {
    expect(sgn(compare(a, b))).toBe(expected)
    expect(sgn(-compare(b, a))).toBe(expected)
  })

  it.each(['', '   '])('rejects %j', (version) => {
    expect(isValid(version)).toBe(false)
    expect(() => compare(version, '1')).toThrow(expect.objectContaining({ code: 'VERSION_INVALID' }))
  })
})
