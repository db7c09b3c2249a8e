import { describe, expect, it } from 'vitest'
import { compare, isValid, parse } from '../../../../shared/vulns/versions/composer.js'
import { ascendingPairs, sgn } from './helpers.js'

describe('Composer versions (approximation)', () => {
  it.each(
    ascendingPairs(['1.0.0-dev', '1.0.0-alpha1', '1.0.0-alpha2', '1.0.0-beta1-dev', '1.0.0-beta1', '1.0.0-beta2', '1.0.0-RC1', '1.0.0', '1.0.0-p1', '1.0.0.1', '1.0.1', '1.1', '2.0']),
  )('%s < %s', (a, b) => {
    expect(compare(a, b)).toBeLessThan(0)
    expect(compare(b, a)).toBeGreaterThan(0)
  })

  it.each<[string, string, number]>([
    ['v1.0', '1.0.0', 0],
    ['1.0.0', '1.0.0.0', 0],
    ['1.0.0-beta.2', '1.0.0-beta2', 0],
    ['1.0.0-rc1', '1.0.0-RC1', 0],
    ['1.0.0-b2', '1.0.0-beta2', 0],
    ['1.0.0-a1', '1.0.0-alpha1', 0],
    ['1.0.0-pl1', '1.0.0-patch1', 0],
    ['1.0.0-stable', '1.0.0', 0],
    ['1.0.0+build.7', '1.0.0', 0],
    ['5.4.10', '5.4.9', 1],
  ])('compare(%s, %s) is %i', (a, b, expected) => {
    expect(sgn(compare(a, b))).toBe(expected)
  })

  it('normalises to four numbers and a stability', () => {
    expect(parse('v2.1-RC3')).toEqual({ numbers: ['2', '1', '0', '0'], stability: 'rc', stabilityNumbers: ['3'], dev: false })
  })

  it.each(['', 'dev-main', '1.0.x-dev', '1.0.0.0.0', 'latest', '1.0.0-foo'])('rejects %j', (version) => {
    expect(isValid(version)).toBe(false)
    expect(() => compare(version, '1.0')).toThrow(expect.objectContaining({ code: 'VERSION_INVALID' }))
  })
})
