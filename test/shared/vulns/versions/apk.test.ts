import { describe, expect, it } from 'vitest'
import { compare, isValid } from '../../../../shared/vulns/versions/apk.js'
import { ascendingPairs, sgn } from './helpers.js'

describe('apk versions', () => {
  it.each(
    ascendingPairs([
      '1.0_alpha',
      '1.0_alpha2',
      '1.0_beta',
      '1.0_pre1',
      '1.0_rc1',
      '1.0_rc2',
      '1.0',
      '1.0-r1',
      '1.0-r2',
      '1.0-r10',
      '1.0_cvs',
      '1.0_svn',
      '1.0_git20240101',
      '1.0_hg',
      '1.0_p1',
      '1.0_p2',
      '1.0a',
      '1.0b',
      '1.0.1',
      '1.1',
      '1.2.9',
      '1.2.10',
      '2.0',
    ]),
  )('%s < %s', (a, b) => {
    expect(compare(a, b)).toBeLessThan(0)
    expect(compare(b, a)).toBeGreaterThan(0)
  })

  it.each<[string, string, number]>([
    // the brief's chain
    ['1.0_rc1', '1.0', -1],
    ['1.0', '1.0-r1', -1],
    ['1.0-r1', '1.0_p1', -1],
    // leading zeros after the first component compare as decimal fractions
    ['1.01', '1.1', -1],
    ['1.001', '1.01', -1],
    ['1.10', '1.01', 1],
    ['01.1', '1.1', 0],
    // real Alpine versions
    ['3.1.4-r5', '3.1.4-r6', -1],
    ['3.3.0-r0', '3.1.4-r6', 1],
    ['1.36.1-r15', '1.36.1-r2', 1],
    ['2.40.1_rc1-r0', '2.40.1-r0', -1],
    ['1.2.3~abc123-r0', '1.2.3-r0', 1],
    ['1.0_rc', '1.0_rc1', -1],
    ['1.0', '1.0-r0', -1], // apk: any revision sorts after none
    ['1.0', '1.0', 0],
    ['1.0_alpha1_p2', '1.0_alpha1', 1],
  ])('compare(%s, %s) is %i', (a, b, expected) => {
    expect(sgn(compare(a, b))).toBe(expected)
    expect(sgn(-compare(b, a))).toBe(expected)
  })

  it.each(['', 'a1.0', '1.0-r', '1.0_foo', '1.0ab', '1.0-1', 'v1.0', '1..0', '1.0.', '1.0~XYZ', '1.0 '])('rejects %j', (version) => {
    expect(isValid(version)).toBe(false)
    expect(() => compare(version, '1.0')).toThrow(expect.objectContaining({ code: 'VERSION_INVALID' }))
  })
})
