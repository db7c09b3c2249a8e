import { describe, expect, it } from 'vitest'
import { isAffected, type AffectsInput, type AffectsResult } from '../../../shared/vulns/affects.js'
import { OsvEventKind, type OsvEvent, type OsvRange } from '../../../shared/vulns/osv.js'
import { osvFixture } from './fixtures.js'

type E = [OsvEvent['kind'], string]

function record(type: OsvRange['type'], events: E[], options: { ecosystem?: string; versions?: string[]; withdrawn?: string } = {}): AffectsInput {
  const input: AffectsInput = {
    affected: [
      {
        package: { ecosystem: options.ecosystem ?? 'npm', name: 'pkg' },
        ranges: [{ type, events: events.map(([kind, version]) => ({ kind, version })) }],
        versions: options.versions ?? [],
      },
    ],
  }
  if (options.withdrawn !== undefined) input.withdrawn = options.withdrawn
  return input
}

const { Introduced, Fixed, LastAffected, Limit } = OsvEventKind

describe('isAffected: the OSV schema examples', () => {
  it.each<[string, AffectsInput, string, AffectsResult]>([
    // "Unfixed vulnerability example": every version
    ['unfixed, 0.0.1', record('SEMVER', [[Introduced, '0']]), '0.0.1', { affected: true }],
    ['unfixed, 99.0.0', record('SEMVER', [[Introduced, '0']]), '99.0.0', { affected: true }],
    // "Fixed vulnerability example": everything before 1.0.2
    ['fixed, below', record('SEMVER', [[Introduced, '0'], [Fixed, '1.0.2']]), '1.0.1', { affected: true, fixed: '1.0.2' }],
    ['fixed, a pre-release of the fix', record('SEMVER', [[Introduced, '0'], [Fixed, '1.0.2']]), '1.0.2-rc.1', { affected: true, fixed: '1.0.2' }],
    ['fixed, at the fix', record('SEMVER', [[Introduced, '0'], [Fixed, '1.0.2']]), '1.0.2', { affected: false }],
    ['fixed, above', record('SEMVER', [[Introduced, '0'], [Fixed, '1.0.2']]), '2.0.0', { affected: false }],
    // "Multiple range example": [1.0.0, 1.0.2) and [3.0.0, 3.2.5)
    ...(
      [
        ['0.9.0', { affected: false }],
        ['1.0.0', { affected: true, fixed: '1.0.2' }],
        ['1.0.1', { affected: true, fixed: '1.0.2' }],
        ['1.0.2', { affected: false }],
        ['2.9.9', { affected: false }],
        ['3.0.0', { affected: true, fixed: '3.2.5' }],
        ['3.2.4', { affected: true, fixed: '3.2.5' }],
        ['3.2.5', { affected: false }],
      ] as const
    ).map(
      ([version, result]) =>
        [
          `two intervals, ${version}`,
          record('SEMVER', [
            [Introduced, '1.0.0'],
            [Fixed, '1.0.2'],
            [Introduced, '3.0.0'],
            [Fixed, '3.2.5'],
          ]),
          version,
          result,
        ] as [string, AffectsInput, string, AffectsResult],
    ),
    // "last_affected vs fixed example"
    ['last_affected, at it', record('ECOSYSTEM', [[Introduced, '0'], [LastAffected, '2.1.214']], { ecosystem: 'Maven' }), '2.1.214', { affected: true }],
    ['last_affected, below', record('ECOSYSTEM', [[Introduced, '0'], [LastAffected, '2.1.214']], { ecosystem: 'Maven' }), '2.1.2', { affected: true }],
    ['last_affected, above', record('ECOSYSTEM', [[Introduced, '0'], [LastAffected, '2.1.214']], { ecosystem: 'Maven' }), '2.1.215', { affected: false }],
    ['fixed at the same number, at it', record('SEMVER', [[Introduced, '0'], [Fixed, '2.1.214']]), '2.1.214', { affected: false }],
    // limit events
    ['limit, below', record('SEMVER', [[Introduced, '0'], [Limit, '2.0.0']]), '1.9.9', { affected: true }],
    ['limit, at it', record('SEMVER', [[Introduced, '0'], [Limit, '2.0.0']]), '2.0.0', { affected: false }],
    ['limit, above', record('SEMVER', [[Introduced, '0'], [Limit, '2.0.0']]), '3.0.0', { affected: false }],
    ['limit *', record('SEMVER', [[Introduced, '0'], [Limit, '*']]), '3.0.0', { affected: true }],
    ['two limits', record('SEMVER', [[Introduced, '0'], [Limit, '1.0.0'], [Limit, '3.0.0']]), '2.0.0', { affected: true }],
    ['a limit below the fix', record('SEMVER', [[Introduced, '0'], [Fixed, '5.0.0'], [Limit, '2.0.0']]), '3.0.0', { affected: false }],
    // event order in the record does not matter: they are sorted by version
    ['unsorted events', record('SEMVER', [[Fixed, '3.2.5'], [Introduced, '3.0.0'], [Fixed, '1.0.2'], [Introduced, '1.0.0']]), '3.1.0', { affected: true, fixed: '3.2.5' }],
    ['unsorted events, between', record('SEMVER', [[Fixed, '3.2.5'], [Introduced, '3.0.0'], [Fixed, '1.0.2'], [Introduced, '1.0.0']]), '2.0.0', { affected: false }],
    ['introduced and fixed at one version', record('SEMVER', [[Introduced, '1.0.0'], [Fixed, '1.0.0']]), '1.0.0', { affected: false }],
    // the smallest fix above the version in the matching range
    ['several fixes above', record('ECOSYSTEM', [[Introduced, '0'], [Fixed, '2.0'], [Fixed, '1.5']], { ecosystem: 'PyPI' }), '1.0', { affected: true, fixed: '1.5' }],
  ])('%s', (_label, input, version, expected) => {
    expect(isAffected(input, (input.affected[0]?.package?.ecosystem)!, 'pkg', version)).toEqual(expected)
  })
})

