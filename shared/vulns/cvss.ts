/**
 * CVSS base scores from vector strings: v2.0, v3.0, v3.1 and v4.0, and the qualitative
 * severity of a score.
 *
 * - v2.0: the base equation of the CVSS v2 Complete Guide, §3.2.1.
 * - v3.0 / v3.1: the base equations of the v3.1 specification, §7.1 and Appendix A (v3.1's
 *   `Roundup`); v3.0 vectors use v3.0's round-up to one decimal (specification v3.0, §8.1).
 * - v4.0: the MacroVector scoring of the v4.0 specification, §8 ("CVSS v4.0 Scoring"): the
 *   vector's six equivalence classes (EQ1–EQ6) select a MacroVector whose score comes from the
 *   specification's table of 270 MacroVector scores; the score is then lowered by the mean,
 *   over the EQs that have a lower MacroVector, of the scoring difference to that MacroVector
 *   scaled by the vector's severity distance from the MacroVector's highest-severity vectors.
 *   Threat (`E`) and Environmental metrics in the vector take part, as the specification
 *   says (so a CVSS-BTE vector gets its BTE score); Supplemental metrics do not.
 *
 * @see https://www.first.org/cvss/v2/guide
 * @see https://www.first.org/cvss/v3.1/specification-document
 * @see https://www.first.org/cvss/v3.0/specification-document
 * @see https://www.first.org/cvss/v4.0/specification-document
 * @module
 */
import { VulnDataError, VulnErrorCode } from './errors.js'

/** CVSS versions understood. */
export const CvssVersion = {
  V2: '2.0',
  V30: '3.0',
  V31: '3.1',
  V40: '4.0',
} as const
export type CvssVersion = (typeof CvssVersion)[keyof typeof CvssVersion]

/** The qualitative severity rating scale (v3.1 §5, v4.0 §6). */
export const CvssRating = {
  None: 'none',
  Low: 'low',
  Medium: 'medium',
  High: 'high',
  Critical: 'critical',
} as const
export type CvssRating = (typeof CvssRating)[keyof typeof CvssRating]

/** A scored vector. */
export interface CvssScore {
  version: CvssVersion
  score: number
  rating: CvssRating
}

function invalid(vector: string, why: string): never {
  throw new VulnDataError(VulnErrorCode.RecordInvalid, `invalid CVSS vector ${JSON.stringify(vector)}: ${why}`)
}

/** Splits `K:V/K:V/…` into a map; duplicates and unknown keys or values are errors. */
function readMetrics(vector: string, parts: string[], allowed: Record<string, readonly string[]>): Map<string, string> {
  const metrics = new Map<string, string>()
  for (const part of parts) {
    const colon = part.indexOf(':')
    if (colon <= 0) invalid(vector, `malformed metric ${JSON.stringify(part)}`)
    const key = part.slice(0, colon)
    const value = part.slice(colon + 1)
    const values = Object.hasOwn(allowed, key) ? allowed[key] : undefined
    if (values === undefined) invalid(vector, `unknown metric ${key}`)
    if (!values.includes(value)) invalid(vector, `bad value ${JSON.stringify(value)} for ${key}`)
    if (metrics.has(key)) invalid(vector, `metric ${key} given twice`)
    metrics.set(key, value)
  }
  return metrics
}

function requireAll(vector: string, metrics: Map<string, string>, keys: readonly string[]): void {
  const missing = keys.filter((key) => !metrics.has(key))
  if (missing.length > 0) invalid(vector, `missing base metric${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`)
}

/** The rating of a score: 0 none, 0.1–3.9 low, 4.0–6.9 medium, 7.0–8.9 high, 9.0–10 critical. */
export function ratingOf(score: number): CvssRating {
  if (score <= 0) return CvssRating.None
  if (score < 4) return CvssRating.Low
  if (score < 7) return CvssRating.Medium
  if (score < 9) return CvssRating.High
  return CvssRating.Critical
}

// ---------------------------------------------------------------------------------------------
// CVSS v2.0

