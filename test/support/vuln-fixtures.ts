/**
 * The vulnerability fixtures (test/fixtures/vulndb, see its README) and the image they are
 * written for: the debootstrap Debian 12 layer plus a layer of npm and Python packages.
 * `expectedVulnerabilities(report)` is the exact list a scan must report, built from the
 * report's own package list so that the installed Debian versions are the ones the
 * root filesystem really has.
 *
 * @module
 */
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { expect } from 'vitest'
import type { ImageReport, Package, Vulnerability } from '../../shared/report/model.js'
import { compareVersions } from '../../shared/vulns/versions/index.js'
import type { LayerEntrySpec } from './layer-builder.js'

export const VULNDB_FIXTURES = fileURLToPath(new URL('../fixtures/vulndb/', import.meta.url))
/** The feeds present at the first import. */
export const FIRST_FEEDS = ['debian', 'npm', 'pypi'].map((dir) => join(VULNDB_FIXTURES, dir))
/** The feed a refresh adds. */
export const LATER_FEED = join(VULNDB_FIXTURES, 'later')

function packageJson(name: string, version: string): string {
  return `${JSON.stringify({ name, version, license: 'MIT', main: 'index.js' }, null, 2)}\n`
}

/** The application layer: three npm packages and one Python distribution. */
export const APP_LAYER_ENTRIES: LayerEntrySpec[] = [
  { name: 'srv/app/package.json', content: packageJson('shop', '1.0.0') },
  { name: 'srv/app/node_modules/acme-template/package.json', content: packageJson('acme-template', '4.17.20') },
  { name: 'srv/app/node_modules/acme-parser/package.json', content: packageJson('acme-parser', '2.3.0') },
  { name: 'srv/app/node_modules/acme-router/package.json', content: packageJson('acme-router', '1.0.0') },
  {
    name: 'usr/lib/python3/dist-packages/Acme_Http-2.31.0.dist-info/METADATA',
    content: 'Metadata-Version: 2.1\nName: Acme_Http\nVersion: 2.31.0\nSummary: HTTP for humans at Acme\nLicense: Apache-2.0\n\n',
  },
]

function pkg(report: ImageReport, type: string, name: string): Package {
  const found = report.packages.find((p) => p.type === type && p.name === name)
  if (!found) throw new Error(`the report has no ${type} package ${name}`)
  return found
}

function vuln(p: Package, id: string, aliases: string[], severity: Vulnerability['severity'], fixedVersion?: string): Vulnerability {
  return {
    id,
    aliases,
    package: { type: p.type, name: p.name, version: p.version, purl: p.purl },
    ...(fixedVersion !== undefined ? { fixedVersion } : {}),
    severity,
    layer: p.layer,
  }
}

/**
 * Checks that the Debian packages are at versions the fixtures were written for (so a
 * failure says the root filesystem moved, not that matching broke).
 */
export function expectFixturePreconditions(report: ImageReport): void {
  const sourceVersion = (name: string): string => {
    const p = pkg(report, 'deb', name)
    return p.sourceVersion ?? p.version
  }
  expect(compareVersions('Debian:12', sourceVersion('zlib1g'), '1:1.2.13.dfsg-2')).toBeLessThan(0)
  expect(compareVersions('Debian:12', sourceVersion('bash'), '5.2.15-2+deb12u1')).toBeLessThan(0)
  expect(sourceVersion('bash')).toBe('5.2.15-2')
  expect(pkg(report, 'deb', 'bash').version).toMatch(/^5\.2\.15-2\+b[0-9]+$/)
  expect(compareVersions('Debian:12', sourceVersion('e2fsprogs'), '1.47.0-3')).toBeLessThan(0)
  expect(compareVersions('Debian:12', pkg(report, 'deb', 'coreutils').version, '8.32-4')).toBeGreaterThan(0)
  expect(compareVersions('Debian:12', pkg(report, 'deb', 'tar').version, '1.30+dfsg-6')).toBeGreaterThan(0)
  expect(compareVersions('Debian:12', pkg(report, 'deb', 'gzip').version, '1.12-2')).toBeLessThan(0)
  expect(pkg(report, 'deb', 'sed')).toBeDefined()
}

/** Every vulnerability the first feeds give the image, in report order. */
export function expectedVulnerabilities(report: ImageReport): Vulnerability[] {
  const e2fs = ['e2fsprogs', 'libcom-err2', 'libext2fs2', 'libss2', 'logsave'].map((name) => vuln(pkg(report, 'deb', name), 'CVE-2098-10004', ['DEBIAN-CVE-2098-10004'], 'low', '1.47.0-3'))
  return [
    vuln(pkg(report, 'npm', 'acme-template'), 'CVE-2098-20001', ['GHSA-2222-6666-7777'], 'critical', '4.17.21'),
    vuln(pkg(report, 'deb', 'zlib1g'), 'CVE-2098-10001', ['DEBIAN-CVE-2098-10001'], 'high', '1:1.2.13.dfsg-2'),
    vuln(pkg(report, 'pypi', 'Acme_Http'), 'CVE-2098-30001', ['GHSA-2222-8888-3333', 'PYSEC-2098-30'], 'high', '2.32.0'),
    vuln(pkg(report, 'deb', 'bash'), 'CVE-2098-10002', ['DEBIAN-CVE-2098-10002', 'DSA-9801-1'], 'medium', '5.2.15-2+deb12u1'),
    vuln(pkg(report, 'npm', 'acme-parser'), 'GHSA-2222-6666-8888', [], 'medium'),
    vuln(pkg(report, 'deb', 'bash'), 'CVE-2098-10003', ['DEBIAN-CVE-2098-10003'], 'low'),
    ...e2fs,
  ]
}

/** The vulnerability the later feed adds. */
export function laterVulnerability(report: ImageReport): Vulnerability {
  return vuln(pkg(report, 'deb', 'gzip'), 'CVE-2098-10010', ['DEBIAN-CVE-2098-10010'], 'high', '1.12-2')
}

/** Ids of records that must never be reported for the image. */
export const EXCLUDED_IDS = [
  'CVE-2098-10005',
  'DEBIAN-CVE-2098-10005',
  'CVE-2098-10006',
  'DEBIAN-CVE-2098-10006',
  'CVE-2098-10007',
  'DEBIAN-CVE-2098-10007',
  'CVE-2098-10008',
  'DEBIAN-CVE-2098-10008',
  'GHSA-2222-6666-9999',
  'GHSA-2222-7777-2222',
  'CVE-2098-20004',
]
