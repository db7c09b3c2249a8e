import { deflateRawSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { crc32, isZip, openZip, softwareCrc32, unsafeZipPath, ZipError, type ZipBudget } from '../../../shared/zip/zip-reader.js'
import { buildZip, type ZipWriterEntry } from './zip-writer.js'

function zipError(run: () => unknown): ZipError {
  try {
    run()
  } catch (error) {
    if (error instanceof ZipError) return error
    throw new Error(`expected a ZipError, got ${String(error)}`, { cause: error })
  }
  throw new Error('expected a ZipError, nothing was thrown')
}

const MANIFEST = 'Manifest-Version: 1.0\r\nCreated-By: test\r\n\r\n'

describe('openZip / read', () => {
  const archive = buildZip(
    [
      { name: 'META-INF/', method: 'store' },
      { name: 'META-INF/MANIFEST.MF', data: MANIFEST },
      { name: 'stored.txt', data: 'stored bytes', method: 'store' },
      { name: 'empty.txt', data: '', method: 'deflate' },
      { name: 'dir/ünïcödé.txt', data: 'utf-8 name' },
    ],
    { comment: 'a comment' }
  )

  it('lists the central directory', () => {
    const zip = openZip(archive)
    expect(isZip(archive)).toBe(true)
    expect(zip.comment).toBe('a comment')
    expect(zip.entries().map((e) => [e.name, e.directory, e.method, e.uncompressedSize])).toEqual([
      ['META-INF/', true, 0, 0],
      ['META-INF/MANIFEST.MF', false, 8, MANIFEST.length],
      ['stored.txt', false, 0, 12],
      ['empty.txt', false, 8, 0],
      ['dir/ünïcödé.txt', false, 8, 10],
    ])
    expect(zip.entry('stored.txt')).toMatchObject({ encrypted: false, compressedSize: 12 })
    expect(zip.entry('nope')).toBeUndefined()
  })

  it.each([
    ['META-INF/MANIFEST.MF', MANIFEST],
    ['stored.txt', 'stored bytes'],
    ['empty.txt', ''],
    ['dir/ünïcödé.txt', 'utf-8 name'],
    ['META-INF/', ''],
  ])('reads %s', (name, text) => {
    expect(openZip(archive).read(name).toString('utf8')).toBe(text)
  })

  it('reads by entry as well as by name', () => {
    const zip = openZip(archive)
    const entry = zip.entries()[1]!
    expect(zip.read(entry).toString()).toBe(MANIFEST)
  })

  it('reads ZIP64 archives (end record, locator, extra fields)', () => {
    const zip = openZip(buildZip([{ name: 'a.txt', data: 'x'.repeat(1000) }, { name: 'b.txt', data: 'hello', method: 'store' }], { zip64: true }))
    expect(zip.entries().map((e) => [e.name, e.uncompressedSize])).toEqual([
      ['a.txt', 1000],
      ['b.txt', 5],
    ])
    expect(zip.read('a.txt').toString()).toBe('x'.repeat(1000))
    expect(zip.read('b.txt').toString()).toBe('hello')
  })

  it('tolerates bytes before the archive (executable jars) the way java.util.zip does', () => {
    const prefix = Buffer.from('#!/bin/bash\nexec java -jar "$0" "$@"\n')
    const zip = openZip(buildZip([{ name: 'a.txt', data: 'payload' }], { prefix }))
    expect(zip.read('a.txt').toString()).toBe('payload')
    expect(zip.entry('a.txt')?.localHeaderOffset).toBe(prefix.length)
  })

  it('reads an empty archive', () => {
    const empty = buildZip([])
    expect(isZip(empty)).toBe(true)
    expect(openZip(empty).entries()).toEqual([])
  })

  it('keeps duplicate names; entry() and read() use the first', () => {
    const zip = openZip(buildZip([{ name: 'a', data: 'first' }, { name: 'a', data: 'second' }]))
    expect(zip.entries().map((e) => e.name)).toEqual(['a', 'a'])
    expect(zip.read('a').toString()).toBe('first')
    expect(zip.read(zip.entries()[1]!).toString()).toBe('second')
  })

  it('computes CRC-32 the same way with and without node:zlib', () => {
    const data = Buffer.from('The quick brown fox jumps over the lazy dog')
    expect(softwareCrc32(data)).toBe(0x414fa339)
    expect(crc32(data)).toBe(0x414fa339)
    expect(softwareCrc32(Buffer.alloc(0))).toBe(0)
  })
})

describe('hostile archives', () => {
  const big = Buffer.alloc(4 * 1024 * 1024) // zeros: deflates ~1000:1

  it.each<[string, string, RegExp, () => Buffer]>([
    ['not a zip', 'ZIP_INVALID', /end of central directory/, () => Buffer.from('hello world, this is not a zip archive')],
    ['empty', 'ZIP_INVALID', /too short/, () => Buffer.alloc(0)],
    ['truncated (end record cut)', 'ZIP_INVALID', /end of central directory/, () => buildZip([{ name: 'a', data: 'x' }]).subarray(0, -5)],
    ['truncated (data cut, end record kept)', 'ZIP_INVALID', /not where/, () => {
      const zip = buildZip([{ name: 'a', data: 'x'.repeat(100), method: 'store' }])
      return Buffer.concat([zip.subarray(0, 40), zip.subarray(zip.length - 22 - 47)])
    }],
    ['a name climbing out with ..', 'ZIP_PATH_INVALID', /"\.\." segment/, () => buildZip([{ name: '../../etc/passwd', data: 'x' }])],
    ['a nested .. segment', 'ZIP_PATH_INVALID', /"\.\." segment/, () => buildZip([{ name: 'a/../../b', data: 'x' }])],
    ['a backslash .. segment', 'ZIP_PATH_INVALID', /"\.\." segment/, () => buildZip([{ name: 'a\\..\\..\\b', data: 'x' }])],
    ['an absolute name', 'ZIP_PATH_INVALID', /absolute/, () => buildZip([{ name: '/etc/passwd', data: 'x' }])],
    ['a drive letter', 'ZIP_PATH_INVALID', /drive letter/, () => buildZip([{ name: 'C:/Windows/x', data: 'x' }])],
    ['a NUL in a name', 'ZIP_PATH_INVALID', /NUL/, () => buildZip([{ name: 'a.txt\0.jpg', data: 'x' }])],
    ['an empty name', 'ZIP_PATH_INVALID', /empty/, () => buildZip([{ name: '', data: 'x' }])],
    ['local and central names that disagree', 'ZIP_INVALID', /disagree/, () => buildZip([{ name: 'good.txt', localName: 'evil.txt', data: 'x' }])],
    ['two central entries sharing one local header', 'ZIP_INVALID', /overlap/, () => buildZip([{ name: 'a', data: 'x'.repeat(100) }, { name: 'a', aliasOf: 0 }])],
    ['compressed data covering the next local header', 'ZIP_INVALID', /overlap/, () => buildZip([{ name: 'a', data: 'abc', method: 'store', declaredCompressedSize: 100, declaredSize: 100 }, { name: 'b', data: 'y'.repeat(300), method: 'store' }])],
    ['compressed data running into the central directory', 'ZIP_INVALID', /runs into/, () => buildZip([{ name: 'a', data: 'abc', declaredCompressedSize: 5000 }])],
    ['more entries than the central directory can hold', 'ZIP_INVALID', /cannot fit/, () => {
      const zip = buildZip([{ name: 'a', data: 'x' }])
      zip.writeUInt16LE(5000, zip.length - 22 + 8)
      zip.writeUInt16LE(5000, zip.length - 22 + 10)
      return zip
    }],
    ['a multi-disk archive', 'ZIP_UNSUPPORTED', /multi-disk/, () => {
      const zip = buildZip([{ name: 'a', data: 'x' }])
      zip.writeUInt16LE(1, zip.length - 22 + 4)
      return zip
    }],
    ['a central directory offset pointing past the end record', 'ZIP_INVALID', /not where/, () => {
      const zip = buildZip([{ name: 'a', data: 'x' }])
      zip.writeUInt32LE(zip.length, zip.length - 22 + 16)
      return zip
    }],
  ])('%s → %s', (_, code, message, build) => {
    const error = zipError(() => {
      const zip = openZip(build())
      for (const entry of zip.entries()) zip.read(entry)
    })
    expect(error.code).toBe(code)
    expect(error.message).toMatch(message)
  })

  it.each<[string, string, RegExp, ZipWriterEntry]>([
    ['an entry over the per-call cap', 'ZIP_TOO_LARGE', /over the limit of 1000/, { name: 'a', data: 'x'.repeat(2000) }],
    ['a compression-ratio bomb', 'ZIP_TOO_LARGE', /compressed \d+ times/, { name: 'bomb', data: big }],
    ['a declared size smaller than the data inflates to', 'ZIP_INVALID', /more than its declared 100/, { name: 'a', data: 'x'.repeat(500), declaredSize: 100 }],
    ['a declared size larger than the data inflates to', 'ZIP_INVALID', /inflates to 500 bytes, not the declared 900/, { name: 'a', data: 'x'.repeat(500), declaredSize: 900 }],
    ['a bad CRC', 'ZIP_INVALID', /CRC-32/, { name: 'a', data: 'hello', crc: 1234 }],
    ['a stored entry with mismatched sizes', 'ZIP_INVALID', /different compressed and uncompressed/, { name: 'a', data: 'hello', method: 'store', declaredSize: 3 }],
    ['corrupt deflate data', 'ZIP_INVALID', /does not inflate/, { name: 'a', data: Buffer.from([0xff, 0xff, 0xff, 0xff]), method: 'store', methodNumber: 8, declaredSize: 10 }],
    ['an encrypted entry', 'ZIP_UNSUPPORTED', /encrypted/, { name: 'a', data: 'x', flags: 1 }],
    ['an unsupported method (bzip2)', 'ZIP_UNSUPPORTED', /method 12/, { name: 'a', data: 'x', method: 'store', methodNumber: 12 }],
  ])('read: %s → %s', (_, code, message, entry) => {
    const zip = openZip(buildZip([entry]))
    const error = zipError(() => zip.read(entry.name, 1000 + (entry.name === 'bomb' ? big.length : 0)))
    expect(error.code).toBe(code)
    expect(error.message).toMatch(message)
  })

  it('checks the declared size before inflating anything', () => {
    // claims 4 GiB: refused on the header, the data is never touched
    const zip = openZip(buildZip([{ name: 'a', data: 'x', declaredSize: 0xfffffff0 }]))
    expect(zipError(() => zip.read('a')).code).toBe('ZIP_TOO_LARGE')
  })

  it('caps the total across reads, and a shared budget across readers', () => {
    const archive = buildZip([
      { name: 'a', data: 'a'.repeat(600) },
      { name: 'b', data: 'b'.repeat(600) },
    ])
    const zip = openZip(archive, { limits: { maxTotalBytes: 1000 } })
    expect(zip.read('a').length).toBe(600)
    expect(zipError(() => zip.read('b')).message).toMatch(/remaining uncompressed budget of 400/)
    const budget: ZipBudget = { remainingBytes: 1000 }
    openZip(archive, { budget }).read('a')
    expect(budget.remainingBytes).toBe(400)
    expect(zipError(() => openZip(archive, { budget }).read('b')).code).toBe('ZIP_TOO_LARGE')
  })

  it('refuses more entries than allowed', () => {
    const archive = buildZip(Array.from({ length: 20 }, (_, i) => ({ name: `f${i}`, data: 'x' })))
    const error = zipError(() => openZip(archive, { limits: { maxEntries: 10 } }))
    expect(error.code).toBe('ZIP_TOO_LARGE')
    expect(error.message).toMatch(/20 entries/)
  })

  it('lets small, highly compressible entries through (ratio applies above the threshold)', () => {
    const zip = openZip(buildZip([{ name: 'zeros', data: Buffer.alloc(512 * 1024) }]))
    expect(zip.read('zeros').length).toBe(512 * 1024)
  })

  it.each([
    ['a.txt', undefined],
    ['dir/sub/a.txt', undefined],
    ['dir/', undefined],
    ['a..b', undefined],
    ['..', '".." segment'],
    ['\\server\\share', 'absolute path'],
  ])('unsafeZipPath(%j) → %s', (name, reason) => {
    expect(unsafeZipPath(name)).toBe(reason)
  })

  it('fuzzing: truncations and byte flips either read or throw ZipError', () => {
    const seed = buildZip([
      { name: 'META-INF/MANIFEST.MF', data: MANIFEST },
      { name: 'a.txt', data: 'hello '.repeat(50), method: 'store' },
      { name: 'b.bin', data: deflateRawSync(Buffer.from('nested')) },
    ])
    let state = 0x2545f491
    const random = (): number => {
      state ^= state << 13
      state ^= state >>> 17
      state ^= state << 5
      return (state >>> 0) / 4294967296
    }
    let slowest = 0
    for (let i = 0; i < 3000; i++) {
      const data = Buffer.from(seed)
      let input = data
      if (i % 3 === 0) input = data.subarray(Math.floor(random() * 40), Math.floor(random() * data.length))
      else for (let f = 0; f < 1 + (i % 6); f++) data[Math.floor(random() * data.length)] = Math.floor(random() * 256)
      const started = performance.now()
      try {
        const zip = openZip(input)
        for (const entry of zip.entries()) zip.read(entry, 1 << 20)
      } catch (error) {
        if (!(error instanceof ZipError)) throw new Error(`mutation ${i} threw ${String(error)}`, { cause: error })
      }
      slowest = Math.max(slowest, performance.now() - started)
    }
    expect(slowest).toBeLessThan(1000)
  })
})
