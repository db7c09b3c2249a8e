import { describe, expect, it } from 'vitest'
import {
  ALLOW_RULES,
  isAlwaysInScope,
  isPlaceholder,
  PATH_ALLOW_RULES,
  pathAllowRule,
  VALUE_ALLOW_RULES,
  valueAllowRule,
} from '../../../../shared/analyzers/secrets/allow-rules.js'
import type { SecretKind } from '../../../../shared/analyzers/secrets/secret-rules.js'
import { scanText } from '../../../../shared/analyzers/secrets/scan-text.js'
import { ALNUM, BASE64, fake, pem, pemBody } from './fakes.js'

const AWS_DOC_ID = ['AK', 'IA', 'IOSFODNN7', 'EXAMPLE'].join('')
const AWS_DOC_SECRET = ['wJalrXUtnFEMI', 'K7MDENG', 'bPxRfiCYEXAMPLEKEY'].join('/')
const GITHUB_TOKEN = 'gh' + 'p_' + fake(ALNUM, 36, 901)

describe('allow rules', () => {
  it('have unique kebab-case ids prefixed allow-, a reason, and a path or a value test', () => {
    const ids = ALLOW_RULES.map((rule) => rule.id)
    expect(new Set(ids).size).toBe(ids.length)
    for (const rule of ALLOW_RULES) {
      expect(rule.id).toMatch(/^allow-[a-z0-9]+(-[a-z0-9]+)*$/)
      expect(rule.description.length).toBeGreaterThan(40)
      expect((rule.path === undefined) !== (rule.value === undefined)).toBe(true)
    }
    expect(PATH_ALLOW_RULES.every((rule) => rule.path !== undefined)).toBe(true)
    expect(VALUE_ALLOW_RULES.every((rule) => rule.value !== undefined)).toBe(true)
  })
})

