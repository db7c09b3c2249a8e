import { describe, expect, it } from 'vitest'
import { ErrorCode } from '../../../shared/errors.js'
import { bearerToken, secretsEqual, unauthorized, WebhookError } from '../../../shared/webhooks/index.js'

describe('secretsEqual', () => {
  it.each([
    ['s3cret', 's3cret', true],
    ['', '', true],
    ['ünïcode-🔑', 'ünïcode-🔑', true],
    ['s3cret', 's3creT', false],
    ['s3cret', 's3cret ', false],
    ['short', 'a much longer secret than the other one', false],
    ['', 'x', false],
  ])('%j vs %j → %s', (a, b, expected) => {
    expect(secretsEqual(a, b)).toBe(expected)
    expect(secretsEqual(b, a)).toBe(expected)
  })
})

describe('bearerToken', () => {
  it.each([
    ['Bearer test-shared-secret', 'test-shared-secret'],
    ['bearer abc.def.ghi', 'abc.def.ghi'],
    ['BEARER   padded  ', 'padded'],
    ['  Bearer\ttabbed', 'tabbed'],
    [undefined, undefined],
    ['', undefined],
    ['Bearer', undefined],
    ['Bearer    ', undefined],
    ['Basic dXNlcjpwYXNz', undefined],
    ['Bearertoken', undefined],
    ['test-shared-secret', undefined],
  ])('%j → %j', (header, token) => {
    expect(bearerToken(header)).toBe(token)
  })
})

describe('WebhookError', () => {
  it('is a PushscanError with the unauthorised code', () => {
    // Act
    const error = unauthorized('bad signature')
    // Assess
    expect(error).toBeInstanceOf(WebhookError)
    expect(error).toMatchObject({ name: 'WebhookError', code: ErrorCode.WebhookUnauthorized, message: 'bad signature', temporary: false })
  })
})