const V2_BASE = ['AV', 'AC', 'Au', 'C', 'I', 'A'] as const
const V2_METRICS: Record<string, readonly string[]> = {
  AV: ['L', 'A', 'N'],
  AC: ['H', 'M', 'L'],
  Au: ['M', 'S', 'N'],
  C: ['N', 'P', 'C'],
  I: ['N', 'P', 'C'],
  A: ['N', 'P', 'C'],
  E: ['U', 'POC', 'F', 'H', 'ND'],
  RL: ['OF', 'TF', 'W', 'U', 'ND'],
  RC: ['UC', 'UR', 'C', 'ND'],
  CDP: ['N', 'L', 'LM', 'MH', 'H', 'ND'],
  TD: ['N', 'L', 'M', 'H', 'ND'],
  CR: ['L', 'M', 'H', 'ND'],
  IR: ['L', 'M', 'H', 'ND'],
  AR: ['L', 'M', 'H', 'ND'],
}
const V2_WEIGHTS: Record<string, Record<string, number>> = {
  AV: { L: 0.395, A: 0.646, N: 1.0 },
  AC: { H: 0.35, M: 0.61, L: 0.71 },
  Au: { M: 0.45, S: 0.56, N: 0.704 },
  C: { N: 0, P: 0.275, C: 0.66 },
  I: { N: 0, P: 0.275, C: 0.66 },
  A: { N: 0, P: 0.275, C: 0.66 },
}

/**
 * The CVSS v2 base score of `AV:N/AC:L/Au:N/C:P/I:P/A:P` (also accepted in parentheses or
 * with a `CVSS:2.0/` prefix). Throws `VULN_RECORD_INVALID` for a malformed vector.
 */
export function cvssV2BaseScore(vector: string): number {
  let body = vector.trim()
  if (body.startsWith('(') && body.endsWith(')')) body = body.slice(1, -1)
  if (body.startsWith('CVSS:2.0/')) body = body.slice('CVSS:2.0/'.length)
  if (body === '') invalid(vector, 'empty')
  const metrics = readMetrics(vector, body.split('/'), V2_METRICS)
  requireAll(vector, metrics, V2_BASE)
  const w = (key: (typeof V2_BASE)[number]): number => V2_WEIGHTS[key]![metrics.get(key)!]!
  const impact = 10.41 * (1 - (1 - w('C')) * (1 - w('I')) * (1 - w('A')))
  const exploitability = 20 * w('AV') * w('AC') * w('Au')
  const f = impact === 0 ? 0 : 1.176
  return roundHalfUp1(((0.6 * impact + 0.4 * exploitability - 1.5) * f))
}

/** Rounds to one decimal, halves up, tolerating the binary error of the equations. */
function roundHalfUp1(x: number): number {
  return Math.max(0, Math.round(x * 10 + 1e-9) / 10)
}

// ---------------------------------------------------------------------------------------------
// CVSS v3.0 / v3.1

const V3_BASE = ['AV', 'AC', 'PR', 'UI', 'S', 'C', 'I', 'A'] as const
const CIA = ['X', 'H', 'L', 'N'] as const
const V3_METRICS: Record<string, readonly string[]> = {
  AV: ['N', 'A', 'L', 'P'],
  AC: ['L', 'H'],
  PR: ['N', 'L', 'H'],
  UI: ['N', 'R'],
  S: ['U', 'C'],
  C: ['H', 'L', 'N'],
  I: ['H', 'L', 'N'],
  A: ['H', 'L', 'N'],
  E: ['X', 'H', 'F', 'P', 'U'],
  RL: ['X', 'U', 'W', 'T', 'O'],
  RC: ['X', 'C', 'R', 'U'],
  CR: ['X', 'H', 'M', 'L'],
  IR: ['X', 'H', 'M', 'L'],
  AR: ['X', 'H', 'M', 'L'],
  MAV: ['X', 'N', 'A', 'L', 'P'],
  MAC: ['X', 'L', 'H'],
  MPR: ['X', 'N', 'L', 'H'],
  MUI: ['X', 'N', 'R'],
  MS: ['X', 'U', 'C'],
  MC: CIA,
  MI: CIA,
  MA: CIA,
}
const V3_AV: Record<string, number> = { N: 0.85, A: 0.62, L: 0.55, P: 0.2 }
const V3_AC: Record<string, number> = { L: 0.77, H: 0.44 }
const V3_UI: Record<string, number> = { N: 0.85, R: 0.62 }
const V3_CIA: Record<string, number> = { H: 0.56, L: 0.22, N: 0 }

