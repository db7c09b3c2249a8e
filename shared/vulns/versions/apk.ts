/**
 * Alpine package versions, as apk orders them:
 * `number{.number}…{letter}{_suffix{number}}…{~hash}{-r#}`.
 *
 * - Number components compare numerically; after the first, a component with a leading zero
 *   compares as a decimal fraction (`1.01 < 1.1`, `1.001 < 1.01`).
 * - A single trailing letter sorts after its absence (`1.0 < 1.0a`) but before one more
 *   number component (`1.0a < 1.0.1`).
 * - Suffixes: `_alpha < _beta < _pre < _rc` sort *before* the bare version; `_cvs < _svn <
 *   _git < _hg < _p` sort after it, each with an optional number.
 * - `~hash` is a commit id (compared as text); `-rN` is the package revision, compared last
 *   (`1.0 < 1.0-r1 < 1.0_p1`).
 *
 * When two versions differ in the kind of their next part, the order is: another number
 * component, then a letter, then a post-release suffix, then a hash, then a revision, then
 * the end of the version; a pre-release suffix sorts before all of these.
 *
 * @see https://wiki.alpinelinux.org/wiki/APKBUILD_Reference#pkgver
 * @see https://wiki.alpinelinux.org/wiki/Package_policies
 * @module
 */
import { invalidVersion } from '../errors.js'
import { compareAscii, compareDigits } from './digits.js'

/** Suffix names in order; the first four are pre-releases. */
export const APK_SUFFIXES = ['alpha', 'beta', 'pre', 'rc', 'cvs', 'svn', 'git', 'hg', 'p'] as const
export type ApkSuffix = (typeof APK_SUFFIXES)[number]

const PRE_RELEASE_SUFFIXES = 4

/** One part of an apk version, in the order it appears. */
export type ApkToken =
  | { kind: 'number'; digits: string; first: boolean }
  | { kind: 'letter'; letter: string }
  | { kind: 'suffix'; suffix: ApkSuffix; digits: string }
  | { kind: 'hash'; hash: string }
  | { kind: 'revision'; digits: string }

/** A parsed apk version: its tokens, in order. */
export interface ApkVersion {
  tokens: ApkToken[]
}

const VALID = /^([0-9]+(?:\.[0-9]+)*)([a-z])?((?:_(?:alpha|beta|pre|rc|cvs|svn|git|hg|p)[0-9]*)*)(?:~([0-9a-f]+))?(?:-r([0-9]+))?$/

/** Parses an apk version, or returns null when it does not follow the format above. */
export function parse(version: string): ApkVersion | null {
  const m = VALID.exec(version)
  if (!m) return null
  const tokens: ApkToken[] = m[1]!.split('.').map((digits, i) => ({ kind: 'number', digits, first: i === 0 }))
  if (m[2]) tokens.push({ kind: 'letter', letter: m[2] })
  for (const s of (m[3] ?? '').matchAll(/_([a-z]+)([0-9]*)/g)) {
    tokens.push({ kind: 'suffix', suffix: s[1] as ApkSuffix, digits: s[2]! })
  }
  if (m[4]) tokens.push({ kind: 'hash', hash: m[4] })
  if (m[5] !== undefined) tokens.push({ kind: 'revision', digits: m[5] })
  return { tokens }
}

/** True when `version` is a valid apk version. */
export function isValid(version: string): boolean {
  return parse(version) !== null
}

/** Rank of a token kind when two versions differ in kind: higher sorts later. */
function rank(token: ApkToken | undefined): number {
  if (token === undefined) return 1
  switch (token.kind) {
    case 'number':
      return 6
    case 'letter':
      return 5
    case 'suffix':
      return APK_SUFFIXES.indexOf(token.suffix) < PRE_RELEASE_SUFFIXES ? 0 : 4
    case 'hash':
      return 3
    case 'revision':
      return 2
  }
}

function compareTokens(a: ApkToken, b: ApkToken): number {
  if (a.kind === 'number' && b.kind === 'number') {
    // after the first component, a leading zero makes it a decimal fraction
    if (!a.first && (a.digits.startsWith('0') || b.digits.startsWith('0'))) return compareAscii(a.digits, b.digits)
    return compareDigits(a.digits, b.digits)
  }
  if (a.kind === 'letter' && b.kind === 'letter') return compareAscii(a.letter, b.letter)
  if (a.kind === 'suffix' && b.kind === 'suffix') {
    const order = APK_SUFFIXES.indexOf(a.suffix) - APK_SUFFIXES.indexOf(b.suffix)
    if (order !== 0) return order < 0 ? -1 : 1
    return compareDigits(a.digits, b.digits)
  }
  if (a.kind === 'hash' && b.kind === 'hash') return compareAscii(a.hash, b.hash)
  if (a.kind === 'revision' && b.kind === 'revision') return compareDigits(a.digits, b.digits)
  return 0
}

/** Orders two parsed apk versions. */
export function compareParsed(a: ApkVersion, b: ApkVersion): number {
  const n = Math.max(a.tokens.length, b.tokens.length)
  for (let i = 0; i < n; i++) {
    const x = a.tokens[i]
    const y = b.tokens[i]
    if (x !== undefined && y !== undefined && x.kind === y.kind) {
      const c = compareTokens(x, y)
      if (c !== 0) return c
      continue
    }
    const rx = rank(x)
    const ry = rank(y)
    if (rx !== ry) return rx < ry ? -1 : 1
  }
  return 0
}

/**
 * Orders two apk versions: negative when `a` is older, 0 when equal, positive when newer.
 * Throws `VERSION_INVALID` when either is not a valid apk version.
 */
export function compare(a: string, b: string): number {
  const x = parse(a) ?? invalidVersion('apk', a)
  const y = parse(b) ?? invalidVersion('apk', b)
  return compareParsed(x, y)
}
