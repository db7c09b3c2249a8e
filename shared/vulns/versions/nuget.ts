/**
 * NuGet package versions: `Major.Minor[.Patch[.Revision]][-prerelease][+metadata]`, NuGet's
 * extension of SemVer 2.0.0 with an optional fourth number and optional minor/patch.
 *
 * Missing numbers are 0, so `1.0 == 1.0.0 == 1.0.0.0`. Pre-release labels compare as in
 * SemVer 2.0.0 but case-insensitively (`1.0.0-ALPHA == 1.0.0-alpha`); a release sorts after
 * its pre-releases; metadata is ignored. A leading `v`, which NuGet itself rejects, is
 * tolerated as in tags.
 *
 * @see https://learn.microsoft.com/en-us/nuget/concepts/package-versioning
 * @module
 */
import { invalidVersion } from '../errors.js'
import { compareDigits } from './digits.js'
import { comparePrerelease } from './semver.js'

/** A parsed NuGet version. */
export interface NugetVersion {
  numbers: [string, string, string, string]
  prerelease: string[]
  metadata: string
}

const PRE_ID = '[0-9A-Za-z-]+'
const VALID = new RegExp(`^[vV]?([0-9]+)(?:\\.([0-9]+))?(?:\\.([0-9]+))?(?:\\.([0-9]+))?(?:-(${PRE_ID}(?:\\.${PRE_ID})*))?(?:\\+([0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*))?$`)

/** Parses a NuGet version, or returns null. */
export function parse(version: string): NugetVersion | null {
  const m = VALID.exec(version.trim())
  if (!m) return null
  return {
    numbers: [m[1]!, m[2] ?? '0', m[3] ?? '0', m[4] ?? '0'],
    prerelease: m[5] === undefined ? [] : m[5].split('.'),
    metadata: m[6] ?? '',
  }
}

/** True when `version` is a valid NuGet version. */
export function isValid(version: string): boolean {
  return parse(version) !== null
}

/** Orders two parsed NuGet versions. */
export function compareParsed(a: NugetVersion, b: NugetVersion): number {
  for (let i = 0; i < 4; i++) {
    const c = compareDigits(a.numbers[i]!, b.numbers[i]!)
    if (c !== 0) return c
  }
  return comparePrerelease(a.prerelease, b.prerelease, true)
}

/**
 * Orders two NuGet versions: negative when `a` is older, 0 when equal, positive when newer.
 * Throws `VERSION_INVALID` on an invalid version.
 */
export function compare(a: string, b: string): number {
  const x = parse(a) ?? invalidVersion('NuGet', a)
  const y = parse(b) ?? invalidVersion('NuGet', b)
  return compareParsed(x, y)
}
