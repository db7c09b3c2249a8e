/**
 * Go module versions: semantic versions with a `v` prefix (`v1.2.3`), including
 * pseudo-versions that name a commit (`v0.0.0-20191109021931-daa7c04131f5`,
 * `v1.2.4-0.20191109021931-daa7c04131f5`, `v1.2.3-pre.0.20191109021931-daa7c04131f5`) and the
 * `+incompatible` marker of v2+ modules without a go.mod.
 *
 * Go orders module versions by SemVer precedence; pseudo-versions are pre-releases built so
 * that this precedence puts them between the tagged versions around their commit, and
 * `+incompatible` is build metadata, so ignored. Go's shorthands `v1` and `v1.2` (for
 * `v1.0.0` and `v1.2.0`) are accepted. OSV records for Go omit the `v`; it is optional here.
 *
 * @see https://go.dev/ref/mod#versions
 * @see https://go.dev/ref/mod#pseudo-versions
 * @module
 */
import { invalidVersion } from '../errors.js'
import { compareParsed as compareSemver, parse as parseSemver, type SemVer } from './semver.js'

/** A parsed Go module version. `pseudo` is set for pseudo-versions. */
export interface GoVersion extends SemVer {
  incompatible: boolean
  pseudo: { timestamp: string; revision: string } | null
}

const PSEUDO = /(?:^|\.)(?:0\.)?([0-9]{14})-([0-9a-f]{12,})$/

/** Parses a Go module version (`v` optional), or returns null. */
export function parse(version: string): GoVersion | null {
  let text = version.startsWith('v') ? version : `v${version}`
  // shorthands: v1 and v1.2 (no pre-release or build allowed on them)
  if (/^v(0|[1-9][0-9]*)$/.test(text)) text += '.0.0'
  else if (/^v(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$/.test(text)) text += '.0'
  const semver = parseSemver(text)
  if (!semver) return null
  // Go allows build metadata only as +incompatible
  if (semver.build.length > 0 && !(semver.build.length === 1 && semver.build[0] === 'incompatible')) return null
  const prerelease = semver.prerelease.join('.')
  const pseudoMatch = prerelease === '' ? null : PSEUDO.exec(prerelease)
  return {
    ...semver,
    incompatible: semver.build.length === 1,
    pseudo: pseudoMatch ? { timestamp: pseudoMatch[1]!, revision: pseudoMatch[2]! } : null,
  }
}

/** True when `version` is a valid Go module version (`v` optional). */
export function isValid(version: string): boolean {
  return parse(version) !== null
}

/** True when `version` is a Go pseudo-version. */
export function isPseudoVersion(version: string): boolean {
  return parse(version)?.pseudo != null
}

/**
 * Orders two Go module versions by SemVer precedence (pseudo-versions included,
 * `+incompatible` ignored). Throws `VERSION_INVALID` on an invalid version.
 */
export function compare(a: string, b: string): number {
  const x = parse(a) ?? invalidVersion('Go', a)
  const y = parse(b) ?? invalidVersion('Go', b)
  return compareSemver(x, y)
}
