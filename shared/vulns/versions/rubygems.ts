/**
 * RubyGems versions (`Gem::Version`): dot-separated segments of digits and letters, such as
 * `1.2.3`, `1.0.a.2`, `1.0.b1` or `2.0.0-rc1`.
 *
 * A hyphen means `.pre.` (so `1.0-1` is the pre-release `1.0.pre.1`). Each segment is split
 * further at letter/digit boundaries (`b1` is `b`, `1`). A version with any letter segment is
 * a pre-release. Trailing zeros are dropped from the release part and from the pre-release
 * part, so `1.0 == 1.0.0` and `1.0.a == 1.a`. Segments then compare left to right, a missing
 * segment counting as 0: numbers numerically, letters as strings, and a letter segment sorts
 * before a number (`1.0.a < 1.0 < 1.0.0.1`).
 *
 * @see https://guides.rubygems.org/patterns/#prerelease-gems
 * @see https://docs.ruby-lang.org/en/master/Gem/Version.html
 * @module
 */
import { invalidVersion } from '../errors.js'
import { compareAscii, compareDigits } from './digits.js'

/** A segment: a number (digit string) or a letter run. */
export type GemSegment = { kind: 'number'; digits: string } | { kind: 'string'; text: string }

/** A parsed gem version: its canonical segments (trailing zeros dropped). */
export interface GemVersion {
  segments: GemSegment[]
  prerelease: boolean
}

const VALID = /^\s*([0-9]+(?:\.[0-9a-zA-Z]+)*(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?)?\s*$/

function isZero(s: GemSegment): boolean {
  return s.kind === 'number' && /^0*$/.test(s.digits)
}

function dropTrailingZeros(segments: GemSegment[]): GemSegment[] {
  let end = segments.length
  while (end > 0 && isZero(segments[end - 1]!)) end--
  return segments.slice(0, end)
}

/** Parses a gem version (`Gem::Version` syntax), or returns null. Blank means `0`. */
export function parse(version: string): GemVersion | null {
  const m = VALID.exec(version)
  if (!m) return null
  const text = (m[1] ?? '0').replace(/-/g, '.pre.')
  const all: GemSegment[] = [...text.matchAll(/[0-9]+|[a-z]+/gi)].map((s) => (/^[0-9]/.test(s[0]) ? { kind: 'number', digits: s[0] } : { kind: 'string', text: s[0] }))
  const firstString = all.findIndex((s) => s.kind === 'string')
  const release = firstString === -1 ? all : all.slice(0, firstString)
  const pre = firstString === -1 ? [] : all.slice(firstString)
  return { segments: [...dropTrailingZeros(release), ...dropTrailingZeros(pre)], prerelease: firstString !== -1 }
}

/** True when `version` is a valid gem version. */
export function isValid(version: string): boolean {
  return parse(version) !== null
}

/** True when `version` is a valid gem pre-release (has a letter segment). */
export function isPrerelease(version: string): boolean {
  return parse(version)?.prerelease ?? false
}

const ZERO: GemSegment = { kind: 'number', digits: '0' }

/** Orders two parsed gem versions. */
export function compareParsed(a: GemVersion, b: GemVersion): number {
  const n = Math.max(a.segments.length, b.segments.length)
  for (let i = 0; i < n; i++) {
    const x = a.segments[i] ?? ZERO
    const y = b.segments[i] ?? ZERO
    if (x.kind === 'number' && y.kind === 'number') {
      const c = compareDigits(x.digits, y.digits)
      if (c !== 0) return c
    } else if (x.kind === 'string' && y.kind === 'string') {
      const c = compareAscii(x.text, y.text)
      if (c !== 0) return c
    } else {
      return x.kind === 'string' ? -1 : 1
    }
  }
  return 0
}

/**
 * Orders two gem versions: negative when `a` is older, 0 when equal, positive when newer.
 * Throws `VERSION_INVALID` on an invalid version.
 */
export function compare(a: string, b: string): number {
  const x = parse(a) ?? invalidVersion('RubyGems', a)
  const y = parse(b) ?? invalidVersion('RubyGems', b)
  return compareParsed(x, y)
}
