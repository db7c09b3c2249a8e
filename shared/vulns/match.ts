/**
 * Matching an image's packages against the vulnerability index.
 *
 * - Distribution packages (`deb`, `apk`, `rpm`) are matched in the OSV ecosystem of the image's
 *   distribution and release (`Debian:12`, `Alpine:v3.19`, `Ubuntu:22.04`, see
 *   `osvEcosystemForDistro`), and only when the package type fits that distribution's version
 *   scheme. Without a known distribution, they are not matched. In the ecosystems whose records
 *   name source packages (Debian, Ubuntu, Alpine, Rocky Linux, AlmaLinux, SUSE, openSUSE, Wolfi,
 *   Chainguard) a package is looked up by its source name and compared at its source version
 *   (a binNMU `1.2-3+b1` binary is source `1.2-3`); elsewhere by its own name and version, and
 *   by its source name and version as well.
 * - Language packages are matched in their registry's ecosystem: npm, PyPI (PEP 503 names), Go
 *   (module path), Maven (`group:artifact`, from the name or the purl), crates.io, RubyGems,
 *   Packagist, NuGet.
 * - One flaw in one package is one finding: the matching records of a package are grouped when
 *   their ids and aliases intersect (a GHSA and its CVE; a distribution record and the single
 *   upstream id it tracks). A group is reported under its CVE id when it has one (the lowest
 *   if several), else its first id in ASCII order, with every other id in `aliases` (sorted);
 *   its severity is the highest of its records', its fixed version the highest of theirs.
 * - The result is sorted by severity (critical first), id, then package type, name, version,
 *   purl and layer.
 *
 * @module
 */
import type { Vulnerability } from '../report/model.js'
import { isAffected } from './affects.js'
import { osvEcosystemForDistro, parseEcosystem } from './ecosystems.js'
import { compareSeverity, VulnSeverity } from './severity.js'
import { schemeOf, tryCompareVersions, VersionScheme } from './versions/index.js'
import { lookup, type Candidate } from './vuln-index.js'
import type { VulnIndex } from './index-format.js'

/** Package types matched. */
export const MatchPackageType = {
  Deb: 'deb',
  Apk: 'apk',
  Rpm: 'rpm',
  Npm: 'npm',
  Pypi: 'pypi',
  Golang: 'golang',
  Maven: 'maven',
  Gem: 'gem',
  Cargo: 'cargo',
  Composer: 'composer',
  Nuget: 'nuget',
} as const
export type MatchPackageType = (typeof MatchPackageType)[keyof typeof MatchPackageType]

/** An installed package to match. */
export interface MatchPackage {
  type: MatchPackageType
  name: string
  version: string
  /** The source package (distribution packages). */
  source?: string
  /** The source package's version, when it differs from the binary's. */
  sourceVersion?: string
  purl: string
  /** The digest of the layer the package was found in. */
  layer: string
}

/** The image's distribution, from os-release. */
export interface MatchOs {
  family: string
  version: string
}

/** OSV ecosystem of each language package type. */
export const LANGUAGE_ECOSYSTEMS = {
  npm: 'npm',
  pypi: 'PyPI',
  golang: 'Go',
  maven: 'Maven',
  gem: 'RubyGems',
  cargo: 'crates.io',
  composer: 'Packagist',
  nuget: 'NuGet',
} as const satisfies Partial<Record<MatchPackageType, string>>

const DISTRO_SCHEMES = { deb: VersionScheme.Dpkg, apk: VersionScheme.Apk, rpm: VersionScheme.Rpm } as const

/** Ecosystems whose records name source packages. */
const SOURCE_NAMED = new Set(['Debian', 'Ubuntu', 'Alpine', 'Rocky Linux', 'AlmaLinux', 'SUSE', 'openSUSE', 'Wolfi', 'Chainguard'])

interface Query {
  ecosystem: string
  name: string
  version: string
}

