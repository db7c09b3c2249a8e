/**
 * Bugs found by review, each pinned by the input that showed it.
 */
import { Readable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { isRootUser } from '../../shared/analyzers/config/config-analyzer.js'
import { parseOsRelease } from '../../shared/analyzers/os-release/os-release-analyzer.js'
import { parseManifest } from '../../shared/image/manifest.js'
import { peek } from '../../shared/layers/decompress.js'
import { parseSize, resolveLimits } from '../../shared/layers/limits.js'
import { parseDockerConfig } from '../../shared/registry/credentials.js'
import { readRetryAfter } from '../../shared/registry/rate-limit.js'
import { bytes } from '../../shared/report/format-table.js'
import { isSecretEnv, redactUrlPasswords } from '../../shared/report/redact.js'

async function readAll(stream: Readable): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of stream) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString()
}

describe('regressions', () => {
  it.each([
    ['a stream shorter than the peek', [Buffer.from('ab')], 'ab'],
    ['a stream in one-byte chunks', ['a', 'b', 'c', 'd', 'e'].map((c) => Buffer.from(c)), 'abcde'],
    ['an empty stream', [], ''],
  ])('peek keeps %s whole', async (_name, chunks, text) => {
    const stream = Readable.from(chunks, { objectMode: false })
    const head = await peek(stream, 4)
    expect(head.toString()).toBe(text.slice(0, 4))
    expect(await readAll(stream)).toBe(text)
  })

  it('peek rejects with the error of a stream that fails before its first bytes', async () => {
    const stream = new Readable({
      read() {
        this.destroy(new Error('boom'))
      },
    })
    await expect(peek(stream, 4)).rejects.toThrow('boom')
  })

  it('refuses sizes that round down to zero, and limit names from Object.prototype', () => {
    expect(() => parseSize('0.5')).toThrow(expect.objectContaining({ code: 'USAGE' }))
    expect(() => resolveLimits(['toString=5'])).toThrow(expect.objectContaining({ code: 'USAGE' }))
    expect(() => resolveLimits(['constructor=5'])).toThrow(expect.objectContaining({ code: 'USAGE' }))
  })

  it('reads os-release files with CRLF line endings', () => {
    expect(parseOsRelease('ID=debian\r\nVERSION_ID="12"\r\n')).toEqual({ ID: 'debian', VERSION_ID: '12' })
  })

  it.each([
    [999_999, '1.0 MB'],
    [999_950, '1.0 MB'],
    [999_949, '999.9 kB'],
    [999, '999 B'],
  ])('bytes(%i) is %s', (n, text) => {
    expect(bytes(n)).toBe(text)
  })

  it.each(['1.5', '-5', 'soon'])('ignores a Retry-After of %j', (value) => {
    expect(readRetryAfter({ 'retry-after': value }, Date.now())).toBeUndefined()
  })

  it.each([
    ['PWD', '/app', false],
    ['AUTHOR', 'Jane', false],
    ['TOKENIZERS_PARALLELISM', 'false', false],
    ['PGPASSWORD', 'x', true],
    ['NPMTOKEN', 'x', true],
    ['x-api-key', 'x', true],
  ])('isSecretEnv(%s) is %s', (name, value, secret) => {
    expect(isSecretEnv(name, value)).toBe(secret)
  })

  it('hides a URL password that contains @', () => {
    expect(redactUrlPasswords('postgres://u:p@ss@h/db')).toBe('postgres://u:…[redacted, 4 chars]@h/db')
  })

  it.each(['00', '+0', '0:0', '000:root'])('treats user %j as root', (user) => {
    expect(isRootUser(user)).toBe(true)
  })

  it('infers the type of a manifest whose mediaType is empty', () => {
    const manifest = parseManifest(Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: '', config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: `sha256:${'a'.repeat(64)}`, size: 2 }, layers: [] })))
    expect(manifest.kind).toBe('manifest')
  })

  it('refuses an auth entry that is not base64', () => {
    expect(() => parseDockerConfig(Buffer.from(JSON.stringify({ auths: { 'ghcr.io': { auth: 'dXNlcjpwYXNz!!!' } } })))).toThrow(expect.objectContaining({ code: 'CREDENTIALS_INVALID' }))
  })
})
