import { describe, expect, it } from 'vitest'
import type { ImageInput } from '../../../../shared/analyzers/analyzer.js'
import { CONFIG_SECRET_RULES, scanImageConfig, secretsConfigAnalyzer } from '../../../../shared/analyzers/secrets/scan-config.js'
import type { ImageConfig } from '../../../../shared/image/config.js'
import { ALNUM, fake, HEX } from './fakes.js'
import { pw } from './rule-cases.js'

const GITHUB_TOKEN = 'gh' + 'p_' + fake(ALNUM, 36, 2001)
const NPM_TOKEN = 'npm_' + fake(ALNUM, 36, 2002)
const RANDOM = pw(2003)

describe('CONFIG_SECRET_RULES', () => {
  it('are documented secret rules with unique ids', () => {
    expect(CONFIG_SECRET_RULES.map((rule) => rule.id)).toEqual(['secret-image-env-variable', 'secret-image-build-argument', 'secret-image-label'])
    for (const rule of CONFIG_SECRET_RULES) {
      expect(rule.category).toBe('secret')
      expect(rule.description.length).toBeGreaterThan(40)
    }
  })
})

describe('scanImageConfig: env', () => {
  it.each<[string, string, string]>([
    ['a token in any variable', `GITHUB_TOKEN=${GITHUB_TOKEN}`, 'secret-github-pat'],
    ['a URL with a password', `DATABASE_URL=postgres://app:${RANDOM}@db.internal/app`, 'secret-postgres-url-password'],
    ['a password-named variable', `DB_PASSWORD=${RANDOM}`, 'secret-generic-password'],
    ['a secret-like name the generic rules do not know', `SESSION_KEY=${RANDOM}`, 'secret-image-env-variable'],
    ['an auth variable', `NPM_AUTH=${RANDOM}`, 'secret-image-env-variable'],
    ['a short password name', `DB_PASS=${RANDOM}`, 'secret-image-env-variable'],
  ])('reports %s', (_name, entry, ruleId) => {
    // Act
    const matches = scanImageConfig(['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', entry], [], {})
    // Assess
    const name = entry.slice(0, entry.indexOf('='))
    expect(matches).toEqual([{ ruleId, source: 'env', index: 1, name, location: {}, evidence: expect.stringMatching(new RegExp(`^${name}: .*…\\[redacted, \\d+ chars\\]$`)) }])
  })

  it.each([
    'PATH=/usr/local/bin:/usr/bin',
    `GPG_KEY=${fake(HEX, 40, 2004).toUpperCase()}`,
    `PYTHON_SHA256=${fake(HEX, 64, 2005)}`,
    'DB_PASSWORD_FILE=/run/secrets/db_password',
    'POSTGRES_PASSWORD=postgres',
    'POSTGRES_PASSWORD=mysecretpassword',
    'API_TOKEN=${API_TOKEN}',
    'NODE_VERSION=20.11.1',
    'SECRET_KEY_BASE=',
    'AUTH_URL=https://auth.internal/oauth2',
    'TOKENIZERS_PARALLELISM=false',
    'JWT_SECRET=dev',
    'NOVALUE',
  ])('leaves %s alone', (entry) => {
    expect(scanImageConfig([entry], [], {})).toEqual([])
  })
})

describe('scanImageConfig: history', () => {
  it.each<[string, string, string, string | undefined]>([
    ['a BuildKit build argument holding a token', `RUN |2 NPM_TOKEN=${NPM_TOKEN} HOME=/root /bin/sh -c npm ci # buildkit`, 'secret-npm-access-token', 'NPM_TOKEN'],
    ['a classic builder build argument', `|1 DEPLOY_PASS=${RANDOM} /bin/sh -c ./deploy.sh`, 'secret-image-build-argument', 'DEPLOY_PASS'],
    ['an ARG default', `ARG SIGNING_KEY=${RANDOM}`, 'secret-image-build-argument', 'SIGNING_KEY'],
    ['a classic ARG default', `/bin/sh -c #(nop)  ARG GH_TOKEN=${GITHUB_TOKEN}`, 'secret-github-pat', 'GH_TOKEN'],
    ['a bearer token in curl', `RUN /bin/sh -c curl -fsSL -H "Authorization: Bearer ${fake(ALNUM, 40, 2006)}" https://api.internal/pkg.tgz | tar -xz # buildkit`, 'secret-http-authorization-header', undefined],
    ['a password in curl -u', `/bin/sh -c curl -fsSL -u admin:${RANDOM} https://nexus.internal/repo/app.jar -o /app.jar`, 'secret-cli-password-argument', undefined],
    ['a token in a clone URL', `RUN /bin/sh -c git clone https://x-access-token:${GITHUB_TOKEN}@github.com/acme/app.git`, 'secret-github-pat', undefined],
    ['an .npmrc written by a command', `RUN /bin/sh -c echo "//npm.internal/:_authToken=${fake(ALNUM, 32, 2007)}1" > ~/.npmrc && npm ci`, 'secret-npmrc-auth', undefined],
    ['an ENV the final config overrides', `ENV OLD_API_TOKEN=${NPM_TOKEN}`, 'secret-npm-access-token', 'OLD_API_TOKEN'],
  ])('reports %s', (_name, createdBy, ruleId, name) => {
    // Arrange
    const history = [{ createdBy: '/bin/sh -c #(nop) ADD file:0a1b2c in / ' }, { createdBy }]
    // Act
    const matches = scanImageConfig([], history, {})
    // Assess
    expect(matches).toEqual([{ ruleId, source: 'history', index: 1, ...(name === undefined ? {} : { name }), location: { history: 1 }, evidence: expect.stringContaining('…[redacted, ') }])
  })

  it.each([
    'RUN |1 VERSION=1.2.3 /bin/sh -c make install # buildkit',
    'ARG TOKEN',
    'ARG NPM_TOKEN=',
    'RUN |1 NPM_TOKEN= /bin/sh -c npm ci # buildkit',
    'RUN /bin/sh -c apt-get update && apt-get install -y curl # buildkit',
    'RUN /bin/sh -c curl -H "Authorization: Bearer $TOKEN" https://api.internal # buildkit',
    'RUN --mount=type=secret,id=npm /bin/sh -c NPM_TOKEN=$(cat /run/secrets/npm) npm ci # buildkit',
    'COPY file:3f1a2b in /app ',
    '',
  ])('leaves %j alone', (createdBy) => {
    expect(scanImageConfig([], [{ createdBy }, {}], {})).toEqual([])
  })

  it('reports an ENV once, as an env finding, when the final config still has it', () => {
    // Arrange
    const env = [`API_TOKEN=${NPM_TOKEN}`]
    const history = [{ createdBy: `ENV API_TOKEN=${NPM_TOKEN}` }]
    // Act
    const matches = scanImageConfig(env, history, {})
    // Assess
    expect(matches.map((m) => [m.source, m.ruleId])).toEqual([['env', 'secret-npm-access-token']])
  })

  it('reads every pair of an ENV with several variables', () => {
    const matches = scanImageConfig([], [{ createdBy: `ENV MODE=prod API_TOKEN=${NPM_TOKEN} DEBUG=0` }], {})
    expect(matches.map((m) => [m.name, m.ruleId])).toEqual([['API_TOKEN', 'secret-npm-access-token']])
  })
})

