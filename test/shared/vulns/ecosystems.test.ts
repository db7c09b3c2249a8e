import { describe, expect, it } from 'vitest'
import { ecosystemKey, normalisePackageName, osvEcosystemForDistro, parseEcosystem } from '../../../shared/vulns/osv.js'

describe('OSV ecosystem strings', () => {
  it.each<[string, ReturnType<typeof parseEcosystem>]>([
    ['Debian:12', { ecosystem: 'Debian', release: '12', key: 'Debian:12' }],
    ['Alpine:v3.19', { ecosystem: 'Alpine', release: 'v3.19', key: 'Alpine:v3.19' }],
    ['Alpine:3.19', { ecosystem: 'Alpine', release: '3.19', key: 'Alpine:v3.19' }],
    ['Ubuntu:22.04:LTS', { ecosystem: 'Ubuntu', release: '22.04:LTS', key: 'Ubuntu:22.04' }],
    ['Ubuntu:22.04', { ecosystem: 'Ubuntu', release: '22.04', key: 'Ubuntu:22.04' }],
    ['Ubuntu:23.10', { ecosystem: 'Ubuntu', release: '23.10', key: 'Ubuntu:23.10' }],
    ['Ubuntu:Pro:22.04:LTS', { ecosystem: 'Ubuntu', release: 'Pro:22.04:LTS', key: 'Ubuntu:Pro:22.04' }],
    ['Rocky Linux:9', { ecosystem: 'Rocky Linux', release: '9', key: 'Rocky Linux:9' }],
    ['Red Hat:enterprise_linux:9::appstream', { ecosystem: 'Red Hat', release: 'enterprise_linux:9::appstream', key: 'Red Hat:enterprise_linux:9::appstream' }],
    ['Packagist:https://packages.drupal.org/8', { ecosystem: 'Packagist', release: 'https://packages.drupal.org/8', key: 'Packagist:https://packages.drupal.org/8' }],
    ['PyPI', { ecosystem: 'PyPI', release: null, key: 'PyPI' }],
    ['', null],
    [':12', null],
    ['Debian:', null],
  ])('parses %j', (value, expected) => {
    expect(parseEcosystem(value)).toEqual(expected)
  })

  it('gives the same key to an LTS release with and without the marker', () => {
    expect(ecosystemKey('Ubuntu:22.04:LTS')).toBe(ecosystemKey('Ubuntu:22.04'))
    expect(ecosystemKey('Ubuntu:Pro:22.04:LTS')).not.toBe(ecosystemKey('Ubuntu:22.04'))
  })

  it.each<[string, string, string | null]>([
    ['debian', '12', 'Debian:12'],
    ['debian', '12.5', 'Debian:12'],
    ['debian', '11.9', 'Debian:11'],
    ['debian', 'trixie/sid', null],
    ['debian', '', null],
    ['ubuntu', '22.04', 'Ubuntu:22.04'],
    ['ubuntu', '24.04', 'Ubuntu:24.04'],
    ['ubuntu', '22.4', 'Ubuntu:22.04'],
    ['Ubuntu', '20.04', 'Ubuntu:20.04'],
    ['alpine', '3.19.1', 'Alpine:v3.19'],
    ['alpine', '3.20.0_alpha20240329', 'Alpine:v3.20'],
    ['alpine', 'edge', null],
    ['rocky', '9.3', 'Rocky Linux:9'],
    ['almalinux', '8.9', 'AlmaLinux:8'],
    ['mageia', '9', 'Mageia:9'],
    ['photon', '5.0', 'Photon OS:5.0'],
    ['wolfi', '20230201', 'Wolfi'],
    ['chainguard', '', 'Chainguard'],
    ['rhel', '9.3', null],
    ['arch', '', null],
  ])('osvEcosystemForDistro(%s, %s) is %s', (family, version, expected) => {
    expect(osvEcosystemForDistro(family, version)).toBe(expected)
  })

  it.each<[string, string, string]>([
    ['PyPI', 'Acme_HTTP', 'acme-http'],
    ['PyPI', 'zope.interface', 'zope-interface'],
    ['PyPI', 'Foo.-_Bar', 'foo-bar'],
    ['NuGet', 'Acme.Json', 'acme.json'],
    ['Packagist', 'Acme/Framework', 'acme/framework'],
    ['crates.io', 'Acme-Parser', 'acme-parser'],
    ['Maven', 'org.Acme:Core', 'org.Acme:Core'],
    ['npm', '@acme/scoped', '@acme/scoped'],
    ['Debian:12', 'openssl', 'openssl'],
  ])('normalisePackageName(%s, %s) is %s', (ecosystem, name, expected) => {
    expect(normalisePackageName(ecosystem, name)).toBe(expected)
  })
})
