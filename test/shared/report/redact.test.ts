import { describe, expect, it } from 'vitest'
import { isSecretEnv, redact, redactEnvEntry, redactUrlPasswords } from '../../../shared/report/redact.js'

// Fake, documentation-style values shaped like real secrets.
const AWS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE'
const GITHUB_TOKEN = `ghp_${'A1b2C3d4E5'.repeat(4)}`
const GITHUB_PAT = `github_pat_${'11ABCDEFG0'.repeat(5)}`
const GITLAB_TOKEN = 'glpat-abcdefghij0123456789'
const SLACK_TOKEN = 'xoxb-1234567890-abcdefghij'
const STRIPE_KEY = `sk_live_${'a1B2c3D4e5'.repeat(3)}`
const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U'
const PEM = '-----BEGIN RSA PRIVATE KEY-----\nMIIEow...'

describe('redact', () => {
  it.each([
    [AWS_KEY_ID, 'AKIA…[redacted, 20 chars]'],
    ['0123456789abcdef', '0123…[redacted, 16 chars]'],
    ['0123456789abcde', '…[redacted, 15 chars]'],
    ['hunter2', '…[redacted, 7 chars]'],
    ['', '…[redacted, 0 chars]'],
  ])('redacts %j as %j', (secret, expected) => {
    expect(redact(secret)).toBe(expected)
  })

  it('never contains a secret of 16 characters or more beyond its first four', () => {
    const secret = 'correct-horse-battery-staple'
    expect(redact(secret)).not.toContain(secret.slice(4))
  })
})

