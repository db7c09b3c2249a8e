/**
 * Finds secrets in one text: every rule whose keywords occur runs its pattern; each match is
 * checked for entropy, the rule's own validation and the allow rules, and reported with its
 * line, column and a redacted preview. Pure and synchronous.
 *
 * @module
 */
import { redact } from '../../report/redact.js'
import { type AllowRule, PATH_ALLOW_RULES, pathAllowRule, VALUE_ALLOW_RULES, valueAllowRule } from './allow-rules.js'
import { type KeywordMatcher, keywordMatcher } from './keyword-matcher.js'
import { SECRET_RULES, type SecretRule } from './secret-rules.js'

export interface SecretMatch {
  ruleId: string
  /** 1-based line of the first character of the secret. */
  line: number
  /** 1-based column (UTF-16 code units) of the first character of the secret. */
  column: number
  /** The name the secret was assigned to (when the rule knows it) and a redacted preview; never the secret. */
  evidence: string
}

export interface ScanTextOptions {
  /** Defaults to {@link SECRET_RULES}. */
  rules?: readonly SecretRule[]
  /** Path allow rules; defaults to {@link PATH_ALLOW_RULES}. Pass `[]` to scan every path. */
  pathAllowRules?: readonly AllowRule[]
  /** Value allow rules; defaults to {@link VALUE_ALLOW_RULES}. */
  valueAllowRules?: readonly AllowRule[]
  /** At most this many matches of one rule in one text (default 20). */
  maxMatchesPerRule?: number
  /** At most this many matches in one text (default 100): the first ones by position. */
  maxMatchesPerFile?: number
}

export const DEFAULT_MAX_MATCHES_PER_RULE = 20
export const DEFAULT_MAX_MATCHES_PER_FILE = 100
/** Longest variable name kept in evidence. */
const MAX_NAME = 64

/** Shannon entropy of `value` in bits per character (0 for an empty string). */
export function shannonEntropy(value: string): number {
  if (value.length === 0) return 0
  const counts = new Map<string, number>()
  for (const char of value) counts.set(char, (counts.get(char) ?? 0) + 1)
  let length = 0
  for (const count of counts.values()) length += count
  let entropy = 0
  for (const count of counts.values()) {
    const p = count / length
    entropy -= p * Math.log2(p)
  }
  return entropy
}

const compiled = new WeakMap<SecretRule, RegExp>()

/** The rule's pattern with the `g` (iterate) and `d` (group indices) flags; built once per rule. */
function globalPattern(rule: SecretRule): RegExp {
  let pattern = compiled.get(rule)
  if (pattern === undefined) {
    const flags = new Set([...rule.pattern.flags].filter((flag) => 'ims'.includes(flag)))
    flags.add('g')
    flags.add('d')
    pattern = new RegExp(rule.pattern.source, [...flags].join(''))
    compiled.set(rule, pattern)
  }
  return pattern
}

interface Prefilter {
  matcher: KeywordMatcher
  /** For each keyword, the positions (in the rule set) of the rules that use it. */
  rulesByKeyword: Map<string, number[]>
}

const prefilters = new WeakMap<readonly SecretRule[], Prefilter>()

/** The keyword pre-filter of a rule set, built once per rule set. */
function prefilterFor(rules: readonly SecretRule[]): Prefilter {
  let prefilter = prefilters.get(rules)
  if (prefilter === undefined) {
    const rulesByKeyword = new Map<string, number[]>()
    rules.forEach((rule, order) => {
      for (const keyword of new Set(rule.keywords)) {
        const list = rulesByKeyword.get(keyword)
        if (list) list.push(order)
        else rulesByKeyword.set(keyword, [order])
      }
    })
    prefilter = { matcher: keywordMatcher(rules.flatMap((rule) => rule.keywords)), rulesByKeyword }
    prefilters.set(rules, prefilter)
  }
  return prefilter
}

/** The positions of the rules one of whose keywords occurred, in rule order. */
function candidateRules(prefilter: Prefilter, present: ReadonlySet<string>): number[] {
  const candidates = new Set<number>()
  for (const keyword of present) for (const order of prefilter.rulesByKeyword.get(keyword) ?? []) candidates.add(order)
  return [...candidates].sort((a, b) => a - b)
}

