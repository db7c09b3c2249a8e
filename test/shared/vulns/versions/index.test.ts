import { describe, expect, it } from 'vitest'
import { compareVersions, isValidVersion, schemeOf, tryCompareVersions } from '../../../../shared/vulns/versions/index.js'
import { sgn } from './helpers.js'

describe('compareVersions by OSV ecosystem', () => {
  it.each<[string, string, string, number]>([
    ['Debian:12', '1.0~rc1', '1.0', -1],
    ['Ubuntu:22.04:LTS', '1:0.9', '2.0', 1],
    ['Alpine:v3.19', '1.0-r1', '1.0_p1', -1],
    ['Rocky Linux:9', '1.0^git1', '1.0.1', -1],
    ['AlmaLinux:8', '1.0~rc1', '1.0', -1],
    ['Red Hat:enterprise_linux:9::baseos', '1:1.0-1', '2.0-1', 1],
    ['npm', '1.0.0-rc.1', '1.0.0', -1],
    ['crates.io', '0.1.20', '0.1.3', 1],
    ['NuGet', '1.0', '1.0.0.0', 0],
    ['RubyGems', '1.0.a', '1.0', -1],
    ['Packagist', '1.0.0-RC1', '1.0.0', -1],
    ['PyPI', '1.0-rc1', '1.0rc1', 0],
    ['Maven', '1-snapshot', '1', -1],
    ['Go', '0.0.0-20200101000000-abcdefabcdef', 'v0.1.0', -1],
  ])('%s: compare(%s, %s) is %i', (ecosystem, a, b, expected) => {
    expect(sgn(compareVersions(ecosystem, a, b))).toBe(expected)
  })

  it.each<[string, string | null]>([
    ['Debian', 'dpkg'],
    ['Ubuntu:Pro:18.04:LTS', 'dpkg'],
    ['Wolfi', 'apk'],
    ['openSUSE:Leap 15.5', 'rpm'],
    ['GitHub Actions', 'semver'],
    ['Linux', null],
    ['OSS-Fuzz', null],
    ['constructor', null],
    ['', null],
  ])('schemeOf(%j) is %s', (ecosystem, scheme) => {
    expect(schemeOf(ecosystem)).toBe(scheme)
  })

  it('throws ECOSYSTEM_UNSUPPORTED for an ecosystem without an ordering', () => {
    expect(() => compareVersions('Linux', '5.10', '5.11')).toThrow(expect.objectContaining({ code: 'ECOSYSTEM_UNSUPPORTED' }))
    expect(tryCompareVersions('Linux', '5.10', '5.11')).toBeNull()
  })

  it('throws VERSION_INVALID for a version invalid in the ecosystem', () => {
    expect(() => compareVersions('npm', '1.0', '1.0.0')).toThrow(expect.objectContaining({ code: 'VERSION_INVALID' }))
    expect(tryCompareVersions('npm', '1.0', '1.0.0')).toBeNull()
    expect(isValidVersion('npm', '1.0')).toBe(false)
    expect(isValidVersion('PyPI', '1.0')).toBe(true)
    expect(isValidVersion('Linux', '1.0')).toBe(false)
  })
})
