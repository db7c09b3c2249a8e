/**
 * In-memory stand-ins for the storage ports, for tests of the code that uses them (the api,
 * the worker). The real adapters (S3, the durable queue, the filesystem store) have their
 * own tests against real backends.
 */
import { createHash } from 'node:crypto'
import type { ObjectStore, StoredObject } from '../../shared/ports/object-store.js'
import type { EnqueueOptions, ScanQueue } from '../../shared/ports/scan-queue.js'
import type { ScanRequest } from '../../shared/scan/scan-request.js'

export class MemoryObjectStore implements ObjectStore {
  readonly objects = new Map<string, Buffer>()

  async get(key: string): Promise<StoredObject | undefined> {
    const bytes = this.objects.get(key)
    return bytes ? { bytes, etag: createHash('md5').update(bytes).digest('hex') } : undefined
  }

  async put(key: string, bytes: Buffer, options: { ifMatch?: string | null } = {}): Promise<boolean> {
    const current = await this.get(key)
    if (options.ifMatch === null && current) return false
    if (typeof options.ifMatch === 'string' && current?.etag !== options.ifMatch) return false
    this.objects.set(key, Buffer.from(bytes))
    return true
  }

  async *list(prefix: string): AsyncIterable<string> {
    for (const key of [...this.objects.keys()].filter((k) => k.startsWith(prefix)).sort()) yield key
  }

  async delete(key: string): Promise<void> {
    this.objects.delete(key)
  }
}

/** A queue that records what it was given, and can be told to fail. */
export class RecordingQueue implements ScanQueue {
  readonly batches: Array<{ requests: ScanRequest[]; options: EnqueueOptions }> = []
  failing = false

  async enqueue(requests: readonly ScanRequest[], options: EnqueueOptions = {}): Promise<void> {
    if (this.failing) throw Object.assign(new Error('queue down'), { code: 'QUEUE_UNAVAILABLE', temporary: true })
    this.batches.push({ requests: [...requests], options })
  }

  get requests(): ScanRequest[] {
    return this.batches.flatMap((b) => b.requests)
  }
}