/** v3.1 Appendix A `Roundup`: the smallest one-decimal number ≥ input, free of float error. */
export function roundUpV31(input: number): number {
  const intInput = Math.round(input * 100000)
  if (intInput % 10000 === 0) return intInput / 100000
  return (Math.floor(intInput / 10000) + 1) / 10
}

/** v3.0 round up: the smallest one-decimal number ≥ input. */
function roundUpV30(input: number): number {
  return Math.ceil(input * 10) / 10
}

/**
 * The CVSS v3.0 or v3.1 base score of `CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H`.
 * Temporal and Environmental metrics are validated but do not change the base score.
 * Throws `VULN_RECORD_INVALID` for a malformed vector.
 */
export function cvssV3BaseScore(vector: string): number {
  const parts = vector.trim().split('/')
  const prefix = parts.shift()
  if (prefix !== 'CVSS:3.0' && prefix !== 'CVSS:3.1') invalid(vector, 'expected the prefix CVSS:3.0/ or CVSS:3.1/')
  const m = readMetrics(vector, parts, V3_METRICS)
  requireAll(vector, m, V3_BASE)
  const changed = m.get('S') === 'C'
  const pr = m.get('PR')!
  const prWeight = pr === 'N' ? 0.85 : pr === 'L' ? (changed ? 0.68 : 0.62) : changed ? 0.5 : 0.27
  const iss = 1 - (1 - V3_CIA[m.get('C')!]!) * (1 - V3_CIA[m.get('I')!]!) * (1 - V3_CIA[m.get('A')!]!)
  const impact = changed ? 7.52 * (iss - 0.029) - 3.25 * Math.pow(iss - 0.02, 15) : 6.42 * iss
  const exploitability = 8.22 * V3_AV[m.get('AV')!]! * V3_AC[m.get('AC')!]! * prWeight * V3_UI[m.get('UI')!]!
  if (impact <= 0) return 0
  const roundUp = prefix === 'CVSS:3.1' ? roundUpV31 : roundUpV30
  return roundUp(Math.min(changed ? 1.08 * (impact + exploitability) : impact + exploitability, 10))
}

// ---------------------------------------------------------------------------------------------
// CVSS v4.0

const V4_BASE = ['AV', 'AC', 'AT', 'PR', 'UI', 'VC', 'VI', 'VA', 'SC', 'SI', 'SA'] as const
const V4_METRICS: Record<string, readonly string[]> = {
  AV: ['N', 'A', 'L', 'P'],
  AC: ['L', 'H'],
  AT: ['N', 'P'],
  PR: ['N', 'L', 'H'],
  UI: ['N', 'P', 'A'],
  VC: ['H', 'L', 'N'],
  VI: ['H', 'L', 'N'],
  VA: ['H', 'L', 'N'],
  SC: ['H', 'L', 'N'],
  SI: ['H', 'L', 'N'],
  SA: ['H', 'L', 'N'],
  E: ['X', 'A', 'P', 'U'],
  CR: ['X', 'H', 'M', 'L'],
  IR: ['X', 'H', 'M', 'L'],
  AR: ['X', 'H', 'M', 'L'],
  MAV: ['X', 'N', 'A', 'L', 'P'],
  MAC: ['X', 'L', 'H'],
  MAT: ['X', 'N', 'P'],
  MPR: ['X', 'N', 'L', 'H'],
  MUI: ['X', 'N', 'P', 'A'],
  MVC: ['X', 'H', 'L', 'N'],
  MVI: ['X', 'H', 'L', 'N'],
  MVA: ['X', 'H', 'L', 'N'],
  MSC: ['X', 'H', 'L', 'N'],
  MSI: ['X', 'S', 'H', 'L', 'N'],
  MSA: ['X', 'S', 'H', 'L', 'N'],
  S: ['X', 'N', 'P'],
  AU: ['X', 'N', 'Y'],
  R: ['X', 'A', 'U', 'I'],
  V: ['X', 'D', 'C'],
  RE: ['X', 'L', 'M', 'H'],
  U: ['X', 'Clear', 'Green', 'Amber', 'Red'],
}

/**
 * The specification's MacroVector scores. The key is EQ1 EQ2 EQ3; the values run over
 * EQ4 (0–2), then EQ5 (0–2), then EQ6 (0–1), so the index is `EQ4*6 + EQ5*2 + EQ6`; for EQ3 = 2
 * only EQ6 = 1 exists and the index is `EQ4*3 + EQ5`. 6 × (18 + 18 + 9) = 270 MacroVectors.
 */
