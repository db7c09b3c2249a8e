import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { builtinRules } from '../../../shared/analyzers/index.js'

const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8')

describe('rules', () => {
  it('have unique, kebab-case ids', () => {
    const ids = builtinRules.map((r) => r.id)
    expect(new Set(ids).size).toBe(ids.length)
    for (const id of ids) expect(id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/)
  })

  it.each(builtinRules.map((r) => [r.id, r] as const))('%s is documented in the README with its category and severity', (id, rule) => {
    const row = readme.split('\n').find((line) => line.startsWith(`| \`${id}\` |`))
    expect(row).toBeDefined()
    expect(row).toContain(`| ${rule.category} | ${rule.severity} |`)
    expect(rule.description.length).toBeGreaterThan(40)
    expect(rule.remediation.length).toBeGreaterThan(20)
  })
})
