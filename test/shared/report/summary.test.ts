import { describe, expect, it } from 'vitest'
import type { Finding, ImageReport, Report, SeverityOrUnknown, Summary, Vulnerability } from '../../../shared/report/model.js'
import { addSummaries, emptySummary, hasAtOrAbove, severityRank, summarise } from '../../../shared/report/summary.js'

function finding(severity: Finding['severity']): Finding {
  return { ruleId: 'r', category: 'secret', severity, title: 't', location: {} }
}

function vulnerability(severity: SeverityOrUnknown): Vulnerability {
  return { id: 'CVE-2024-0001', aliases: [], package: { type: 'deb', name: 'p', version: '1', purl: 'pkg:deb/debian/p@1' }, severity, layer: 'l' }
}

function summary(partial: Partial<Summary> = {}): Summary {
  return { ...emptySummary(), ...partial }
}

/** Only `summary` matters to hasAtOrAbove. */
function reportWith(partial: Partial<Summary>): Report {
  return { kind: 'image', summary: summary(partial) } as unknown as ImageReport
}

describe('emptySummary', () => {
  it('counts nothing and is a fresh object each time', () => {
    // Act
    const a = emptySummary()
    const b = emptySummary()
    a.high = 5
    // Assess
    expect(b).toEqual({ critical: 0, high: 0, medium: 0, low: 0, info: 0, unknown: 0 })
  })
})

describe('summarise', () => {
  it.each<[string, Finding[], Vulnerability[], Partial<Summary>]>([
    ['nothing', [], [], {}],
    ['findings by severity', [finding('high'), finding('high'), finding('info'), finding('critical')], [], { critical: 1, high: 2, info: 1 }],
    ['vulnerabilities, unknown included', [], [vulnerability('medium'), vulnerability('unknown'), vulnerability('unknown')], { medium: 1, unknown: 2 }],
    ['both together', [finding('low'), finding('medium')], [vulnerability('low'), vulnerability('critical')], { critical: 1, medium: 1, low: 2 }],
  ])('counts %s', (_label, findings, vulnerabilities, expected) => {
    expect(summarise(findings, vulnerabilities)).toEqual(summary(expected))
  })
})

describe('addSummaries', () => {
  it.each<[string, Summary[], Partial<Summary>]>([
    ['no summaries', [], {}],
    ['one summary', [summary({ high: 2 })], { high: 2 }],
    ['several summaries', [summary({ critical: 1, low: 2 }), summary({ low: 3, unknown: 1 }), summary({ info: 4 })], { critical: 1, low: 5, info: 4, unknown: 1 }],
  ])('adds %s', (_label, summaries, expected) => {
    expect(addSummaries(summaries)).toEqual(summary(expected))
  })

  it('leaves its inputs alone', () => {
    // Prepare
    const first = summary({ high: 1 })
    // Act
    addSummaries([first, summary({ high: 2 })])
    // Assess
    expect(first).toEqual(summary({ high: 1 }))
  })
})

describe('severityRank', () => {
  it.each<[SeverityOrUnknown, number]>([
    ['critical', 0],
    ['high', 1],
    ['medium', 2],
    ['low', 3],
    ['info', 4],
    ['unknown', 5],
  ])('%s → %i', (severity, rank) => {
    expect(severityRank(severity)).toBe(rank)
  })
})

describe('hasAtOrAbove', () => {
  it.each<[string, Partial<Summary>, SeverityOrUnknown, boolean]>([
    ['nothing at all, threshold unknown', {}, 'unknown', false],
    ['a critical finding, threshold critical', { critical: 1 }, 'critical', true],
    ['a high finding, threshold critical', { high: 3 }, 'critical', false],
    ['a high finding, threshold high', { high: 1 }, 'high', true],
    ['a high finding, threshold low', { high: 1 }, 'low', true],
    ['a medium finding, threshold high', { medium: 1 }, 'high', false],
    ['only info, threshold low', { info: 2 }, 'low', false],
    ['only info, threshold info', { info: 2 }, 'info', true],
    ['only unknown, threshold info', { unknown: 4 }, 'info', false],
    ['only unknown, threshold unknown', { unknown: 4 }, 'unknown', true],
    ['a critical finding, threshold unknown', { critical: 1 }, 'unknown', true],
  ])('%s → %s', (_label, counts, threshold, expected) => {
    expect(hasAtOrAbove(reportWith(counts), threshold)).toBe(expected)
  })

  it('agrees with summarise on a report built from its findings', () => {
    // Prepare
    const report = reportWith(summarise([finding('medium')], [vulnerability('unknown')]))
    // Act
    const answers = (['critical', 'high', 'medium', 'low'] as const).map((threshold) => hasAtOrAbove(report, threshold))
    // Assess
    expect(answers).toEqual([false, false, true, true])
  })
})