const MACROVECTOR_SCORES: Record<string, readonly number[]> = {
  '000': [10, 9.9, 9.8, 9.5, 9.5, 9.2, 10, 9.6, 9.3, 8.7, 9.1, 8.1, 9.3, 9, 8.9, 8, 8.1, 6.8],
  '001': [9.8, 9.5, 9.5, 9.2, 9, 8.4, 9.3, 9.2, 8.9, 8.1, 8.1, 6.5, 8.8, 8, 7.8, 7, 6.9, 4.8],
  '002': [9.2, 8.2, 7.2, 7.9, 6.9, 5, 6.9, 5.5, 2.7],
  '010': [9.9, 9.7, 9.5, 9.2, 9.2, 8.5, 9.5, 9.1, 9, 8.3, 8.4, 7.1, 9.2, 8.1, 8.2, 7.1, 7.2, 5.3],
  '011': [9.5, 9.3, 9.2, 8.5, 8.5, 7.3, 9.2, 8.2, 8, 7.2, 7, 5.9, 8.4, 7, 7.1, 5.2, 5, 3],
  '012': [8.6, 7.5, 5.2, 7.1, 5.2, 2.9, 6.3, 2.9, 1.7],
  '100': [9.8, 9.5, 9.4, 8.7, 9.1, 8.1, 9.4, 8.9, 8.6, 7.4, 7.7, 6.4, 8.7, 7.5, 7.4, 6.3, 6.3, 4.9],
  '101': [9.4, 8.9, 8.8, 7.7, 7.6, 6.7, 8.6, 7.6, 7.4, 5.8, 5.9, 5, 7.2, 5.7, 5.7, 5.2, 5.2, 2.5],
  '102': [8.3, 7, 5.4, 6.5, 5.8, 2.6, 5.3, 2.1, 1.3],
  '110': [9.5, 9, 8.8, 7.6, 7.6, 7, 9, 7.7, 7.5, 6.2, 6.1, 5.3, 7.7, 6.6, 6.8, 5.9, 5.2, 3],
  '111': [8.9, 7.8, 7.6, 6.7, 6.2, 5.8, 7.4, 5.9, 5.7, 5.7, 4.7, 2.3, 6.1, 5.2, 5.7, 2.9, 2.4, 1.6],
  '112': [7.1, 5.9, 3, 5.8, 2.6, 1.5, 2.3, 1.3, 0.6],
  '200': [9.3, 8.7, 8.6, 7.2, 7.5, 5.8, 8.6, 7.4, 7.4, 6.1, 5.6, 3.4, 7, 5.4, 5.2, 4, 4, 2.2],
  '201': [8.5, 7.5, 7.4, 5.5, 6.2, 5.1, 7.2, 5.7, 5.5, 4.1, 4.6, 1.9, 5.3, 3.6, 3.4, 1.9, 1.9, 0.8],
  '202': [6.4, 5.1, 2, 4.7, 2.1, 1.1, 2.4, 0.9, 0.4],
  '210': [8.8, 7.5, 7.3, 5.3, 6, 5, 7.3, 5.5, 5.9, 4, 4.1, 2, 5.4, 4.3, 4.5, 2.2, 2, 1.1],
  '211': [7.5, 5.5, 5.8, 4.5, 4, 2.1, 6.1, 5.1, 4.8, 1.8, 2, 0.9, 4.6, 1.8, 1.7, 0.7, 0.8, 0.2],
  '212': [5.3, 2.4, 1.4, 2.4, 1.2, 0.5, 1, 0.3, 0.1],
}

/** The score of a MacroVector such as `000200`, or undefined when it does not exist. */
export function macroVectorScore(macroVector: string): number | undefined {
  if (!/^[0-2][01][0-2][0-2][0-2][01]$/.test(macroVector)) return undefined
  const eq = [...macroVector].map(Number) as [number, number, number, number, number, number]
  const row = MACROVECTOR_SCORES[macroVector.slice(0, 3)]
  if (!row) return undefined
  if (eq[2] === 2) return eq[5] === 1 ? row[eq[3] * 3 + eq[4]] : undefined
  return row[eq[3] * 6 + eq[4] * 2 + eq[5]]
}

