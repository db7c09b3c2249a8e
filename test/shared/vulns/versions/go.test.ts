import { describe, expect, it } from 'vitest'
import { compare, isPseudoVersion, isValid, parse } from '../../../../shared/vulns/versions/go.js'
import { ascendingPairs, sgn } from './helpers.js'

describe('Go module versions', () => {
  it.each(
    ascendingPairs([
      'v0.0.0-20190101000000-abcdefabcdef',
      'v0.0.0-20200101000000-abcdefabcdef',
      'v0.1.0',
      'v1.2.3-pre',
      'v1.2.3-pre.0.20200101000000-abcdefabcdef',
      'v1.2.3',
      'v1.2.4-0.20191109021931-daa7c04131f5',
      'v1.2.4-0.20200101000000-abcdefabcdef',
      'v1.2.4',
      'v2.0.0+incompatible',
      'v2.1.0',
    ]),
  )('%s < %s', (a, b) => {
    expect(compare(a, b)).toBeLessThan(0)
    expect(compare(b, a)).toBeGreaterThan(0)
  })

  it.each<[string, string, number]>([
    ['v2.0.0+incompatible', 'v2.0.0', 0],
    ['1.2.3', 'v1.2.3', 0],
    ['0.0.0-20220101000000-abcdefabcdef', 'v0.0.0-20220101000000-abcdefabcdef', 0],
    ['v1', 'v1.0.0', 0],
    ['v1.2', 'v1.2.0', 0],
    ['v1.21.0-rc.2', 'v1.21.0', -1],
    ['v1.10.0', 'v1.9.9', 1],
  ])('compare(%s, %s) is %i', (a, b, expected) => {
    expect(sgn(compare(a, b))).toBe(expected)
  })

  it.each<[string, boolean]>([
    ['v0.0.0-20191109021931-daa7c04131f5', true],
    ['v1.2.4-0.20191109021931-daa7c04131f5', true],
    ['v1.2.3-pre.0.20191109021931-daa7c04131f5', true],
    ['0.0.0-20191109021931-daa7c04131f5', true],
    ['v1.2.3', false],
    ['v1.2.3-rc.1', false],
  ])('isPseudoVersion(%s) is %s', (version, expected) => {
    expect(isPseudoVersion(version)).toBe(expected)
  })

  it('parses a pseudo-version', () => {
    expect(parse('v0.0.0-20191109021931-daa7c04131f5')?.pseudo).toEqual({ timestamp: '20191109021931', revision: 'daa7c04131f5' })
    expect(parse('v3.1.0+incompatible')?.incompatible).toBe(true)
  })

  it.each(['', 'latest', 'v1.2.3.4', 'v01.2.3', 'v1.2.3+build', 'v1-pre', 'vv1.2.3', 'master'])('rejects %j', (version) => {
    expect(isValid(version)).toBe(false)
    expect(() => compare(version, 'v1.0.0')).toThrow(expect.objectContaining({ code: 'VERSION_INVALID' }))
  })
})
