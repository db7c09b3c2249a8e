import { describe, expect, it } from 'vitest'
import { scanText, shannonEntropy } from '../../../../shared/analyzers/secrets/scan-text.js'
import type { SecretRule } from '../../../../shared/analyzers/secrets/secret-rules.js'
import { ALNUM, b64, BASE32, BASE64, fake, HEX, pem, pemBody } from './fakes.js'
import { pw, RULE_CASES } from './rule-cases.js'

const PATH = '/srv/app/config/app.env'
const ghp = (seed: number): string => 'gh' + 'p_' + fake(ALNUM, 36, seed)
const awsId = (seed: number): string => 'AK' + 'IA' + fake(BASE32, 16, seed)

describe('shannonEntropy', () => {
  it.each<[string, number]>([
    ['', 0],
    ['aaaa', 0],
    ['ab', 1],
    ['abcd', 2],
    ['aabb', 1],
    ['01234567', 3],
  ])('%j → %d bits per character', (value, bits) => {
    expect(shannonEntropy(value)).toBeCloseTo(bits, 10)
  })
})

describe('scanText positions', () => {
  it.each<[string, string, number, number]>([
    ['at the start of the text', `${ghp(1)}\n`, 1, 1],
    ['after an assignment', `GITHUB_TOKEN=${ghp(2)}`, 1, 14],
    ['on the third line', `# config\n\nexport GITHUB_TOKEN="${ghp(3)}"\n`, 3, 22],
    ['after CRLF line ends', `a=1\r\nb=2\r\n  token: ${ghp(4)}\r\n`, 3, 10],
    ['after multi-byte characters (UTF-16 columns)', `# ключ 🔑\nmot: ${ghp(5)}`, 2, 6],
    ['on the last line without a newline', `x\ny\nz ${ghp(6)}`, 3, 3],
  ])('reports the line and column of the secret %s', (_name, text, line, column) => {
    // Act
    const matches = scanText(text, PATH)
    // Assess
    expect(matches).toHaveLength(1)
    expect(matches[0]).toMatchObject({ ruleId: 'secret-github-pat', line, column })
  })

  it('reports the first line of a multi-line secret', () => {
    // Arrange
    const text = `# deploy key\n\n${pem('OPENSSH PRIVATE KEY', pemBody(400, 7))}`
    // Act
    const matches = scanText(text, '/root/.ssh/id_ed25519')
    // Assess
    expect(matches).toEqual([{ ruleId: 'secret-private-key-openssh', line: 4, column: 1, evidence: expect.stringMatching(/^…|^.{4}…/) }])
  })

  it('orders matches by position, whatever the rule order', () => {
    // Arrange
    const text = [`STRIPE=${'sk_' + 'live_' + fake(ALNUM, 30, 8)}`, `AWS=${awsId(9)}`, `GH=${ghp(10)}`, `AWS2=${awsId(11)}`].join('\n')
    // Act
    const matches = scanText(text, PATH)
    // Assess
    expect(matches.map((m) => [m.line, m.ruleId])).toEqual([
      [1, 'secret-stripe-secret-key'],
      [2, 'secret-aws-access-key-id'],
      [3, 'secret-github-pat'],
      [4, 'secret-aws-access-key-id'],
    ])
  })

  it('gives the same result for the same input', () => {
    const text = RULE_CASES.flatMap((c) => (c.path === undefined ? c.positive : [])).join('\n')
    expect(scanText(text, PATH)).toEqual(scanText(text, PATH))
  })

  it('reports one secret once, as the most specific rule', () => {
    // Arrange: a GitHub token assigned to a generic token name, inside a URL with a password
    const token = ghp(12)
    const text = `access_token = "${token}"\nremote = https://ci:${token}@github.com/acme/app.git\n`
    // Act
    const matches = scanText(text, PATH)
    // Assess
    expect(matches.map((m) => [m.line, m.ruleId])).toEqual([
      [1, 'secret-github-pat'],
      [2, 'secret-github-pat'],
    ])
  })

  it('names the variable a generic secret was assigned to', () => {
    const matches = scanText(`export DATABASE_PASSWORD="${pw(13)}"\n`, PATH)
    expect(matches).toEqual([{ ruleId: 'secret-generic-password', line: 1, column: 27, evidence: 'DATABASE_PASSWORD: …[redacted, 15 chars]' }])
  })

  it('gives nothing for an empty text or a text without keywords', () => {
    expect(scanText('', PATH)).toEqual([])
    expect(scanText('plain words, nothing to see here\n'.repeat(100), PATH)).toEqual([])
  })
})