/** Highest-severity vectors of each MacroVector level, per EQ (specification §8.2). */
const MAX_VECTORS = {
  eq1: [['AV:N/PR:N/UI:N'], ['AV:A/PR:N/UI:N', 'AV:N/PR:L/UI:N', 'AV:N/PR:N/UI:P'], ['AV:P/PR:N/UI:N', 'AV:A/PR:L/UI:P']],
  eq2: [['AC:L/AT:N'], ['AC:H/AT:N', 'AC:L/AT:P']],
  // indexed [EQ3][EQ6]
  eq3eq6: [
    [['VC:H/VI:H/VA:H/CR:H/IR:H/AR:H'], ['VC:H/VI:H/VA:L/CR:M/IR:M/AR:H', 'VC:H/VI:H/VA:H/CR:M/IR:M/AR:M']],
    [
      ['VC:L/VI:H/VA:H/CR:H/IR:H/AR:H', 'VC:H/VI:L/VA:H/CR:H/IR:H/AR:H'],
      ['VC:L/VI:H/VA:L/CR:H/IR:M/AR:H', 'VC:L/VI:H/VA:H/CR:H/IR:M/AR:M', 'VC:H/VI:L/VA:H/CR:M/IR:H/AR:M', 'VC:H/VI:L/VA:L/CR:M/IR:H/AR:H', 'VC:L/VI:L/VA:H/CR:H/IR:H/AR:M'],
    ],
    [[], ['VC:L/VI:L/VA:L/CR:H/IR:H/AR:H']],
  ],
  eq4: [['SC:H/SI:S/SA:S'], ['SC:H/SI:H/SA:H'], ['SC:L/SI:L/SA:L']],
  eq5: [['E:A'], ['E:P'], ['E:U']],
} as const

/** The depth (maximal severity distance + 1) of each EQ level, in steps of 0.1. */
const DEPTHS = {
  eq1: [1, 4, 5],
  eq2: [1, 2],
  eq3eq6: [
    [7, 6],
    [8, 8],
    [NaN, 10],
  ],
  eq4: [6, 5, 4],
} as const

/** Severity levels of each metric's values, in steps of 0.1 (lower is more severe). */
const LEVELS: Record<string, Record<string, number>> = {
  AV: { N: 0.0, A: 0.1, L: 0.2, P: 0.3 },
  PR: { N: 0.0, L: 0.1, H: 0.2 },
  UI: { N: 0.0, P: 0.1, A: 0.2 },
  AC: { L: 0.0, H: 0.1 },
  AT: { N: 0.0, P: 0.1 },
  VC: { H: 0.0, L: 0.1, N: 0.2 },
  VI: { H: 0.0, L: 0.1, N: 0.2 },
  VA: { H: 0.0, L: 0.1, N: 0.2 },
  SC: { H: 0.1, L: 0.2, N: 0.3 },
  SI: { S: 0.0, H: 0.1, L: 0.2, N: 0.3 },
  SA: { S: 0.0, H: 0.1, L: 0.2, N: 0.3 },
  CR: { H: 0.0, M: 0.1, L: 0.2 },
  IR: { H: 0.0, M: 0.1, L: 0.2 },
  AR: { H: 0.0, M: 0.1, L: 0.2 },
  E: { U: 0.2, P: 0.1, A: 0 },
}

const LEVEL_METRICS = Object.keys(LEVELS)

const maxVectorCache = new Map<string, number[][]>()

/**
 * The highest-severity vectors of a MacroVector, composed from each EQ's in the
 * specification's order, as levels in {@link LEVEL_METRICS} order (computed once per MacroVector).
 */
function maxVectorLevels(eq1: number, eq2: number, eq3: number, eq4: number, eq5: number, eq6: number): number[][] {
  const key = `${eq1}${eq2}${eq3}${eq4}${eq5}${eq6}`
  const cached = maxVectorCache.get(key)
  if (cached) return cached
  const out: number[][] = []
  for (const a of MAX_VECTORS.eq1[eq1] ?? [])
    for (const b of MAX_VECTORS.eq2[eq2] ?? [])
      for (const c of MAX_VECTORS.eq3eq6[eq3]?.[eq6] ?? [])
        for (const d of MAX_VECTORS.eq4[eq4] ?? [])
          for (const e of MAX_VECTORS.eq5[eq5] ?? []) {
            const values = new Map(`${a}/${b}/${c}/${d}/${e}`.split('/').map((part) => part.split(':') as [string, string]))
            out.push(LEVEL_METRICS.map((metric) => LEVELS[metric]![values.get(metric)!]!))
          }
  maxVectorCache.set(key, out)
  return out
}

