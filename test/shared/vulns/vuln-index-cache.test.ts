/**
 * VulnIndexCache: one small read per call, the index loaded again only when it changed,
 * and what happens when the store cannot be read.
 */
import { describe, expect, it } from 'vitest'
import { ErrorCode, PushscanError } from '../../../shared/errors.js'
import type { LogFields, Logger } from '../../../shared/ports/logger.js'
import type { VulnIndexStore } from '../../../shared/ports/vuln-index-store.js'
import { ObjectVulnIndexStore, VULN_INDEX_POINTER_KEY } from '../../../shared/vulns/object-vuln-index-store.js'
import { VulnIndexCache } from '../../../shared/vulns/vuln-index-cache.js'
import { buildIndex } from '../../../shared/vulns/vuln-index.js'
import { MemoryObjectStore } from '../../support/memory-stores.js'

function recordingLogger(): Logger & { lines: Array<[string, string, LogFields | undefined]> } {
  const lines: Array<[string, string, LogFields | undefined]> = []
  const log = (level: string) => (message: string, fields?: LogFields) => void lines.push([level, message, fields])
  return { lines, debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') }
}

/** A store that counts loads and can be told to fail. */
function countingStore(inner: VulnIndexStore) {
  const counts = { head: 0, load: 0 }
  let failure: Error | undefined
  const store: VulnIndexStore = {
    head: async () => {
      counts.head++
      if (failure) throw failure
      return inner.head()
    },
    load: async () => {
      counts.load++
      if (failure) throw failure
      return inner.load()
    },
    save: (index, imports, options) => inner.save(index, imports, options),
  }
  return { store, counts, fail: (error: Error | undefined) => (failure = error) }
}

const day = (n: number) => buildIndex([], undefined, { importedAt: `2098-01-0${n}T00:00:00.000Z` })

describe('VulnIndexCache', () => {
  it('answers null without an index, loads it once, and again only when it changes', async () => {
    // Prepare
    const objects = new MemoryObjectStore()
    const inner = new ObjectVulnIndexStore(objects)
    const { store, counts } = countingStore(inner)
    const cache = new VulnIndexCache(store, recordingLogger())
    // Act / Assess
    await expect(cache.current()).resolves.toBeNull()
    const v1 = await inner.save(day(1), [], { ifVersion: null })
    expect((await cache.current())?.info.importedAt).toBe('2098-01-01T00:00:00.000Z')
    expect((await cache.current())?.info.importedAt).toBe('2098-01-01T00:00:00.000Z')
    expect(counts).toEqual({ head: 3, load: 1 })
    await inner.save(day(2), [], { ifVersion: v1!.version })
    const [a, b] = await Promise.all([cache.current(), cache.current()])
    expect(a?.info.importedAt).toBe('2098-01-02T00:00:00.000Z')
    expect(b).toBe(a)
    expect(counts.load).toBe(2)
  })

  it('keeps the index in memory when the store fails, and logs it', async () => {
    // Prepare
    const inner = new ObjectVulnIndexStore(new MemoryObjectStore())
    await inner.save(day(1), [], { ifVersion: null })
    const { store, fail } = countingStore(inner)
    const logger = recordingLogger()
    const cache = new VulnIndexCache(store, logger)
    const first = await cache.current()
    // Act
    fail(new PushscanError(ErrorCode.StoreUnavailable, 's3 down', { temporary: true }))
    const during = await cache.current()
    // Assess
    expect(during).toBe(first)
    expect(logger.lines).toContainEqual(['warn', expect.stringContaining('stays in use'), expect.anything()])
  })

  it('without an index in memory, throws a temporary failure and answers null (logged) for a corrupt index', async () => {
    // Prepare
    const objects = new MemoryObjectStore()
    const { store, fail } = countingStore(new ObjectVulnIndexStore(objects))
    const logger = recordingLogger()
    // Act / Assess
    fail(new PushscanError(ErrorCode.StoreUnavailable, 's3 down', { temporary: true }))
    await expect(new VulnIndexCache(store, logger).current()).rejects.toMatchObject({ code: ErrorCode.StoreUnavailable })
    fail(undefined)
    objects.objects.set(VULN_INDEX_POINTER_KEY, Buffer.from('not json'))
    await expect(new VulnIndexCache(store, logger).current()).resolves.toBeNull()
    expect(logger.lines).toContainEqual(['error', expect.stringContaining('scanning without one'), { error: expect.objectContaining({ code: ErrorCode.VulnIndexInvalid }) }])
  })
})
