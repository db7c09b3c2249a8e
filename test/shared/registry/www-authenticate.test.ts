import { describe, expect, it } from 'vitest'
import { parseChallenges } from '../../../shared/registry/www-authenticate.js'

describe('parseChallenges', () => {
  it.each([
    [
      'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:samalba/my-app:pull,push"',
      [{ scheme: 'bearer', params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:samalba/my-app:pull,push' } }],
    ],
    ['Basic realm="scanner-test-registry"', [{ scheme: 'basic', params: { realm: 'scanner-test-registry' } }]],
    ['basic realm=simple', [{ scheme: 'basic', params: { realm: 'simple' } }]],
    [
      'Bearer realm="r", error="insufficient_scope", scope="repository:a:pull repository:b:pull"',
      [{ scheme: 'bearer', params: { realm: 'r', error: 'insufficient_scope', scope: 'repository:a:pull repository:b:pull' } }],
    ],
    [
      'Basic realm="a, b", Bearer realm="https://t/token",service="s"',
      [
        { scheme: 'basic', params: { realm: 'a, b' } },
        { scheme: 'bearer', params: { realm: 'https://t/token', service: 's' } },
      ],
    ],
    ['Bearer realm="quote \\" inside"', [{ scheme: 'bearer', params: { realm: 'quote " inside' } }]],
    ['Bearer', [{ scheme: 'bearer', params: {} }]],
    ['', []],
    ['Bearer REALM="x" , SERVICE = "y"', [{ scheme: 'bearer', params: { realm: 'x', service: 'y' } }]],
  ])('parses %s', (header, expected) => {
    expect(parseChallenges(header)).toEqual(expected)
  })

  it('survives an unterminated quoted string', () => {
    expect(parseChallenges('Bearer realm="unterminated')).toEqual([{ scheme: 'bearer', params: { realm: 'unterminated' } }])
  })
})
