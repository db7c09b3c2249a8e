import { mkdir, symlink, truncate, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ArchiveError } from '../../../shared/errors.js'
import { normaliseTarPath, readTarIndex } from '../../../shared/archives/tar-index.js'
import {
  END_OF_ARCHIVE,
  makeTemp,
  padded,
  paxRecord,
  rawHeader,
  readAll,
  removeTemp,
  run,
  tarBytes,
  writeTar,
} from './fixtures.js'

let dir: string
let counter = 0

beforeAll(async () => {
  dir = await makeTemp('tar-index')
})

afterAll(async () => {
  await removeTemp(dir)
})

/** A fresh file path in the temp dir. */
function nextPath(name = 'archive.tar'): string {
  counter++
  return join(dir, `${counter}-${name}`)
}

async function writeRaw(...parts: Buffer[]): Promise<string> {
  const path = nextPath()
  await writeFile(path, Buffer.concat(parts))
  return path
}

describe('normaliseTarPath', () => {
  it.each([
    ['./a/b', 'a/b'],
    ['/a/b', 'a/b'],
    ['././a', 'a'],
    ['a/b/', 'a/b'],
    ['a//b/./c', 'a/b/c'],
    ['./', ''],
    ['blobs/sha256/abc', 'blobs/sha256/abc'],
  ])('normalises %j to %j', (input, expected) => {
    // Prepare, Act
    const normalised = normaliseTarPath(input)
    // Assess
    expect(normalised).toBe(expected)
  })
})

