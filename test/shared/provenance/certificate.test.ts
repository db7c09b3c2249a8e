import { describe, expect, it } from 'vitest'
import { parseSubjectAltName, readCertificate } from '../../../shared/provenance/certificate.js'

describe('parseSubjectAltName', () => {
  it.each([
    ['email:dev@example.com', [{ type: 'email', value: 'dev@example.com' }]],
    [
      'URI:https://github.com/o/r/.github/workflows/release.yml@refs/tags/v1, email:x@y.z',
      [
        { type: 'URI', value: 'https://github.com/o/r/.github/workflows/release.yml@refs/tags/v1' },
        { type: 'email', value: 'x@y.z' },
      ],
    ],
    [
      'URI:"https://github.com/o/r/.github/workflows/a\\u002cb.yml@refs/heads/main", email:x@y.z',
      [
        { type: 'URI', value: 'https://github.com/o/r/.github/workflows/a,b.yml@refs/heads/main' },
        { type: 'email', value: 'x@y.z' },
      ],
    ],
    ['DNS:example.com, IP Address:127.0.0.1', [{ type: 'DNS', value: 'example.com' }, { type: 'IP Address', value: '127.0.0.1' }]],
    ['', []],
  ])('parses %j', (text, names) => {
    expect(parseSubjectAltName(text)).toEqual(names)
  })
})

describe('readCertificate', () => {
  it('gives undefined for text that is not a certificate', () => {
    expect(readCertificate('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----')).toBeUndefined()
  })
})