describe('scanText redaction', () => {
  /** Secrets of many formats, with the text that holds each. */
  const samples: Array<[string, string]> = [
    [ghp(20), `GITHUB_TOKEN=${ghp(20)}`],
    [fake(BASE64, 40, 21), `aws_secret_access_key = ${fake(BASE64, 40, 21)}`],
    [pw(22), `DATABASE_URL=postgres://app:${pw(22)}@db.internal/app`],
    [pw(23), `password = "${pw(23)}"`],
    [b64(`robot:${pw(24)}`), JSON.stringify({ auths: { 'r.internal': { auth: b64(`robot:${pw(24)}`) } } })],
    [fake(HEX, 32, 25), `DD_API_KEY=${fake(HEX, 32, 25)}`],
    [pw(26), `pw = "${pw(26)}"\ncurl -u ci:${pw(26)} https://repo.internal`],
  ]

  it.each(samples)('never shows %s in the output', (secret, text) => {
    // Act
    const output = JSON.stringify(scanText(text, PATH))
    // Assess
    expect(output).toContain('redacted')
    expect(output).not.toContain(secret)
    expect(output).not.toContain(secret.slice(4))
    expect(output).not.toContain(secret.slice(0, -4))
  })

  it('never shows the body of a private key', () => {
    const body = pemBody(1190, 27)
    const output = JSON.stringify(scanText(pem('RSA PRIVATE KEY', body), PATH))
    expect(output).toContain('secret-private-key-rsa')
    for (const line of body.split('\n')) expect(output).not.toContain(line.slice(4))
  })

  it('shows at most four characters of any rule sample', () => {
    for (const c of RULE_CASES) {
      for (const text of c.positive) {
        for (const match of scanText(text, c.path ?? PATH)) expect(match.evidence).toMatch(/^(?:[A-Za-z0-9_.+-]+: )?(?:[^\s…]{4})?…\[redacted, \d+ chars\]$/)
      }
    }
  })
})

describe('scanText caps', () => {
  const manyTokens = Array.from({ length: 30 }, (_, i) => `T${i}=${ghp(100 + i)}`).join('\n')

  it('reports at most 20 matches of one rule in one text, the first ones', () => {
    const matches = scanText(manyTokens, PATH)
    expect(matches).toHaveLength(20)
    expect(matches.map((m) => m.line)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1))
  })

  it('reports at most 100 matches in one text, the first ones by position', () => {
    // Arrange: 6 rules × 30 secrets, interleaved
    const lines: string[] = []
    for (let i = 0; i < 30; i++) {
      lines.push(`GH=${ghp(200 + i)}`, `AWS=${awsId(300 + i)}`, `SLACK=${'xox' + 'b-' + fake('123456789', 12, 400 + i) + '-' + fake('123456789', 12, 500 + i) + '-' + fake(ALNUM, 24, 600 + i)}`)
      lines.push(`STRIPE=${'sk_' + 'live_' + fake(ALNUM, 30, 700 + i)}`, `NPM=${'npm_' + fake(ALNUM, 36, 800 + i)}`, `DO=${'dop_' + 'v1_' + fake(HEX, 64, 900 + i)}`)
    }
    // Act
    const matches = scanText(lines.join('\n'), PATH)
    // Assess
    expect(matches).toHaveLength(100)
    const lineNumbers = matches.map((m) => m.line)
    expect(lineNumbers).toEqual([...lineNumbers].sort((a, b) => a - b))
    const perRule = new Map<string, number>()
    for (const m of matches) perRule.set(m.ruleId, (perRule.get(m.ruleId) ?? 0) + 1)
    for (const count of perRule.values()) expect(count).toBeLessThanOrEqual(20)
  })

  it('takes smaller caps as options', () => {
    expect(scanText(manyTokens, PATH, { maxMatchesPerRule: 3 })).toHaveLength(3)
    expect(scanText(manyTokens, PATH, { maxMatchesPerFile: 5 }).map((m) => m.line)).toEqual([1, 2, 3, 4, 5])
    expect(scanText(manyTokens, PATH, { maxMatchesPerRule: 0 })).toEqual([])
  })
})

