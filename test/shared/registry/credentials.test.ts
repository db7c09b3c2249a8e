import { describe, expect, it } from 'vitest'
import { ErrorCode } from '../../../shared/errors.js'
import {
  chainCredentials,
  ECR_HOST_PATTERN,
  ecrCredentials,
  parseDockerConfig,
  registryKey,
  staticCredentials,
  type CredentialProvider,
  type Credentials,
} from '../../../shared/registry/credentials.js'

function bytesOf(value: unknown): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(value))
}

const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64')

const invalid = (message: string): unknown =>
  expect.objectContaining({ name: 'InputError', code: ErrorCode.CredentialsInvalid, message: expect.stringContaining(message) })

describe('registryKey', () => {
  it.each([
    ['https://index.docker.io/v1/', 'docker.io'],
    ['index.docker.io', 'docker.io'],
    ['registry-1.docker.io', 'docker.io'],
    ['docker.io', 'docker.io'],
    ['ghcr.io', 'ghcr.io'],
    ['https://ghcr.io', 'ghcr.io'],
    ['http://host:5000/v2/', 'host:5000'],
    ['host:5000', 'host:5000'],
    ['Registry.Example.COM', 'registry.example.com'],
    ['HTTPS://Registry.Example.com/path', 'registry.example.com'],
    ['123456789012.dkr.ecr.eu-west-1.amazonaws.com', '123456789012.dkr.ecr.eu-west-1.amazonaws.com'],
  ])('%s → %s', (key, expected) => {
    expect(registryKey(key)).toBe(expected)
  })
})

describe('parseDockerConfig', () => {
  it.each<[string, Record<string, unknown>, Credentials]>([
    ['auth as base64 of user:password', { auth: b64('alice:s3cret') }, { username: 'alice', password: 's3cret' }],
    ['a password holding colons', { auth: b64('bob:pa:ss:word') }, { username: 'bob', password: 'pa:ss:word' }],
    ['an empty password', { auth: b64('carol:') }, { username: 'carol', password: '' }],
    ['username and password fields', { username: 'dave', password: 'pw' }, { username: 'dave', password: 'pw' }],
    ['fields overriding auth', { auth: b64('old:old'), username: 'new', password: 'newpw' }, { username: 'new', password: 'newpw' }],
    ['an identity token', { auth: b64('<token>:'), identitytoken: 'refresh-token' }, { username: '<token>', password: '', identityToken: 'refresh-token' }],
    ['a registry token alone', { registrytoken: 'bearer-token' }, { registryToken: 'bearer-token' }],
    ['non-ASCII credentials', { auth: b64('émile:pässwörd') }, { username: 'émile', password: 'pässwörd' }],
  ])('reads %s', (_label, entry, expected) => {
    // Act
    const map = parseDockerConfig(bytesOf({ auths: { 'registry.example.com': entry } }))
    // Assess
    expect(map.get('registry.example.com')).toEqual(expected)
  })

  it('keys entries by normalised registry host', () => {
    // Prepare
    const file = {
      auths: {
        'https://index.docker.io/v1/': { auth: b64('hub:pw') },
        'http://Local:5000/v2/': { username: 'l', password: 'p' },
        'ghcr.io': { auth: b64('gh:pw') },
      },
    }
    // Act
    const map = parseDockerConfig(bytesOf(file))
    // Assess
    expect([...map.keys()].sort()).toEqual(['docker.io', 'ghcr.io', 'local:5000'])
    expect(map.get('docker.io')).toEqual({ username: 'hub', password: 'pw' })
  })

  it.each([
    ['no auths', { credsStore: 'desktop' }],
    ['auths that is not an object', { auths: [] }],
    ['an entry with nothing usable', { auths: { 'a.io': { email: 'x@y.z' } } }],
    ['an entry with an empty auth', { auths: { 'a.io': { auth: '' } } }],
    ['null fields', { auths: { 'a.io': { auth: null, username: null, identitytoken: null } } }],
  ])('gives no credentials for %s', (_label, file) => {
    expect(parseDockerConfig(bytesOf(file)).size).toBe(0)
  })

  it.each([
    ['auth without a colon', { 'a.io': { auth: b64('justauser') } }, 'auths["a.io"].auth is not base64 of "user:password"'],
    ['auth with an empty user', { 'a.io': { auth: b64(':password') } }, 'auths["a.io"].auth is not base64 of "user:password"'],
    ['auth that is not base64', { 'a.io': { auth: '%%%%' } }, 'auths["a.io"].auth is not base64'],
    ['a numeric auth', { 'a.io': { auth: 5 } }, 'auths["a.io"].auth must be a string'],
    ['a numeric password', { 'a.io': { username: 'u', password: 1 } }, 'auths["a.io"].password must be a string'],
    ['a numeric identitytoken', { 'a.io': { identitytoken: 1 } }, 'auths["a.io"].identitytoken must be a string'],
    ['an entry that is a string', { 'a.io': 'user:pass' }, 'auths["a.io"] must be an object'],
  ])('refuses %s with CREDENTIALS_INVALID', (_label, auths, message) => {
    expect(() => parseDockerConfig(bytesOf({ auths }))).toThrow(invalid(message))
  })

  it.each([
    ['invalid JSON', new TextEncoder().encode('{"auths":'), 'registry auth file is not valid JSON'],
    ['invalid UTF-8', new Uint8Array([0xff]), 'registry auth file is not valid UTF-8'],
    ['a JSON array', bytesOf([]), 'registry auth file must be an object'],
  ])('refuses %s with CREDENTIALS_INVALID', (_label, bytes, message) => {
    expect(() => parseDockerConfig(bytes)).toThrow(invalid(message))
  })
})

