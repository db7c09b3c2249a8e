import { describe, expect, it } from 'vitest'
import { ErrorCode, PushscanError } from '../../../shared/errors.js'
import { codeForStatus, isRetryableStatus, parseErrorBody, RegistryError, type RegistryErrorDetail } from '../../../shared/registry/registry-error.js'

describe('isRetryableStatus', () => {
  it.each([
    [408, true],
    [429, true],
    [500, true],
    [502, true],
    [503, true],
    [504, true],
    [599, true],
    [501, false],
    [505, false],
    [200, false],
    [301, false],
    [400, false],
    [401, false],
    [403, false],
    [404, false],
    [409, false],
    [600, false],
  ])('%i → %s', (status, expected) => {
    expect(isRetryableStatus(status)).toBe(expected)
  })
})

describe('codeForStatus', () => {
  it.each<[number, 'manifest' | 'blob' | 'other', string]>([
    [401, 'manifest', ErrorCode.Unauthorized],
    [401, 'blob', ErrorCode.Unauthorized],
    [403, 'other', ErrorCode.Denied],
    [404, 'manifest', ErrorCode.ManifestUnknown],
    [404, 'blob', ErrorCode.BlobUnknown],
    [404, 'other', ErrorCode.RegistryError],
    [408, 'blob', ErrorCode.RegistryTimeout],
    [429, 'manifest', ErrorCode.RateLimited],
    [500, 'manifest', ErrorCode.RegistryUnavailable],
    [501, 'blob', ErrorCode.RegistryUnavailable],
    [503, 'other', ErrorCode.RegistryUnavailable],
    [400, 'manifest', ErrorCode.RegistryError],
    [405, 'blob', ErrorCode.RegistryError],
    [416, 'blob', ErrorCode.RegistryError],
    [302, 'other', ErrorCode.RegistryError],
  ])('%i for a %s → %s', (status, what, expected) => {
    expect(codeForStatus(status, what)).toBe(expected)
  })
})

describe('parseErrorBody', () => {
  it.each<[string, string, RegistryErrorDetail[]]>([
    [
      'a distribution-spec error body',
      '{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown","detail":{"Tag":"x"}}]}',
      [{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown' }],
    ],
    [
      'several errors',
      '{"errors":[{"code":"UNAUTHORIZED","message":"a"},{"code":"DENIED"}]}',
      [{ code: 'UNAUTHORIZED', message: 'a' }, { code: 'DENIED' }],
    ],
    ['an error without a code', '{"errors":[{"message":"m"}]}', [{ code: 'UNKNOWN', message: 'm' }]],
    ['a null code', '{"errors":[{"code":null}]}', [{ code: 'UNKNOWN' }]],
    ['a numeric code', '{"errors":[{"code":429}]}', [{ code: '429' }]],
    ['a non-string message', '{"errors":[{"code":"X","message":{"text":"m"}}]}', [{ code: 'X' }]],
    ['non-object entries among objects', '{"errors":["oops",null,3,{"code":"X"}]}', [{ code: 'X' }]],
    ['an empty errors array', '{"errors":[]}', []],
    ['errors that is an object', '{"errors":{"code":"X"}}', []],
    ['no errors field', '{"message":"not found"}', []],
    ['a JSON array', '[{"code":"X"}]', []],
    ['JSON null', 'null', []],
    ['HTML', '<html><body>502 Bad Gateway</body></html>', []],
    ['an empty body', '', []],
  ])('reads %s', (_label, text, expected) => {
    expect(parseErrorBody(text)).toEqual(expected)
  })

  it('keeps at most 10 errors', () => {
    // Prepare
    const errors = Array.from({ length: 25 }, (_v, i) => ({ code: `E${i}` }))
    // Act
    const details = parseErrorBody(JSON.stringify({ errors }))
    // Assess
    expect(details.map((d) => d.code)).toEqual(['E0', 'E1', 'E2', 'E3', 'E4', 'E5', 'E6', 'E7', 'E8', 'E9'])
  })
})

describe('RegistryError', () => {
  it('carries what the registry said', () => {
    // Act
    const error = new RegistryError(ErrorCode.RateLimited, 'slow down', {
      status: 429,
      details: [{ code: 'TOOMANYREQUESTS' }],
      retryAfterMs: 5000,
      rateLimit: { limit: 100, remaining: 0 },
      temporary: true,
    })
    // Assess
    expect(error).toBeInstanceOf(PushscanError)
    expect(error).toMatchObject({ name: 'RegistryError', code: ErrorCode.RateLimited, message: 'slow down', status: 429, retryAfterMs: 5000, temporary: true })
    expect(error.details).toEqual([{ code: 'TOOMANYREQUESTS' }])
    expect(error.rateLimit).toEqual({ limit: 100, remaining: 0 })
  })

  it('defaults to no details and a permanent error', () => {
    const error = new RegistryError(ErrorCode.RegistryError, 'bad')
    expect([error.details, error.status, error.retryAfterMs, error.rateLimit, error.temporary]).toEqual([[], undefined, undefined, undefined, false])
  })
})