interface Found {
  rule: SecretRule
  order: number
  start: number
  end: number
  evidence: string
}

/** The variable name the match was assigned to, extended to the left over identifier characters (`DB_` + `PASSWORD`). */
function nameOf(text: string, match: RegExpExecArray): string | undefined {
  const range = match.indices?.groups?.name
  if (range === undefined) return undefined
  let start = range[0]
  while (start > 0 && range[1] - start < MAX_NAME && /[A-Za-z0-9_.-]/.test(text[start - 1] ?? '')) start--
  const name = text.slice(start, range[1]).replace(/^[._-]+/, '')
  return name === '' ? undefined : name
}

function overlaps(found: readonly Found[], start: number, end: number): boolean {
  return found.some((f) => start < f.end && f.start < end)
}

/** 1-based line and column of `offset`, from the sorted offsets where lines start. */
function position(lineStarts: readonly number[], offset: number): { line: number; column: number } {
  let low = 0
  let high = lineStarts.length - 1
  while (low < high) {
    const mid = (low + high + 1) >> 1
    if ((lineStarts[mid] ?? 0) <= offset) low = mid
    else high = mid - 1
  }
  return { line: low + 1, column: offset - (lineStarts[low] ?? 0) + 1 }
}

function lineStartsOf(text: string): number[] {
  const starts = [0]
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1)
  return starts
}

/**
 * The secrets in `text` (the content of the file at `path`), in order of position. Files
 * under a path allow rule give nothing; a match is dropped when its secret is below the
 * rule's entropy, fails the rule's validation, matches a value allow rule, or overlaps a
 * secret an earlier (more specific) rule already found.
 */
export function scanText(text: string, path: string, options: ScanTextOptions = {}): SecretMatch[] {
  const rules = options.rules ?? SECRET_RULES
  const valueRules = options.valueAllowRules ?? VALUE_ALLOW_RULES
  const maxPerRule = options.maxMatchesPerRule ?? DEFAULT_MAX_MATCHES_PER_RULE
  const maxPerFile = options.maxMatchesPerFile ?? DEFAULT_MAX_MATCHES_PER_FILE
  if (text === '' || maxPerRule <= 0 || maxPerFile <= 0) return []
  if (pathAllowRule(path, options.pathAllowRules ?? PATH_ALLOW_RULES) !== undefined) return []

  const prefilter = prefilterFor(rules)
  const present = prefilter.matcher.find(text)
  if (present.size === 0) return []
  const found: Found[] = []
  // most texts hold none or a few of the keywords: only their rules are looked at
  for (const order of candidateRules(prefilter, present)) {
    const rule = rules[order]!
    if (rule.path !== undefined && !rule.path.test(path)) continue
    const pattern = globalPattern(rule)
    pattern.lastIndex = 0
    let count = 0
    for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) {
      if (match[0] === '') pattern.lastIndex++
      const secret = match.groups?.secret
      const range = match.indices?.groups?.secret
      if (secret === undefined || range === undefined || secret === '') continue
      const [start, end] = range
      if (rule.minEntropy !== undefined && shannonEntropy(secret) < rule.minEntropy) continue
      if (rule.validate !== undefined && !rule.validate(secret, match)) continue
      if (valueAllowRule(secret, rule.kind ?? 'token', valueRules) !== undefined) continue
      if (overlaps(found, start, end)) continue
      const name = nameOf(text, match)
      found.push({ rule, order, start, end, evidence: name === undefined ? redact(secret) : `${name}: ${redact(secret)}` })
      if (++count >= maxPerRule) break
    }
  }
  if (found.length === 0) return []

  found.sort((a, b) => a.start - b.start || a.order - b.order)
  const lineStarts = lineStartsOf(text)
  return found.slice(0, maxPerFile).map((f) => ({ ruleId: f.rule.id, ...position(lineStarts, f.start), evidence: f.evidence }))
}
