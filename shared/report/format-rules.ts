/**
 * The rules reference (`RULES.md`, `pushscan rules --format markdown`), written from the rule
 * definitions so that the documentation cannot drift from what the scanner reports.
 *
 * @module
 */
import type { Rule } from '../analyzers/rule.js'
import type { Category } from './model.js'
import { severityRank } from './summary.js'

const CATEGORY_ORDER: readonly Category[] = ['malware', 'secret', 'filesystem', 'history', 'config', 'provenance']

const CATEGORY_TITLES: Record<Category, string> = {
  malware: 'Trojans, backdoors and malware signs',
  secret: 'Secrets',
  filesystem: 'Files',
  history: 'History',
  config: 'Configuration',
  provenance: 'Provenance',
}

/** One line per rule: id, category, severity, title, tab-separated. */
export function formatRulesTsv(rules: readonly Rule[]): string {
  return sorted(rules)
    .map((rule) => `${rule.id}\t${rule.category}\t${rule.severity}\t${rule.title}\n`)
    .join('')
}

/** A Markdown reference: a summary table per category, then each rule's text. */
export function formatRulesMarkdown(rules: readonly Rule[]): string {
  const out: string[] = [
    '# pushscan rules',
    '',
    'Every finding in a report names one of these rules by its `ruleId`. This file is generated',
    'from the rule definitions (`pushscan rules --format markdown > RULES.md`); a test fails when',
    'it is out of date. `severity` is the default; a few rules raise or lower it for one finding',
    '(a key-based signature no trusted key verifies, a secret in a file only root can read).',
    '',
    `${rules.length} rules.`,
    '',
  ]
  const byCategory = groupByCategory(rules)
  for (const category of CATEGORY_ORDER) {
    const group = byCategory.get(category)
    if (!group) continue
    out.push(`## ${CATEGORY_TITLES[category]} (\`${category}\`, ${group.length})`, '')
    out.push('| Rule | Category | Severity | Title |', '|---|---|---|---|')
    for (const rule of group) out.push(`| \`${rule.id}\` | ${rule.category} | ${rule.severity} | ${cell(rule.title)} |`)
    out.push('')
    for (const rule of group) {
      out.push(`### \`${rule.id}\``, '', `**${rule.title}** (${rule.severity})`, '', rule.description, '', `*Fix:* ${rule.remediation}`, '')
    }
  }
  return out.join('\n')
}

function groupByCategory(rules: readonly Rule[]): Map<Category, Rule[]> {
  const groups = new Map<Category, Rule[]>()
  for (const rule of sorted(rules)) {
    const group = groups.get(rule.category) ?? []
    group.push(rule)
    groups.set(rule.category, group)
  }
  return groups
}

function sorted(rules: readonly Rule[]): Rule[] {
  return [...rules].sort(
    (a, b) =>
      CATEGORY_ORDER.indexOf(a.category) - CATEGORY_ORDER.indexOf(b.category) ||
      severityRank(a.severity) - severityRank(b.severity) ||
      (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  )
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ')
}