describe('scanText with custom rules', () => {
  const rule: SecretRule = {
    id: 'secret-test-widget',
    title: 'Widget key',
    severity: 'low',
    keywords: ['wdg_'],
    pattern: /\b(?<secret>wdg_[a-z0-9]{8})\b/,
    minEntropy: 2.5,
    description: 'A widget key for the tests of the scanner itself.',
    remediation: 'Nothing to do: it is a test rule.',
  }

  it('runs a rule only when one of its keywords occurs', () => {
    expect(scanText('k = wdg_a1b2c3d4', PATH, { rules: [rule] }).map((m) => m.ruleId)).toEqual(['secret-test-widget'])
    expect(scanText('k = wdg_a1b2c3d4', PATH, { rules: [{ ...rule, keywords: ['absent'] }] })).toEqual([])
  })

  it('checks the entropy of the secret group', () => {
    expect(scanText('k = wdg_aaaaaaa1', PATH, { rules: [rule], valueAllowRules: [] })).toEqual([])
  })

  it('applies the rule\'s own validation', () => {
    expect(scanText('k = wdg_a1b2c3d4', PATH, { rules: [{ ...rule, validate: () => false }] })).toEqual([])
  })

  it('applies value allow rules, which can be replaced', () => {
    const text = 'k = wdg_a1b2c3d4'
    const allowAll = [{ id: 'allow-everything', description: 'Allows every value, for this test only.', value: /./ }]
    expect(scanText(text, PATH, { rules: [rule], valueAllowRules: allowAll })).toEqual([])
  })

  it('applies a rule with a path only to matching files', () => {
    const scoped = { ...rule, path: /\/widget\.conf$/ }
    expect(scanText('k = wdg_a1b2c3d4', '/etc/widget.conf', { rules: [scoped] })).toHaveLength(1)
    expect(scanText('k = wdg_a1b2c3d4', '/etc/other.conf', { rules: [scoped] })).toEqual([])
  })

  it('finds keywords that overlap or hide inside longer ones', () => {
    const inner: SecretRule = { ...rule, id: 'secret-test-inner', keywords: ['et_to'], pattern: /(?<secret>et_to[a-z0-9]{8})/ }
    const outer: SecretRule = { ...rule, id: 'secret-test-outer', keywords: ['secret_tok'], pattern: /(?<secret>cret_tok[a-z0-9]{8})/ }
    // "secret_tok" and "et_to" overlap; the prefilter must see both
    const matches = scanText('secret_tokx9y8z7w6', PATH, { rules: [outer, inner], valueAllowRules: [] })
    expect(matches.map((m) => m.ruleId)).toEqual(['secret-test-outer'])
    expect(scanText('secret_tokx9y8z7w6', PATH, { rules: [inner], valueAllowRules: [] }).map((m) => m.ruleId)).toEqual(['secret-test-inner'])
  })
})

describe('scanText performance', () => {
  /** About `bytes` of ordinary text: prose, code, configuration and log lines, without secrets. */
  function ordinaryText(bytes: number): string {
    const lines = [
      'The quick brown fox jumps over the lazy dog while the service restarts.',
      'const token = await getToken(request.headers.authorization)',
      'if (password.length < 8) throw new Error("password too short")',
      'def refresh_token(self, session): return self._client.refresh(session)',
      '  api_key: ${API_KEY}',
      '  secret_name: database-credentials',
      'See https://docs.example.org/guide/install for the installation steps.',
      'INFO 2024-03-01T12:00:00Z request id=7f3a handled in 12 ms status=200',
      'export PATH="/usr/local/bin:$PATH"',
      'password_hash = bcrypt.hashpw(password.encode(), bcrypt.gensalt())',
      '<li><a href="/account/security">Change your password</a></li>',
      'SELECT id, name, created_at FROM users WHERE email = $1 LIMIT 1;',
      'for (const key of Object.keys(config)) console.log(key, config[key])',
      'The secret to a good build cache is to order the layers from stable to volatile.',
      'curl -fsSL https://deb.nodesource.com/setup_20.x | bash -',
      '    "version": "4.2.1", "license": "MIT", "main": "index.js",',
    ]
    const parts: string[] = []
    let size = 0
    for (let i = 0; size < bytes; i++) {
      const line = `${lines[i % lines.length]} ${i}\n`
      parts.push(line)
      size += line.length
    }
    return parts.join('')
  }

  /** Elapsed milliseconds of `work`. */
  function time(work: () => unknown): number {
    const start = performance.now()
    work()
    return performance.now() - start
  }

  it('scans 5 MB of ordinary text within 50 times the time of lower-casing it', () => {
    // Arrange
    const text = ordinaryText(5 * 1024 * 1024)
    const path = '/srv/app/src/service.log'
    expect(scanText(text, path)).toEqual([])
    // Act: interleaved runs, the fastest of each, so that a busy machine slows both alike
    let baseline = Infinity
    let scan = Infinity
    for (let run = 0; run < 5; run++) {
      baseline = Math.min(baseline, time(() => text.toLowerCase()))
      scan = Math.min(scan, time(() => scanText(text, path)))
    }
    // Assess
    expect(scan / Math.max(baseline, 0.5)).toBeLessThan(50)
  })
})
