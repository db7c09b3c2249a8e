import { describe, expect, it } from 'vitest'
import type { Vulnerability } from '../../../shared/report/model.js'
import { matchPackages, purlNamespaceAndName, queriesFor, type MatchPackage } from '../../../shared/vulns/match.js'
import { parseOsvRecord } from '../../../shared/vulns/osv.js'
import { buildIndex } from '../../../shared/vulns/vuln-index.js'
import { loadOsvFixtures } from './fixtures.js'

const AT = '2099-12-01T00:00:00.000Z'
const LAYER = 'sha256:1111111111111111111111111111111111111111111111111111111111111111'
const LAYER2 = 'sha256:2222222222222222222222222222222222222222222222222222222222222222'

const index = buildIndex(loadOsvFixtures(), undefined, { importedAt: AT })

function pkg(type: MatchPackage['type'], name: string, version: string, extra: Partial<MatchPackage> = {}): MatchPackage {
  return { type, name, version, purl: `pkg:${type}/${name}@${version}`, layer: LAYER, ...extra }
}

function finding(id: string, aliases: string[], p: MatchPackage, severity: Vulnerability['severity'], fixedVersion?: string): Vulnerability {
  const out: Vulnerability = { id, aliases, package: { type: p.type, name: p.name, version: p.version, purl: p.purl }, severity, layer: p.layer }
  if (fixedVersion !== undefined) out.fixedVersion = fixedVersion
  return out
}

describe('matchPackages on a Debian 12 image with language packages', () => {
  const libssl3 = pkg('deb', 'libssl3', '3.0.11-1~deb12u2', { source: 'openssl', purl: 'pkg:deb/debian/libssl3@3.0.11-1~deb12u2?distro=debian-12' })
  const openssl = pkg('deb', 'openssl', '3.0.11-1~deb12u2', { source: 'openssl' })
  const zlib1g = pkg('deb', 'zlib1g', '1:1.2.13.dfsg-1+b1', { source: 'zlib', sourceVersion: '1:1.2.13.dfsg-1' })
  const curl = pkg('deb', 'curl', '7.88.1-10+deb12u5', { source: 'curl' })
  const libcurl = pkg('deb', 'libssl3', '3.0.13-1~deb12u1', { source: 'openssl', layer: LAYER2 })
  const busybox = pkg('apk', 'busybox', '1.36.1-r15')
  const template = pkg('npm', 'acme-template', '4.17.20')
  const scoped = pkg('npm', '@acme/scoped', '2.0.1')
  const http = pkg('pypi', 'Acme.HTTP', '1.4.1')
  const rpc = pkg('golang', 'example.com/acme/rpc', 'v1.3.1')
  const core = pkg('maven', 'acme-core', '2.14.1', { purl: 'pkg:maven/org.acme/acme-core@2.14.1' })
  const rails = pkg('gem', 'acme-rails', '7.1.3')
  const json = pkg('nuget', 'Acme.Json', '13.0.0')
  const parser = pkg('cargo', 'acme-parser', '0.3.5')
  const framework = pkg('composer', 'acme/framework', '1.9.9')
  const packages = [libssl3, openssl, zlib1g, curl, libcurl, busybox, template, scoped, http, rpc, core, rails, json, parser, framework]

  const result = matchPackages(index, packages, { family: 'debian', version: '12.5' })

  it('finds each flaw once per package, under its CVE, sorted by severity, id, package', () => {
    expect(result).toEqual([
      finding('CVE-2099-3001', ['GHSA-2222-3333-4444'], template, 'critical', '4.17.21'),
      finding('CVE-2099-7001', ['GHSA-7777-8888-9999'], core, 'critical', '2.15.0'),
      finding('CVE-2099-9001', ['GHSA-9999-2222-3333'], json, 'high', '13.0.1'),
      finding('CVE-2099-9101', ['RUSTSEC-2099-0001'], parser, 'high'),
      finding('CVE-2099-1001', ['DEBIAN-CVE-2099-1001', 'DSA-9001-1'], libssl3, 'medium', '3.0.13-1~deb12u1'),
      finding('CVE-2099-1001', ['DEBIAN-CVE-2099-1001', 'DSA-9001-1'], openssl, 'medium', '3.0.13-1~deb12u1'),
      finding('CVE-2099-4001', ['GHSA-5555-6666-7777', 'PYSEC-2099-11'], http, 'medium', '1.4.2'),
      finding('CVE-2099-8001', ['GHSA-8888-9999-2222'], rails, 'medium', '7.1.3.1'),
      finding('CVE-2099-1002', ['DEBIAN-CVE-2099-1002'], zlib1g, 'low'),
      finding('CVE-2099-9201', ['GHSA-4444-5555-6666'], framework, 'low'),
      finding('CVE-2099-5001', ['GHSA-6666-7777-8888', 'GO-2099-0001'], rpc, 'unknown', '1.3.2'),
    ])
  })

  it('leaves out fixed packages, other releases, withdrawn records and other package types', () => {
    const names = result.map((v) => `${v.package.name}@${v.package.version}`)
    expect(names).not.toContain('curl@7.88.1-10+deb12u5') // DLA for Debian 11 only
    expect(names).not.toContain('libssl3@3.0.13-1~deb12u1') // fixed
    expect(names).not.toContain('busybox@1.36.1-r15') // an apk package on Debian
    expect(names).not.toContain('@acme/scoped@2.0.1') // fixed
    expect(result.map((v) => v.id)).not.toContain('GHSA-3333-4444-5555') // withdrawn
  })

  it('is deterministic whatever the order of the packages', () => {
    expect(matchPackages(index, [...packages].reverse(), { family: 'debian', version: '12.5' })).toEqual(result)
  })

  it('reports a package found in two layers twice, once per layer', () => {
    const again = { ...template, layer: LAYER2 }
    const found = matchPackages(index, [again, template], null)
    expect(found.map((v) => v.layer)).toEqual([LAYER, LAYER2])
  })

  it('matches no distribution package when the OS is unknown', () => {
    const found = matchPackages(index, packages, null)
    expect(found.filter((v) => v.package.type === 'deb')).toEqual([])
    expect(found).toHaveLength(8)
  })

  it('matches no distribution package on a release without records', () => {
    expect(matchPackages(index, [libssl3], { family: 'debian', version: '13' })).toEqual([])
    expect(matchPackages(index, [libssl3], { family: 'debian', version: '' })).toEqual([])
  })
})

