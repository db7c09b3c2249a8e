/**
 * RPM versions, `[epoch:]version[-release]`, ordered by epoch, then version, then release,
 * each of the last two with the `rpmvercmp` algorithm:
 *
 * - the strings are cut into alternating runs of digits and of ASCII letters; every other
 *   character is a separator, except `~` and `^`;
 * - `~` sorts before everything, even the end of the string (`1.0~rc1 < 1.0`);
 * - `^` sorts after the end of the string but before anything else (`1.0 < 1.0^git1 < 1.0.1`);
 * - a digit run sorts after a letter run; digit runs compare numerically, letter runs in
 *   ASCII order;
 * - when one string runs out, the one with something left is newer.
 *
 * A missing epoch is 0. A missing release compares as an empty one (older than any release),
 * which keeps the order total; RPM's own dependency matching instead ignores a missing release.
 *
 * @see https://rpm-software-management.github.io/rpm/manual/dependencies.html#versioning
 * @see https://docs.fedoraproject.org/en-US/packaging-guidelines/Versioning/
 * @module
 */
import { invalidVersion } from '../errors.js'
import { compareAscii, compareDigits } from './digits.js'

/** A parsed RPM EVR. `release` is null when there is no hyphen. */
export interface RpmVersion {
  epoch: number
  version: string
  release: string | null
}

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9'
}

function isLetter(c: string | undefined): boolean {
  return c !== undefined && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
}

function isSeparator(c: string | undefined): boolean {
  return c !== undefined && !isDigit(c) && !isLetter(c) && c !== '~' && c !== '^'
}

/** The `rpmvercmp` ordering of two version (or release) strings. */
export function rpmvercmp(a: string, b: string): number {
  if (a === b) return 0
  let i = 0
  let j = 0
  while (i < a.length || j < b.length) {
    while (isSeparator(a[i])) i++
    while (isSeparator(b[j])) j++
    const x = a[i]
    const y = b[j]
    if (x === '~' || y === '~') {
      if (x !== '~') return 1
      if (y !== '~') return -1
      i++
      j++
      continue
    }
    if (x === '^' || y === '^') {
      if (x === undefined) return -1
      if (y === undefined) return 1
      if (x !== '^') return 1
      if (y !== '^') return -1
      i++
      j++
      continue
    }
    if (x === undefined || y === undefined) break
    const numeric = isDigit(x)
    const test = numeric ? isDigit : isLetter
    const si = i
    while (test(a[i])) i++
    const sj = j
    while (test(b[j])) j++
    const left = a.slice(si, i)
    const right = b.slice(sj, j)
    // runs of different kinds: the numeric one is newer
    if (right === '') return numeric ? 1 : -1
    const c = numeric ? compareDigits(left, right) : compareAscii(left, right)
    if (c !== 0) return c
  }
  const aLeft = i < a.length
  const bLeft = j < b.length
  if (!aLeft && !bLeft) return 0
  return aLeft ? 1 : -1
}

/** Parses an RPM `[epoch:]version[-release]`, or null when empty or with a bad epoch. */
export function parse(evr: string): RpmVersion | null {
  if (evr === '' || /\s/.test(evr)) return null
  let rest = evr
  let epoch = 0
  const colon = rest.indexOf(':')
  if (colon !== -1) {
    const text = rest.slice(0, colon)
    if (!/^[0-9]{1,10}$/.test(text)) return null
    epoch = Number(text)
    rest = rest.slice(colon + 1)
  }
  const hyphen = rest.lastIndexOf('-')
  const version = hyphen === -1 ? rest : rest.slice(0, hyphen)
  const release = hyphen === -1 ? null : rest.slice(hyphen + 1)
  if (version === '' || release === '') return null
  return { epoch, version, release }
}

/** True when `evr` parses as an RPM EVR. */
export function isValid(evr: string): boolean {
  return parse(evr) !== null
}

/** Orders two parsed EVRs. */
export function compareParsed(a: RpmVersion, b: RpmVersion): number {
  if (a.epoch !== b.epoch) return a.epoch < b.epoch ? -1 : 1
  return rpmvercmp(a.version, b.version) || rpmvercmp(a.release ?? '', b.release ?? '')
}

/**
 * Orders two RPM EVRs: negative when `a` is older, 0 when equal, positive when newer.
 * Throws `VERSION_INVALID` when either does not parse.
 */
export function compare(a: string, b: string): number {
  const x = parse(a) ?? invalidVersion('rpm', a)
  const y = parse(b) ?? invalidVersion('rpm', b)
  return compareParsed(x, y)
}
