import { describe, expect, it } from 'vitest'
import { compare, isValid, parse } from '../../../../shared/vulns/versions/semver.js'
import { ascendingPairs, sgn } from './helpers.js'

describe('SemVer 2.0.0 precedence', () => {
  // §11's own examples
  it.each(
    ascendingPairs([
      '1.0.0-alpha',
      '1.0.0-alpha.1',
      '1.0.0-alpha.beta',
      '1.0.0-beta',
      '1.0.0-beta.2',
      '1.0.0-beta.11',
      '1.0.0-rc.1',
      '1.0.0',
      '2.0.0',
      '2.1.0',
      '2.1.1',
      '10.0.0',
    ]),
  )('%s < %s', (a, b) => {
    expect(compare(a, b)).toBeLessThan(0)
    expect(compare(b, a)).toBeGreaterThan(0)
  })

  it.each<[string, string, number]>([
    ['1.0.0+20130313144700', '1.0.0', 0],
    ['1.0.0-beta+exp.sha.5114f85', '1.0.0-beta', 0],
    ['1.0.0+build.1', '1.0.0+build.2', 0],
    ['v1.2.3', '1.2.3', 0],
    ['V1.2.3', '1.2.3', 0],
    ['1.0.0-1', '1.0.0-a', -1],
    ['1.0.0-2', '1.0.0-10', -1],
    ['1.0.0-Z', '1.0.0-a', -1],
    ['1.0.0-alpha-1', '1.0.0-alpha-2', -1],
    ['99999999999999999999.0.0', '99999999999999999998.0.0', 1],
  ])('compare(%s, %s) is %i', (a, b, expected) => {
    expect(sgn(compare(a, b))).toBe(expected)
  })

  it('parses the parts', () => {
    expect(parse('1.2.3-rc.1+build.5')).toEqual({ major: '1', minor: '2', patch: '3', prerelease: ['rc', '1'], build: ['build', '5'] })
  })

  it.each(['1', '1.0', '1.0.0.0', '01.0.0', '1.01.0', '1.0.0-01', '1.0.0-', '1.0.0+', '1.0.0-alpha..1', '1.0.0-al_pha', 'vv1.0.0', ' 1.0.0', ''])('rejects %j', (version) => {
    expect(isValid(version)).toBe(false)
    expect(() => compare(version, '1.0.0')).toThrow(expect.objectContaining({ code: 'VERSION_INVALID' }))
  })
})