describe('readTarIndex', () => {
  it('indexes members by normalised name with data offsets and sizes', async () => {
    // Prepare
    const path = nextPath()
    await writeTar(path, [
      { name: './manifest.json', data: '[]' },
      { name: 'dir/', type: 'directory' },
      { name: 'dir/file.txt', data: 'hello, world' },
      { name: 'empty', data: '' },
    ])
    // Act
    const index = await readTarIndex(path)
    // Assess
    expect([...index.entries.keys()]).toEqual(['manifest.json', 'dir', 'dir/file.txt', 'empty'])
    expect(index.entries.get('dir')).toMatchObject({ type: 'directory', size: 0 })
    expect(index.entries.get('dir/file.txt')).toMatchObject({ type: 'file', size: 12, offset: 512 * 4 })
    expect((await index.readMember('dir/file.txt', 100)).toString()).toBe('hello, world')
    expect((await readAll(index.openMember('./dir/file.txt'))).toString()).toBe('hello, world')
    expect(await readAll(index.openMember('empty'))).toHaveLength(0)
  })

  it('joins the ustar prefix field to the name', async () => {
    // Prepare
    const longName = `${'d'.repeat(80)}/${'e'.repeat(40)}/${'f'.repeat(80)}`
    const path = nextPath()
    await writeTar(path, [{ name: longName, data: 'prefixed' }])
    // Act
    const index = await readTarIndex(path)
    // Assess
    expect((await index.readMember(longName, 100)).toString()).toBe('prefixed')
  })

  it('reads names from PAX extended headers', async () => {
    // Prepare: a single component over 100 bytes cannot be split into prefix/name
    const longName = `dir/${'p'.repeat(150)}`
    const path = nextPath()
    await writeTar(path, [{ name: longName, data: 'pax named' }])
    // Act
    const index = await readTarIndex(path)
    // Assess
    expect([...index.entries.keys()]).toEqual([longName])
    expect((await index.readMember(longName, 100)).toString()).toBe('pax named')
  })

  it('takes the size from a PAX header over the ustar field', async () => {
    // Prepare: what tars of files over 8 GiB do
    const pax = paxRecord('size', '5') + paxRecord('path', 'big.bin')
    const path = await writeRaw(
      rawHeader({ name: 'PaxHeaders/big.bin', typeflag: 'x', size: Buffer.byteLength(pax) }),
      padded(pax),
      rawHeader({ name: 'big.bin', size: 0 }),
      padded('12345'),
      END_OF_ARCHIVE
    )
    // Act
    const index = await readTarIndex(path)
    // Assess
    expect(index.entries.get('big.bin')).toMatchObject({ size: 5, type: 'file' })
    expect((await index.readMember('big.bin', 10)).toString()).toBe('12345')
  })

  it('ignores global PAX headers', async () => {
    // Prepare
    const global = paxRecord('path', 'not-this-name') + paxRecord('comment', 'hello')
    const path = await writeRaw(
      rawHeader({ name: 'pax_global_header', typeflag: 'g', size: Buffer.byteLength(global) }),
      padded(global),
      rawHeader({ name: 'file.txt', size: 3 }),
      padded('abc'),
      END_OF_ARCHIVE
    )
    // Act
    const index = await readTarIndex(path)
    // Assess
    expect([...index.entries.keys()]).toEqual(['file.txt'])
  })

  it('reads GNU long names and long link names', async () => {
    // Prepare
    const longName = `dir/${'g'.repeat(150)}`
    const longTarget = `../${'t'.repeat(150)}`
    const path = await writeRaw(
      rawHeader({ name: '././@LongLink', typeflag: 'L', size: longName.length + 1, format: 'gnu' }),
      padded(`${longName}\0`),
      rawHeader({ name: longName.slice(0, 100), size: 4, format: 'gnu' }),
      padded('gnu!'),
      rawHeader({ name: '././@LongLink', typeflag: 'K', size: longTarget.length, format: 'gnu' }),
      padded(longTarget),
      rawHeader({ name: 'link', typeflag: '2', linkname: longTarget.slice(0, 100), format: 'gnu' }),
      END_OF_ARCHIVE
    )
    // Act
    const index = await readTarIndex(path)
    // Assess
    expect((await index.readMember(longName, 10)).toString()).toBe('gnu!')
    expect(index.entries.get('link')).toMatchObject({ type: 'symlink', linkName: longTarget })
  })

  it('reads base-256 size fields', async () => {
    // Prepare
    const path = await writeRaw(rawHeader({ name: 'b256', size: 700, base256Size: true }), padded(Buffer.alloc(700, 0x61)), END_OF_ARCHIVE)
    // Act
    const index = await readTarIndex(path)
    // Assess
    expect(index.entries.get('b256')).toMatchObject({ size: 700, offset: 512 })
    expect(await index.readMember('b256', 1000)).toEqual(Buffer.alloc(700, 0x61))
  })

  it('reads v7 headers without a magic, and archives missing their end blocks', async () => {
    // Prepare
    const path = await writeRaw(rawHeader({ name: 'old.txt', size: 2, format: 'v7' }), padded('v7'))
    // Act
    const index = await readTarIndex(path)
    // Assess
    expect((await index.readMember('old.txt', 10)).toString()).toBe('v7')
  })

  it('follows hard links and symbolic links', async () => {
    // Prepare
    const path = nextPath()
    await writeTar(path, [
      { name: 'a/real.txt', data: 'target' },
      { name: 'b/hard.txt', type: 'link', linkname: 'a/real.txt' },
      { name: 'b/soft.txt', type: 'symlink', linkname: '../a/real.txt' },
      { name: 'loop', type: 'symlink', linkname: 'loop' },
    ])
    const index = await readTarIndex(path)
    // Act
    const hard = await index.readMember('b/hard.txt', 100)
    const soft = await index.readMember('b/soft.txt', 100)
    // Assess
    expect(hard.toString()).toBe('target')
    expect(soft.toString()).toBe('target')
    expect(index.entries.get('b/hard.txt')).toMatchObject({ type: 'hardlink', size: 0 })
    expect(() => index.resolve('loop')).toThrow(/too many links/)
  })

  it('refuses to read a member over the size cap, and a member that is not there', async () => {
    // Prepare
    const path = nextPath()
    await writeTar(path, [{ name: 'big', data: Buffer.alloc(2000) }, { name: 'dir', type: 'directory' }])
    const index = await readTarIndex(path)
    // Act, Assess
    await expect(index.readMember('big', 1000)).rejects.toMatchObject({ code: 'ARCHIVE_INVALID', message: expect.stringMatching(/over the limit/) })
    await expect(index.readMember('absent', 1000)).rejects.toMatchObject({ code: 'ARCHIVE_INVALID', message: expect.stringMatching(/no member/) })
    expect(() => index.openMember('dir')).toThrow(ArchiveError)
  })

  describe('with GNU tar', () => {
    it.each(['gnu', 'oldgnu', 'pax', 'ustar'])('reads a --format=%s archive', async (format) => {
      // Prepare
      const root = join(dir, `gnutar-${format}`)
      // ustar can only split long paths at a '/' and cannot store link targets over 100 bytes
      const deep = format === 'ustar' ? `${'u'.repeat(90)}/${'v'.repeat(50)}` : `${'w'.repeat(120)}/${'x'.repeat(130)}`
      const link = format === 'ustar' ? { at: `${deep}/link`, target: 'file.txt' } : { at: 'link', target: `${deep}/file.txt` }
      await mkdir(join(root, deep), { recursive: true })
      await writeFile(join(root, deep, 'file.txt'), 'from GNU tar')
      await symlink(link.target, join(root, link.at))
      const path = nextPath(`${format}.tar`)
      run('tar', [`--format=${format}`, '-cf', path, '-C', root, '.'])
      // Act
      const index = await readTarIndex(path)
      // Assess
      expect((await index.readMember(`${deep}/file.txt`, 100)).toString()).toBe('from GNU tar')
      expect(index.entries.get(link.at)).toMatchObject({ type: 'symlink', linkName: link.target })
      expect((await index.readMember(link.at, 100)).toString()).toBe('from GNU tar')
      expect(index.entries.get(deep)).toMatchObject({ type: 'directory' })
    })
  })

  describe('refuses', () => {
    it('a header whose checksum is wrong', async () => {
      // Prepare
      const good = await tarBytes([{ name: 'one', data: 'x' }, { name: 'two', data: 'y' }])
      good[1024 + 1] = good[1024 + 1]! ^ 0xff // second header's name
      const path = await writeRaw(good)
      // Act, Assess
      await expect(readTarIndex(path)).rejects.toMatchObject({ name: 'ArchiveError', code: 'ARCHIVE_INVALID', message: expect.stringMatching(/checksum/) })
    })

    it('a file that is not a tar archive', async () => {
      // Prepare
      const path = await writeRaw(Buffer.from('{"this": "is json, not tar"}'.padEnd(600, ' ')))
      // Act, Assess
      await expect(readTarIndex(path)).rejects.toMatchObject({ code: 'ARCHIVE_INVALID', message: expect.stringMatching(/checksum/) })
    })

    it.each([
      ['in the middle of member data', 512 + 100],
      ['in the middle of a header', 1024 + 200],
    ])('an archive truncated %s', async (_where, length) => {
      // Prepare
      const path = await writeRaw(await tarBytes([{ name: 'one', data: Buffer.alloc(300) }, { name: 'two', data: 'y' }]))
      await truncate(path, length)
      // Act, Assess
      await expect(readTarIndex(path)).rejects.toMatchObject({ code: 'ARCHIVE_INVALID', message: expect.stringMatching(/truncated/) })
    })

    it.each([
      ['gzip', async () => gzipSync(await tarBytes([{ name: 'a', data: 'b' }]))],
      ['zstd', async () => Buffer.concat([Buffer.from([0x28, 0xb5, 0x2f, 0xfd]), Buffer.alloc(1020)])],
    ])('a %s-compressed archive, saying to decompress it', async (compression, bytes) => {
      // Prepare
      const path = await writeRaw(await bytes())
      // Act, Assess
      await expect(readTarIndex(path)).rejects.toMatchObject({
        code: 'ARCHIVE_INVALID',
        message: expect.stringMatching(new RegExp(`${compression}-compressed; decompress it first`)),
      })
    })

    it('an empty file', async () => {
      // Prepare
      const path = await writeRaw(Buffer.alloc(0))
      // Act, Assess
      await expect(readTarIndex(path)).rejects.toMatchObject({ code: 'ARCHIVE_INVALID', message: expect.stringMatching(/empty/) })
    })

    it('more members than the limit', async () => {
      // Prepare
      const path = nextPath()
      await writeTar(path, ['a', 'b', 'c', 'd'].map((name) => ({ name, data: name })))
      // Act, Assess
      await expect(readTarIndex(path, { maxEntries: 3 })).rejects.toMatchObject({ code: 'ARCHIVE_INVALID', message: expect.stringMatching(/more than 3 members/) })
      await expect(readTarIndex(path, { maxEntries: 4 })).resolves.toBeDefined()
    })

    it.each([
      ['a PAX path', () => padded(paxRecord('path', 'n'.repeat(5000)))],
      ['a GNU long name', () => padded('n'.repeat(5000))],
    ])('%s over 4096 bytes', async (what, data) => {
      // Prepare
      const body = data()
      const length = what === 'a PAX path' ? Buffer.byteLength(paxRecord('path', 'n'.repeat(5000))) : 5000
      const path = await writeRaw(
        rawHeader({ name: 'long', typeflag: what === 'a PAX path' ? 'x' : 'L', size: length }),
        body,
        rawHeader({ name: 'short', size: 0 }),
        END_OF_ARCHIVE
      )
      // Act, Assess
      await expect(readTarIndex(path)).rejects.toMatchObject({ code: 'ARCHIVE_INVALID', message: expect.stringMatching(/longer than 4096 bytes/) })
    })

    it('a file that does not exist, with ARCHIVE_NOT_FOUND', async () => {
      // Prepare
      const path = join(dir, 'no-such.tar')
      // Act, Assess
      await expect(readTarIndex(path)).rejects.toMatchObject({ code: 'ARCHIVE_NOT_FOUND' })
    })
  })
})
