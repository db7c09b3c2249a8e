import { describe, expect, it } from 'vitest'
import { compare, isPrerelease, isValid } from '../../../../shared/vulns/versions/rubygems.js'
import { ascendingPairs, sgn } from './helpers.js'

describe('RubyGems versions', () => {
  it.each(ascendingPairs(['0.9', '1.0.a', '1.0.a.2', '1.0.a9', '1.0.a10', '1.0.b1', '1.0.rc1', '1.0', '1.0.0.1', '1.0.1', '1.1.a', '1.1', '1.10', '2.0.0-rc1', '2.0.0']))(
    '%s < %s',
    (a, b) => {
      expect(compare(a, b)).toBeLessThan(0)
      expect(compare(b, a)).toBeGreaterThan(0)
    },
  )

  it.each<[string, string, number]>([
    ['1.0', '1.0.0', 0],
    ['1', '1.0.0.0', 0],
    ['1.0.a', '1.a', 0],
    ['1.0.b1', '1.0.b.1', 0],
    ['1.0-1', '1.0.pre.1', 0],
    ['1.0-1', '1.0', -1],
    ['', '0', 0],
    ['  1.2  ', '1.2', 0],
    ['6.1.7.7', '6.1.7.10', -1],
    ['7.0.8.1', '7.0.8', 1],
  ])('compare(%j, %j) is %i', (a, b, expected) => {
    expect(sgn(compare(a, b))).toBe(expected)
  })

  it.each<[string, boolean]>([
    ['1.0.a.2', true],
    ['1.0.b1', true],
    ['2.0.0-rc1', true],
    ['0.9', false],
    ['1.0.0', false],
  ])('isPrerelease(%s) is %s', (version, expected) => {
    expect(isPrerelease(version)).toBe(expected)
  })

  it.each(['junk', '1.0\n2.0', '1..2', '1.0.', 'a.1', '1.0-', '1.0_a'])('rejects %j', (version) => {
    expect(isValid(version)).toBe(false)
    expect(() => compare(version, '1')).toThrow(expect.objectContaining({ code: 'VERSION_INVALID' }))
  })
})
