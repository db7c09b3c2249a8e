/**
 * Semantic Versioning 2.0.0: `MAJOR.MINOR.PATCH[-PRERELEASE][+BUILD]`, ordered by the
 * precedence rules of SemVer §11. A leading `v` (as in git tags) is tolerated.
 *
 * Precedence compares major, minor and patch numerically; a version with a pre-release sorts
 * before the same version without one; pre-release identifiers compare left to right, numeric
 * ones numerically and below alphanumeric ones, alphanumeric ones in ASCII order, and a
 * shorter list of equal identifiers sorts first. Build metadata is ignored.
 *
 * @see https://semver.org/spec/v2.0.0.html
 * @module
 */
import { invalidVersion } from '../errors.js'
import { compareAscii, compareDigits } from './digits.js'

/** A parsed SemVer version; the numbers are kept as digit strings (they may be huge). */
export interface SemVer {
  major: string
  minor: string
  patch: string
  prerelease: string[]
  build: string[]
}

const NUMBER = '0|[1-9][0-9]*'
const PRE_ID = `(?:${NUMBER}|[0-9]*[A-Za-z-][0-9A-Za-z-]*)`
const BUILD_ID = '[0-9A-Za-z-]+'
const SEMVER = new RegExp(`^[vV]?(${NUMBER})\\.(${NUMBER})\\.(${NUMBER})(?:-(${PRE_ID}(?:\\.${PRE_ID})*))?(?:\\+(${BUILD_ID}(?:\\.${BUILD_ID})*))?$`)

/** Parses a SemVer 2.0.0 version (with an optional leading `v`), or returns null. */
export function parse(version: string): SemVer | null {
  const m = SEMVER.exec(version)
  if (!m) return null
  return {
    major: m[1]!,
    minor: m[2]!,
    patch: m[3]!,
    prerelease: m[4] === undefined ? [] : m[4].split('.'),
    build: m[5] === undefined ? [] : m[5].split('.'),
  }
}

/** True when `version` is a valid SemVer 2.0.0 version (a leading `v` allowed). */
export function isValid(version: string): boolean {
  return parse(version) !== null
}

const NUMERIC = /^[0-9]+$/

/** Compares two pre-release identifier lists by SemVer §11.4; `[]` (a release) sorts last. */
export function comparePrerelease(a: readonly string[], b: readonly string[], caseInsensitive = false): number {
  if (a.length === 0 || b.length === 0) return a.length === b.length ? 0 : a.length === 0 ? 1 : -1
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) {
    const x = a[i]!
    const y = b[i]!
    const xn = NUMERIC.test(x)
    const yn = NUMERIC.test(y)
    let c: number
    if (xn && yn) c = compareDigits(x, y)
    else if (xn !== yn) c = xn ? -1 : 1
    else c = caseInsensitive ? compareAscii(x.toLowerCase(), y.toLowerCase()) : compareAscii(x, y)
    if (c !== 0) return c
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1
}

/** Orders two parsed versions by SemVer precedence (build metadata ignored). */
export function compareParsed(a: SemVer, b: SemVer): number {
  return (
    compareDigits(a.major, b.major) ||
    compareDigits(a.minor, b.minor) ||
    compareDigits(a.patch, b.patch) ||
    comparePrerelease(a.prerelease, b.prerelease)
  )
}

/**
 * Orders two SemVer versions: negative when `a` has lower precedence, 0 when equal (build
 * metadata ignored), positive when higher. Throws `VERSION_INVALID` on an invalid version.
 */
export function compare(a: string, b: string): number {
  const x = parse(a) ?? invalidVersion('semver', a)
  const y = parse(b) ?? invalidVersion('semver', b)
  return compareParsed(x, y)
}