/** Parses a v4.0 vector into its metrics; throws `VULN_RECORD_INVALID` when malformed. */
function readV4(vector: string): Map<string, string> {
  const parts = vector.trim().split('/')
  if (parts.shift() !== 'CVSS:4.0') invalid(vector, 'expected the prefix CVSS:4.0/')
  const metrics = readMetrics(vector, parts, V4_METRICS)
  requireAll(vector, metrics, V4_BASE)
  return metrics
}

/** The value a metric takes for scoring: a modified metric overrides, X means the worst case. */
function effective(metrics: Map<string, string>, metric: string): string {
  const value = metrics.get(metric) ?? 'X'
  if (value === 'X') {
    if (metric === 'E') return 'A'
    if (metric === 'CR' || metric === 'IR' || metric === 'AR') return 'H'
  }
  const modified = metrics.get(`M${metric}`)
  if (modified !== undefined && modified !== 'X') return modified
  return value
}

function macroVectorOf(metrics: Map<string, string>): string {
  const v = (metric: string): string => effective(metrics, metric)
  const av = v('AV')
  const pr = v('PR')
  const ui = v('UI')
  const eq1 = av === 'N' && pr === 'N' && ui === 'N' ? 0 : (av === 'N' || pr === 'N' || ui === 'N') && av !== 'P' ? 1 : 2
  const eq2 = v('AC') === 'L' && v('AT') === 'N' ? 0 : 1
  const vc = v('VC')
  const vi = v('VI')
  const va = v('VA')
  const eq3 = vc === 'H' && vi === 'H' ? 0 : vc === 'H' || vi === 'H' || va === 'H' ? 1 : 2
  const msi = metrics.get('MSI')
  const msa = metrics.get('MSA')
  const eq4 = msi === 'S' || msa === 'S' ? 0 : v('SC') === 'H' || v('SI') === 'H' || v('SA') === 'H' ? 1 : 2
  const e = v('E')
  const eq5 = e === 'A' ? 0 : e === 'P' ? 1 : 2
  const eq6 = (v('CR') === 'H' && vc === 'H') || (v('IR') === 'H' && vi === 'H') || (v('AR') === 'H' && va === 'H') ? 0 : 1
  return `${eq1}${eq2}${eq3}${eq4}${eq5}${eq6}`
}

/** The MacroVector (six EQ levels, e.g. `000200`) of a v4.0 vector. */
export function cvssV4MacroVector(vector: string): string {
  return macroVectorOf(readV4(vector))
}

/**
 * The CVSS v4.0 score of a vector (`CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N`
 * scores 9.3), by the specification's MacroVector interpolation. Throws `VULN_RECORD_INVALID`
 * for a malformed vector.
 */