describe('isSecretEnv', () => {
  it.each([
    ['DB_PASSWORD', 'hunter2'],
    ['MYSQL_ROOT_PASSWORD', 'root'],
    ['PGPASSWORD', 'x'],
    ['REDIS_PASSWD', 'x'],
    ['GITHUB_TOKEN', 'x'],
    ['NPM_TOKEN', 'x'],
    ['API_KEY', 'x'],
    ['STRIPE_APIKEY', 'x'],
    ['x-api-key', 'x'],
    ['AWS_SECRET_ACCESS_KEY', 'x'],
    ['DJANGO_SECRET', 'x'],
    ['JWT_PRIVATE_KEY', 'x'],
    ['OAUTH_CLIENT_SECRET', 'x'],
    ['GOOGLE_APPLICATION_CREDENTIALS_JSON', 'x'],
    ['BASIC_AUTH', 'x'],
    ['SESSION_KEY', 'x'],
    ['SIGNING_KEY', 'x'],
    ['ENCRYPTION_KEY', 'x'],
    ['DB_PWD', 'x'],
    ['db_password', 'x'],
  ])('flags %s by its name', (name, value) => {
    expect(isSecretEnv(name, value)).toBe(true)
  })

  it.each([
    ['GPG_KEY', 'A035C8C19219BA821ECEA86B64E628F8D684696D'],
    ['GPG_KEYS', 'B42F6819007F00F88E364FD4036A9C25BF357DD4'],
    ['PATH', '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin'],
    ['HOME', '/root'],
    ['HOSTNAME', 'builder'],
    ['NODE_VERSION', '20.11.1'],
    ['PYTHON_VERSION', '3.12.2'],
    ['TOKEN_VERSION', '2'],
    ['PASSWORD_FILE', '/run/secrets/db'],
    ['MYSQL_ROOT_PASSWORD_FILE', '/run/secrets/root'],
    ['AUTH_URL', 'https://auth.example.com'],
    ['TOKEN_URL', 'https://auth.example.com/token'],
    ['SECRETS_DIR', '/run/secrets'],
    ['AUTH_HOST', 'auth'],
    ['AUTH_PORT', '443'],
    ['AUTH_USER', 'svc'],
    ['DB_AUTH_USERNAME', 'svc'],
    ['SECRET_SHA256', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
    ['AWS_ACCESS_KEY_ID', 'not-a-key-id'],
    ['SIGNING_KEY_FINGERPRINT', 'abc'],
    ['LANG', 'C.UTF-8'],
  ])('leaves the public look-alike %s alone', (name, value) => {
    expect(isSecretEnv(name, value)).toBe(false)
  })

  it.each([
    ['an AWS access key id', 'AWS_ACCESS_KEY_ID', AWS_KEY_ID],
    ['an AWS key id under an innocent name', 'SETTING', AWS_KEY_ID],
    ['a GitHub token', 'CI_VALUE', GITHUB_TOKEN],
    ['a fine-grained GitHub token', 'X', GITHUB_PAT],
    ['a GitLab token', 'X', GITLAB_TOKEN],
    ['a Slack token', 'WEBHOOK', SLACK_TOKEN],
    ['a Stripe live key', 'STRIPE', STRIPE_KEY],
    ['a JWT', 'HEADER', JWT],
    ['a JWT behind a prefix', 'HEADER', `Bearer ${JWT}`],
    ['a PEM private key', 'CERT_DATA', PEM],
    ['a secret under a public-looking name', 'NODE_VERSION', GITHUB_TOKEN],
  ])('flags %s by its value', (_label, name, value) => {
    expect(isSecretEnv(name, value)).toBe(true)
  })

  it.each([
    ['a short ghp_ prefix', 'X', 'ghp_short'],
    ['a lower-case akia word', 'X', 'akiaiosfodnn7example'],
    ['a public key', 'X', '-----BEGIN PUBLIC KEY-----'],
    ['two dotted eyJ words too short for a JWT', 'X', 'eyJa.eyJb.c'],
  ])('does not flag %s', (_label, name, value) => {
    expect(isSecretEnv(name, value)).toBe(false)
  })

  it.each(['DB_PASSWORD', 'GITHUB_TOKEN', 'API_KEY'])('does not flag an empty %s', (name) => {
    expect(isSecretEnv(name, '')).toBe(false)
  })
})

describe('redactEnvEntry', () => {
  it.each([
    ['DB_PASSWORD=hunter2', 'DB_PASSWORD=…[redacted, 7 chars]'],
    [`SETTING=${AWS_KEY_ID}`, 'SETTING=AKIA…[redacted, 20 chars]'],
    [`GITHUB_TOKEN=${GITHUB_TOKEN}`, 'GITHUB_TOKEN=ghp_…[redacted, 44 chars]'],
    ['API_KEY=a=b=c', 'API_KEY=…[redacted, 5 chars]'],
    ['PATH=/usr/local/bin:/usr/bin', 'PATH=/usr/local/bin:/usr/bin'],
    ['DB_PASSWORD=', 'DB_PASSWORD='],
    ['NO_EQUALS_SIGN', 'NO_EQUALS_SIGN'],
    ['=value', '=value'],
    ['DATABASE_URL=postgres://app:s3cret@db:5432/app', 'DATABASE_URL=postgres://app:…[redacted, 6 chars]@db:5432/app'],
    ['UPSTREAMS=http://a:pw1@one http://b:pw22@two', 'UPSTREAMS=http://a:…[redacted, 3 chars]@one http://b:…[redacted, 4 chars]@two'],
    ['HOMEPAGE=https://example.com:8443/x', 'HOMEPAGE=https://example.com:8443/x'],
  ])('%s → %s', (entry, expected) => {
    expect(redactEnvEntry(entry)).toBe(expected)
  })
})

describe('redactUrlPasswords', () => {
  it.each([
    ['postgres://u:p@h', 'postgres://u:…[redacted, 1 chars]@h'],
    ['postgresql://user:password@db.internal:5432/app?sslmode=require', 'postgresql://user:…[redacted, 8 chars]@db.internal:5432/app?sslmode=require'],
    ['redis://:averyverylongpassword@cache:6379/0', 'redis://:aver…[redacted, 21 chars]@cache:6379/0'],
    ['amqp+ssl://guest:guest@rabbit', 'amqp+ssl://guest:…[redacted, 5 chars]@rabbit'],
    ['HTTPS://U:P@H', 'HTTPS://U:…[redacted, 1 chars]@H'],
    [
      'mirror http://a:one@x.example and https://b:two@y.example/path',
      'mirror http://a:…[redacted, 3 chars]@x.example and https://b:…[redacted, 3 chars]@y.example/path',
    ],
  ])('hides the password in %s', (text, expected) => {
    expect(redactUrlPasswords(text)).toBe(expected)
  })

  it.each([
    'https://user@registry.example.com/v2/',
    'https://registry.example.com:5000/v2/',
    'http://localhost:8080/health',
    'mailto:someone@example.com',
    'user:password with no scheme',
    'ssh git@github.com:org/repo.git',
    '',
  ])('leaves %j alone', (text) => {
    expect(redactUrlPasswords(text)).toBe(text)
  })

  it('gives the same answer when called twice (no regex state leaks between calls)', () => {
    const text = 'x http://a:b@c y'
    expect([redactUrlPasswords(text), redactUrlPasswords(text)]).toEqual(['x http://a:…[redacted, 1 chars]@c y', 'x http://a:…[redacted, 1 chars]@c y'])
  })
})