describe('pathAllowRule', () => {
  it.each<[string, string | undefined]>([
    ['/usr/lib/python3/dist-packages/botocore/tests/unit/test_credentials.py', 'allow-test-directories'],
    ['/app/test/fixtures/keys.json', 'allow-test-directories'],
    ['/go/src/crypto/tls/testdata/example-key.pem', 'allow-test-directories'],
    ['/usr/local/go/src/net/http/internal/testcert/testcert.go', 'allow-test-directories'],
    ['/srv/app/spec/fixtures/user.yml', 'allow-test-directories'],
    ['/srv/app/__tests__/login.js', 'allow-test-directories'],
    ['/srv/app/src/auth_test.go', 'allow-test-files'],
    ['/srv/app/src/test_auth.py', 'allow-test-files'],
    ['/srv/app/src/auth.test.ts', 'allow-test-files'],
    ['/srv/app/src/auth.spec.js', 'allow-test-files'],
    ['/srv/app/src/AuthTest.java', 'allow-test-files'],
    ['/usr/share/doc/openssl/examples/server.key', 'allow-system-documentation'],
    ['/opt/sdk/examples/server.key', 'allow-example-directories'],
    ['/srv/app/examples/config.yml', 'allow-example-directories'],
    ['/srv/app/docs/setup.txt', 'allow-documentation-directories'],
    ['/usr/share/doc/curl/NEWS.gz.txt', 'allow-system-documentation'],
    ['/usr/share/man/man1/curl.1', 'allow-system-documentation'],
    ['/srv/app/README.md', 'allow-markdown-documentation'],
    ['/srv/app/guide.rst', 'allow-markdown-documentation'],
    ['/srv/app/CHANGELOG', 'allow-markdown-documentation'],
    ['/srv/app/node_modules/aws-sdk/clients/s3.d.ts', 'allow-typescript-declarations'],
    ['/usr/lib/python3.11/site-packages/requests-2.31.0.dist-info/METADATA', 'allow-python-package-metadata'],
    ['/usr/lib/python3.11/test/keycert.pem', 'allow-test-directories'],
    ['/usr/lib/python3.11/idlelib/idle_test/test_x.py', 'allow-test-directories'],
    ['/srv/app/static/app.js.map', 'allow-source-maps'],
    ['/srv/app/node_modules/jws/test-data/key.pem', 'allow-test-directories'],
    ['/srv/app/node_modules/foo/testing-utils/key.pem', 'allow-node-modules-tests'],
    ['/root/go/pkg/mod/golang.org/x/crypto@v0.1.0/ssh/testdata/keys.go', 'allow-test-directories'],
    ['/usr/share/locale/de/LC_MESSAGES/sudo.mo', 'allow-locale-files'],
    ['/srv/app/config/locales/en.yml', 'allow-locale-files'],
    ['/srv/app/po/fr.po', 'allow-locale-files'],
    ['/var/lib/dpkg/info/openssl.list', 'allow-package-manager-metadata'],
    ['/var/lib/dpkg/status', 'allow-package-manager-metadata'],
    ['/var/cache/debconf/templates.dat', 'allow-package-manager-metadata'],
    ['/lib/apk/db/installed', 'allow-package-manager-metadata'],
    ['/usr/lib/x86_64-linux-gnu/perl-base/Net/FTP.pm', 'allow-distribution-language-runtimes'],
    ['/usr/share/perl5/Debconf/Config.pm', 'allow-distribution-language-runtimes'],
    ['/usr/lib/python3.11/smtplib.py', 'allow-distribution-language-runtimes'],
    ['/usr/lib/ruby/3.1.0/net/http.rb', 'allow-distribution-language-runtimes'],
    ['/usr/share/zoneinfo/Europe/Paris', 'allow-compiled-system-databases'],
    ['/usr/lib/terminfo/x/xterm', 'allow-compiled-system-databases'],
    ['/usr/share/terminfo/x/xterm-256color', 'allow-compiled-system-databases'],
    // in scope
    ['/var/cache/debconf/passwords.dat', undefined],
    ['/var/cache/debconf/config.dat', undefined],
    ['/var/lib/dpkg/info/myapp.postinst', undefined],
    ['/usr/lib/python3.11/site-packages/myapp/settings.py', undefined],
    ['/usr/lib/python3/dist-packages/myapp/settings.py', undefined],
    ['/usr/local/lib/python3.11/smtp_settings.py', undefined],
    ['/srv/app/config/settings.py', undefined],
    ['/srv/app/.env', undefined],
    ['/etc/ssl/private/server.key', undefined],
    ['/srv/testapp/config.py', undefined],
    ['/srv/contest/settings.py', undefined],
    ['/srv/app/src/latest/app.js', undefined],
    ['/usr/lib/python3/dist-packages/attestation/core.py', undefined],
    // always in scope, even under a test or docs directory
    ['/srv/app/tests/.env', undefined],
    ['/srv/app/docs/.env.production', undefined],
    ['/root/.ssh/id_rsa', undefined],
    ['/home/deploy/.ssh/id_ed25519', undefined],
    ['/srv/app/test/.aws/credentials', undefined],
    ['/usr/share/doc/app/examples/.docker/config.json', undefined],
    ['/srv/app/tests/.git-credentials', undefined],
    ['/srv/app/fixtures/.npmrc', undefined],
    ['/srv/app/examples/credentials.json', undefined],
  ])('%s → %s', (path, expected) => {
    expect(pathAllowRule(path)?.id).toBe(expected)
  })

  it.each<[string, boolean]>([
    ['/root/.ssh/id_rsa', true],
    ['/home/app/.ssh/config', true],
    ['/srv/.env', true],
    ['/srv/.env.local', true],
    ['/root/.aws/credentials', true],
    ['/root/.docker/config.json', true],
    ['/root/.kube/config', true],
    ['/root/.netrc', true],
    ['/root/.pgpass', true],
    ['/srv/app/credentials.yml', true],
    ['/srv/app/environment.py', false],
    ['/srv/app/.envrc.d/x', false],
    ['/home/app/ssh/id_rsa', false],
  ])('isAlwaysInScope(%s) is %s', (path, expected) => {
    expect(isAlwaysInScope(path)).toBe(expected)
  })

  it('takes a whole file out of the scan, unless it is always in scope', () => {
    // Arrange
    const text = `token: ${GITHUB_TOKEN}\n`
    // Act, Assess
    expect(scanText(text, '/usr/share/doc/app/README')).toEqual([])
    expect(scanText(text, '/srv/app/tests/.env').map((m) => m.ruleId)).toEqual(['secret-github-pat'])
    expect(scanText(text, '/usr/share/doc/app/README', { pathAllowRules: [] }).map((m) => m.ruleId)).toEqual(['secret-github-pat'])
  })

  it('keeps private keys in SSH directories in scope', () => {
    const key = pem('OPENSSH PRIVATE KEY', pemBody(400, 902))
    expect(scanText(key, '/root/.ssh/id_ed25519').map((m) => m.ruleId)).toEqual(['secret-private-key-openssh'])
    expect(scanText(key, '/home/deploy/.ssh/id_ed25519').map((m) => m.ruleId)).toEqual(['secret-private-key-openssh'])
    expect(scanText(key, '/srv/app/tests/keys/id_ed25519')).toEqual([])
  })
})