export function cvssV4Score(vector: string): number {
  const metrics = readV4(vector)
  const v = (metric: string): string => effective(metrics, metric)
  if (['VC', 'VI', 'VA', 'SC', 'SI', 'SA'].every((metric) => v(metric) === 'N')) return 0

  const macro = macroVectorOf(metrics)
  const [eq1, eq2, eq3, eq4, eq5, eq6] = [...macro].map(Number) as [number, number, number, number, number, number]
  const value = macroVectorScore(macro)!
  const at = (a: number, b: number, c: number, d: number, e: number, f: number): number | undefined => macroVectorScore(`${a}${b}${c}${d}${e}${f}`)

  // 1a. the score of the next lower MacroVector of each EQ (undefined when there is none)
  const lowerEq1 = at(eq1 + 1, eq2, eq3, eq4, eq5, eq6)
  const lowerEq2 = at(eq1, eq2 + 1, eq3, eq4, eq5, eq6)
  let lowerEq3Eq6: number | undefined
  if (eq3 === 0 && eq6 === 0) {
    // two ways down (00 → 01 and 00 → 10): take the higher
    const left = at(eq1, eq2, eq3, eq4, eq5, eq6 + 1)
    const right = at(eq1, eq2, eq3 + 1, eq4, eq5, eq6)
    lowerEq3Eq6 = left === undefined ? right : right === undefined ? left : Math.max(left, right)
  } else if (eq3 === 1 && eq6 === 0) {
    lowerEq3Eq6 = at(eq1, eq2, eq3, eq4, eq5, eq6 + 1)
  } else {
    // 01 → 11, 11 → 21; 21 has nothing lower
    lowerEq3Eq6 = at(eq1, eq2, eq3 + 1, eq4, eq5, eq6)
  }
  const lowerEq4 = at(eq1, eq2, eq3, eq4 + 1, eq5, eq6)
  const lowerEq5 = at(eq1, eq2, eq3, eq4, eq5 + 1, eq6)

  // 1b. the severity distance from the first highest-severity vector of the MacroVector that
  // is at least as severe as the vector on every metric
  const levels = LEVEL_METRICS.map((metric) => LEVELS[metric]![v(metric)]!)
  let distances: number[] = []
  for (const candidate of maxVectorLevels(eq1, eq2, eq3, eq4, eq5, eq6)) {
    distances = levels.map((level, i) => level - candidate[i]!)
    if (distances.every((x) => x >= 0)) break
  }
  const distance: Record<string, number> = {}
  LEVEL_METRICS.forEach((metric, i) => {
    distance[metric] = distances[i] ?? 0
  })
  const d = (metric: string): number => distance[metric] ?? 0
  const distanceEq1 = d('AV') + d('PR') + d('UI')
  const distanceEq2 = d('AC') + d('AT')
  const distanceEq3Eq6 = d('VC') + d('VI') + d('VA') + d('CR') + d('IR') + d('AR')
  const distanceEq4 = d('SC') + d('SI') + d('SA')

  // 1c–d. each available scoring difference, scaled by distance / depth
  const step = 0.1
  const parts: number[] = []
  if (lowerEq1 !== undefined) parts.push((value - lowerEq1) * (distanceEq1 / (DEPTHS.eq1[eq1]! * step)))
  if (lowerEq2 !== undefined) parts.push((value - lowerEq2) * (distanceEq2 / (DEPTHS.eq2[eq2]! * step)))
  if (lowerEq3Eq6 !== undefined) parts.push((value - lowerEq3Eq6) * (distanceEq3Eq6 / (DEPTHS.eq3eq6[eq3]![eq6]! * step)))
  if (lowerEq4 !== undefined) parts.push((value - lowerEq4) * (distanceEq4 / (DEPTHS.eq4[eq4]! * step)))
  // EQ5 has depth 1: its proportion is always 0, but it counts in the mean
  if (lowerEq5 !== undefined) parts.push(0)

  // 2–3. the MacroVector's score minus the mean, rounded to one decimal
  const mean = parts.length === 0 ? 0 : parts.reduce((sum, x) => sum + x, 0) / parts.length
  const score = Math.min(10, Math.max(0, value - mean))
  return Math.round(score * 10) / 10
}

// ---------------------------------------------------------------------------------------------

/** The version of a vector string from its prefix (v2 vectors have none), or null. */
export function cvssVersionOf(vector: string): CvssVersion | null {
  const text = vector.trim()
  if (text.startsWith('CVSS:4.0/')) return CvssVersion.V40
  if (text.startsWith('CVSS:3.1/')) return CvssVersion.V31
  if (text.startsWith('CVSS:3.0/')) return CvssVersion.V30
  if (/^\(?(?:CVSS:2\.0\/)?AV:[LAN]\//.test(text)) return CvssVersion.V2
  return null
}

/**
 * Scores a vector of any supported version (told apart by its prefix). Throws
 * `VULN_RECORD_INVALID` for an unknown or malformed vector.
 */
export function cvssScore(vector: string): CvssScore {
  const version = cvssVersionOf(vector)
  let score: number
  switch (version) {
    case CvssVersion.V40:
      score = cvssV4Score(vector)
      break
    case CvssVersion.V31:
    case CvssVersion.V30:
      score = cvssV3BaseScore(vector)
      break
    case CvssVersion.V2:
      score = cvssV2BaseScore(vector)
      break
    default:
      return invalid(vector, 'not a CVSS v2, v3.0, v3.1 or v4.0 vector')
  }
  return { version, score, rating: ratingOf(score) }
}

/** Like {@link cvssScore}, but null for a malformed vector. */
export function tryCvssScore(vector: string): CvssScore | null {
  try {
    return cvssScore(vector)
  } catch (error) {
    if (error instanceof VulnDataError) return null
    throw error
  }
}
