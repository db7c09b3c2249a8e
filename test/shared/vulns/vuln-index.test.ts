import { describe, expect, it } from 'vitest'
import { parseIndex, serialiseIndex, VULN_INDEX_FORMAT, VULN_INDEX_FORMAT_VERSION, type VulnIndex } from '../../../shared/vulns/index-format.js'
import { parseOsvRecord, type OsvRecord } from '../../../shared/vulns/osv.js'
import { buildIndex, lookup, sourceOf } from '../../../shared/vulns/vuln-index.js'
import { loadOsvFixtures, osvFixture } from './fixtures.js'

const AT = '2099-12-01T00:00:00.000Z'

function npmRecord(id: string, modified: string, fixed: string, name = 'acme-template', extra: Record<string, unknown> = {}): OsvRecord {
  return parseOsvRecord({
    id,
    modified,
    affected: [{ package: { ecosystem: 'npm', name }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed }] }] }],
    ...extra,
  })
}

function ids(index: VulnIndex, ecosystem: string, release: string | null, name: string): string[] {
  return lookup(index, ecosystem, release, name).map((c) => c.id)
}

describe('buildIndex', () => {
  const index = buildIndex(loadOsvFixtures(), undefined, { importedAt: AT })

  it('records the format, the import time and the records per source', () => {
    expect(index.format).toBe(VULN_INDEX_FORMAT)
    expect(index.formatVersion).toBe(VULN_INDEX_FORMAT_VERSION)
    expect(index.importedAt).toBe(AT)
    expect({ ...index.sources }).toEqual({ ALPINE: 1, DEBIAN: 2, DLA: 1, DSA: 1, GHSA: 8, GO: 1, OSV: 1, PYSEC: 1, RLSA: 1, RUSTSEC: 1, UBUNTU: 1 })
    expect(Object.keys(index.records)).toHaveLength(19)
  })

  it('groups packages by ecosystem match key and normalised name', () => {
    expect(Object.keys(index.packages).sort()).toEqual([
      'Alpine:v3.18',
      'Alpine:v3.19',
      'Debian:11',
      'Debian:12',
      'Go',
      'Maven',
      'NuGet',
      'Packagist',
      'PyPI',
      'Rocky Linux:9',
      'RubyGems',
      'Ubuntu:22.04',
      'Ubuntu:Pro:18.04',
      'crates.io',
      'npm',
    ])
    expect(Object.keys(index.packages['PyPI'] ?? {})).toEqual(['acme-http'])
    expect(Object.keys(index.packages['NuGet'] ?? {})).toEqual(['acme.json'])
    expect(Object.keys(index.packages['Packagist'] ?? {})).toEqual(['acme/framework'])
  })

  it('keeps only what matching needs, with the severity for that package', () => {
    expect(index.packages['Debian:12']?.['openssl']).toEqual([
      {
        id: 'DEBIAN-CVE-2099-1001',
        severity: { severity: 'medium', source: 'debian_urgency' },
        affected: [{ ecosystem: 'Debian:12', ranges: [{ type: 'ECOSYSTEM', events: [{ kind: 'introduced', version: '0' }, { kind: 'fixed', version: '3.0.13-1~deb12u1' }] }], versions: [] }],
      },
      {
        id: 'DSA-9001-1',
        severity: { severity: 'unknown', source: 'none' },
        affected: [{ ecosystem: 'Debian:12', ranges: [{ type: 'ECOSYSTEM', events: [{ kind: 'introduced', version: '0' }, { kind: 'fixed', version: '3.0.13-1~deb12u1' }] }], versions: [] }],
      },
    ])
    expect(index.records['DSA-9001-1']).toEqual({ id: 'DSA-9001-1', aliases: [], upstream: ['CVE-2099-1001'], modified: '2099-01-10T12:00:00Z' })
  })

  it('drops GIT ranges, keeps the record', () => {
    expect(ids(index, 'PyPI', null, 'acme-http')).toEqual(['GHSA-5555-6666-7777', 'PYSEC-2099-11'])
    expect(index.records['OSV-2099-1']).toBeDefined()
  })

  it('keeps withdrawn records, marked', () => {
    const candidates = lookup(index, 'npm', null, 'acme-template')
    expect(candidates.map((c) => [c.id, c.withdrawn])).toEqual([
      ['GHSA-2222-3333-4444', undefined],
      ['GHSA-3333-4444-5555', '2099-06-10T00:00:00Z'],
    ])
  })

  it('replaces a record only with a later modified', () => {
    const first = buildIndex([npmRecord('GHSA-2222-2222-2222', '2099-01-01T00:00:00Z', '1.0.1', 'old-name')], undefined, { importedAt: AT })
    const newer = buildIndex([npmRecord('GHSA-2222-2222-2222', '2099-02-01T00:00:00Z', '1.0.2', 'new-name')], first, { importedAt: AT })
    expect(ids(newer, 'npm', null, 'old-name')).toEqual([])
    expect(lookup(newer, 'npm', null, 'new-name')[0]?.affected[0]?.ranges[0]?.events[1]?.version).toBe('1.0.2')
    expect(newer.records['GHSA-2222-2222-2222']?.modified).toBe('2099-02-01T00:00:00Z')

    for (const modified of ['2099-01-01T00:00:00Z', '2098-12-31T00:00:00Z', '2099-01-01T01:00:00+02:00']) {
      const same = buildIndex([npmRecord('GHSA-2222-2222-2222', modified, '9.9.9', 'other-name')], first, { importedAt: AT })
      expect(ids(same, 'npm', null, 'old-name')).toEqual(['GHSA-2222-2222-2222'])
      expect(ids(same, 'npm', null, 'other-name')).toEqual([])
    }
  })

  it('takes the latest of duplicates in one batch, whatever their order', () => {
    const a = npmRecord('GHSA-2222-2222-2222', '2099-02-01T00:00:00Z', '1.0.2')
    const b = npmRecord('GHSA-2222-2222-2222', '2099-01-01T00:00:00Z', '1.0.1')
    for (const batch of [[a, b], [b, a]]) {
      expect(buildIndex(batch, undefined, { importedAt: AT }).records['GHSA-2222-2222-2222']?.modified).toBe('2099-02-01T00:00:00Z')
    }
  })

  it('merges new records into a previous index without changing it', () => {
    const fixtures = loadOsvFixtures()
    const previous = buildIndex(fixtures.slice(0, 10), undefined, { importedAt: AT })
    const before = serialiseIndex(previous)
    const merged = buildIndex(fixtures.slice(10), previous, { importedAt: AT })
    expect(serialiseIndex(previous)).toBe(before)
    expect(serialiseIndex(merged)).toBe(serialiseIndex(index))
  })

  it('is independent of the order of the records', () => {
    const reversed = buildIndex([...loadOsvFixtures()].reverse(), undefined, { importedAt: AT })
    expect(serialiseIndex(reversed)).toBe(serialiseIndex(index))
  })

  it('skips ecosystems without a version order and packages without ranges or versions', () => {
    const record = parseOsvRecord({
      id: 'OSV-2099-2',
      modified: '2099-01-01T00:00:00Z',
      affected: [
        { package: { ecosystem: 'Linux', name: 'kernel' }, versions: ['5.10'] },
        { package: { ecosystem: 'npm', name: 'empty' } },
        { ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }] }] },
      ],
    })
    expect(buildIndex([record], undefined, { importedAt: AT }).packages).toEqual({})
  })

  it('defaults importedAt to now', () => {
    expect(Date.parse(buildIndex([]).importedAt)).not.toBeNaN()
  })
})

