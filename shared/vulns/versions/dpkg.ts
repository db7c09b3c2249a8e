/**
 * Debian package versions, `[epoch:]upstream_version[-debian_revision]`, ordered as Debian
 * Policy §5.6.12 "Version" says.
 *
 * Each part is compared as alternating runs of non-digits and digits. Non-digit runs compare
 * character by character where `~` sorts before everything (even the end of the run), then
 * the end of the run, then letters (in ASCII order), then every other character (in ASCII
 * order). Digit runs compare numerically, a missing run counting as 0. An absent revision
 * equals an empty one, which equals `0`.
 *
 * @see https://www.debian.org/doc/debian-policy/ch-controlfields.html#version
 * @module
 */
import { invalidVersion } from '../errors.js'
import { compareDigits, sign } from './digits.js'

/** A parsed Debian version. `revision` is `''` when the version has no hyphen. */
export interface DpkgVersion {
  epoch: number
  upstream: string
  revision: string
}

const EPOCH = /^[0-9]+$/
const UPSTREAM_WITH_REVISION = /^[A-Za-z0-9.+~:-]+$/
const UPSTREAM_ALONE = /^[A-Za-z0-9.+~:]+$/
const REVISION = /^[A-Za-z0-9.+~]+$/

/**
 * Parses a Debian version (Policy §5.6.12), or returns null when it is not one: empty, with
 * spaces, a non-numeric epoch, an empty upstream version or revision, or characters outside
 * the allowed set. Policy says the upstream version *should* start with a digit; one that does
 * not is accepted, as dpkg accepts it with a warning.
 */
export function parse(version: string): DpkgVersion | null {
  let rest = version
  let epoch = 0
  const colon = rest.indexOf(':')
  if (colon !== -1) {
    const epochText = rest.slice(0, colon)
    if (!EPOCH.test(epochText) || epochText.length > 9) return null
    epoch = Number(epochText)
    rest = rest.slice(colon + 1)
  }
  let upstream = rest
  let revision = ''
  const hyphen = rest.lastIndexOf('-')
  if (hyphen !== -1) {
    upstream = rest.slice(0, hyphen)
    revision = rest.slice(hyphen + 1)
    if (!REVISION.test(revision)) return null
  }
  if (upstream === '') return null
  // colons are allowed in the upstream version only when there is an epoch
  if (colon === -1 && upstream.includes(':')) return null
  if (!(hyphen !== -1 ? UPSTREAM_WITH_REVISION : UPSTREAM_ALONE).test(upstream)) return null
  return { epoch, upstream, revision }
}

/** True when `version` is a valid Debian version. */
export function isValid(version: string): boolean {
  return parse(version) !== null
}

/** Weight of one character of a non-digit run; `undefined` is the end of the run. */
function weight(c: string | undefined): number {
  if (c === undefined) return 0
  if (c === '~') return -1
  const code = c.charCodeAt(0)
  if ((code >= 65 && code <= 90) || (code >= 97 && code <= 122)) return code
  return code + 256
}

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9'
}

/** Compares an upstream version or a revision with the §5.6.12 algorithm. */
export function compareFragment(a: string, b: string): number {
  let i = 0
  let j = 0
  while (i < a.length || j < b.length) {
    // the non-digit runs, character by character
    while ((i < a.length && !isDigit(a[i])) || (j < b.length && !isDigit(b[j]))) {
      const x = weight(isDigit(a[i]) ? undefined : a[i])
      const y = weight(isDigit(b[j]) ? undefined : b[j])
      if (x !== y) return sign(x - y)
      if (i < a.length && !isDigit(a[i])) i++
      if (j < b.length && !isDigit(b[j])) j++
    }
    // the digit runs, numerically
    const si = i
    while (isDigit(a[i])) i++
    const sj = j
    while (isDigit(b[j])) j++
    const c = compareDigits(a.slice(si, i), b.slice(sj, j))
    if (c !== 0) return c
  }
  return 0
}

/** Orders two parsed Debian versions. */
export function compareParsed(a: DpkgVersion, b: DpkgVersion): number {
  if (a.epoch !== b.epoch) return a.epoch < b.epoch ? -1 : 1
  return compareFragment(a.upstream, b.upstream) || compareFragment(a.revision, b.revision)
}

/**
 * Orders two Debian versions: negative when `a` is older, 0 when equal, positive when newer.
 * Throws `VERSION_INVALID` when either is not a valid Debian version.
 */
export function compare(a: string, b: string): number {
  const x = parse(a) ?? invalidVersion('dpkg', a)
  const y = parse(b) ?? invalidVersion('dpkg', b)
  return compareParsed(x, y)
}
