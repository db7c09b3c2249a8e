import { describe, expect, it } from 'vitest'
import { createAnalyzerSet } from '../../../../shared/analyzers/index.js'
import { CONFIG_SECRET_RULES } from '../../../../shared/analyzers/secrets/scan-config.js'
import { SECRET_RULES } from '../../../../shared/analyzers/secrets/secret-rules.js'
import {
  decodeText,
  isSensitivePath,
  MAX_SECRET_FILE_BYTES,
  SECRETS_ANALYZER_ID,
  secretRules,
  secretsAnalyzer,
  wantsSecretScan,
} from '../../../../shared/analyzers/secrets/secrets-analyzer.js'
import type { EntryRecord } from '../../../../shared/layers/layer-result.js'
import { ALNUM, fake, pem, pemBody } from './fakes.js'
import { pw } from './rule-cases.js'

function entry(path: string, size = 100, type: EntryRecord['type'] = 'file'): EntryRecord {
  return { path, type, size, mode: 0o644, uid: 0, gid: 0 }
}

const GITHUB_TOKEN = 'gh' + 'p_' + fake(ALNUM, 36, 1001)

describe('secretsAnalyzer identity', () => {
  it('is a file analyzer with a stable id and version', () => {
    expect(secretsAnalyzer).toMatchObject({ kind: 'file', id: SECRETS_ANALYZER_ID, version: 3 })
    expect(SECRETS_ANALYZER_ID).toBe('secrets')
    expect(createAnalyzerSet([secretsAnalyzer]).versions).toEqual({ secrets: 3 })
  })

  it('exports every secret rule as a documented Rule of category secret', () => {
    expect(secretRules.map((rule) => rule.id)).toEqual([...SECRET_RULES.map((rule) => rule.id), ...CONFIG_SECRET_RULES.map((rule) => rule.id)])
    expect(new Set(secretRules.map((rule) => rule.id)).size).toBe(secretRules.length)
    for (const rule of secretRules) {
      expect(rule.category).toBe('secret')
      expect(rule.id).toMatch(/^secret-[a-z0-9]+(-[a-z0-9]+)*$/)
      expect(Object.isFrozen(rule)).toBe(true)
      expect(rule.description.length).toBeGreaterThan(40)
      expect(rule.remediation.length).toBeGreaterThan(20)
    }
  })
})

