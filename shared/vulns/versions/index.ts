/**
 * Version ordering per OSV ecosystem: {@link compareVersions} picks the scheme an ecosystem
 * uses (OSV schema, "Defined ecosystems") and compares two versions with it.
 *
 * `Packagist` uses an approximation of Composer's ordering (see `composer.ts`). Ecosystems not
 * listed here (Linux, OSS-Fuzz, Hackage, CRAN, Bioconductor, …) have no ordering: OSV matching
 * for them can only use the records' explicit `versions` lists.
 *
 * @see https://ossf.github.io/osv-schema/#affectedpackage-field
 * @module
 */
import { VulnDataError, VulnErrorCode } from '../errors.js'
import * as apk from './apk.js'
import * as composer from './composer.js'
import * as dpkg from './dpkg.js'
import * as go from './go.js'
import * as maven from './maven.js'
import * as nuget from './nuget.js'
import * as pep440 from './pep440.js'
import * as rpm from './rpm.js'
import * as rubygems from './rubygems.js'
import * as semver from './semver.js'

/** The version schemes implemented. */
export const VersionScheme = {
  Dpkg: 'dpkg',
  Apk: 'apk',
  Rpm: 'rpm',
  Semver: 'semver',
  Pep440: 'pep440',
  Maven: 'maven',
  Go: 'go',
  RubyGems: 'rubygems',
  NuGet: 'nuget',
  Composer: 'composer',
} as const

export type VersionScheme = (typeof VersionScheme)[keyof typeof VersionScheme]

interface SchemeModule {
  compare(a: string, b: string): number
  isValid(version: string): boolean
}

const SCHEMES: Record<VersionScheme, SchemeModule> = {
  dpkg,
  apk,
  rpm,
  semver,
  pep440,
  maven,
  go,
  rubygems,
  nuget,
  composer,
}

/** OSV ecosystem names (without a `:release` suffix) and the scheme that orders their versions. */
export const ECOSYSTEM_SCHEMES = {
  Debian: 'dpkg',
  Ubuntu: 'dpkg',
  Alpine: 'apk',
  Wolfi: 'apk',
  Chainguard: 'apk',
  'Red Hat': 'rpm',
  'Rocky Linux': 'rpm',
  AlmaLinux: 'rpm',
  openSUSE: 'rpm',
  SUSE: 'rpm',
  'Photon OS': 'rpm',
  Mageia: 'rpm',
  openEuler: 'rpm',
  npm: 'semver',
  'crates.io': 'semver',
  Hex: 'semver',
  Pub: 'semver',
  SwiftURL: 'semver',
  'GitHub Actions': 'semver',
  NuGet: 'nuget',
  RubyGems: 'rubygems',
  Packagist: 'composer',
  PyPI: 'pep440',
  Maven: 'maven',
  Go: 'go',
} as const satisfies Record<string, VersionScheme>

/** The ecosystem name of an OSV ecosystem string: `Debian:12` → `Debian`. */
export function ecosystemName(ecosystem: string): string {
  const colon = ecosystem.indexOf(':')
  return colon === -1 ? ecosystem : ecosystem.slice(0, colon)
}

/** The version scheme of an OSV ecosystem (`Debian:12` → `dpkg`), or null when unsupported. */
export function schemeOf(ecosystem: string): VersionScheme | null {
  const name = ecosystemName(ecosystem)
  return Object.hasOwn(ECOSYSTEM_SCHEMES, name) ? ECOSYSTEM_SCHEMES[name as keyof typeof ECOSYSTEM_SCHEMES] : null
}

/** Compares two versions with a named scheme; throws `VERSION_INVALID` on an invalid version. */
export function compareWithScheme(scheme: VersionScheme, a: string, b: string): number {
  return SCHEMES[scheme].compare(a, b)
}

/** True when `version` is valid in `scheme`. */
export function isValidInScheme(scheme: VersionScheme, version: string): boolean {
  return SCHEMES[scheme].isValid(version)
}

/**
 * Orders two versions of a package of an OSV ecosystem (`Debian:12`, `PyPI`, …): negative when
 * `a` is older, 0 when equal, positive when newer. Throws `ECOSYSTEM_UNSUPPORTED` for an
 * ecosystem without an ordering and `VERSION_INVALID` for an invalid version.
 */
export function compareVersions(ecosystem: string, a: string, b: string): number {
  const scheme = schemeOf(ecosystem)
  if (scheme === null) throw new VulnDataError(VulnErrorCode.EcosystemUnsupported, `no version ordering for OSV ecosystem ${JSON.stringify(ecosystem)}`)
  return compareWithScheme(scheme, a, b)
}

/** Like {@link compareVersions}, but null instead of throwing. */
export function tryCompareVersions(ecosystem: string, a: string, b: string): number | null {
  try {
    return compareVersions(ecosystem, a, b)
  } catch (error) {
    if (error instanceof VulnDataError) return null
    throw error
  }
}

/** True when `version` is valid in the scheme of `ecosystem` (false when it has none). */
export function isValidVersion(ecosystem: string, version: string): boolean {
  const scheme = schemeOf(ecosystem)
  return scheme !== null && isValidInScheme(scheme, version)
}
