import { createHash } from 'node:crypto'
import { Readable, Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { describe, expect, it } from 'vitest'
import { ErrorCode } from '../../../shared/errors.js'
import { DigestMeter, DigestVerifier, isDigest, parseDigest, sha256Digest, type Digest } from '../../../shared/image/digest.js'

const CONTENT = Buffer.from('hello, layer\n'.repeat(1000))
const SHA256 = `sha256:${createHash('sha256').update(CONTENT).digest('hex')}` as Digest
const SHA512 = `sha512:${createHash('sha512').update(CONTENT).digest('hex')}` as Digest

/** Splits `bytes` into chunks of `size`, to exercise the stream across chunk boundaries. */
function chunks(bytes: Buffer, size = 1000): Buffer[] {
  const out: Buffer[] = []
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.subarray(i, i + size))
  return out
}

/** A writable that keeps what it receives. */
function collector(): { sink: Writable; received: () => Buffer } {
  const parts: Buffer[] = []
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      parts.push(chunk)
      callback()
    },
  })
  return { sink, received: () => Buffer.concat(parts) }
}

describe('parseDigest and isDigest', () => {
  it.each([
    `sha256:${'0123456789abcdef'.repeat(4)}`,
    `sha512:${'f'.repeat(128)}`,
  ])('accepts %s', (value) => {
    expect(parseDigest(value)).toBe(value)
    expect(isDigest(value)).toBe(true)
  })

  it.each([
    ['', 'invalid digest ""'],
    ['sha256', 'invalid digest'],
    [`sha256${'a'.repeat(64)}`, 'invalid digest'],
    [`:${'a'.repeat(64)}`, 'invalid digest'],
    [`sha256:${'a'.repeat(63)}`, 'invalid sha256 digest'],
    [`sha256:${'a'.repeat(65)}`, 'invalid sha256 digest'],
    [`sha256:${'A'.repeat(64)}`, 'invalid sha256 digest'],
    [`sha256:${'g'.repeat(64)}`, 'invalid sha256 digest'],
    [`sha512:${'a'.repeat(64)}`, 'invalid sha512 digest'],
    [`md5:${'a'.repeat(32)}`, 'unsupported digest algorithm "md5"'],
    [`sha384:${'a'.repeat(96)}`, 'unsupported digest algorithm "sha384"'],
    [`SHA256:${'a'.repeat(64)}`, 'invalid digest'],
    [` sha256:${'a'.repeat(64)}`, 'invalid digest'],
    [`sha256:${'a'.repeat(64)}\n`, 'invalid digest'],
  ])('refuses %j', (value, message) => {
    expect(() => parseDigest(value)).toThrow(
      expect.objectContaining({ name: 'InputError', code: ErrorCode.ReferenceInvalid, message: expect.stringContaining(message) })
    )
    expect(isDigest(value)).toBe(false)
  })
})

