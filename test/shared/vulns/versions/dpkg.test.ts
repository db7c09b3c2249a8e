import { describe, expect, it } from 'vitest'
import { VulnDataError } from '../../../../shared/vulns/errors.js'
import { compare, isValid, parse } from '../../../../shared/vulns/versions/dpkg.js'
import { ascendingPairs, sgn } from './helpers.js'

describe('dpkg versions (Debian Policy §5.6.12)', () => {
  it.each<[string, string, number]>([
    // the policy's own tilde example: ~~ < ~~a < ~ < (nothing) < a
    ['1.0~~', '1.0~~a', -1],
    ['1.0~~a', '1.0~', -1],
    ['1.0~', '1.0', -1],
    ['1.0', '1.0a', -1],
    ['1.0~rc1', '1.0', -1],
    ['1.0~rc1', '1.0~rc2', -1],
    // the epoch wins over everything
    ['1:0.9', '2.0', 1],
    ['1:1.0', '2:0.1', -1],
    // digit runs numerically
    ['2.30-1', '2.4-1', 1],
    ['1.10', '1.9', 1],
    ['1.0-10', '1.0-9', 1],
    ['1.0-1', '1.0-2', -1],
    // letters before non-letters
    ['1.0a', '1.0+', -1],
    ['1.0+b1', '1.0', 1],
    ['1.0-1+deb12u1', '1.0-1', 1],
    ['1.0-1+deb12u1', '1.0-1+deb12u2', -1],
    ['1.0-1~deb12u1', '1.0-1', -1],
    // a longer version with more parts is newer
    ['1.0', '1.0.0', -1],
    ['1.0', '1.0.1', -1],
    ['3.0.11-1~deb12u2', '3.0.13-1~deb12u1', -1],
    ['2:1.2.13.dfsg-1', '1:1.2.13.dfsg-1', 1],
    // equal
    ['1.0', '1.0', 0],
    ['1.0', '0:1.0', 0],
    ['1.0-0', '1.0', 0],
    ['1.00', '1.0', 0],
    ['1.001', '1.1', 0],
    ['1.2.3-4', '1.2.3-4', 0],
  ])('compare(%s, %s) is %i', (a, b, expected) => {
    expect(sgn(compare(a, b))).toBe(expected)
    expect(sgn(-compare(b, a))).toBe(expected)
  })

  it.each(ascendingPairs(['0.9', '1.0~~', '1.0~~a', '1.0~', '1.0~rc1', '1.0', '1.0-1', '1.0-1+b1', '1.0a', '1.0+dfsg', '1.0.1', '1.1', '1:0.1']))(
    '%s < %s',
    (a, b) => {
      expect(compare(a, b)).toBeLessThan(0)
    },
  )

  it.each([
    ['1.2.3', { epoch: 0, upstream: '1.2.3', revision: '' }],
    ['1:2.3-4', { epoch: 1, upstream: '2.3', revision: '4' }],
    ['2.3-4-5', { epoch: 0, upstream: '2.3-4', revision: '5' }],
    ['1:2.3:4-5', { epoch: 1, upstream: '2.3:4', revision: '5' }],
    ['1.0+dfsg~1-2.1', { epoch: 0, upstream: '1.0+dfsg~1', revision: '2.1' }],
  ])('parses %s', (version, expected) => {
    expect(parse(version)).toEqual(expected)
  })

  it.each(['', ' ', '1.0 beta', 'a:1.0', '-1', ':1.0', '1.0-', '1:', '1.0_1', '2.3:4', '1.0-1:2', '1.0-a_b'])('rejects %j', (version) => {
    expect(isValid(version)).toBe(false)
    expect(() => compare(version, '1.0')).toThrow(VulnDataError)
  })

  it('carries the VERSION_INVALID code', () => {
    expect(() => compare('1.0 beta', '1')).toThrow(expect.objectContaining({ code: 'VERSION_INVALID' }))
  })
})