describe('matchPackages on other distributions', () => {
  it('matches Alpine packages by origin, with -rN fixes', () => {
    const binsh = pkg('apk', 'busybox-binsh', '1.36.1-r15', { source: 'busybox' })
    const fixed = pkg('apk', 'busybox', '1.36.1-r16', { source: 'busybox' })
    expect(matchPackages(index, [binsh, fixed], { family: 'alpine', version: '3.19.1' })).toEqual([
      finding('CVE-2099-2001', ['ALPINE-CVE-2099-2001'], binsh, 'critical', '1.36.1-r16'),
    ])
    expect(matchPackages(index, [binsh], { family: 'alpine', version: '3.20.0' })).toEqual([])
  })

  it('matches Ubuntu LTS records on the plain release, never Pro records', () => {
    const zlib = pkg('deb', 'zlib1g', '1:1.2.11.dfsg-2ubuntu9.2', { source: 'zlib' })
    expect(matchPackages(index, [zlib], { family: 'ubuntu', version: '22.04' })).toEqual([
      finding('CVE-2099-6001', ['UBUNTU-CVE-2099-6001'], zlib, 'medium', '1:1.2.11.dfsg-2ubuntu9.3'),
    ])
    const bionic = pkg('deb', 'zlib1g', '1:1.2.11.dfsg-0ubuntu2', { source: 'zlib' })
    expect(matchPackages(index, [bionic], { family: 'ubuntu', version: '18.04' })).toEqual([])
  })

  it('matches Rocky Linux rpm packages by source name, with epochs', () => {
    const libs = pkg('rpm', 'openssl-libs', '1:3.0.7-24.el9', { source: 'openssl' })
    expect(matchPackages(index, [libs], { family: 'rocky', version: '9.3' })).toEqual([finding('CVE-2099-1001', ['RLSA-2099:0001'], libs, 'high', '1:3.0.7-25.el9_3')])
    // a deb package on a Rocky image is not looked up
    expect(matchPackages(index, [pkg('deb', 'openssl', '1.0-1')], { family: 'rocky', version: '9.3' })).toEqual([])
  })
})