describe('sha256Digest', () => {
  it.each([
    ['', 'sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
    ['abc', 'sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'],
  ])('hashes the string %j', (input, expected) => {
    expect(sha256Digest(input)).toBe(expected)
  })

  it('hashes bytes the same as the equivalent string', () => {
    expect(sha256Digest(new TextEncoder().encode('abc'))).toBe(sha256Digest('abc'))
  })

  it('produces a digest parseDigest accepts', () => {
    expect(isDigest(sha256Digest(CONTENT))).toBe(true)
  })
})

describe('DigestVerifier', () => {
  it.each([
    ['sha256 with its size', SHA256, CONTENT.length],
    ['sha256 without a size', SHA256, undefined],
    ['sha512 with its size', SHA512, CONTENT.length],
  ])('passes the right content through untouched (%s)', async (_label, digest, size) => {
    // Prepare
    const verifier = new DigestVerifier({ digest, ...(size === undefined ? {} : { size }) })
    const { sink, received } = collector()
    // Act
    await pipeline(Readable.from(chunks(CONTENT)), verifier, sink)
    // Assess
    expect(received().equals(CONTENT)).toBe(true)
    expect(verifier.bytes).toBe(CONTENT.length)
  })

  it('verifies an empty blob', async () => {
    const verifier = new DigestVerifier({ digest: sha256Digest(''), size: 0 })
    await expect(pipeline(Readable.from([]), verifier, collector().sink)).resolves.toBeUndefined()
  })

  it.each([
    ['sha256, same size', SHA256, CONTENT.length],
    ['sha256, no size', SHA256, undefined],
    ['sha512, same size', SHA512, CONTENT.length],
  ])('fails wrong content with BLOB_DIGEST_MISMATCH (%s)', async (_label, digest, size) => {
    // Prepare
    const wrong = Buffer.from(CONTENT)
    wrong[100] = wrong[100]! ^ 0xff
    const verifier = new DigestVerifier({ digest, ...(size === undefined ? {} : { size }) })
    // Act
    const done = pipeline(Readable.from(chunks(wrong)), verifier, collector().sink)
    // Assess
    await expect(done).rejects.toMatchObject({ name: 'PushscanError', code: ErrorCode.BlobDigestMismatch, temporary: false })
    await expect(done).rejects.toThrow(`expected ${digest}`)
  })

  it('fails content shorter than the size with BLOB_SIZE_MISMATCH', async () => {
    // Prepare
    const verifier = new DigestVerifier({ digest: SHA256, size: CONTENT.length })
    const short = CONTENT.subarray(0, CONTENT.length - 1)
    // Act
    const done = pipeline(Readable.from(chunks(short)), verifier, collector().sink)
    // Assess
    await expect(done).rejects.toMatchObject({ code: ErrorCode.BlobSizeMismatch })
    await expect(done).rejects.toThrow(`got ${short.length} bytes for ${SHA256}, expected ${CONTENT.length}`)
  })

  it('fails content longer than the size with BLOB_SIZE_MISMATCH', async () => {
    // Prepare
    const verifier = new DigestVerifier({ digest: SHA256, size: CONTENT.length })
    const long = Buffer.concat([CONTENT, Buffer.from('x')])
    // Act
    const done = pipeline(Readable.from(chunks(long)), verifier, collector().sink)
    // Assess
    await expect(done).rejects.toMatchObject({ code: ErrorCode.BlobSizeMismatch })
    await expect(done).rejects.toThrow(`more than the expected ${CONTENT.length} bytes`)
  })

  it('fails an endless body as soon as it passes the size', async () => {
    // Prepare
    let produced = 0
    async function* endless(): AsyncGenerator<Buffer> {
      for (;;) {
        produced++
        yield Buffer.alloc(1024, 0x61)
      }
    }
    const verifier = new DigestVerifier({ digest: SHA256, size: 10 * 1024 })
    const { sink, received } = collector()
    // Act
    const done = pipeline(Readable.from(endless()), verifier, sink)
    // Assess
    await expect(done).rejects.toMatchObject({ code: ErrorCode.BlobSizeMismatch })
    expect(verifier.bytes).toBe(11 * 1024)
    expect(received().length).toBeLessThanOrEqual(10 * 1024)
    expect(produced).toBeLessThan(100)
  })

  it.each<['digest' | 'size', Buffer]>([
    ['digest', Buffer.from(CONTENT).fill(0x7a, 0, 1)],
    ['size', CONTENT.subarray(1)],
    ['size', Buffer.concat([CONTENT, CONTENT])],
  ])('builds the error with onMismatch (%s)', async (kind, body) => {
    // Prepare
    const calls: Array<[string, string]> = []
    class Custom extends Error {}
    const verifier = new DigestVerifier({
      digest: SHA256,
      size: CONTENT.length,
      onMismatch: (k, detail) => {
        calls.push([k, detail])
        return new Custom(`custom ${k}`)
      },
    })
    // Act
    const done = pipeline(Readable.from(chunks(body)), verifier, collector().sink)
    // Assess
    await expect(done).rejects.toBeInstanceOf(Custom)
    await expect(done).rejects.toThrow(`custom ${kind}`)
    expect(calls).toHaveLength(1)
    expect(calls[0]?.[0]).toBe(kind)
    expect(calls[0]?.[1]).toContain(SHA256)
  })
})

describe('DigestMeter', () => {
  it('measures the sha256 and the byte count of what goes through', async () => {
    // Prepare
    const meter = new DigestMeter()
    const { sink, received } = collector()
    // Act
    await pipeline(Readable.from(chunks(CONTENT, 777)), meter, sink)
    // Assess
    expect(meter.digest).toBe(SHA256)
    expect(meter.bytes).toBe(CONTENT.length)
    expect(received().equals(CONTENT)).toBe(true)
  })

  it('has no digest before the stream ends', () => {
    const meter = new DigestMeter()
    meter.write(Buffer.from('abc'))
    expect(meter.digest).toBeUndefined()
    expect(meter.bytes).toBe(3)
  })

  it('digests an empty stream', async () => {
    const meter = new DigestMeter()
    await pipeline(Readable.from([]), meter, collector().sink)
    expect([meter.digest, meter.bytes]).toEqual([sha256Digest(''), 0])
  })

  it.each([
    [CONTENT.length, true],
    [CONTENT.length - 1, false],
  ])('with a limit of %i bytes, passes: %s', async (limit, passes) => {
    // Prepare
    const seen: number[] = []
    const meter = new DigestMeter(limit, (max) => {
      seen.push(max)
      return new Error(`limit ${max}`)
    })
    // Act
    const done = pipeline(Readable.from(chunks(CONTENT)), meter, collector().sink)
    // Assess
    if (passes) {
      await expect(done).resolves.toBeUndefined()
      expect(seen).toEqual([])
    } else {
      await expect(done).rejects.toThrow(`limit ${limit}`)
      expect(seen).toEqual([limit])
      expect(meter.digest).toBeUndefined()
    }
  })

  it('uses a plain error naming the limit by default', async () => {
    const meter = new DigestMeter(5)
    await expect(pipeline(Readable.from([Buffer.from('123456')]), meter, collector().sink)).rejects.toThrow('over 5 bytes')
  })
})
