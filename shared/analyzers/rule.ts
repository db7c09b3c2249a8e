/**
 * Rules: every finding names one, and every rule is documented (id, what it detects, why it
 * matters, how to fix it). `pushscan rules` and the README list them from these definitions.
 *
 * @module
 */
import type { Category, Finding, FindingLocation, Severity } from '../report/model.js'

export interface Rule {
  /** Stable, kebab-case; users' ignore lists and CI gates refer to it. */
  id: string
  category: Category
  severity: Severity
  title: string
  /** What the rule detects and why it matters. */
  description: string
  /** How to fix it. */
  remediation: string
}

export function defineRule(rule: Rule): Rule {
  return Object.freeze(rule)
}

/** A finding of `rule`; `severity` may be raised or lowered for one occurrence. */
export function findingOf(rule: Rule, location: FindingLocation, evidence?: string, severity: Severity = rule.severity): Finding {
  const finding: Finding = { ruleId: rule.id, category: rule.category, severity, title: rule.title, location }
  if (evidence !== undefined) finding.evidence = evidence
  return finding
}