describe('isAffected: rules around the algorithm', () => {
  it('never matches a withdrawn record', () => {
    const withdrawn = record('SEMVER', [[Introduced, '0']], { withdrawn: '2099-01-01T00:00:00Z' })
    expect(isAffected(withdrawn, 'npm', 'pkg', '1.0.0')).toEqual({ affected: false })
  })

  it('ignores GIT ranges', () => {
    const git = record('GIT', [[Introduced, '6e5755a2a833bc64852eae12967d0a54d7adf629']], { ecosystem: 'PyPI' })
    expect(isAffected(git, 'PyPI', 'pkg', '1.0')).toEqual({ affected: false })
  })

  it('matches the versions list, under the ecosystem order too', () => {
    const listed = record('ECOSYSTEM', [[Introduced, '5.0'], [Fixed, '5.1']], { ecosystem: 'PyPI', versions: ['1.0', '1.1'] })
    expect(isAffected(listed, 'PyPI', 'pkg', '1.1')).toEqual({ affected: true, fixed: '5.1' })
    expect(isAffected(listed, 'PyPI', 'pkg', '1.0.0')).toEqual({ affected: true, fixed: '5.1' })
    expect(isAffected(listed, 'PyPI', 'pkg', '1.2')).toEqual({ affected: false })
  })

  it('uses only the versions list in an ecosystem without an order', () => {
    const linux = record('ECOSYSTEM', [[Introduced, '0']], { ecosystem: 'Linux', versions: ['5.10.1'] })
    expect(isAffected(linux, 'Linux', 'pkg', '5.10.1')).toEqual({ affected: true })
    expect(isAffected(linux, 'Linux', 'pkg', '5.10.2')).toEqual({ affected: false })
  })

  it('does not match an installed version that does not parse', () => {
    expect(isAffected(record('ECOSYSTEM', [[Introduced, '0']], { ecosystem: 'Alpine:v3.19' }), 'Alpine:v3.19', 'pkg', 'not a version')).toEqual({ affected: false })
  })

  it('skips events whose version does not parse', () => {
    const broken = record('ECOSYSTEM', [[Introduced, '0'], [Fixed, 'garbage!'], [Fixed, '2.0']], { ecosystem: 'PyPI' })
    expect(isAffected(broken, 'PyPI', 'pkg', '1.0')).toEqual({ affected: true, fixed: '2.0' })
  })

  it('falls back to the ecosystem order in a SEMVER range when a version is not SemVer', () => {
    const go = record('SEMVER', [[Introduced, '0'], [Fixed, '1.3.2']], { ecosystem: 'Go' })
    expect(isAffected(go, 'Go', 'pkg', 'v1.3')).toEqual({ affected: true, fixed: '1.3.2' })
  })

  it('matches names in their normal form and releases by key', () => {
    const pypi = { affected: [{ package: { ecosystem: 'PyPI', name: 'Acme_HTTP' }, ranges: [], versions: ['1.0'] }] }
    expect(isAffected(pypi, 'PyPI', 'acme.http', '1.0').affected).toBe(true)
    const release = { affected: [{ package: { ecosystem: 'Debian', name: 'x' }, ranges: [], versions: ['1.0-1'] }] }
    expect(isAffected(release, 'Debian:12', 'x', '1.0-1').affected).toBe(true)
  })
})

