import { describe, expect, it } from 'vitest'
import { fixedClock } from '../../../shared/ports/clock.js'
import { TokenCache } from '../../../shared/registry/token-cache.js'

const START = '2025-03-01T12:00:00.000Z'
const T0 = Date.parse(START)
const SECOND = 1000
const MINUTE = 60 * SECOND

function cacheAt(at: string | number = START): { cache: TokenCache; clock: ReturnType<typeof fixedClock> } {
  const clock = fixedClock(at)
  return { cache: new TokenCache(clock), clock }
}

/** Stores a token, moves the clock `elapsed` ms on and asks for it again. */
function getAfter(elapsed: number, expiresIn: number | undefined, issuedAt: string | undefined): string | undefined {
  const { cache, clock } = cacheAt()
  cache.set('k', 'tok', expiresIn, issuedAt)
  clock.advance(elapsed)
  return cache.get('k')
}

describe('TokenCache.key', () => {
  it('joins registry, realm, service and sorted scopes', () => {
    expect(TokenCache.key('r.io', 'https://auth.r.io/token', 'r.io', ['repository:b:pull', 'repository:a:pull'])).toBe(
      'r.io|https://auth.r.io/token|r.io|repository:a:pull repository:b:pull'
    )
  })

  it('does not depend on the order of the scopes, and leaves the array alone', () => {
    // Prepare
    const scopes = ['repository:z:pull', 'repository:a:pull,push']
    // Act
    const key = TokenCache.key('r', 'realm', 's', scopes)
    // Assess
    expect(key).toBe(TokenCache.key('r', 'realm', 's', [...scopes].reverse()))
    expect(scopes).toEqual(['repository:z:pull', 'repository:a:pull,push'])
  })

  it.each([
    ['registry', ['r2', 'realm', 's', ['x']]],
    ['realm', ['r', 'realm2', 's', ['x']]],
    ['service', ['r', 'realm', 's2', ['x']]],
    ['scopes', ['r', 'realm', 's', ['y']]],
  ] as const)('differs when the %s differs', (_label, args) => {
    expect(TokenCache.key(args[0], args[1], args[2], [...args[3]])).not.toBe(TokenCache.key('r', 'realm', 's', ['x']))
  })
})

describe('TokenCache', () => {
  it('returns nothing for a key never stored', () => {
    expect(cacheAt().cache.get('missing')).toBeUndefined()
  })

  it('returns a stored token at once', () => {
    // Prepare
    const { cache } = cacheAt()
    // Act
    cache.set('k', 'tok', 300, undefined)
    // Assess
    expect(cache.get('k')).toBe('tok')
  })

  it.each<[string, number | undefined, string | undefined, number]>([
    ['expires_in 300 s, 10 s margin', 300, undefined, 290 * SECOND - 1],
    ['no expires_in: the default 60 s', undefined, undefined, 50 * SECOND - 1],
    ['expires_in 0: the default 60 s', 0, undefined, 50 * SECOND - 1],
    ['a negative expires_in: the default 60 s', -5, undefined, 50 * SECOND - 1],
    ['a NaN expires_in: the default 60 s', Number.NaN, undefined, 50 * SECOND - 1],
    ['issued_at a minute ago counts from then', 300, new Date(T0 - MINUTE).toISOString(), 230 * SECOND - 1],
    ['issued_at 4 minutes ahead counts from then', 300, new Date(T0 + 4 * MINUTE).toISOString(), 530 * SECOND - 1],
    ['issued_at an hour ago is ignored', 300, new Date(T0 - 60 * MINUTE).toISOString(), 290 * SECOND - 1],
    ['issued_at a day ahead is ignored', 300, new Date(T0 + 24 * 60 * MINUTE).toISOString(), 290 * SECOND - 1],
    ['issued_at exactly 5 minutes ago is ignored', 300, new Date(T0 - 5 * MINUTE).toISOString(), 290 * SECOND - 1],
    ['an unparsable issued_at is ignored', 300, 'yesterday', 290 * SECOND - 1],
    ['an empty issued_at is ignored', 300, '', 290 * SECOND - 1],
  ])('keeps a token with %s until shortly before it expires', (_label, expiresIn, issuedAt, lastValid) => {
    // Act
    const answers = [getAfter(0, expiresIn, issuedAt), getAfter(lastValid, expiresIn, issuedAt), getAfter(lastValid + 1, expiresIn, issuedAt)]
    // Assess
    expect(answers).toEqual(['tok', 'tok', undefined])
  })

  it.each<[string, number, string | undefined]>([
    ['expires_in within the margin', 10, undefined],
    ['issued_at so early the token is already past its margin', 60, new Date(T0 - 4 * MINUTE).toISOString()],
  ])('never returns a token with %s', (_label, expiresIn, issuedAt) => {
    // Prepare
    const { cache } = cacheAt()
    // Act
    cache.set('k', 'tok', expiresIn, issuedAt)
    // Assess
    expect(cache.get('k')).toBeUndefined()
  })

  it('forgets an expired token, even if the clock went back', () => {
    // Prepare
    const { cache, clock } = cacheAt()
    cache.set('k', 'tok', 60, undefined)
    clock.advance(55 * SECOND)
    // Act
    const expired = cache.get('k')
    clock.advance(-55 * SECOND)
    // Assess
    expect(expired).toBeUndefined()
    expect(cache.get('k')).toBeUndefined()
  })

  it('replaces a token stored again under the same key', () => {
    // Prepare
    const { cache, clock } = cacheAt()
    cache.set('k', 'old', 60, undefined)
    clock.advance(45 * SECOND)
    // Act
    cache.set('k', 'new', 60, undefined)
    clock.advance(10 * SECOND)
    // Assess
    expect(cache.get('k')).toBe('new')
  })

  it('keeps keys apart and deletes one', () => {
    // Prepare
    const { cache } = cacheAt()
    cache.set('a', 'ta', 300, undefined)
    cache.set('b', 'tb', 300, undefined)
    // Act
    cache.delete('a')
    cache.delete('never-stored')
    // Assess
    expect([cache.get('a'), cache.get('b')]).toEqual([undefined, 'tb'])
  })

  it('works with a numeric start time', () => {
    // Prepare
    const { cache, clock } = cacheAt(T0)
    cache.set('k', 'tok', 20, undefined)
    // Act
    clock.advance(10 * SECOND - 1)
    const before = cache.get('k')
    clock.advance(1)
    const after = cache.get('k')
    // Assess
    expect([before, after]).toEqual(['tok', undefined])
  })
})