describe('wants', () => {
  it.each<[string, EntryRecord, boolean]>([
    ['a config file', entry('/srv/app/config.yml'), true],
    ['a script', entry('/usr/local/bin/entrypoint.sh'), true],
    ['a file without an extension', entry('/etc/default/app'), true],
    ['an empty file', entry('/srv/app/empty.txt', 0), false],
    ['a file at the size cap', entry('/srv/app/big.json', MAX_SECRET_FILE_BYTES), true],
    ['a file over the size cap', entry('/srv/app/huge.json', MAX_SECRET_FILE_BYTES + 1), false],
    ['a directory', entry('/srv/app', 0, 'directory'), false],
    ['a symlink', entry('/srv/app/link', 0, 'symlink'), false],
    ['a PNG image', entry('/srv/app/logo.png'), false],
    ['a JPEG image', entry('/srv/app/photo.JPG'), false],
    ['a gzip archive', entry('/srv/app/backup.tar.gz'), false],
    ['a zip archive', entry('/srv/app/site.zip'), false],
    ['a jar', entry('/opt/app/app.jar'), false],
    ['a font', entry('/usr/share/fonts/x.woff2'), false],
    ['a shared library', entry('/usr/lib/x86_64-linux-gnu/libssl.so.3'), false],
    ['a large file in a system binary directory (compiled code)', entry('/usr/bin/bash', 1_300_000), false],
    ['a large file in a system library directory', entry('/usr/lib/x86_64-linux-gnu/gconv/gconv-modules.cache', 100_000), false],
    ['a script in a system binary directory', entry('/usr/bin/deploy.sh', 2_000), true],
    ['a large script outside the system directories', entry('/usr/local/bin/deploy', 100_000), true],
    ['a static library', entry('/usr/lib/libfoo.a'), false],
    ['Python bytecode', entry('/srv/app/__pycache__/settings.cpython-311.pyc'), false],
    ['a Java class', entry('/opt/app/Main.class'), false],
    ['an SQLite database', entry('/srv/app/data.sqlite3'), false],
    ['package documentation', entry('/usr/share/doc/curl/README'), false],
    ['a test fixture', entry('/srv/app/tests/fixtures/config.yml'), false],
    ['a source map', entry('/srv/app/dist/app.js.map'), false],
    // sensitive names: always wanted (unless in a documentation or test folder and not always in scope)
    ['a .env file', entry('/srv/app/.env'), true],
    ['a .env file in a test folder', entry('/srv/app/tests/.env.test'), true],
    ['an SSH key', entry('/root/.ssh/id_rsa'), true],
    ['a .pem key', entry('/etc/ssl/private/server.pem'), true],
    ['a .key key', entry('/etc/nginx/tls/site.key'), true],
    ['an AWS credentials file', entry('/root/.aws/credentials'), true],
    ['an .npmrc', entry('/home/node/.npmrc'), true],
    ['a .pypirc', entry('/root/.pypirc'), true],
    ['a .netrc', entry('/root/.netrc'), true],
    ['a .git-credentials', entry('/root/.git-credentials'), true],
    ['a Docker config', entry('/root/.docker/config.json'), true],
    ['a kubeconfig', entry('/srv/ci/prod.kubeconfig'), true],
    ['a Maven settings.xml', entry('/root/.m2/settings.xml'), true],
    ['a .pgpass', entry('/var/lib/postgresql/.pgpass'), true],
    ['a .my.cnf', entry('/root/.my.cnf'), true],
    ['a wp-config.php', entry('/var/www/html/wp-config.php'), true],
    ['a sensitive name over the size cap', entry('/srv/app/.env', MAX_SECRET_FILE_BYTES + 1), false],
    ['a key in package documentation', entry('/usr/share/doc/openssl/demo/server.key'), false],
  ])('%s: %s', (_name, record, expected) => {
    expect(wantsSecretScan(record.path, record)).toBe(expected)
    expect(secretsAnalyzer.wants(record.path, record)).toBe(expected)
  })

  it.each<[string, string, Buffer, boolean]>([
    ['text', '/srv/app/config.yml', Buffer.from('token: abc\n'), true],
    ['a compiled program', '/srv/app/server', Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46]), Buffer.alloc(100)]), false],
    ['binary content under a name that says credentials', '/root/.ssh/id_rsa', Buffer.from([0, 1, 2, 3]), true],
  ])('wantsHead: %s → %s', (_name, path, head, expected) => {
    expect(secretsAnalyzer.wantsHead!(head, path, entry(path, head.length))).toBe(expected)
  })

  it.each<[string, boolean]>([
    ['/srv/app/.env.production', true],
    ['/home/app/.ssh/id_ed25519', true],
    ['/srv/app/config/service-account.json', true],
    ['/srv/app/config/credentials', true],
    ['/srv/app/config/app.yml', false],
  ])('isSensitivePath(%s) is %s', (path, expected) => {
    expect(isSensitivePath(path)).toBe(expected)
  })
})

