/**
 * Python package versions, PEP 440 (now the "Version specifiers" specification of the Python
 * Packaging User Guide): `[N!]N(.N)*[{a|b|rc}N][.postN][.devN][+local]`.
 *
 * Parsing accepts the spellings the specification normalises: any case, a leading `v`,
 * surrounding whitespace, `alpha`/`beta`/`c`/`pre`/`preview` for `a`/`b`/`rc`/`rc`/`rc`,
 * `rev`/`r` for `post`, `.`/`-`/`_` separators before pre, post and dev segments, implicit
 * numbers (`1.0a` is `1.0a0`), implicit post releases (`1.0-1` is `1.0.post1`) and `-`/`_` in
 * local versions (`+ubuntu-1` is `+ubuntu.1`).
 *
 * Ordering: epoch, then the release (trailing zeros ignored, so `1.0 == 1.0.0`), then
 * `.devN` of a final release < pre-releases < the final release < post-releases, then the
 * dev release of each, then the local version (a version without one sorts first; numeric
 * local segments sort after alphanumeric ones).
 *
 * @see https://packaging.python.org/en/latest/specifications/version-specifiers/
 * @see https://peps.python.org/pep-0440/
 * @module
 */
import { invalidVersion } from '../errors.js'
import { compareAscii, compareDigits } from './digits.js'

/** A parsed PEP 440 version; numbers are digit strings without leading zeros. */
export interface Pep440Version {
  epoch: string
  release: string[]
  pre: { label: 'a' | 'b' | 'rc'; number: string } | null
  post: string | null
  dev: string | null
  local: string[]
}

const PATTERN = new RegExp(
  '^\\s*v?' +
    '(?:([0-9]+)!)?' + // epoch
    '([0-9]+(?:\\.[0-9]+)*)' + // release
    '(?:[-_.]?(a|b|c|rc|alpha|beta|pre|preview)[-_.]?([0-9]+)?)?' + // pre-release
    '(?:-([0-9]+)|[-_.]?(post|rev|r)[-_.]?([0-9]+)?)?' + // post release
    '(?:[-_.]?(dev)[-_.]?([0-9]+)?)?' + // dev release
    '(?:\\+([a-z0-9]+(?:[-_.][a-z0-9]+)*))?' + // local version
    '\\s*$',
  'i',
)

const PRE_LABELS: Record<string, 'a' | 'b' | 'rc'> = { a: 'a', alpha: 'a', b: 'b', beta: 'b', c: 'rc', rc: 'rc', pre: 'rc', preview: 'rc' }

function number(digits: string | undefined): string {
  return (digits ?? '0').replace(/^0+(?=[0-9])/, '')
}

/** Parses a PEP 440 version, normalising the alternative spellings, or returns null. */
export function parse(version: string): Pep440Version | null {
  const m = PATTERN.exec(version)
  if (!m) return null
  const preLabel = m[3]?.toLowerCase()
  return {
    epoch: number(m[1]),
    release: m[2]!.split('.').map(number),
    pre: preLabel === undefined ? null : { label: PRE_LABELS[preLabel]!, number: number(m[4]) },
    post: m[5] !== undefined ? number(m[5]) : m[6] !== undefined ? number(m[7]) : null,
    dev: m[8] !== undefined ? number(m[9]) : null,
    local: m[10] === undefined ? [] : m[10].toLowerCase().split(/[-_.]/).map((s) => (/^[0-9]+$/.test(s) ? number(s) : s)),
  }
}

/** True when `version` is a valid PEP 440 version (in any permitted spelling). */
export function isValid(version: string): boolean {
  return parse(version) !== null
}

/** The normalised form of a version (`1.0-RC1` → `1.0rc1`, `1.0-1` → `1.0.post1`), or null. */
export function normalise(version: string): string | null {
  const v = parse(version)
  if (!v) return null
  let out = v.epoch === '0' ? '' : `${v.epoch}!`
  out += v.release.join('.')
  if (v.pre) out += `${v.pre.label}${v.pre.number}`
  if (v.post !== null) out += `.post${v.post}`
  if (v.dev !== null) out += `.dev${v.dev}`
  if (v.local.length > 0) out += `+${v.local.join('.')}`
  return out
}

const PRE_ORDER = { a: 0, b: 1, rc: 2 } as const

function compareRelease(a: readonly string[], b: readonly string[]): number {
  const n = Math.max(a.length, b.length)
  for (let i = 0; i < n; i++) {
    const c = compareDigits(a[i] ?? '0', b[i] ?? '0')
    if (c !== 0) return c
  }
  return 0
}

/** The pre-release phase: a dev release of a final version sorts before every pre-release. */
function prePhase(v: Pep440Version): number {
  if (v.pre) return 1
  if (v.post === null && v.dev !== null) return 0
  return 2
}

function compareLocal(a: readonly string[], b: readonly string[]): number {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) {
    const x = a[i]!
    const y = b[i]!
    const xn = /^[0-9]+$/.test(x)
    const yn = /^[0-9]+$/.test(y)
    const c = xn && yn ? compareDigits(x, y) : xn !== yn ? (xn ? 1 : -1) : compareAscii(x, y)
    if (c !== 0) return c
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1
}

/** Orders two parsed versions. */
export function compareParsed(a: Pep440Version, b: Pep440Version): number {
  let c = compareDigits(a.epoch, b.epoch) || compareRelease(a.release, b.release)
  if (c !== 0) return c
  c = prePhase(a) - prePhase(b)
  if (c !== 0) return c < 0 ? -1 : 1
  if (a.pre && b.pre) {
    c = PRE_ORDER[a.pre.label] - PRE_ORDER[b.pre.label]
    if (c !== 0) return c < 0 ? -1 : 1
    c = compareDigits(a.pre.number, b.pre.number)
    if (c !== 0) return c
  }
  // no post release sorts before any post release
  if (a.post !== b.post) {
    if (a.post === null) return -1
    if (b.post === null) return 1
    c = compareDigits(a.post, b.post)
    if (c !== 0) return c
  }
  // a dev release sorts before the same version without one
  if (a.dev !== b.dev) {
    if (a.dev === null) return 1
    if (b.dev === null) return -1
    c = compareDigits(a.dev, b.dev)
    if (c !== 0) return c
  }
  return compareLocal(a.local, b.local)
}

/**
 * Orders two PEP 440 versions: negative when `a` is older, 0 when equal, positive when
 * newer. Throws `VERSION_INVALID` on an invalid version.
 */
export function compare(a: string, b: string): number {
  const x = parse(a) ?? invalidVersion('PEP 440', a)
  const y = parse(b) ?? invalidVersion('PEP 440', b)
  return compareParsed(x, y)
}