describe('lookup', () => {
  const index = buildIndex(loadOsvFixtures(), undefined, { importedAt: AT })

  it.each<[string, string | null, string, string[]]>([
    ['Debian', '12', 'openssl', ['DEBIAN-CVE-2099-1001', 'DSA-9001-1']],
    ['Debian:12', null, 'openssl', ['DEBIAN-CVE-2099-1001', 'DSA-9001-1']],
    ['Debian', '11', 'openssl', ['DEBIAN-CVE-2099-1001']],
    ['Debian', null, 'openssl', []],
    ['Debian', '12', 'libssl3', []],
    ['Ubuntu', '22.04', 'zlib', ['UBUNTU-CVE-2099-6001']],
    ['Ubuntu', '22.04:LTS', 'zlib', ['UBUNTU-CVE-2099-6001']],
    ['Ubuntu', '18.04', 'zlib', []],
    ['Ubuntu', 'Pro:18.04:LTS', 'zlib', ['UBUNTU-CVE-2099-6001']],
    ['Alpine', 'v3.19', 'busybox', ['ALPINE-CVE-2099-2001']],
    ['Alpine', '3.19', 'busybox', ['ALPINE-CVE-2099-2001']],
    ['PyPI', null, 'Acme.HTTP', ['GHSA-5555-6666-7777', 'PYSEC-2099-11']],
    ['NuGet', null, 'ACME.JSON', ['GHSA-9999-2222-3333']],
    ['Maven', null, 'org.acme:acme-core', ['GHSA-7777-8888-9999']],
    ['npm', null, 'constructor', []],
    ['npm', null, '__proto__', []],
    ['Nope', null, 'x', []],
    ['', null, 'x', []],
  ])('lookup(%s, %s, %s)', (ecosystem, release, name, expected) => {
    expect(ids(index, ecosystem, release, name)).toEqual(expected)
  })

  it('includes records without a release for every release, once', () => {
    const both = parseOsvRecord({
      id: 'DEBIAN-CVE-2099-0042',
      modified: '2099-01-01T00:00:00Z',
      affected: [
        { package: { ecosystem: 'Debian', name: 'bash' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }] }] },
        { package: { ecosystem: 'Debian:12', name: 'bash' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '5.2.15-2+b2' }] }] },
      ],
    })
    const withBoth = buildIndex([both], undefined, { importedAt: AT })
    const found = lookup(withBoth, 'Debian', '12', 'bash')
    expect(found.map((c) => c.id)).toEqual(['DEBIAN-CVE-2099-0042'])
    expect(found[0]?.affected.map((a) => a.ecosystem).sort()).toEqual(['Debian', 'Debian:12'])
    expect(ids(withBoth, 'Debian', '11', 'bash')).toEqual(['DEBIAN-CVE-2099-0042'])
  })

  it('gives candidates isAffected can evaluate', () => {
    const [candidate] = lookup(index, 'Go', null, 'example.com/acme/rpc')
    expect(candidate).toMatchObject({ id: 'GO-2099-0001', aliases: ['CVE-2099-5001', 'GHSA-6666-7777-8888'], severity: { severity: 'unknown' } })
    expect(candidate?.affected[0]?.package).toEqual({ ecosystem: 'Go', name: 'example.com/acme/rpc' })
  })
})

