import { describe, expect, it } from 'vitest'
import { compare, isValid } from '../../../../shared/vulns/versions/nuget.js'
import { ascendingPairs, sgn } from './helpers.js'

describe('NuGet versions', () => {
  it.each(ascendingPairs(['1.0.0-alpha', '1.0.0-alpha.2', '1.0.0-alpha.10', '1.0.0-beta', '1.0.0-rc.1', '1.0.0', '1.0.0.1', '1.0.1', '1.1', '2.0.0']))('%s < %s', (a, b) => {
    expect(compare(a, b)).toBeLessThan(0)
    expect(compare(b, a)).toBeGreaterThan(0)
  })

  it.each<[string, string, number]>([
    ['1.0', '1.0.0', 0],
    ['1.0.0', '1.0.0.0', 0],
    ['1', '1.0.0.0', 0],
    ['1.0.0-ALPHA', '1.0.0-alpha', 0],
    ['1.0.0+metadata', '1.0.0', 0],
    ['1.0.0-alpha2', '1.0.0-alpha10', 1], // legacy SemVer 1 labels compare as text
    ['13.0.1', '13.0.3', -1],
  ])('compare(%s, %s) is %i', (a, b, expected) => {
    expect(sgn(compare(a, b))).toBe(expected)
  })

  it.each(['', 'a.b', '1.0.0.0.0', '1.0.0-', '1.0.0-al_pha', '1.0.0+'])('rejects %j', (version) => {
    expect(isValid(version)).toBe(false)
    expect(() => compare(version, '1.0')).toThrow(expect.objectContaining({ code: 'VERSION_INVALID' }))
  })
})
