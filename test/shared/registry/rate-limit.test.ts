import { describe, expect, it } from 'vitest'
import { readRateLimit, readRetryAfter, type RateLimit } from '../../../shared/registry/rate-limit.js'

type Headers = Record<string, string | string[] | undefined>

describe('readRateLimit', () => {
  it.each<[string, Headers, RateLimit | undefined]>([
    [
      'Docker Hub headers',
      { 'ratelimit-limit': '100;w=21600', 'ratelimit-remaining': '76;w=21600', 'docker-ratelimit-source': '203.0.113.7' },
      { limit: 100, remaining: 76, windowSeconds: 21600, source: '203.0.113.7' },
    ],
    ['a limit without a window', { 'ratelimit-limit': '100' }, { limit: 100 }],
    ['only the remaining count, with its window', { 'ratelimit-remaining': '0;w=60' }, { remaining: 0, windowSeconds: 60 }],
    ['the window from remaining when the limit has none', { 'ratelimit-limit': '200', 'ratelimit-remaining': '5;w=3600' }, { limit: 200, remaining: 5, windowSeconds: 3600 }],
    ['the limit window first', { 'ratelimit-limit': '200;w=10', 'ratelimit-remaining': '5;w=3600' }, { limit: 200, remaining: 5, windowSeconds: 10 }],
    ['spaces around the parts', { 'ratelimit-limit': '  100 ; w = 21600 ' }, { limit: 100, windowSeconds: 21600 }],
    ['array header values (the first counts)', { 'ratelimit-limit': ['10;w=60', '99;w=1'], 'docker-ratelimit-source': ['a', 'b'] }, { limit: 10, windowSeconds: 60, source: 'a' }],
    ['a garbage remaining beside a good limit', { 'ratelimit-limit': '100;w=60', 'ratelimit-remaining': 'lots' }, { limit: 100, windowSeconds: 60 }],
    ['an empty source', { 'ratelimit-limit': '1', 'docker-ratelimit-source': '' }, { limit: 1 }],
  ])('reads %s', (_label, headers, expected) => {
    expect(readRateLimit(headers)).toEqual(expected)
  })

  it.each<[string, Headers]>([
    ['no headers', {}],
    ['only a source', { 'docker-ratelimit-source': '203.0.113.7' }],
    ['garbage values', { 'ratelimit-limit': 'unlimited', 'ratelimit-remaining': ';w=60' }],
    ['empty values', { 'ratelimit-limit': '', 'ratelimit-remaining': '' }],
    ['empty arrays', { 'ratelimit-limit': [], 'ratelimit-remaining': [] }],
    ['undefined values', { 'ratelimit-limit': undefined }],
    ['negative numbers', { 'ratelimit-limit': '-1' }],
  ])('answers undefined for %s', (_label, headers) => {
    expect(readRateLimit(headers)).toBeUndefined()
  })
})

describe('readRetryAfter', () => {
  const NOW = Date.parse('2015-10-21T07:28:00Z')

  it.each<[string, Headers, number | undefined]>([
    ['delta-seconds', { 'retry-after': '120' }, 120_000],
    ['zero seconds', { 'retry-after': '0' }, 0],
    ['seconds with spaces', { 'retry-after': ' 5 ' }, 5000],
    ['an array', { 'retry-after': ['3', '100'] }, 3000],
    ['an HTTP date a minute ahead', { 'retry-after': 'Wed, 21 Oct 2015 07:29:00 GMT' }, 60_000],
    ['an HTTP date an hour ahead', { 'retry-after': 'Wed, 21 Oct 2015 08:28:00 GMT' }, 3_600_000],
    ['an HTTP date now', { 'retry-after': 'Wed, 21 Oct 2015 07:28:00 GMT' }, 0],
    ['an HTTP date in the past', { 'retry-after': 'Wed, 21 Oct 2015 07:00:00 GMT' }, 0],
    ['no header', {}, undefined],
    ['an empty header', { 'retry-after': '' }, undefined],
    ['a blank header', { 'retry-after': '   ' }, undefined],
    ['an empty array', { 'retry-after': [] }, undefined],
    ['a word', { 'retry-after': 'soon' }, undefined],
    ['digits followed by letters', { 'retry-after': '12abc' }, undefined],
  ])('reads %s', (_label, headers, expected) => {
    expect(readRetryAfter(headers, NOW)).toBe(expected)
  })

  it('measures an HTTP date from the given now', () => {
    // Prepare
    const headers = { 'retry-after': 'Wed, 21 Oct 2015 07:30:00 GMT' }
    // Act
    const fromNow = readRetryAfter(headers, NOW)
    const fromLater = readRetryAfter(headers, NOW + 30_000)
    // Assess
    expect([fromNow, fromLater]).toEqual([120_000, 90_000])
  })
})