describe('grouping aliases', () => {
  const records = [
    // a GHSA for two CVEs, and a second advisory that shares one of them
    { id: 'GHSA-aaaa-bbbb-cccc', modified: '2099-01-01T00:00:00Z', aliases: ['CVE-2099-0200', 'CVE-2098-9999'], database_specific: { severity: 'LOW' }, fixed: '1.2.0' },
    { id: 'OSV-2099-0300', modified: '2099-01-01T00:00:00Z', aliases: ['CVE-2099-0200'], database_specific: { severity: 'HIGH' }, fixed: '1.10.0' },
    // an unrelated flaw in the same package, without a CVE
    { id: 'GHSA-dddd-eeee-ffff', modified: '2099-01-01T00:00:00Z', aliases: ['OSV-2099-0001'], fixed: '1.1.0' },
  ].map(({ fixed, ...r }) =>
    parseOsvRecord({ ...r, affected: [{ package: { ecosystem: 'npm', name: 'acme-lib' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed }] }] }] }),
  )
  const grouped = buildIndex(records, undefined, { importedAt: AT })
  const lib = pkg('npm', 'acme-lib', '1.0.0')

  it('reports one finding per group, under the oldest CVE, with the highest severity and fix', () => {
    expect(matchPackages(grouped, [lib], null)).toEqual([
      finding('CVE-2098-9999', ['CVE-2099-0200', 'GHSA-aaaa-bbbb-cccc', 'OSV-2099-0300'], lib, 'high', '1.10.0'),
      finding('GHSA-dddd-eeee-ffff', ['OSV-2099-0001'], lib, 'unknown', '1.1.0'),
    ])
  })

  it('keeps findings apart once a version is fixed for one of them', () => {
    expect(matchPackages(grouped, [{ ...lib, version: '1.1.0' }], null).map((v) => v.id)).toEqual(['CVE-2098-9999'])
  })

  it('does not group a distribution advisory that covers several CVEs with them', () => {
    const dsa = parseOsvRecord({
      id: 'DSA-9100-1',
      modified: '2099-01-01T00:00:00Z',
      upstream: ['CVE-2099-0401', 'CVE-2099-0402'],
      affected: [{ package: { ecosystem: 'Debian:12', name: 'bash' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '5.2.15-2+deb12u1' }] }] }],
    })
    const cve = parseOsvRecord({
      id: 'DEBIAN-CVE-2099-0401',
      modified: '2099-01-01T00:00:00Z',
      upstream: ['CVE-2099-0401'],
      affected: [{ package: { ecosystem: 'Debian:12', name: 'bash' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '5.2.15-2+deb12u1' }] }] }],
    })
    const bash = pkg('deb', 'bash', '5.2.15-2+b2', { source: 'bash', sourceVersion: '5.2.15-2' })
    const found = matchPackages(buildIndex([dsa, cve], undefined, { importedAt: AT }), [bash], { family: 'debian', version: '12' })
    expect(found.map((v) => [v.id, v.aliases])).toEqual([
      ['CVE-2099-0401', ['DEBIAN-CVE-2099-0401']],
      ['DSA-9100-1', []],
    ])
  })
})

describe('queriesFor', () => {
  it.each<[string, MatchPackage, string | null, Array<{ ecosystem: string; name: string; version: string }>]>([
    ['a Debian binary by its source', pkg('deb', 'libssl3', '3.0.11-1', { source: 'openssl' }), 'Debian:12', [{ ecosystem: 'Debian:12', name: 'openssl', version: '3.0.11-1' }]],
    ['a binNMU by its source version', pkg('deb', 'zlib1g', '1:1.2.13.dfsg-1+b1', { source: 'zlib', sourceVersion: '1:1.2.13.dfsg-1' }), 'Debian:12', [{ ecosystem: 'Debian:12', name: 'zlib', version: '1:1.2.13.dfsg-1' }]],
    ['a Debian package without a source', pkg('deb', 'bash', '5.2.15-2'), 'Debian:12', [{ ecosystem: 'Debian:12', name: 'bash', version: '5.2.15-2' }]],
    [
      'an rpm in a binary-named ecosystem, both ways',
      pkg('rpm', 'openssl-libs', '1:3.0.7-24', { source: 'openssl' }),
      'Photon OS:5.0',
      [
        { ecosystem: 'Photon OS:5.0', name: 'openssl-libs', version: '1:3.0.7-24' },
        { ecosystem: 'Photon OS:5.0', name: 'openssl', version: '1:3.0.7-24' },
      ],
    ],
    ['an rpm on Debian', pkg('rpm', 'openssl', '1'), 'Debian:12', []],
    ['a deb without a distribution', pkg('deb', 'bash', '1'), null, []],
    ['a Maven package by its purl', pkg('maven', 'acme-core', '1', { purl: 'pkg:maven/org.acme/acme-core@1' }), null, [{ ecosystem: 'Maven', name: 'org.acme:acme-core', version: '1' }]],
    ['a Maven package named group:artifact', pkg('maven', 'org.acme:acme-core', '1'), null, [{ ecosystem: 'Maven', name: 'org.acme:acme-core', version: '1' }]],
    ['a Go module by its purl', pkg('golang', 'rpc', 'v1.0.0', { purl: 'pkg:golang/example.com/acme/rpc@v1.0.0' }), null, [{ ecosystem: 'Go', name: 'example.com/acme/rpc', version: 'v1.0.0' }]],
    ['a crate', pkg('cargo', 'acme-parser', '0.1.0'), 'Debian:12', [{ ecosystem: 'crates.io', name: 'acme-parser', version: '0.1.0' }]],
  ])('%s', (_label, p, ecosystem, expected) => {
    expect(queriesFor(p, ecosystem)).toEqual(expected)
  })

  it.each<[string, { namespace: string | null; name: string } | null]>([
    ['pkg:maven/org.acme/acme-core@2.14.1', { namespace: 'org.acme', name: 'acme-core' }],
    ['pkg:npm/%40acme/scoped@2.0.1', { namespace: '@acme', name: 'scoped' }],
    ['pkg:golang/example.com/acme/rpc@v1.3.1?type=module', { namespace: 'example.com/acme', name: 'rpc' }],
    ['pkg:pypi/acme-http@1.0', { namespace: null, name: 'acme-http' }],
    ['not a purl', null],
  ])('purlNamespaceAndName(%s)', (purl, expected) => {
    expect(purlNamespaceAndName(purl)).toEqual(expected)
  })
})
