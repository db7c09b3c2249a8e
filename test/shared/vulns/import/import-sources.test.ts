/**
 * The vulnerability data import: a directory, a zip and a single record into the index
 * stored in a real directory; incremental by `modified`; atomic when a source fails; limits.
 */
import { mkdir, symlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { FsObjectStore } from '../../../../functions/local/store/fs-object-store.js'
import { ErrorCode } from '../../../../shared/errors.js'
import { fixedClock } from '../../../../shared/ports/clock.js'
import { silentLogger } from '../../../../shared/ports/logger.js'
import { importSources } from '../../../../shared/vulns/import/import-sources.js'
import { readOsvSource, sourceKind } from '../../../../shared/vulns/import/read-source.js'
import { ObjectVulnIndexStore } from '../../../../shared/vulns/object-vuln-index-store.js'
import { lookup } from '../../../../shared/vulns/vuln-index.js'
import { makeTempDir, removeDir } from '../../../support/temp-dir.js'
import { buildZip } from '../../zip/zip-writer.js'

/** An OSV record (the JSON a feed holds) for an npm package, fixed at `fixed`. */
function npmRecord(id: string, name: string, fixed: string, modified: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    schema_version: '1.6.0',
    id,
    modified,
    published: '2098-12-01T00:00:00Z',
    aliases: [],
    summary: `A flaw in ${name}`,
    details: `Versions of ${name} before ${fixed} mishandle their input.`,
    affected: [{ package: { ecosystem: 'npm', name, purl: `pkg:npm/${name}` }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed }] }] }],
    database_specific: { severity: 'HIGH' },
    ...extra,
  }
}

