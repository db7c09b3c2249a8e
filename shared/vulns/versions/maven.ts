/**
 * Maven versions, ordered as the POM reference's "Version Order Specification" describes
 * (the order of Maven's `ComparableVersion`).
 *
 * A version is cut into tokens at `.`, at `-` and at each transition between digits and
 * letters (which counts as a `-`); empty tokens are `0`; everything is lower-cased. Each token
 * remembers its separator. `a`, `b` and `m` directly followed by a number mean `alpha`,
 * `beta` and `milestone`; `cr` means `rc`; `ga`, `final` and `release` mean the empty
 * qualifier. Then trailing "null" tokens (`0`, the empty qualifier) are trimmed from the end,
 * and again before each remaining `-`, from the end to the start.
 *
 * Tokens are compared left to right; the shorter version is padded with a null token of the
 * other side's kind (`.0`, `-0` or the empty qualifier). Between kinds:
 * `.qualifier` = `-qualifier` < `-number` < `.number`. Numbers compare numerically;
 * qualifiers in the order `alpha < beta < milestone < rc = cr < snapshot < "" = ga = final =
 * release < sp`, then any other qualifier, alphabetically.
 *
 * This follows the published specification, including its "1-ga-1 = 1-1" trimming; it may
 * differ from a given Maven release's implementation on exotic versions.
 *
 * @see https://maven.apache.org/pom.html#Version_Order_Specification
 * @module
 */
import { invalidVersion } from '../errors.js'
import { compareAscii, compareDigits } from './digits.js'

/** One token of a Maven version with the separator before it (`.` for the first). */
export type MavenToken = { kind: 'number'; separator: '.' | '-'; digits: string } | { kind: 'qualifier'; separator: '.' | '-'; qualifier: string }

/** A parsed Maven version: its tokens after trimming. */
export interface MavenVersion {
  tokens: MavenToken[]
}

/** The well-known qualifiers in order; the empty string is a release. */
export const MAVEN_QUALIFIERS = ['alpha', 'beta', 'milestone', 'rc', 'snapshot', '', 'sp'] as const

const ALIASES: Record<string, string> = { cr: 'rc', ga: '', final: '', release: '' }
const SHORT: Record<string, string> = { a: 'alpha', b: 'beta', m: 'milestone' }

function isNull(token: MavenToken): boolean {
  return token.kind === 'number' ? /^0*$/.test(token.digits) : token.qualifier === ''
}

/** Parses a Maven version; null only for an empty or blank string (Maven accepts anything). */
export function parse(version: string): MavenVersion | null {
  const text = version.trim().toLowerCase()
  if (text === '') return null
  // each raw token: its text, the separator before it, and whether that separator was a
  // digit/letter transition rather than a written `.` or `-`
  const raw: Array<{ separator: '.' | '-'; text: string; transition: boolean }> = []
  let separator: '.' | '-' = '.'
  let transition = false
  let current = ''
  const flush = (next: '.' | '-', nextIsTransition: boolean): void => {
    raw.push({ separator, text: current, transition })
    current = ''
    separator = next
    transition = nextIsTransition
  }
  for (const c of text) {
    if (c === '.' || c === '-') {
      flush(c, false)
      continue
    }
    const digit = c >= '0' && c <= '9'
    const last = current[current.length - 1]
    if (last !== undefined && digit !== (last >= '0' && last <= '9')) flush('-', true)
    current += c
  }
  flush('.', false)
  const tokens: MavenToken[] = raw.map((t, i) => {
    if (t.text === '' || /^[0-9]+$/.test(t.text)) return { kind: 'number', separator: t.separator, digits: t.text === '' ? '0' : t.text }
    const next = raw[i + 1]
    const followedByNumber = next !== undefined && next.transition
    const name = followedByNumber ? (SHORT[t.text] ?? t.text) : t.text
    return { kind: 'qualifier', separator: t.separator, qualifier: ALIASES[name] ?? name }
  })
  return { tokens: trim(tokens) }
}

/** Trims null tokens at the end, then before each `-`, from the end to the start. */
function trim(tokens: MavenToken[]): MavenToken[] {
  const out = [...tokens]
  let end = out.length
  for (;;) {
    while (end > 0 && isNull(out[end - 1]!)) out.splice(--end, 1)
    // the next hyphen to the left of `end`
    let h = end - 1
    while (h > 0 && out[h]!.separator !== '-') h--
    if (h <= 0) break
    end = h
  }
  return out
}

/** True when `version` is usable as a Maven version (any non-blank string is). */
export function isValid(version: string): boolean {
  return parse(version) !== null
}

function qualifierRank(q: string): number {
  const i = (MAVEN_QUALIFIERS as readonly string[]).indexOf(q)
  return i === -1 ? MAVEN_QUALIFIERS.length : i
}

function compareQualifiers(a: string, b: string): number {
  const x = qualifierRank(a)
  const y = qualifierRank(b)
  if (x !== y) return x < y ? -1 : 1
  return x === MAVEN_QUALIFIERS.length ? compareAscii(a, b) : 0
}

/** `.qualifier` = `-qualifier` < `-number` < `.number`. */
function kindRank(t: MavenToken): number {
  if (t.kind === 'qualifier') return 0
  return t.separator === '-' ? 1 : 2
}

function compareTokens(a: MavenToken, b: MavenToken): number {
  const x = kindRank(a)
  const y = kindRank(b)
  if (x !== y) return x < y ? -1 : 1
  if (a.kind === 'number' && b.kind === 'number') return compareDigits(a.digits, b.digits)
  if (a.kind === 'qualifier' && b.kind === 'qualifier') return compareQualifiers(a.qualifier, b.qualifier)
  return 0
}

/** The null token that pads the shorter version against `other`. */
function padFor(other: MavenToken): MavenToken {
  return other.kind === 'number' ? { kind: 'number', separator: other.separator, digits: '0' } : { kind: 'qualifier', separator: other.separator, qualifier: '' }
}

/** Orders two parsed Maven versions. */
export function compareParsed(a: MavenVersion, b: MavenVersion): number {
  const n = Math.max(a.tokens.length, b.tokens.length)
  for (let i = 0; i < n; i++) {
    const y0 = b.tokens[i]
    const x = a.tokens[i] ?? padFor(y0!)
    const y = y0 ?? padFor(x)
    const c = compareTokens(x, y)
    if (c !== 0) return c
  }
  return 0
}

/**
 * Orders two Maven versions: negative when `a` is older, 0 when equal, positive when newer.
 * Throws `VERSION_INVALID` only for blank versions.
 */
export function compare(a: string, b: string): number {
  const x = parse(a) ?? invalidVersion('Maven', a)
  const y = parse(b) ?? invalidVersion('Maven', b)
  return compareParsed(x, y)
}
