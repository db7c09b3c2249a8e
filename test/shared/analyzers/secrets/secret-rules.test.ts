import { describe, expect, it } from 'vitest'
import { scanText } from '../../../../shared/analyzers/secrets/scan-text.js'
import { decodeBase64, isSignedJwt, looksLikeKeyBody, looksLikeSecretValue, SECRET_RULES, secretRuleById, toRule } from '../../../../shared/analyzers/secrets/secret-rules.js'
import { b64url } from './fakes.js'
import { DEFAULT_PATH, pw, RULE_CASES } from './rule-cases.js'

const byId = new Map(SECRET_RULES.map((rule) => [rule.id, rule]))
/** What evidence may look like: an optional name, then redact()'s preview. */
const EVIDENCE = /^(?:[A-Za-z0-9_.+-]+: )?(?:[^\s…]{4})?…\[redacted, \d+ chars\]$/

function ruleOf(id: string) {
  const rule = byId.get(id)
  if (rule === undefined) throw new Error(`no rule ${id}`)
  return rule
}

describe('SECRET_RULES', () => {
  it('has at least 80 rules', () => {
    expect(SECRET_RULES.length).toBeGreaterThanOrEqual(80)
  })

  it('has unique, kebab-case ids prefixed secret-', () => {
    const ids = SECRET_RULES.map((rule) => rule.id)
    expect(new Set(ids).size).toBe(ids.length)
    for (const id of ids) expect(id).toMatch(/^secret-[a-z0-9]+(-[a-z0-9]+)*$/)
  })

  it.each(SECRET_RULES.map((rule) => [rule.id, rule] as const))('%s is well formed', (_id, rule) => {
    expect(['critical', 'high', 'medium', 'low']).toContain(rule.severity)
    expect(rule.title.length).toBeGreaterThan(5)
    expect(rule.description.length).toBeGreaterThan(40)
    expect(rule.remediation.length).toBeGreaterThan(20)
    expect(rule.keywords.length).toBeGreaterThan(0)
    for (const keyword of rule.keywords) {
      expect(keyword).toBe(keyword.toLowerCase())
      expect(keyword.length).toBeGreaterThan(0)
    }
    expect(rule.pattern.source).toContain('(?<secret>')
    expect(rule.pattern.flags).not.toMatch(/[gy]/)
  })

  it('reports test-mode keys as low and production payment keys as critical', () => {
    for (const id of ['secret-stripe-test-key', 'secret-braintree-sandbox-token', 'secret-pypi-test-upload-token']) expect(ruleOf(id).severity).toBe('low')
    for (const id of ['secret-stripe-secret-key', 'secret-braintree-access-token', 'secret-aws-secret-access-key']) expect(ruleOf(id).severity).toBe('critical')
    for (const id of ['secret-generic-password', 'secret-generic-secret', 'secret-generic-api-key', 'secret-generic-token']) expect(ruleOf(id).severity).toBe('medium')
  })

  it('has samples for every rule', () => {
    const covered = new Set(RULE_CASES.map((c) => c.id))
    expect(SECRET_RULES.map((rule) => rule.id).filter((id) => !covered.has(id))).toEqual([])
    for (const id of covered) {
      expect(byId.has(id)).toBe(true)
      const cases = RULE_CASES.filter((c) => c.id === id)
      expect(cases.flatMap((c) => c.positive).length).toBeGreaterThan(0)
      expect(cases.flatMap((c) => c.negative).length).toBeGreaterThan(0)
    }
  })

  it('turns every rule into a documented Rule of category secret', () => {
    for (const secretRule of SECRET_RULES) {
      const rule = secretRuleById(secretRule.id)
      expect(rule).toEqual(toRule(secretRule))
      expect(rule?.category).toBe('secret')
      expect(secretRuleById(secretRule.id)).toBe(rule)
    }
    expect(secretRuleById('secret-nope')).toBeUndefined()
  })
})

const positives = RULE_CASES.flatMap((c) => c.positive.map((text, i) => [`${c.id} #${i + 1}`, c.id, c.path ?? DEFAULT_PATH, text] as const))
const negatives = RULE_CASES.flatMap((c) => c.negative.map((text, i) => [`${c.id} #${i + 1}`, c.id, c.path ?? DEFAULT_PATH, text] as const))

describe('rule samples', () => {
  it.each(positives)('%s: the rule finds its sample', (_name, id, path, text) => {
    // Act
    const matches = scanText(text, path, { rules: [ruleOf(id)] })
    // Assess
    expect(matches.map((m) => m.ruleId)).toContain(id)
    for (const match of matches) expect(match.evidence).toMatch(EVIDENCE)
  })

  it.each(positives)('%s: the full rule set reports it as this rule', (_name, id, path, text) => {
    expect(scanText(text, path).map((m) => m.ruleId)).toContain(id)
  })

  it.each(negatives)('%s: the rule leaves the look-alike alone', (_name, id, path, text) => {
    expect(scanText(text, path, { rules: [ruleOf(id)] })).toEqual([])
  })
})

describe('validation helpers', () => {
  it.each<[string, boolean]>([
    [`${b64url('{"alg":"RS256","kid":"k1"}')}.${b64url('{"sub":"a"}')}.sig`, true],
    [`${b64url('{"alg":"none"}')}.${b64url('{"sub":"a"}')}.`, false],
    [`${b64url('{"typ":"JWT"}')}.${b64url('{"sub":"a"}')}.sig`, false],
    [`${b64url('[1,2]')}.${b64url('{}')}.sig`, false],
    ['not-base64!.x.y', false],
  ])('isSignedJwt(%j) is %s', (value, expected) => {
    expect(isSignedJwt(value)).toBe(expected)
  })

  it.each<[string, string | undefined]>([
    [Buffer.from('user:pass').toString('base64'), 'user:pass'],
    [b64url('{"a":"b~?"}'), '{"a":"b~?"}'],
    ['not base64!', undefined],
  ])('decodeBase64(%j) is %j', (value, expected) => {
    expect(decodeBase64(value)).toBe(expected)
  })

  it.each<[string, boolean]>([
    ['MIIB'.repeat(20), true],
    [`${'MIIB'.repeat(10)}\\n${'QUJD'.repeat(10)}\\n`, true],
    [`Proc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00FF\n\n${'MIIB'.repeat(20)}`, true],
    ['"); end = i; if (line === "', false],
    ['MIIB'.repeat(5), false],
  ])('looksLikeKeyBody(%j) is %s', (body, expected) => {
    expect(looksLikeKeyBody(body)).toBe(expected)
  })

  it.each<[string, boolean]>([
    [pw(1), true],
    ['Tr0ub4dor&3', true],
    ['Correct-Horse!Battery?', true],
    ['short1', false],
    ['/run/secrets/db', false],
    ['https://vault.internal/v1/secret', false],
    ['$2b$12$abcdefghijklmnopqrstuv', false],
    ['config.db.password', false],
    ['exports.a=exports.b', false],
    ['20240101', false],
    ['undefined', false],
    ['onlyletters', false],
    ['?NonExpressionParenEnd', false],
    ['two words1', false],
  ])('looksLikeSecretValue(%j) is %s', (value, expected) => {
    expect(looksLikeSecretValue(value)).toBe(expected)
  })
})