describe('staticCredentials', () => {
  const hub: Credentials = { username: 'hub', password: 'pw' }
  const local: Credentials = { registryToken: 't' }

  it.each([
    ['docker.io', hub],
    ['index.docker.io', hub],
    ['DOCKER.IO', hub],
    ['host:5000', local],
    ['Host:5000', local],
    ['ghcr.io', undefined],
  ])('answers %s from a record keyed like a docker config', async (registry, expected) => {
    const provider = staticCredentials({ 'https://index.docker.io/v1/': hub, 'http://host:5000/v2/': local })
    await expect(provider(registry)).resolves.toEqual(expected)
  })

  it('answers from a Map', async () => {
    const provider = staticCredentials(new Map([['ghcr.io', hub]]))
    await expect(provider('ghcr.io')).resolves.toBe(hub)
  })
})

describe('chainCredentials', () => {
  const a: Credentials = { username: 'a', password: '1' }
  const b: Credentials = { username: 'b', password: '2' }

  it.each<[string, Array<Credentials | undefined>, Credentials | undefined]>([
    ['the first provider with credentials', [undefined, a, b], a],
    ['the last when the others have none', [undefined, undefined, b], b],
    ['undefined when none has any', [undefined, undefined], undefined],
    ['undefined with no providers', [], undefined],
  ])('returns %s', async (_label, answers, expected) => {
    const providers: CredentialProvider[] = answers.map((answer) => async () => answer)
    await expect(chainCredentials(...providers)('r.io')).resolves.toBe(expected)
  })

  it('does not ask the providers after the one that answered', async () => {
    // Prepare
    const asked: string[] = []
    const provider = (name: string, answer: Credentials | undefined): CredentialProvider => async (registry) => {
      asked.push(`${name}:${registry}`)
      return answer
    }
    // Act
    const found = await chainCredentials(provider('one', undefined), provider('two', a), provider('three', b))('r.io')
    // Assess
    expect(found).toBe(a)
    expect(asked).toEqual(['one:r.io', 'two:r.io'])
  })
})

describe('ECR_HOST_PATTERN', () => {
  it.each([
    ['123456789012.dkr.ecr.us-east-1.amazonaws.com', true],
    ['123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com', true],
    ['123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn', true],
    ['12345678901.dkr.ecr.us-east-1.amazonaws.com', false],
    ['123456789012.dkr.ecr.us-east-1.amazonaws.com.evil.io', false],
    ['public.ecr.aws', false],
    ['ghcr.io', false],
    ['123456789012.dkr.ecr.us-east-1.amazonaws.com:443', false],
  ])('%s → %s', (host, expected) => {
    expect(ECR_HOST_PATTERN.test(host)).toBe(expected)
  })

  it('captures the account and the region', () => {
    expect(ECR_HOST_PATTERN.exec('210987654321.dkr.ecr.eu-central-1.amazonaws.com')?.slice(1, 3)).toEqual(['210987654321', 'eu-central-1'])
  })
})

describe('ecrCredentials', () => {
  const HOST = '123456789012.dkr.ecr.eu-west-1.amazonaws.com'
  const OTHER = '210987654321.dkr.ecr.us-east-1.amazonaws.com'
  const HOUR = 3_600_000
  const MINUTE = 60_000

  function setup(start = 1_700_000_000_000): { provider: CredentialProvider; calls: string[]; clock: { now: number } } {
    const calls: string[] = []
    const clock = { now: start }
    const provider = ecrCredentials(async (registry) => {
      calls.push(registry)
      return { username: 'AWS', password: `token-${calls.length}`, expiresAt: clock.now + 12 * HOUR }
    }, () => clock.now)
    return { provider, calls, clock }
  }

  it('answers nothing for a host that is not ECR, without asking for a token', async () => {
    // Prepare
    const { provider, calls } = setup()
    // Act
    const found = await provider('ghcr.io')
    // Assess
    expect(found).toBeUndefined()
    expect(calls).toEqual([])
  })

  it('fetches a token and returns it as username and password', async () => {
    const { provider, calls } = setup()
    await expect(provider(HOST)).resolves.toEqual({ username: 'AWS', password: 'token-1' })
    expect(calls).toEqual([HOST])
  })

  it.each([
    ['a minute later', MINUTE, 'token-1', 1],
    ['just before 5 minutes before expiry', 12 * HOUR - 5 * MINUTE - 1, 'token-1', 1],
    ['exactly 5 minutes before expiry', 12 * HOUR - 5 * MINUTE, 'token-2', 2],
    ['after expiry', 13 * HOUR, 'token-2', 2],
  ])('asked again %s, answers %s', async (_label, elapsed, password, fetches) => {
    // Prepare
    const { provider, calls, clock } = setup()
    await provider(HOST)
    // Act
    clock.now += elapsed
    const found = await provider(HOST)
    // Assess
    expect(found?.password).toBe(password)
    expect(calls).toHaveLength(fetches)
  })

  it('caches tokens per registry', async () => {
    // Prepare
    const { provider, calls } = setup()
    // Act
    const first = await provider(HOST)
    const other = await provider(OTHER)
    const again = await provider(HOST)
    // Assess
    expect([first?.password, other?.password, again?.password]).toEqual(['token-1', 'token-2', 'token-1'])
    expect(calls).toEqual([HOST, OTHER])
  })

  it('does not cache a failed fetch', async () => {
    // Prepare
    let fail = true
    const provider = ecrCredentials(async () => {
      if (fail) throw new Error('AccessDenied')
      return { username: 'AWS', password: 'ok', expiresAt: 10 * HOUR }
    }, () => 0)
    // Act
    const first = provider(HOST)
    await expect(first).rejects.toThrow('AccessDenied')
    fail = false
    // Assess
    await expect(provider(HOST)).resolves.toEqual({ username: 'AWS', password: 'ok' })
  })
})