/** The namespace and name of a purl (`pkg:maven/org.x/y@1` → `org.x`, `y`), percent-decoded. */
export function purlNamespaceAndName(purl: string): { namespace: string | null; name: string } | null {
  const m = /^pkg:[A-Za-z.+-]+\/([^@?#]+)/.exec(purl)
  if (!m) return null
  const decode = (s: string): string => {
    try {
      return decodeURIComponent(s)
    } catch {
      return s
    }
  }
  const parts = m[1]!.split('/').filter((p) => p !== '').map(decode)
  const name = parts.pop()
  if (name === undefined) return null
  return { namespace: parts.length > 0 ? parts.join('/') : null, name }
}

/** The name a package has in its OSV ecosystem. */
function osvName(pkg: MatchPackage): string {
  if (pkg.type === MatchPackageType.Maven && !pkg.name.includes(':')) {
    const p = purlNamespaceAndName(pkg.purl)
    if (p?.namespace) return `${p.namespace}:${p.name}`
  }
  if (pkg.type === MatchPackageType.Golang && !pkg.name.includes('/')) {
    const p = purlNamespaceAndName(pkg.purl)
    if (p?.namespace) return `${p.namespace}/${p.name}`
  }
  return pkg.name
}

/** What to look up for one package. */
export function queriesFor(pkg: MatchPackage, distroEcosystem: string | null): Query[] {
  if (pkg.type === 'deb' || pkg.type === 'apk' || pkg.type === 'rpm') {
    if (distroEcosystem === null || schemeOf(distroEcosystem) !== DISTRO_SCHEMES[pkg.type]) return []
    const source = pkg.source && pkg.source !== '' ? pkg.source : null
    const sourceQuery: Query = { ecosystem: distroEcosystem, name: source ?? pkg.name, version: source ? (pkg.sourceVersion ?? pkg.version) : pkg.version }
    const name = parseEcosystem(distroEcosystem)?.ecosystem ?? ''
    if (SOURCE_NAMED.has(name) || source === null || source === pkg.name) return [sourceQuery]
    return [{ ecosystem: distroEcosystem, name: pkg.name, version: pkg.version }, sourceQuery]
  }
  const ecosystem = Object.hasOwn(LANGUAGE_ECOSYSTEMS, pkg.type) ? LANGUAGE_ECOSYSTEMS[pkg.type as keyof typeof LANGUAGE_ECOSYSTEMS] : null
  return ecosystem === null ? [] : [{ ecosystem, name: osvName(pkg), version: pkg.version }]
}

interface Hit {
  candidate: Candidate
  ecosystem: string
  fixed?: string
}

/** The ids that name the same flaw as a record: its id, aliases and a single upstream id. */
function identities(candidate: Candidate): string[] {
  return [candidate.id, ...candidate.aliases, ...(candidate.upstream.length === 1 ? candidate.upstream : [])]
}

/** Orders two CVE ids by year, then number. */
function compareCve(a: string, b: string): number {
  const x = /^CVE-([0-9]+)-([0-9]+)$/i.exec(a)
  const y = /^CVE-([0-9]+)-([0-9]+)$/i.exec(b)
  return Number(x![1]) - Number(y![1]) || Number(x![2]) - Number(y![2]) || (a < b ? -1 : a > b ? 1 : 0)
}

function ascii(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/** Groups hits whose identities intersect (union-find over ids). */
function groupHits(hits: Hit[]): Hit[][] {
  const parent = hits.map((_, i) => i)
  const find = (i: number): number => {
    while (parent[i] !== i) {
      parent[i] = parent[parent[i]!]!
      i = parent[i]!
    }
    return i
  }
  const owner = new Map<string, number>()
  hits.forEach((hit, i) => {
    for (const id of identities(hit.candidate)) {
      const j = owner.get(id)
      if (j === undefined) owner.set(id, i)
      else parent[find(i)] = find(j)
    }
  })
  const groups = new Map<number, Hit[]>()
  hits.forEach((hit, i) => {
    const root = find(i)
    groups.set(root, [...(groups.get(root) ?? []), hit])
  })
  return [...groups.values()]
}

function highestFixed(group: Hit[]): string | undefined {
  let best: Hit | undefined
  for (const hit of group) {
    if (hit.fixed === undefined) continue
    if (best?.fixed === undefined) {
      best = hit
      continue
    }
    const c = tryCompareVersions(hit.ecosystem, hit.fixed, best.fixed) ?? ascii(hit.fixed, best.fixed)
    if (c > 0) best = hit
  }
  return best?.fixed
}

function toFinding(pkg: MatchPackage, group: Hit[]): Vulnerability {
  const ids = [...new Set(group.flatMap((hit) => identities(hit.candidate)))]
  const cves = ids.filter((id) => /^CVE-[0-9]+-[0-9]+$/i.test(id)).sort(compareCve)
  const id = cves[0] ?? [...ids].sort(ascii)[0]!
  const severity = group.map((hit) => hit.candidate.severity.severity).sort(compareSeverity)[0] ?? VulnSeverity.Unknown
  const finding: Vulnerability = {
    id,
    aliases: ids.filter((other) => other !== id).sort(ascii),
    package: { type: pkg.type, name: pkg.name, version: pkg.version, purl: pkg.purl },
    severity,
    layer: pkg.layer,
  }
  const fixed = highestFixed(group)
  if (fixed !== undefined) finding.fixedVersion = fixed
  return finding
}

function compareFindings(a: Vulnerability, b: Vulnerability): number {
  return (
    compareSeverity(a.severity as VulnSeverity, b.severity as VulnSeverity) ||
    ascii(a.id, b.id) ||
    ascii(a.package.type, b.package.type) ||
    ascii(a.package.name, b.package.name) ||
    ascii(a.package.version, b.package.version) ||
    ascii(a.package.purl, b.package.purl) ||
    ascii(a.layer, b.layer)
  )
}

/**
 * The vulnerabilities of `packages`, from `index`, for an image whose distribution is `os`
 * (null when unknown: distribution packages are then not matched).
 */
export function matchPackages(index: VulnIndex, packages: readonly MatchPackage[], os: MatchOs | null): Vulnerability[] {
  const distroEcosystem = os === null ? null : osvEcosystemForDistro(os.family, os.version)
  const findings: Vulnerability[] = []
  for (const pkg of packages) {
    const hits = new Map<string, Hit>()
    for (const query of queriesFor(pkg, distroEcosystem)) {
      for (const candidate of lookup(index, query.ecosystem, null, query.name)) {
        if (hits.has(candidate.id) || candidate.withdrawn !== undefined) continue
        const verdict = isAffected(candidate, query.ecosystem, query.name, query.version)
        if (!verdict.affected) continue
        const hit: Hit = { candidate, ecosystem: query.ecosystem }
        if (verdict.fixed !== undefined) hit.fixed = verdict.fixed
        hits.set(candidate.id, hit)
      }
    }
    for (const group of groupHits([...hits.values()])) findings.push(toFinding(pkg, group))
  }
  return findings.sort(compareFindings)
}