function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`
}

let dir: string
let store: ObjectVulnIndexStore
const clock = fixedClock('2099-03-01T00:00:00Z')

beforeEach(async () => {
  dir = await makeTempDir('vulndb-import')
  store = new ObjectVulnIndexStore(new FsObjectStore(join(dir, 'store')))
})

afterEach(async () => {
  await removeDir(dir)
})

function deps() {
  return { store, clock, logger: silentLogger }
}

function fixedVersions(index: Parameters<typeof lookup>[0], name: string): string[] {
  return lookup(index, 'npm', null, name).flatMap((c) => c.affected.flatMap((a) => a.ranges.flatMap((r) => r.events.filter((e) => e.kind === 'fixed').map((e) => `${c.id}@${e.version}`))))
}

describe('reading sources', () => {
  it('tells URLs from paths, and refuses other schemes', () => {
    expect(sourceKind('https://osv-vulnerabilities.storage.googleapis.com/npm/all.zip')).toBe('url')
    expect(sourceKind('HTTP://127.0.0.1:8080/all.zip')).toBe('url')
    expect(sourceKind('/var/lib/osv/npm')).toBe('path')
    expect(sourceKind('npm-all.zip')).toBe('path')
    expect(() => sourceKind('ftp://example.org/all.zip')).toThrow(expect.objectContaining({ code: ErrorCode.VulnSourceInvalid }))
  })

  it('reads a directory recursively, skipping other files, hidden directories and symbolic links, counting invalid records', async () => {
    // Prepare
    const root = join(dir, 'feed')
    await mkdir(join(root, 'npm', '2099'), { recursive: true })
    await mkdir(join(root, '.git'), { recursive: true })
    await writeFile(join(root, 'npm', '2099', 'GHSA-aaaa-aaaa-aaaa.json'), json(npmRecord('GHSA-aaaa-aaaa-aaaa', 'acme-a', '1.0.1', '2099-01-01T00:00:00Z')))
    await writeFile(join(root, 'npm', 'GHSA-bbbb-bbbb-bbbb.json'), json(npmRecord('GHSA-bbbb-bbbb-bbbb', 'acme-b', '2.0.1', '2099-01-01T00:00:00Z')))
    await writeFile(join(root, 'npm', 'README.md'), '# not a record\n')
    await writeFile(join(root, '.git', 'HEAD.json'), json(npmRecord('GHSA-hhhh-hhhh-hhhh', 'hidden', '1.0.0', '2099-01-01T00:00:00Z')))
    await writeFile(join(root, 'broken.json'), '{"id": "GHSA-cccc-cccc-cccc", "modified": ')
    await writeFile(join(root, 'no-modified.json'), json({ id: 'GHSA-dddd-dddd-dddd', affected: [] }))
    await symlink(join(root, 'npm', 'GHSA-bbbb-bbbb-bbbb.json'), join(root, 'link.json'))
    // Act
    const read = await readOsvSource(root, {})
    // Assess
    expect(read.records.map((r) => r.id)).toEqual(['GHSA-aaaa-aaaa-aaaa', 'GHSA-bbbb-bbbb-bbbb'])
    expect(read.invalid).toBe(2)
    expect(read.invalidNamed).toEqual([
      { name: 'broken.json', message: expect.stringContaining('not JSON') },
      { name: 'no-modified.json', message: expect.stringContaining('modified') },
    ])
    // prose is not kept in memory
    expect(read.records[0]).not.toHaveProperty('details')
  })

  it('reads the JSON records of a zip, as OSV exports them, and a single JSON file', async () => {
    // Prepare
    const zip = join(dir, 'all.zip')
    await writeFile(zip, buildZip([
      { name: 'GHSA-aaaa-aaaa-aaaa.json', data: json(npmRecord('GHSA-aaaa-aaaa-aaaa', 'acme-a', '1.0.1', '2099-01-01T00:00:00Z')) },
      { name: 'GHSA-bbbb-bbbb-bbbb.json', data: json(npmRecord('GHSA-bbbb-bbbb-bbbb', 'acme-b', '2.0.1', '2099-01-01T00:00:00Z')), method: 'store' },
      { name: 'notes/', data: '' },
      { name: 'LICENSE', data: 'CC-BY 4.0\n' },
    ]))
    const single = join(dir, 'GHSA-cccc-cccc-cccc.json')
    await writeFile(single, json(npmRecord('GHSA-cccc-cccc-cccc', 'acme-c', '3.0.1', '2099-01-01T00:00:00Z')))
    // Act
    const fromZip = await readOsvSource(zip, {})
    const fromFile = await readOsvSource(single, {})
    // Assess
    expect(fromZip.records.map((r) => r.id)).toEqual(['GHSA-aaaa-aaaa-aaaa', 'GHSA-bbbb-bbbb-bbbb'])
    expect(fromZip.invalid).toBe(0)
    expect(fromFile.records.map((r) => r.id)).toEqual(['GHSA-cccc-cccc-cccc'])
  })

  it.each([
    ['a missing path', async () => join(dir, 'nowhere'), ErrorCode.VulnSourceNotFound],
    ['a file that is neither zip nor JSON', async () => {
      await writeFile(join(dir, 'feed.tar'), 'not a zip')
      return join(dir, 'feed.tar')
    }, ErrorCode.VulnSourceInvalid],
    ['a URL without a downloader', async () => 'https://127.0.0.1:1/all.zip', ErrorCode.VulnSourceInvalid],
  ])('refuses %s', async (_label, make, code) => {
    // Prepare
    const source = await make()
    // Act / Assess
    await expect(readOsvSource(source, {})).rejects.toMatchObject({ name: 'VulnSourceError', code })
  })

  it('enforces its limits with VULN_SOURCE_TOO_LARGE', async () => {
    // Prepare
    const zip = join(dir, 'all.zip')
    const entries = ['a', 'b', 'c'].map((n) => ({ name: `GHSA-${n}.json`, data: json(npmRecord(`GHSA-${n}`, `acme-${n}`, '1.0.0', '2099-01-01T00:00:00Z')) }))
    await writeFile(zip, buildZip(entries))
    const limits = { maxArchiveBytes: 1024 * 1024, maxRecords: 100, maxRecordBytes: 1024 * 1024, maxTotalBytes: 1024 * 1024 }
    // Act / Assess
    await expect(readOsvSource(zip, {}, { ...limits, maxRecords: 2 })).rejects.toMatchObject({ code: ErrorCode.VulnSourceTooLarge })
    await expect(readOsvSource(zip, {}, { ...limits, maxRecordBytes: 100 })).rejects.toMatchObject({ code: ErrorCode.VulnSourceTooLarge })
    await expect(readOsvSource(zip, {}, { ...limits, maxArchiveBytes: 100 })).rejects.toMatchObject({ code: ErrorCode.VulnSourceTooLarge })
    await expect(readOsvSource(zip, {}, { ...limits, maxTotalBytes: 1000 })).rejects.toMatchObject({ code: ErrorCode.VulnSourceTooLarge })
    await expect(readOsvSource(zip, {}, limits)).resolves.toMatchObject({ invalid: 0 })
  })
})

describe('importing into the stored index', () => {
  it('builds the index from several sources, with the import time and per-source counts', async () => {
    // Prepare
    const feed = join(dir, 'feed')
    await mkdir(feed)
    await writeFile(join(feed, 'GHSA-aaaa-aaaa-aaaa.json'), json(npmRecord('GHSA-aaaa-aaaa-aaaa', 'acme-a', '1.0.1', '2099-01-01T00:00:00Z')))
    await writeFile(join(dir, 'all.zip'), buildZip([{ name: 'PYSEC-2099-1.json', data: json({ ...npmRecord('PYSEC-2099-1', 'acme-py', '2.0', '2099-01-01T00:00:00Z'), affected: [{ package: { ecosystem: 'PyPI', name: 'Acme_Py' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '2.0' }] }] }] }) }]))
    // Act
    const result = await importSources([feed, join(dir, 'all.zip')], deps())
    // Assess
    expect(result.head).toMatchObject({ importedAt: '2099-03-01T00:00:00.000Z', records: 2, sources: { GHSA: 1, PYSEC: 1 } })
    expect(result.sources).toEqual([
      { source: feed, records: 1, added: 1, updated: 0, unchanged: 0, invalid: 0 },
      { source: join(dir, 'all.zip'), records: 1, added: 1, updated: 0, unchanged: 0, invalid: 0 },
    ])
    const stored = await store.load()
    expect(stored?.head).toEqual(result.head)
    expect(lookup(stored!.index, 'PyPI', null, 'acme-py').map((c) => c.id)).toEqual(['PYSEC-2099-1'])
  })

  it('is incremental: an older or equal `modified` is ignored, a newer one replaces the record', async () => {
    // Prepare
    const feed = join(dir, 'feed')
    await mkdir(feed)
    const write = (record: Record<string, unknown>) => writeFile(join(feed, `${String(record.id)}.json`), json(record))
    await write(npmRecord('GHSA-aaaa-aaaa-aaaa', 'acme-a', '1.0.1', '2099-01-10T00:00:00Z'))
    await write(npmRecord('GHSA-bbbb-bbbb-bbbb', 'acme-b', '2.0.1', '2099-01-10T00:00:00Z'))
    await importSources([feed], deps())
    // Act: a stale copy of one record (older), the same copy of the other, and a new record
    await write(npmRecord('GHSA-aaaa-aaaa-aaaa', 'acme-a', '0.9.0', '2099-01-09T00:00:00Z'))
    await write(npmRecord('GHSA-cccc-cccc-cccc', 'acme-c', '3.0.1', '2099-01-10T00:00:00Z'))
    const second = await importSources([feed], deps())
    // …then a newer copy of the first one
    await write(npmRecord('GHSA-aaaa-aaaa-aaaa', 'acme-a', '1.0.2', '2099-01-11T00:00:00Z'))
    const third = await importSources([feed], deps())
    // Assess
    expect(second.sources[0]).toMatchObject({ records: 3, added: 1, updated: 0, unchanged: 2 })
    expect(fixedVersions(second.index, 'acme-a')).toEqual(['GHSA-aaaa-aaaa-aaaa@1.0.1'])
    expect(third.sources[0]).toMatchObject({ records: 3, added: 0, updated: 1, unchanged: 2 })
    const stored = await store.load()
    expect(fixedVersions(stored!.index, 'acme-a')).toEqual(['GHSA-aaaa-aaaa-aaaa@1.0.2'])
    expect(stored!.head.records).toBe(3)
  })

  it('is atomic: a corrupt zip fails with a stable code, nothing is written, the previous index still answers', async () => {
    // Prepare
    const good = join(dir, 'good.zip')
    await writeFile(good, buildZip([{ name: 'GHSA-aaaa-aaaa-aaaa.json', data: json(npmRecord('GHSA-aaaa-aaaa-aaaa', 'acme-a', '1.0.1', '2099-01-01T00:00:00Z')) }]))
    const before = await importSources([good], deps())
    const fresh = join(dir, 'fresh')
    await mkdir(fresh)
    await writeFile(join(fresh, 'GHSA-bbbb-bbbb-bbbb.json'), json(npmRecord('GHSA-bbbb-bbbb-bbbb', 'acme-b', '2.0.1', '2099-01-02T00:00:00Z')))
    const zip = buildZip([{ name: 'GHSA-cccc-cccc-cccc.json', data: json(npmRecord('GHSA-cccc-cccc-cccc', 'acme-c', '3.0.1', '2099-01-02T00:00:00Z')) }])
    const corrupt = join(dir, 'corrupt.zip')
    await writeFile(corrupt, zip.subarray(0, zip.length - 30)) // cut: no end of central directory
    // Act: a good source first, then the corrupt one
    const error = await importSources([fresh, corrupt], { ...deps(), clock: fixedClock('2099-04-01T00:00:00Z') }).catch((e: unknown) => e)
    // Assess
    expect(error).toMatchObject({ name: 'VulnSourceError', code: ErrorCode.VulnSourceInvalid, cause: expect.objectContaining({ code: ErrorCode.ZipInvalid }) })
    const after = await store.load()
    expect(after?.head).toEqual(before.head)
    expect(lookup(after!.index, 'npm', null, 'acme-a').map((c) => c.id)).toEqual(['GHSA-aaaa-aaaa-aaaa'])
    expect(lookup(after!.index, 'npm', null, 'acme-b')).toEqual([])
  })

  it('fails, writing nothing, when another import replaced the index meanwhile', async () => {
    // Prepare: a store whose save always finds someone else's pointer
    const feed = join(dir, 'feed')
    await mkdir(feed)
    await writeFile(join(feed, 'GHSA-aaaa-aaaa-aaaa.json'), json(npmRecord('GHSA-aaaa-aaaa-aaaa', 'acme-a', '1.0.1', '2099-01-01T00:00:00Z')))
    const racing = { head: () => store.head(), load: () => store.load(), save: async () => undefined }
    // Act / Assess
    await expect(importSources([feed], { ...deps(), store: racing })).rejects.toMatchObject({ code: ErrorCode.StoreUnavailable, temporary: true })
    await expect(store.head()).resolves.toBeUndefined()
  })

  it.each([
    ['a damaged index object', async (objects: FsObjectStore) => {
      const pointer = JSON.parse((await objects.get('vulndb/current.json'))!.bytes.toString()) as { key: string }
      await objects.put(pointer.key, Buffer.from('not gzip'))
    }],
    ['an unreadable pointer', async (objects: FsObjectStore) => {
      await objects.put('vulndb/current.json', Buffer.from('{"format": "nonsense"}'))
    }],
  ])('replaces %s with an index of its own sources, with a warning', async (_label, damage) => {
    // Prepare
    const feed = join(dir, 'feed')
    await mkdir(feed)
    await writeFile(join(feed, 'GHSA-aaaa-aaaa-aaaa.json'), json(npmRecord('GHSA-aaaa-aaaa-aaaa', 'acme-a', '1.0.1', '2099-01-01T00:00:00Z')))
    const objects = new FsObjectStore(join(dir, 'store'))
    await importSources([feed], deps())
    await damage(objects)
    const warnings: string[] = []
    const logger = { ...silentLogger, warn: (message: string) => void warnings.push(message) }
    // Act
    const result = await importSources([feed], { ...deps(), logger })
    // Assess
    expect(result.sources[0]).toMatchObject({ added: 1 })
    expect(warnings).toEqual([expect.stringContaining('cannot be read')])
    expect(lookup((await store.load())!.index, 'npm', null, 'acme-a').map((c) => c.id)).toEqual(['GHSA-aaaa-aaaa-aaaa'])
  })

  it('needs at least one source', async () => {
    await expect(importSources([], deps())).rejects.toMatchObject({ code: ErrorCode.Usage })
  })
})