describe('scanImageConfig: labels', () => {
  it('reports tokens and secret-named labels, and leaves metadata alone', () => {
    // Arrange
    const labels = {
      'org.opencontainers.image.source': 'https://github.com/acme/app',
      'org.opencontainers.image.revision': fake(HEX, 40, 2008),
      'com.acme.deploy-token': RANDOM,
      'com.acme.ci': GITHUB_TOKEN,
      maintainer: 'ops@acme.internal',
    }
    // Act
    const matches = scanImageConfig([], [], labels)
    // Assess
    expect(matches.map((m) => [m.name, m.ruleId, m.source])).toEqual([
      ['com.acme.ci', 'secret-github-pat', 'label'],
      ['com.acme.deploy-token', 'secret-image-label', 'label'],
    ])
  })
})

describe('scanImageConfig output', () => {
  const env = [`GITHUB_TOKEN=${GITHUB_TOKEN}`, `SESSION_KEY=${RANDOM}`]
  const history = [{ createdBy: `RUN |1 NPM_TOKEN=${NPM_TOKEN} /bin/sh -c npm ci` }]
  const labels = { 'com.acme.token': RANDOM }

  it('lists env, then history, then labels, the same way every time', () => {
    const matches = scanImageConfig(env, history, labels)
    expect(matches.map((m) => m.source)).toEqual(['env', 'env', 'history', 'label'])
    expect(scanImageConfig(env, history, labels)).toEqual(matches)
  })

  it('never holds a secret', () => {
    const output = JSON.stringify(scanImageConfig(env, history, labels))
    for (const secret of [GITHUB_TOKEN, NPM_TOKEN, RANDOM]) {
      expect(output).not.toContain(secret)
      expect(output).not.toContain(secret.slice(4))
    }
  })
})

describe('secretsConfigAnalyzer', () => {
  it('turns matches into findings located at the history entry and its layer', async () => {
    // Arrange
    const config: ImageConfig = {
      architecture: 'amd64',
      os: 'linux',
      config: { env: [`GITHUB_TOKEN=${GITHUB_TOKEN}`], exposedPorts: [], volumes: [], labels: {} },
      diffIds: [],
      history: [
        { createdBy: '/bin/sh -c #(nop) ADD file:0a1b in / ', emptyLayer: false },
        { createdBy: `ARG NPM_TOKEN=${NPM_TOKEN}`, emptyLayer: true },
        { createdBy: `RUN |1 NPM_TOKEN=${NPM_TOKEN} /bin/sh -c npm ci`, emptyLayer: false },
      ],
    }
    const input = { config, layers: [{ diffId: 'sha256:base' }, { diffId: 'sha256:app' }], historyForLayer: [0, 2] } as unknown as ImageInput
    // Act
    const analysis = await secretsConfigAnalyzer.analyze(input)
    // Assess
    expect(secretsConfigAnalyzer).toMatchObject({ kind: 'image', id: 'secrets-config', version: 1 })
    expect(analysis.findings?.map((f) => [f.ruleId, f.severity, f.location, f.evidence?.replace(/….*$/, '…')])).toEqual([
      ['secret-github-pat', 'critical', {}, 'ENV GITHUB_TOKEN: ghp_…'],
      ['secret-npm-access-token', 'critical', { history: 1 }, 'NPM_TOKEN: npm_…'],
      ['secret-npm-access-token', 'critical', { history: 2, layer: 'sha256:app' }, 'NPM_TOKEN: npm_…'],
    ])
  })

  it('reports nothing for a clean config', async () => {
    const config: ImageConfig = {
      architecture: 'amd64',
      os: 'linux',
      config: { env: ['PATH=/usr/bin'], exposedPorts: [], volumes: [], labels: { maintainer: 'ops' } },
      diffIds: [],
      history: [{ createdBy: 'RUN /bin/sh -c apt-get update', emptyLayer: false }],
    }
    await expect(Promise.resolve(secretsConfigAnalyzer.analyze({ config, layers: [], historyForLayer: [] } as unknown as ImageInput))).resolves.toEqual({})
  })
})