describe('decodeText', () => {
  it.each<[string, Buffer, string | undefined]>([
    ['UTF-8 text', Buffer.from('héllo wörld\n'), 'héllo wörld\n'],
    ['empty content', Buffer.alloc(0), ''],
    ['a NUL byte early on', Buffer.from('ELF\0\0\0binary'), undefined],
    ['mostly invalid UTF-8', Buffer.from(Array.from({ length: 400 }, (_, i) => 0x80 + (i % 64))), undefined],
    ['a little Latin-1 in UTF-8 text', Buffer.concat([Buffer.from('caf'), Buffer.from([0xe9]), Buffer.from(' au lait, '.repeat(10))]), `caf\ufffd${' au lait, '.repeat(10)}`],
    ['UTF-16LE with a byte order mark', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('key=value', 'utf16le')]), 'key=value'],
    ['UTF-16BE with a byte order mark', Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from('key=value', 'utf16le').swap16()]), 'key=value'],
  ])('%s', (_name, content, expected) => {
    expect(decodeText(content)).toBe(expected)
  })

  it('looks for NUL bytes in the first 8 KiB only', () => {
    const text = Buffer.concat([Buffer.from('a'.repeat(9000)), Buffer.from([0])])
    expect(decodeText(text)).toBe(`${'a'.repeat(9000)}\0`)
  })

  it('does not count a character cut at the end of the first 8 KiB as invalid', () => {
    const text = Buffer.from('€'.repeat(4000))
    expect(decodeText(text)).toBe('€'.repeat(4000))
  })
})

describe('analyze', () => {
  it('reports each secret as a finding with its line and a redacted preview', async () => {
    // Arrange
    const content = Buffer.from(`# app settings\nGITHUB_TOKEN=${GITHUB_TOKEN}\nDB_PASSWORD=${pw(1002)}\n`)
    // Act
    const analysis = await secretsAnalyzer.analyze({ path: '/srv/app/.env', entry: entry('/srv/app/.env', content.length), content, truncated: false })
    // Assess
    expect(analysis).toEqual({
      findings: [
        { ruleId: 'secret-github-pat', category: 'secret', severity: 'critical', title: 'GitHub personal access token (classic)', location: { line: 2 }, evidence: 'ghp_…[redacted, 40 chars]' },
        { ruleId: 'secret-generic-password', category: 'secret', severity: 'medium', title: 'Hard-coded password', location: { line: 3 }, evidence: 'DB_PASSWORD: …[redacted, 15 chars]' },
      ],
    })
    expect(JSON.stringify(analysis)).not.toContain(GITHUB_TOKEN.slice(4))
  })

  it('reports nothing for a clean file', async () => {
    const content = Buffer.from('server {\n  listen 80;\n  root /var/www/html;\n}\n')
    await expect(Promise.resolve(secretsAnalyzer.analyze({ path: '/etc/nginx/nginx.conf', entry: entry('/etc/nginx/nginx.conf'), content, truncated: false }))).resolves.toEqual({})
  })

  it('skips binary content even when it holds a token', async () => {
    const content = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 0, 0, 0]), Buffer.from(`token=${GITHUB_TOKEN}`)])
    await expect(Promise.resolve(secretsAnalyzer.analyze({ path: '/usr/local/bin/tool', entry: entry('/usr/local/bin/tool'), content, truncated: false }))).resolves.toEqual({})
  })

  it('scans what it was given of a truncated file', async () => {
    const content = Buffer.from(`${'x = 1\n'.repeat(1000)}token=${GITHUB_TOKEN}\n`)
    const analysis = await secretsAnalyzer.analyze({ path: '/srv/app/big.cfg', entry: entry('/srv/app/big.cfg', 10 * content.length), content, truncated: true })
    expect(analysis.findings?.map((f) => [f.ruleId, f.location.line])).toEqual([['secret-github-pat', 1001]])
  })

  it.each<[string, 'critical' | 'high']>([
    ['/root/.ssh/id_ed25519', 'critical'],
    ['/home/deploy/.ssh/id_ed25519', 'critical'],
    ['/srv/app/keys/deploy_key', 'high'],
  ])('reports a private key at %s as %s', async (path, severity) => {
    const content = Buffer.from(pem('OPENSSH PRIVATE KEY', pemBody(400, 1003)))
    const analysis = await secretsAnalyzer.analyze({ path, entry: entry(path, content.length), content, truncated: false })
    expect(analysis.findings).toEqual([expect.objectContaining({ ruleId: 'secret-private-key-openssh', severity, location: { line: 2 } })])
  })
})
