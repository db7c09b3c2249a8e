/**
 * Composer (Packagist) versions, approximated: Composer normalises a version to four numbers
 * and a stability suffix, then orders with PHP's `version_compare`. This module implements
 * that normalised form without PHP:
 *
 * - an optional `v`, one to four numbers (missing ones are 0, so `1.0 == 1.0.0.0`);
 * - an optional stability suffix, with or without a `.`/`-`/`_` before it and an optional
 *   number (`-beta2`, `-beta.2`, `RC1`, `-p1`): `dev < alpha = a < beta = b < RC < (stable) <
 *   patch = pl = p`;
 * - an optional trailing `-dev` (`1.0.0-beta2-dev < 1.0.0-beta2`, `1.0.x-dev` is not
 *   accepted); build metadata after `+` is ignored, as Composer strips it.
 *
 * Branch names (`dev-main`), date versions with more than four parts and other forms
 * Composer accepts are not versions here: they are reported invalid.
 *
 * @see https://getcomposer.org/doc/articles/versions.md
 * @see https://www.php.net/manual/en/function.version-compare.php
 * @module
 */
import { invalidVersion } from '../errors.js'
import { compareDigits } from './digits.js'

/** Stability levels in order. */
export const COMPOSER_STABILITIES = ['dev', 'alpha', 'beta', 'rc', 'stable', 'patch'] as const
export type ComposerStability = (typeof COMPOSER_STABILITIES)[number]

/** A normalised Composer version. */
export interface ComposerVersion {
  numbers: [string, string, string, string]
  stability: ComposerStability
  stabilityNumbers: string[]
  dev: boolean
}

const VALID =
  /^v?([0-9]+)(?:\.([0-9]+))?(?:\.([0-9]+))?(?:\.([0-9]+))?(?:[._-]?(stable|beta|b|rc|alpha|a|patch|pl|p)((?:[.-]?[0-9]+)*))?([.-]?dev)?$/i

const STABILITY: Record<string, ComposerStability> = {
  stable: 'stable',
  beta: 'beta',
  b: 'beta',
  rc: 'rc',
  alpha: 'alpha',
  a: 'alpha',
  patch: 'patch',
  pl: 'patch',
  p: 'patch',
}

/** Parses a Composer version into its normalised parts, or returns null. */
export function parse(version: string): ComposerVersion | null {
  const text = version.trim().replace(/\+[^\s]+$/, '')
  const m = VALID.exec(text)
  if (!m) return null
  const label = m[5]?.toLowerCase()
  const dev = m[7] !== undefined
  // a bare `-dev` is the dev stability of the release itself
  const stability: ComposerStability = label !== undefined ? STABILITY[label]! : dev ? 'dev' : 'stable'
  return {
    numbers: [m[1]!, m[2] ?? '0', m[3] ?? '0', m[4] ?? '0'],
    stability,
    stabilityNumbers: (m[6] ?? '').split(/[.-]/).filter((s) => s !== ''),
    dev: label !== undefined && dev,
  }
}

/** True when `version` is a version this approximation understands. */
export function isValid(version: string): boolean {
  return parse(version) !== null
}

/** Orders two parsed Composer versions. */
export function compareParsed(a: ComposerVersion, b: ComposerVersion): number {
  for (let i = 0; i < 4; i++) {
    const c = compareDigits(a.numbers[i]!, b.numbers[i]!)
    if (c !== 0) return c
  }
  const s = COMPOSER_STABILITIES.indexOf(a.stability) - COMPOSER_STABILITIES.indexOf(b.stability)
  if (s !== 0) return s < 0 ? -1 : 1
  const n = Math.max(a.stabilityNumbers.length, b.stabilityNumbers.length)
  for (let i = 0; i < n; i++) {
    const c = compareDigits(a.stabilityNumbers[i] ?? '0', b.stabilityNumbers[i] ?? '0')
    if (c !== 0) return c
  }
  if (a.dev !== b.dev) return a.dev ? -1 : 1
  return 0
}

/**
 * Orders two Composer versions: negative when `a` is older, 0 when equal, positive when
 * newer. Throws `VERSION_INVALID` for forms the approximation does not accept.
 */
export function compare(a: string, b: string): number {
  const x = parse(a) ?? invalidVersion('Composer', a)
  const y = parse(b) ?? invalidVersion('Composer', b)
  return compareParsed(x, y)
}