describe('serialiseIndex and parseIndex', () => {
  const index = buildIndex(loadOsvFixtures(), undefined, { importedAt: AT })

  it('round-trips', () => {
    const text = serialiseIndex(index)
    expect(parseIndex(text)).toEqual(index)
    expect(serialiseIndex(parseIndex(text))).toBe(text)
    expect(parseIndex(JSON.parse(text))).toEqual(index)
  })

  it('keeps package names that are Object.prototype keys as plain keys', () => {
    const odd = buildIndex([npmRecord('GHSA-2222-2222-3333', '2099-01-01T00:00:00Z', '1.0.1', '__proto__'), npmRecord('GHSA-2222-2222-4444', '2099-01-01T00:00:00Z', '1.0.1', 'constructor')], undefined, { importedAt: AT })
    const back = parseIndex(serialiseIndex(odd))
    expect(ids(back, 'npm', null, '__proto__')).toEqual(['GHSA-2222-2222-3333'])
    expect(ids(back, 'npm', null, 'constructor')).toEqual(['GHSA-2222-2222-4444'])
    expect(ids(back, 'npm', null, 'toString')).toEqual([])
  })

  const valid = (): Record<string, unknown> => JSON.parse(serialiseIndex(buildIndex([osvFixture('GHSA-2222-3333-5555')], undefined, { importedAt: AT }))) as Record<string, unknown>

  it.each<[string, (doc: Record<string, unknown>) => unknown, RegExp]>([
    ['not JSON', () => '{', /not JSON/],
    ['an array', () => [], /\(root\): expected an object/],
    ['another format', (d) => ({ ...d, format: 'other' }), /format: expected/],
    ['another format version', (d) => ({ ...d, formatVersion: 2 }), /formatVersion: unsupported version 2/],
    ['no importedAt', (d) => ({ ...d, importedAt: undefined }), /importedAt: expected a string/],
    ['a bad count', (d) => ({ ...d, sources: { GHSA: -1 } }), /sources\.GHSA: expected a count/],
    ['a record under another id', (d) => ({ ...d, records: { X: { id: 'Y', aliases: [], upstream: [], modified: 'x' } } }), /records\.X\.id: does not match its key/],
    ['an entry of an unknown record', (d) => ({ ...d, records: {} }), /no record "GHSA-2222-3333-5555"/],
    [
      'an unknown severity',
      (d) => ({ ...d, packages: { npm: { '@acme/scoped': [{ id: 'GHSA-2222-3333-5555', severity: { severity: 'info', source: 'none' }, affected: [] }] } } }),
      /unknown severity "info"/,
    ],
    [
      'a GIT range',
      (d) => ({
        ...d,
        packages: { npm: { x: [{ id: 'GHSA-2222-3333-5555', severity: { severity: 'low', source: 'none' }, affected: [{ ecosystem: 'npm', ranges: [{ type: 'GIT', events: [] }], versions: [] }] }] } },
      }),
      /unexpected range type "GIT"/,
    ],
    [
      'an unknown event kind',
      (d) => ({
        ...d,
        packages: {
          npm: { x: [{ id: 'GHSA-2222-3333-5555', severity: { severity: 'low', source: 'none' }, affected: [{ ecosystem: 'npm', ranges: [{ type: 'SEMVER', events: [{ kind: 'broken', version: '1' }] }], versions: [] }] }] },
        },
      }),
      /unknown event kind "broken"/,
    ],
  ])('rejects %s', (_label, mutate, message) => {
    const input = mutate(valid())
    const text = typeof input === 'string' ? input : JSON.stringify(input)
    expect(() => parseIndex(text)).toThrow(message)
    expect(() => parseIndex(text)).toThrow(expect.objectContaining({ code: 'VULN_INDEX_INVALID' }))
  })
})

describe('sourceOf', () => {
  it.each([
    ['GHSA-2222-3333-4444', 'GHSA'],
    ['DSA-9001-1', 'DSA'],
    ['RLSA-2099:0001', 'RLSA'],
    ['UBUNTU-CVE-2099-6001', 'UBUNTU'],
    ['odd', 'ODD'],
  ])('%s comes from %s', (id, source) => {
    expect(sourceOf(id)).toBe(source)
  })
})