describe('valueAllowRule', () => {
  it.each<[string, SecretKind, string | undefined]>([
    [AWS_DOC_ID, 'token', 'allow-aws-documentation-keys'],
    [AWS_DOC_SECRET, 'token', 'allow-aws-documentation-keys'],
    [['AK', 'IA', 'I44QH8DHB', 'EXAMPLE'].join(''), 'token', 'allow-documentation-markers'],
    ['my-example-token-value', 'token', 'allow-documentation-markers'],
    ['dummy_key_for_ci', 'password', 'allow-documentation-markers'],
    ['SampleToken1234', 'token', 'allow-documentation-markers'],
    ['placeholder-value', 'password', 'allow-documentation-markers'],
    ['your_api_key_here', 'password', 'allow-documentation-markers'],
    ['put your unique phrase here', 'password', 'allow-documentation-markers'],
    ['2YotnFZFEjr1zCsicMWpAA', 'password', 'allow-rfc-examples'],
    ['gh' + 'p_' + 'x'.repeat(20), 'token', 'allow-masked-values'],
    ['sk_live_********', 'token', 'allow-masked-values'],
    ['AAAAAAAAAAAAAAAAAAAA', 'token', 'allow-repeated-characters'],
    ['prefix000000suffix', 'password', 'allow-repeated-characters'],
    ['a1b0123456789c', 'token', 'allow-character-sequences'],
    ['abcdef0011', 'token', 'allow-character-sequences'],
    ['qwerty99', 'password', 'allow-character-sequences'],
    ['${DB_PASSWORD}', 'password', 'allow-template-placeholders'],
    ['$DB_PASSWORD', 'password', 'allow-template-placeholders'],
    ['$(cat /run/secrets/db)', 'password', 'allow-template-placeholders'],
    ['{{ .Values.password }}', 'password', 'allow-template-placeholders'],
    ['<%= ENV["PASSWORD"] %>', 'password', 'allow-template-placeholders'],
    ['%(password)s', 'password', 'allow-template-placeholders'],
    ['%s', 'password', 'allow-template-placeholders'],
    ['%DB_PASSWORD%', 'password', 'allow-template-placeholders'],
    ['@DB_PASS@', 'password', 'allow-template-placeholders'],
    ['<db-pass>', 'password', 'allow-template-placeholders'],
    ['__DB_PASS__', 'password', 'allow-template-placeholders'],
    ['changeme', 'password', 'allow-documentation-markers'],
    ['changeit', 'password', 'allow-weak-defaults'],
    ['postgres', 'password', 'allow-weak-defaults'],
    ['Admin123', 'password', 'allow-weak-defaults'],
    ['mysecretpassword', 'password', 'allow-field-names-as-values'],
    ['super-token-42', 'password', 'allow-field-names-as-values'],
    // not allowed
    [fake(ALNUM, 36, 903), 'token', undefined],
    [fake(ALNUM, 16, 904), 'password', undefined],
    ['Tr0ub4dor&3', 'password', undefined],
    // key material may hold runs and the letters xxxx by chance
    [`MIIE${'A'.repeat(12)}xxxx${fake(BASE64, 60, 905)}`, 'key', undefined],
    // weak defaults and field names apply to free-form values only
    ['secret_' + fake(ALNUM, 43, 906), 'token', undefined],
    ['postgres', 'token', undefined],
  ])('%j (%s) → %s', (value, kind, expected) => {
    expect(valueAllowRule(value, kind)?.id).toBe(expected)
  })

  it.each<[string, boolean]>([
    ['${API_TOKEN}', true],
    ['changeme', true],
    ['  postgres ', true],
    [fake(ALNUM, 24, 907), false],
  ])('isPlaceholder(%j) is %s', (value, expected) => {
    expect(isPlaceholder(value)).toBe(expected)
  })

  it('drops a match whose value is AWS documentation, and keeps a real-looking one', () => {
    // Arrange
    const docs = `aws_access_key_id = ${AWS_DOC_ID}\naws_secret_access_key = ${AWS_DOC_SECRET}\n`
    const real = `aws_access_key_id = ${'AK' + 'IA' + fake('ABCDEFGHIJKLMNOPQRSTUVWXYZ234567', 16, 908)}\n`
    // Act, Assess
    expect(scanText(docs, '/root/.aws/credentials')).toEqual([])
    expect(scanText(real, '/root/.aws/credentials').map((m) => m.ruleId)).toEqual(['secret-aws-access-key-id'])
  })
})
