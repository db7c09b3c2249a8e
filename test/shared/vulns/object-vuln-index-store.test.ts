/**
 * ObjectVulnIndexStore: the index object and its pointer, conditional replacement, pruning
 * of earlier indexes, and what a reader does with a damaged or vanished index.
 */
import { describe, expect, it } from 'vitest'
import { ErrorCode } from '../../../shared/errors.js'
import type { SourceImport } from '../../../shared/ports/vuln-index-store.js'
import { ObjectVulnIndexStore, VULN_INDEX_POINTER_KEY, VULN_INDEX_PREFIX } from '../../../shared/vulns/object-vuln-index-store.js'
import { parseOsvRecord } from '../../../shared/vulns/osv.js'
import { buildIndex, lookup } from '../../../shared/vulns/vuln-index.js'
import { MemoryObjectStore } from '../../support/memory-stores.js'

function record(id: string, name: string, fixed: string, modified = '2099-01-01T00:00:00Z') {
  return parseOsvRecord({
    id,
    modified,
    affected: [{ package: { ecosystem: 'npm', name }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed }] }] }],
  })
}

const IMPORT: SourceImport[] = [{ source: '/data/npm', records: 1, added: 1, updated: 0, unchanged: 0, invalid: 0 }]

function indexKeys(objects: MemoryObjectStore): string[] {
  return [...objects.objects.keys()].filter((k) => k.startsWith(VULN_INDEX_PREFIX)).sort()
}

describe('ObjectVulnIndexStore', () => {
  it('has no index at first', async () => {
    // Prepare
    const store = new ObjectVulnIndexStore(new MemoryObjectStore())
    // Act / Assess
    await expect(store.head()).resolves.toBeUndefined()
    await expect(store.load()).resolves.toBeUndefined()
  })

  it('saves an index under its hash with a pointer, and loads it back whole', async () => {
    // Prepare
    const objects = new MemoryObjectStore()
    const store = new ObjectVulnIndexStore(objects)
    const index = buildIndex([record('GHSA-aaaa-bbbb-cccc', 'acme-lib', '1.2.3')], undefined, { importedAt: '2099-02-01T00:00:00.000Z' })
    // Act
    const head = await store.save(index, IMPORT, { ifVersion: null })
    const loaded = await store.load()
    // Assess
    expect(head).toEqual({ version: expect.stringMatching(/^[0-9a-f]{64}$/), importedAt: '2099-02-01T00:00:00.000Z', records: 1, sources: { GHSA: 1 }, lastImport: IMPORT })
    expect(indexKeys(objects)).toEqual([`${VULN_INDEX_PREFIX}${head!.version}.json.gz`])
    expect(JSON.parse(objects.objects.get(VULN_INDEX_POINTER_KEY)!.toString())).toMatchObject({ format: 'pushscan.vuln-index-pointer', formatVersion: 1, sha256: head!.version })
    expect(loaded?.head).toEqual(head)
    expect(loaded?.index).toEqual(index)
    expect(lookup(loaded!.index, 'npm', null, 'acme-lib').map((c) => c.id)).toEqual(['GHSA-aaaa-bbbb-cccc'])
    await expect(store.head()).resolves.toEqual(head)
  })

  it('replaces the index only from the version it started from', async () => {
    // Prepare
    const store = new ObjectVulnIndexStore(new MemoryObjectStore())
    const first = await store.save(buildIndex([record('GHSA-aaaa-bbbb-cccc', 'a', '1.0.0')], undefined, { importedAt: '2099-02-01T00:00:00.000Z' }), IMPORT, { ifVersion: null })
    const second = buildIndex([record('GHSA-dddd-eeee-ffff', 'b', '1.0.0')], undefined, { importedAt: '2099-02-02T00:00:00.000Z' })
    // Act
    const fromNothing = await store.save(second, IMPORT, { ifVersion: null })
    const fromStale = await store.save(second, IMPORT, { ifVersion: 'f'.repeat(64) })
    const fromCurrent = await store.save(second, IMPORT, { ifVersion: first!.version })
    // Assess
    expect(fromNothing).toBeUndefined()
    expect(fromStale).toBeUndefined()
    expect(fromCurrent?.version).not.toBe(first!.version)
    expect((await store.head())?.version).toBe(fromCurrent!.version)
  })

  it('keeps the current and the previous index objects, and deletes older ones', async () => {
    // Prepare
    const objects = new MemoryObjectStore()
    const store = new ObjectVulnIndexStore(objects)
    const versions: string[] = []
    // Act
    let version: string | null = null
    for (let day = 1; day <= 4; day++) {
      const head = await store.save(buildIndex([], undefined, { importedAt: `2099-02-0${day}T00:00:00.000Z` }), [], { ifVersion: version })
      version = head!.version
      versions.push(version)
    }
    // Assess
    expect(indexKeys(objects)).toEqual([versions[2], versions[3]].map((v) => `${VULN_INDEX_PREFIX}${v}.json.gz`).sort())
  })

  it('refuses an index object that does not match the pointer\'s hash', async () => {
    // Prepare
    const objects = new MemoryObjectStore()
    const store = new ObjectVulnIndexStore(objects)
    const head = await store.save(buildIndex([], undefined, { importedAt: '2099-02-01T00:00:00.000Z' }), [], { ifVersion: null })
    const key = `${VULN_INDEX_PREFIX}${head!.version}.json.gz`
    objects.objects.set(key, Buffer.concat([objects.objects.get(key)!, Buffer.from('x')]))
    // Act
    const error = await store.load().catch((e: unknown) => e)
    // Assess
    expect(error).toMatchObject({ name: 'VulnDataError', code: ErrorCode.VulnIndexInvalid })
  })

  it('refuses a pointer that is not one', async () => {
    // Prepare
    const objects = new MemoryObjectStore()
    objects.objects.set(VULN_INDEX_POINTER_KEY, Buffer.from('{"format":"something else"}'))
    // Act / Assess
    await expect(new ObjectVulnIndexStore(objects).head()).rejects.toMatchObject({ code: ErrorCode.VulnIndexInvalid })
  })

  it('says which object is missing when the pointer names one that is gone', async () => {
    // Prepare
    const objects = new MemoryObjectStore()
    const store = new ObjectVulnIndexStore(objects)
    const head = await store.save(buildIndex([], undefined, { importedAt: '2099-02-01T00:00:00.000Z' }), [], { ifVersion: null })
    objects.objects.delete(`${VULN_INDEX_PREFIX}${head!.version}.json.gz`)
    // Act / Assess
    await expect(store.load()).rejects.toMatchObject({ code: ErrorCode.VulnIndexInvalid, message: expect.stringContaining('is missing') })
  })
})
