/**
 * FsObjectStore: round trips, key validation, conditional writes and atomicity, against a
 * real directory.
 */
import { mkdir, readdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { FsObjectStore } from '../../../../functions/local/store/fs-object-store.js'
import { ErrorCode, PushscanError } from '../../../../shared/errors.js'
import { makeTempDir, removeDir } from '../../../support/temp-dir.js'

const dirs: string[] = []

async function newStore(): Promise<{ store: FsObjectStore; root: string }> {
  const root = await makeTempDir('store')
  dirs.push(root)
  return { store: new FsObjectStore(join(root, 'objects')), root: join(root, 'objects') }
}

/** Every file under `dir`, as `/`-separated relative paths. */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true })
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name).slice(dir.length + 1))
    .sort()
}

afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => removeDir(dir)))
})

describe('FsObjectStore', () => {
  it('round-trips bytes with an etag, and answers undefined for a missing key', async () => {
    // Prepare
    const { store } = await newStore()
    const bytes = Buffer.from('{"hello":"world"}\n')
    // Act
    const written = await store.put('report.json', bytes, { contentType: 'application/json' })
    const found = await store.get('report.json')
    const missing = await store.get('missing.json')
    // Assess
    expect(written).toBe(true)
    expect(found?.bytes.equals(bytes)).toBe(true)
    expect(found?.etag).toMatch(/^sha256:[0-9a-f]{64}$/)
    expect(missing).toBeUndefined()
  })

  it('stores nested keys as nested files, creating the directories', async () => {
    // Prepare
    const { store, root } = await newStore()
    const key = 'tags/127.0.0.1%3A5000/team/app/v1..rc.json'
    // Act
    await store.put(key, Buffer.from('a'))
    await store.put('reports/sha256/abc.json', Buffer.from('b'))
    // Assess
    expect((await store.get(key))?.bytes.toString()).toBe('a')
    expect(await filesUnder(root)).toEqual(['reports/sha256/abc.json', 'tags/127.0.0.1%3A5000/team/app/v1..rc.json'])
    await expect(store.get('tags/127.0.0.1%3A5000')).resolves.toBeUndefined() // a "folder" is not an object
  })

  it('overwrites unconditionally and changes the etag with the content', async () => {
    // Prepare
    const { store } = await newStore()
    await store.put('k', Buffer.from('one'))
    const before = await store.get('k')
    // Act
    await store.put('k', Buffer.from('two'))
    const after = await store.get('k')
    // Assess
    expect(after?.bytes.toString()).toBe('two')
    expect(after?.etag).not.toBe(before?.etag)
  })

  it.each([
    ['/etc/passwd', 'absolute'],
    ['../outside', '".." segment'],
    ['a/../../outside', '".." segment'],
    ['a/..', '".." segment'],
    ['a\\b', 'backslash'],
    ['a\0b', 'NUL'],
    ['', 'empty'],
    ['a//b', 'empty segment'],
    ['a/', 'empty segment'],
    ['./a', '"." segment'],
  ])('refuses the key %j with a plain Error (%s)', async (key, why) => {
    // Prepare
    const { store, root } = await newStore()
    // Act
    const putError = await store.put(key, Buffer.from('x')).catch((error: unknown) => error)
    const getError = await store.get(key).catch((error: unknown) => error)
    // Assess
    expect(putError).toBeInstanceOf(Error)
    expect(putError).not.toBeInstanceOf(PushscanError)
    expect((putError as Error).message).toContain('invalid object store key')
    expect((putError as Error).message).toContain(why)
    expect(getError).toBeInstanceOf(Error)
    expect(getError).not.toBeInstanceOf(PushscanError)
    await expect(readdir(root)).rejects.toMatchObject({ code: 'ENOENT' }) // nothing was written anywhere
  })

  it('writes with ifMatch null only when the key is absent', async () => {
    // Prepare
    const { store } = await newStore()
    // Act
    const first = await store.put('k', Buffer.from('first'), { ifMatch: null })
    const second = await store.put('k', Buffer.from('second'), { ifMatch: null })
    // Assess
    expect(first).toBe(true)
    expect(second).toBe(false)
    expect((await store.get('k'))?.bytes.toString()).toBe('first')
  })

  it('writes with an etag only while the object still has it', async () => {
    // Prepare
    const { store } = await newStore()
    await store.put('k', Buffer.from('v1'))
    const v1 = await store.get('k')
    // Act
    const matched = await store.put('k', Buffer.from('v2'), { ifMatch: v1!.etag! })
    const stale = await store.put('k', Buffer.from('v3'), { ifMatch: v1!.etag! })
    const absent = await store.put('nothing-here', Buffer.from('x'), { ifMatch: v1!.etag! })
    // Assess
    expect(matched).toBe(true)
    expect(stale).toBe(false)
    expect(absent).toBe(false)
    expect((await store.get('k'))?.bytes.toString()).toBe('v2')
    expect(await store.get('nothing-here')).toBeUndefined()
  })

  it('lets exactly one of many concurrent conditional writers win', async () => {
    // Prepare
    const { store } = await newStore()
    await store.put('tag.json', Buffer.from('base'))
    const base = await store.get('tag.json')
    // Act
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, n) => store.put('tag.json', Buffer.from(`writer ${n}`), { ifMatch: base!.etag! })),
    )
    const creates = await Promise.all(Array.from({ length: 12 }, (_, n) => store.put('new.json', Buffer.from(`creator ${n}`), { ifMatch: null })))
    // Assess
    expect(results.filter(Boolean)).toHaveLength(1)
    expect((await store.get('tag.json'))?.bytes.toString()).toBe(`writer ${results.indexOf(true)}`)
    expect(creates.filter(Boolean)).toHaveLength(1)
    expect((await store.get('new.json'))?.bytes.toString()).toBe(`creator ${creates.indexOf(true)}`)
  })

  it('leaves no temp files behind', async () => {
    // Prepare
    const { store, root } = await newStore()
    // Act
    await Promise.all(Array.from({ length: 20 }, (_, n) => store.put(`dir/k${n % 4}`, Buffer.from(`value ${n}`))))
    await store.put('dir/k0', Buffer.from('x'), { ifMatch: null })
    await store.put('dir/k0', Buffer.from('x'), { ifMatch: 'sha256:stale' })
    await store.put('dir/k9', Buffer.from('x'), { ifMatch: null })
    // Assess
    expect(await filesUnder(root)).toEqual(['dir/k0', 'dir/k1', 'dir/k2', 'dir/k3', 'dir/k9'])
  })

  it('writes objects that need not survive a crash the same way, through a rename, with conditions honoured', async () => {
    // Prepare
    const { store, root } = await newStore()
    // Act
    await Promise.all(Array.from({ length: 12 }, (_, n) => store.put(`cache/k${n % 3}`, Buffer.from(`value ${n}`), { durable: false })))
    const absentOnly = await store.put('cache/k0', Buffer.from('x'), { ifMatch: null, durable: false })
    const fresh = await store.put('cache/new', Buffer.from('{"ok":true}'), { ifMatch: null, durable: false })
    // Assess: whole objects, no temp files, and ifMatch still decides
    expect(absentOnly).toBe(false)
    expect(fresh).toBe(true)
    expect((await store.get('cache/new'))?.bytes.toString()).toBe('{"ok":true}')
    expect((await store.get('cache/k1'))?.bytes.toString()).toMatch(/^value (?:1|4|7|10)$/)
    expect(await filesUnder(root)).toEqual(['cache/k0', 'cache/k1', 'cache/k2', 'cache/new'])
  })

  it('reports storage failures as temporary STORE_UNAVAILABLE errors', async () => {
    // Prepare: a file where a directory is needed
    const { store, root } = await newStore()
    await mkdir(root, { recursive: true })
    await writeFile(join(root, 'reports'), 'a file')
    // Act
    const putError = await store.put('reports/x.json', Buffer.from('x')).catch((error: unknown) => error)
    const getError = await store.get(`${'n'.repeat(300)}.json`).catch((error: unknown) => error) // ENAMETOOLONG
    // Assess
    expect(putError).toBeInstanceOf(PushscanError)
    expect(putError).toMatchObject({ code: ErrorCode.StoreUnavailable, temporary: true })
    expect(getError).toMatchObject({ code: ErrorCode.StoreUnavailable, temporary: true })
    await expect(store.get('reports/x.json')).resolves.toBeUndefined()
  })

  it('lists the keys under a prefix in order, without temp files or other prefixes', async () => {
    // Prepare
    const { store, root } = await newStore()
    for (const key of ['reports/sha256/bb.json', 'reports/sha256/aa.json', 'reports/sha256/aa/history/1.json', 'reports/other.json', 'tags/r/x.json']) await store.put(key, Buffer.from(key))
    await writeFile(join(root, 'reports', 'sha256', '.cc.json.0123456789ab.tmp'), 'half written')
    // Act
    const list = async (prefix: string): Promise<string[]> => {
      const keys: string[] = []
      for await (const key of store.list(prefix)) keys.push(key)
      return keys
    }
    // Assess
    expect(await list('reports/sha256/')).toEqual(['reports/sha256/aa.json', 'reports/sha256/aa/history/1.json', 'reports/sha256/bb.json'])
    expect(await list('reports/sha256/a')).toEqual(['reports/sha256/aa.json', 'reports/sha256/aa/history/1.json'])
    expect(await list('rep')).toEqual(['reports/other.json', 'reports/sha256/aa.json', 'reports/sha256/aa/history/1.json', 'reports/sha256/bb.json'])
    expect(await list('missing/')).toEqual([])
  })

  it('deletes objects, and a missing one quietly', async () => {
    // Prepare
    const { store } = await newStore()
    await store.put('vulndb/index/a.json.gz', Buffer.from('a'))
    // Act
    await store.delete('vulndb/index/a.json.gz')
    await store.delete('vulndb/index/a.json.gz')
    await store.delete('never/was.json')
    // Assess
    await expect(store.get('vulndb/index/a.json.gz')).resolves.toBeUndefined()
  })
})
