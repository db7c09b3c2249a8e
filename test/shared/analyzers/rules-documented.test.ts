import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { builtinAnalyzers, builtinRules } from '../../../shared/analyzers/index.js'
import { formatRulesMarkdown } from '../../../shared/report/format-rules.js'

const rulesDoc = readFileSync(new URL('../../../RULES.md', import.meta.url), 'utf8')

describe('rules', () => {
  it('have unique, kebab-case ids', () => {
    const ids = builtinRules.map((r) => r.id)
    expect(new Set(ids).size).toBe(ids.length)
    for (const id of ids) expect(id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/)
  })

  it('RULES.md is the reference generated from the definitions (regenerate with `pushscan rules --format markdown > RULES.md`)', () => {
    expect(rulesDoc).toBe(formatRulesMarkdown(builtinRules))
  })

  it.each(builtinRules.map((r) => [r.id, r] as const))('%s says what it detects and how to fix it', (id, rule) => {
    const row = rulesDoc.split('\n').find((line) => line.startsWith(`| \`${id}\` |`))
    expect(row).toContain(`| ${rule.category} | ${rule.severity} |`)
    expect(rule.description.length).toBeGreaterThan(40)
    expect(rule.remediation.length).toBeGreaterThan(20)
  })

  it('analyzer ids are unique', () => {
    const ids = builtinAnalyzers.map((a) => a.id)
    expect(new Set(ids).size).toBe(ids.length)
  })
})