describe('isAffected: the fixtures', () => {
  it.each<[string, string, string, string, AffectsResult]>([
    // Debian DSA on bookworm, by source package
    ['DSA-9001-1', 'Debian:12', 'openssl', '3.0.11-1~deb12u2', { affected: true, fixed: '3.0.13-1~deb12u1' }],
    ['DSA-9001-1', 'Debian:12', 'openssl', '3.0.13-1~deb12u1', { affected: false }],
    ['DSA-9001-1', 'Debian:12', 'openssl', '3.0.14-1~deb12u1', { affected: false }],
    ['DSA-9001-1', 'Debian:12', 'libssl3', '3.0.11-1~deb12u2', { affected: false }],
    ['DSA-9001-1', 'Debian:11', 'openssl', '1.1.1n-0+deb11u5', { affected: false }],
    ['DEBIAN-CVE-2099-1001', 'Debian:11', 'openssl', '1.1.1n-0+deb11u5', { affected: true, fixed: '1.1.1w-0+deb11u2' }],
    ['DLA-9002-1', 'Debian:11', 'curl', '7.74.0-1.3+deb11u11', { affected: true, fixed: '7.74.0-1.3+deb11u12' }],
    ['DLA-9002-1', 'Debian:12', 'curl', '7.88.1-10+deb12u5', { affected: false }],
    ['DEBIAN-CVE-2099-1002', 'Debian:12', 'zlib', '1:1.2.13.dfsg-1', { affected: true }],
    // Alpine with -rN fixes, per release
    ['ALPINE-CVE-2099-2001', 'Alpine:v3.19', 'busybox', '1.36.1-r15', { affected: true, fixed: '1.36.1-r16' }],
    ['ALPINE-CVE-2099-2001', 'Alpine:v3.19', 'busybox', '1.36.1-r16', { affected: false }],
    ['ALPINE-CVE-2099-2001', 'Alpine:v3.19', 'busybox', '1.36.1-r7', { affected: true, fixed: '1.36.1-r16' }],
    ['ALPINE-CVE-2099-2001', 'Alpine:v3.18', 'busybox', '1.36.1-r7', { affected: false }],
    ['ALPINE-CVE-2099-2001', 'Alpine:v3.20', 'busybox', '1.36.1-r1', { affected: false }],
    // Ubuntu: an LTS entry matches the plain release; Pro entries only Pro
    ['UBUNTU-CVE-2099-6001', 'Ubuntu:22.04', 'zlib', '1:1.2.11.dfsg-2ubuntu9.2', { affected: true, fixed: '1:1.2.11.dfsg-2ubuntu9.3' }],
    ['UBUNTU-CVE-2099-6001', 'Ubuntu:22.04:LTS', 'zlib', '1:1.2.11.dfsg-2ubuntu9.3', { affected: false }],
    ['UBUNTU-CVE-2099-6001', 'Ubuntu:18.04', 'zlib', '1:1.2.11.dfsg-0ubuntu2', { affected: false }],
    ['UBUNTU-CVE-2099-6001', 'Ubuntu:Pro:18.04:LTS', 'zlib', '1:1.2.11.dfsg-0ubuntu2', { affected: true, fixed: '1:1.2.11.dfsg-0ubuntu2.2+esm1' }],
    // Rocky Linux, with an epoch
    ['RLSA-2099:0001', 'Rocky Linux:9', 'openssl', '1:3.0.7-24.el9', { affected: true, fixed: '1:3.0.7-25.el9_3' }],
    ['RLSA-2099:0001', 'Rocky Linux:9', 'openssl', '1:3.0.7-25.el9_3', { affected: false }],
    ['RLSA-2099:0001', 'Rocky Linux:9', 'openssl', '3.0.9-1.el9', { affected: true, fixed: '1:3.0.7-25.el9_3' }],
    // npm, SEMVER, two intervals
    ['GHSA-2222-3333-4444', 'npm', 'acme-template', '4.17.20', { affected: true, fixed: '4.17.21' }],
    ['GHSA-2222-3333-4444', 'npm', 'acme-template', '4.17.21', { affected: false }],
    ['GHSA-2222-3333-4444', 'npm', 'acme-template', '5.0.0-beta.2', { affected: true, fixed: '5.2.1' }],
    ['GHSA-2222-3333-4444', 'npm', 'acme-template', '5.2.1', { affected: false }],
    ['GHSA-2222-3333-4444', 'npm', 'other', '1.0.0', { affected: false }],
    ['GHSA-2222-3333-5555', 'npm', '@acme/scoped', '2.0.0', { affected: true, fixed: '2.0.1' }],
    // PyPI, ECOSYSTEM ranges and versions lists, names in PEP 503 form
    ['PYSEC-2099-11', 'PyPI', 'acme-http', '1.4.1', { affected: true, fixed: '1.4.2' }],
    ['PYSEC-2099-11', 'PyPI', 'ACME.http', '1.4.1', { affected: true, fixed: '1.4.2' }],
    ['PYSEC-2099-11', 'PyPI', 'acme-http', '1.4.2', { affected: false }],
    ['PYSEC-2099-11', 'PyPI', 'acme-http', '1.4.2.post1', { affected: false }],
    ['PYSEC-2099-11', 'PyPI', 'acme-http', '2.0.0', { affected: true, fixed: '2.0.1' }],
    ['PYSEC-2099-11', 'PyPI', 'acme-http', '2.0.0-rc1', { affected: true, fixed: '2.0.1' }],
    ['PYSEC-2099-11', 'PyPI', 'acme-http', '2.0.1', { affected: false }],
    ['GHSA-5555-6666-7777', 'PyPI', 'acme-http', '0.9', { affected: false }],
    ['GHSA-5555-6666-7777', 'PyPI', 'acme-http', '1.0', { affected: true, fixed: '1.4.2' }],
    ['GHSA-5555-6666-7777', 'PyPI', 'acme-http', '1.4.2rc1', { affected: true, fixed: '1.4.2' }],
    // Go, pseudo-versions
    ['GO-2099-0001', 'Go', 'example.com/acme/rpc', 'v0.0.0-20230101000000-abcdefabcdef', { affected: true, fixed: '0.0.0-20230301000000-abcdef012345' }],
    ['GO-2099-0001', 'Go', 'example.com/acme/rpc', 'v0.0.0-20230401000000-abcdefabcdef', { affected: false }],
    ['GO-2099-0001', 'Go', 'example.com/acme/rpc', 'v1.3.1', { affected: true, fixed: '1.3.2' }],
    // a pseudo-version for a commit after v1.3.1 sorts before v1.3.2: still affected
    ['GO-2099-0001', 'Go', 'example.com/acme/rpc', 'v1.3.2-0.20230701000000-abcdefabcdef', { affected: true, fixed: '1.3.2' }],
    ['GO-2099-0001', 'Go', 'example.com/acme/rpc', 'v1.3.3-0.20230801000000-abcdefabcdef', { affected: false }],
    ['GO-2099-0001', 'Go', 'example.com/acme/rpc', 'v2.0.0+incompatible', { affected: false }],
    ['GO-2099-0001', 'Go', 'example.com/acme/rpc', 'v1.3.2', { affected: false }],
    ['GO-2099-0001', 'Go', 'example.com/acme/RPC', 'v1.3.1', { affected: false }],
    // Maven, qualifiers
    ['GHSA-7777-8888-9999', 'Maven', 'org.acme:acme-core', '2.14.1', { affected: true, fixed: '2.15.0' }],
    ['GHSA-7777-8888-9999', 'Maven', 'org.acme:acme-core', '2.0-beta2', { affected: true, fixed: '2.15.0' }],
    ['GHSA-7777-8888-9999', 'Maven', 'org.acme:acme-core', '2.0-alpha1', { affected: false }],
    ['GHSA-7777-8888-9999', 'Maven', 'org.acme:acme-core', '2.15.0-rc1', { affected: true, fixed: '2.15.0' }],
    ['GHSA-7777-8888-9999', 'Maven', 'org.acme:acme-core', '2.15.0', { affected: false }],
    ['GHSA-7777-8888-9999', 'Maven', 'org.acme:acme-api', '2.14.1', { affected: false }],
    // RubyGems, NuGet
    ['GHSA-8888-9999-2222', 'RubyGems', 'acme-rails', '7.0.8', { affected: true, fixed: '7.0.8.1' }],
    ['GHSA-8888-9999-2222', 'RubyGems', 'acme-rails', '7.0.8.1', { affected: false }],
    ['GHSA-8888-9999-2222', 'RubyGems', 'acme-rails', '7.1.3', { affected: true, fixed: '7.1.3.1' }],
    ['GHSA-8888-9999-2222', 'RubyGems', 'acme-rails', '7.1.0.rc1', { affected: false }],
    ['GHSA-9999-2222-3333', 'NuGet', 'acme.json', '13.0.0.0', { affected: true, fixed: '13.0.1' }],
    ['GHSA-9999-2222-3333', 'NuGet', 'Acme.Json', '13.0.1', { affected: false }],
    // withdrawn
    ['GHSA-3333-4444-5555', 'npm', 'acme-template', '1.0.0', { affected: false }],
    // last_affected
    ['RUSTSEC-2099-0001', 'crates.io', 'acme-parser', '0.1.9', { affected: false }],
    ['RUSTSEC-2099-0001', 'crates.io', 'acme-parser', '0.2.0', { affected: true }],
    ['RUSTSEC-2099-0001', 'crates.io', 'acme-parser', '0.3.5', { affected: true }],
    ['RUSTSEC-2099-0001', 'crates.io', 'acme-parser', '0.3.6', { affected: false }],
    // limit
    ['GHSA-4444-5555-6666', 'Packagist', 'acme/framework', '1.9.9', { affected: true }],
    ['GHSA-4444-5555-6666', 'Packagist', 'acme/framework', 'v2.0.0-beta1', { affected: true }],
    ['GHSA-4444-5555-6666', 'Packagist', 'acme/framework', '2.0.0', { affected: false }],
    ['GHSA-4444-5555-6666', 'Packagist', 'acme/framework', '3.1.0', { affected: false }],
    // a GIT range only
    ['OSV-2099-1', 'PyPI', 'acme-http', '1.0', { affected: false }],
  ])('%s for %s %s %s', (id, ecosystem, name, version, expected) => {
    expect(isAffected(osvFixture(id), ecosystem, name, version)).toEqual(expected)
  })
})
