/**
 * `DurableQueue`: the embedded, crash-safe, at-least-once {@link ScanQueue} of a single-machine
 * pushscan (`npm start`: the HTTP api and the scan worker in one process).
 *
 * ## On-disk layout
 *
 * ```
 * <dir>/
 *   ready/     <id>.<attempts>.<visibleAt>.json    waiting; invisible until visibleAt (epoch ms)
 *   inflight/  <id>.<attempts>.<leaseUntil>.json   received, leased until leaseUntil (epoch ms)
 *   dead/      <id>.<attempts>.<deadAt>.json       given up on (never delivered again)
 *              <id>.reason.json                    why: { id, kind, code, message, attempts, at }
 *   <any>/     .tmp-…                              a file being written; removed by `open`
 * ```
 *
 * - A message file holds the {@link ScanRequest} exactly as enqueued (JSON, one per file).
 * - `id` is `<epoch ms, 15 digits>-<counter, 6 digits>-<8 hex>`: ids sort in arrival order
 *   (within a process, even when the clock stands still or steps back) and never collide.
 * - `attempts` is how many times the message has been delivered (0: never received).
 * - Everything that changes over a message's life (attempts, visibility, lease) is in its
 *   file name, so every state change is one `rename` inside `<dir>` (atomic on one
 *   filesystem): a crash leaves a message in exactly one folder, never in two, never in none.
 *   Only dead-lettering writes a second file (the reason), before the move.
 *
 * ## Guarantees
 *
 * - `enqueue` writes each message to a temp file, fsyncs it, renames it into `ready/` and
 *   fsyncs `ready/` before it resolves: an accepted webhook survives `kill -9` and power loss.
 * - Other moves (receive, ack, retry, release) are not fsynced: if one is lost in a power
 *   failure the message is simply delivered again (at least once, never lost).
 * - `open` returns every message left in `inflight/` by a crashed process to `ready/`,
 *   keeping its attempt count; a message delivered `maxAttempts` times without ever being
 *   acknowledged or retried (a scan that kills the process) is dead-lettered on its next
 *   receive instead of looping forever.
 * - Deduplication: while a message for the same {@link dedupKey} waits in `ready/` with
 *   attempt count 0 (never received, or released) and becomes visible no later than the new
 *   one would, the new one is dropped (duplicate webhook deliveries become one scan; the
 *   first one's request is kept). The index of waiting keys is kept in memory and rebuilt
 *   by `open`. Once received, a message no longer absorbs new requests, nor does one back in
 *   `ready/` after a retry or a crash (a fresh push should not wait for a backoff). An
 *   enqueue merged into one still being written resolves only when that one is durable,
 *   and fails if it fails.
 * - One process owns a queue directory at a time: receives are safe across processes
 *   (rename claims), but deduplication and the crash recovery in `open` assume one owner.
 * - A lease that outlives `visibilityMs` is returned to `ready/` by the next `receive`: keep
 *   `visibilityMs` above the longest scan, or the scan is delivered twice.
 *
 * Visibility, leases and backoff use the injected {@link Clock}; the `waitMs` of a long poll
 * is real elapsed time (so a stopped test clock cannot make a poll wait forever).
 *
 * @module
 */
import { randomBytes } from 'node:crypto'
import { mkdir, open, readdir, readFile, rename, unlink } from 'node:fs/promises'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { describeError, ErrorCode, PushscanError } from '../../../shared/errors.js'
import { systemClock, type Clock } from '../../../shared/ports/clock.js'
import type { EnqueueOptions, ScanQueue } from '../../../shared/ports/scan-queue.js'
import { dedupKey, parseScanRequest, type ScanRequest } from '../../../shared/scan/scan-request.js'

/** A delivered message. Acknowledge it with `ack`, or hand it back with `retry` / `release`. */
export interface QueueMessage {
  id: string
  request: ScanRequest
  /** Deliveries so far, including this one (1 on the first receive). */
  attempts: number
  /** When it was received (clock ms); the lease runs until `receivedAt + visibilityMs`. */
  receivedAt: number
}

export interface DurableQueueOptions {
  /** Deliveries before a message is dead-lettered. Default 5. */
  maxAttempts?: number
  /** Retry backoff base: attempt n waits up to `baseDelayMs · 2^(n-1)` (full jitter). Default 5000. */
  baseDelayMs?: number
  /** Cap of the retry backoff. Default 300000 (5 min). */
  maxDelayMs?: number
  /** Lease of a received message: unacknowledged longer than this, it is delivered again. Default 15 min. */
  visibilityMs?: number
  clock?: Clock
  /** Source of the backoff jitter, in [0, 1). Default `Math.random`; for tests. */
  random?: () => number
}

export interface ReceiveOptions {
  /** Long poll: wait up to this many (real) milliseconds for a message. Default 0. */
  waitMs?: number
  /** Ends the wait early: `receive` then resolves undefined. */
  signal?: AbortSignal
}

export interface QueueStats {
  ready: number
  inflight: number
  dead: number
}

/** Why a message is in `dead/`. */
export type DeadLetterKind = 'unparseable' | 'max-attempts' | 'abandoned'

export interface DeadLetter {
  id: string
  attempts: number
  deadAt: number
  /** The reason file; undefined if it is missing or unreadable. */
  reason?: { kind: DeadLetterKind; code: string; message: string; attempts: number; at: string }
  /** The message file as stored (it may not be a valid request). */
  body: string
}

const READY = 'ready'
const INFLIGHT = 'inflight'
const DEAD = 'dead'
const TEMP_PREFIX = '.tmp-'
const POLL_MS = 200
const MAX_DELAY_SECONDS = 900
const ID_PATTERN = /^\d{15}-\d{6}-[0-9a-f]{8}$/
const NAME_PATTERN = /^(\d{15}-\d{6}-[0-9a-f]{8})\.(\d+)\.(\d+)\.json$/

type Folder = typeof READY | typeof INFLIGHT | typeof DEAD

interface Entry {
  id: string
  attempts: number
  /** visibleAt (ready), leaseUntil (inflight) or deadAt (dead). */
  time: number
  name: string
}

interface Waiting {
  key: string
  visibleAt: number
  /** Settles once the message is durably in `ready/`; rejects if writing it failed. */
  durable: Promise<void>
}

function entryName(id: string, attempts: number, time: number): string {
  return `${id}.${attempts}.${time}.json`
}

function parseEntry(name: string): Entry | undefined {
  const match = NAME_PATTERN.exec(name)
  if (!match) return undefined
  return { id: match[1]!, attempts: Number(match[2]), time: Number(match[3]), name }
}

function byId(a: Entry, b: Entry): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0
}

function errno(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code
}

function queueError(action: string, cause: unknown): PushscanError {
  if (cause instanceof PushscanError) return cause
  const detail = cause instanceof Error ? cause.message : String(cause)
  return new PushscanError(ErrorCode.QueueUnavailable, `queue: cannot ${action}: ${detail}`, { cause, temporary: true })
}

function positiveInteger(value: number | undefined, fallback: number, name: string, min: number): number {
  if (value === undefined) return fallback
  if (!Number.isSafeInteger(value) || value < min) throw new RangeError(`DurableQueue: ${name} must be an integer >= ${min}, got ${value}`)
  return value
}

async function fsyncDir(path: string): Promise<void> {
  const handle = await open(path, 'r')
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}

/** Writes `text` to `path` (which must not exist) and fsyncs it. */
async function writeDurably(path: string, text: string): Promise<void> {
  const handle = await open(path, 'wx')
  try {
    await handle.writeFile(text, 'utf8')
    await handle.sync()
  } finally {
    await handle.close()
  }
}

/** Deletes a file; false if it did not exist. */
async function unlinkIfExists(path: string): Promise<boolean> {
  try {
    await unlink(path)
    return true
  } catch (error) {
    if (errno(error) === 'ENOENT') return false
    throw error
  }
}

async function unlinkQuietly(path: string): Promise<void> {
  await unlink(path).catch(() => undefined)
}

/** A crash-safe, at-least-once queue in a directory; see the module documentation for the layout. */
export class DurableQueue implements ScanQueue {
  readonly #dir: string
  readonly #maxAttempts: number
  readonly #baseDelayMs: number
  readonly #maxDelayMs: number
  readonly #visibilityMs: number
  readonly #clock: Clock
  readonly #random: () => number

  /** Never-received messages in `ready/`, by id. */
  readonly #waiting = new Map<string, Waiting>()
  /** The same, by dedup key. */
  readonly #waitingByKey = new Map<string, Set<string>>()
  /** Pending enqueues, awaited by `close`. */
  readonly #pending = new Set<Promise<unknown>>()
  /** Receivers in a long poll. */
  readonly #wakers = new Set<() => void>()
  /** Bumped on every change that may make a message receivable. */
  #generation = 0
  #lastIdTime = 0
  #idCounter = 0
  #closed = false

  private constructor(dir: string, options: DurableQueueOptions) {
    this.#dir = dir
    this.#maxAttempts = positiveInteger(options.maxAttempts, 5, 'maxAttempts', 1)
    this.#baseDelayMs = positiveInteger(options.baseDelayMs, 5_000, 'baseDelayMs', 0)
    this.#maxDelayMs = positiveInteger(options.maxDelayMs, 300_000, 'maxDelayMs', 0)
    this.#visibilityMs = positiveInteger(options.visibilityMs, 15 * 60_000, 'visibilityMs', 1)
    this.#clock = options.clock ?? systemClock
    this.#random = options.random ?? Math.random
  }

  /**
   * Opens (creating if needed) the queue in `dir`: removes temp files left by a crash,
   * returns every in-flight message to `ready/` (attempts kept) and rebuilds the dedup index.
   */
  static async open(dir: string, options: DurableQueueOptions = {}): Promise<DurableQueue> {
    const queue = new DurableQueue(dir, options)
    try {
      await queue.#recover()
    } catch (error) {
      throw queueError(`open ${dir}`, error)
    }
    return queue
  }

  /** Stores the requests durably (see the module documentation), dropping duplicates of waiting ones. */
  async enqueue(requests: readonly ScanRequest[], options: EnqueueOptions = {}): Promise<void> {
    const delaySeconds = options.delaySeconds ?? 0
    if (!Number.isFinite(delaySeconds) || delaySeconds < 0 || delaySeconds > MAX_DELAY_SECONDS) {
      throw new RangeError(`DurableQueue: delaySeconds must be between 0 and ${MAX_DELAY_SECONDS}, got ${delaySeconds}`)
    }
    if (this.#closed) throw queueError('enqueue', new Error('the queue is closed'))
    const visibleAt = this.#now() + Math.round(delaySeconds * 1000)

    // Reserve every new message in the dedup index synchronously, before any await, so that
    // concurrent enqueues of the same image in this process cannot both write a message.
    let settle!: { resolve: () => void; reject: (error: unknown) => void }
    const durable = new Promise<void>((resolve, reject) => {
      settle = { resolve, reject }
    })
    durable.catch(() => undefined) // observed by whoever awaits it; never an unhandled rejection
    const prepared = requests.map((request) => ({ key: dedupKey(request), text: `${JSON.stringify(request)}\n` }))
    const mine: Array<{ id: string; text: string }> = []
    const duplicates: Array<Promise<void>> = []
    for (const { key, text } of prepared) {
      const existing = this.#findWaiting(key, visibleAt)
      if (existing) {
        duplicates.push(existing.durable)
        continue
      }
      const id = this.#nextId()
      this.#addWaiting(id, { key, visibleAt, durable })
      mine.push({ id, text })
    }

    const work = (async () => {
      try {
        if (mine.length > 0) {
          const readyDir = join(this.#dir, READY)
          await Promise.all(
            mine.map(async ({ id, text }) => {
              const temp = join(readyDir, `${TEMP_PREFIX}${id}`)
              try {
                await writeDurably(temp, text)
                await rename(temp, join(readyDir, entryName(id, 0, visibleAt)))
              } catch (error) {
                await unlinkQuietly(temp)
                throw error
              }
            }),
          )
          await fsyncDir(readyDir)
        }
        settle.resolve()
      } catch (error) {
        for (const { id } of mine) this.#removeWaiting(id)
        settle.reject(error)
        throw queueError('enqueue', error)
      }
      if (mine.length > 0) this.#wake()
      // a duplicate is accepted only once the message it was merged into is durable
      try {
        await Promise.all(duplicates)
      } catch (error) {
        throw queueError('enqueue (the waiting duplicate could not be stored)', error)
      }
    })()
    this.#pending.add(work)
    try {
      await work
    } finally {
      this.#pending.delete(work)
    }
  }

  /**
   * Delivers the oldest visible message, leased for `visibilityMs`, or undefined when none
   * arrives within `waitMs` (or the signal aborts, or the queue is closed). Expired leases
   * return to `ready/` first; unparseable messages go to `dead/` and are skipped.
   */
  async receive(options: ReceiveOptions = {}): Promise<QueueMessage | undefined> {
    const deadline = performance.now() + Math.max(0, options.waitMs ?? 0)
    const { signal } = options
    for (;;) {
      if (this.#closed || signal?.aborted) return undefined
      const generation = this.#generation
      let message: QueueMessage | undefined
      try {
        message = await this.#receiveOnce()
      } catch (error) {
        throw queueError('receive', error)
      }
      if (message) return message
      const remaining = deadline - performance.now()
      if (remaining <= 0) return undefined
      if (generation === this.#generation) await this.#sleep(Math.min(POLL_MS, remaining), signal)
    }
  }

  /** Deletes a delivered message (the scan is done). Unknown or already acknowledged ids are ignored. */
  async ack(id: string): Promise<void> {
    try {
      const found = await this.#findInflight(id)
      if (found && (await unlinkIfExists(join(this.#dir, INFLIGHT, found.name)))) return
      // the lease expired and the message went back to ready/: the work is done all the same
      const back = ID_PATTERN.test(id) ? (await this.#list(READY)).find((entry) => entry.id === id) : undefined
      if (back) await unlinkIfExists(join(this.#dir, READY, back.name))
    } catch (error) {
      throw queueError(`ack ${id}`, error)
    }
  }

  /**
   * Hands a delivered message back after a failure: visible again after an exponential
   * backoff with full jitter, or dead-lettered (with `error`) once it has been delivered
   * `maxAttempts` times. Ignored if the message is no longer in flight.
   */
  async retry(id: string, error: { code: string; message: string }): Promise<void> {
    try {
      const found = await this.#findInflight(id)
      if (!found) return
      if (found.attempts >= this.#maxAttempts) {
        await this.#deadLetter(found, { kind: 'max-attempts', code: error.code, message: error.message })
        return
      }
      const ceiling = Math.min(this.#maxDelayMs, this.#baseDelayMs * 2 ** Math.max(0, found.attempts - 1))
      const delay = Math.floor(this.#random() * ceiling)
      await this.#moveBack(found, found.attempts, this.#now() + delay)
    } catch (cause) {
      throw queueError(`retry ${id}`, cause)
    }
  }

  /** Hands a delivered message back, visible at once, without counting the attempt (graceful shutdown). */
  async release(id: string): Promise<void> {
    try {
      const found = await this.#findInflight(id)
      if (!found) return
      const attempts = Math.max(0, found.attempts - 1)
      if (attempts > 0) {
        await this.#moveBack(found, attempts, this.#now())
        return
      }
      // never really attempted: it is a waiting message again, and absorbs duplicates
      const visibleAt = this.#now()
      let key: string | undefined
      try {
        key = dedupKey(parseScanRequest(JSON.parse(await readFile(join(this.#dir, INFLIGHT, found.name), 'utf8'))))
      } catch (error) {
        if (errno(error) === 'ENOENT' && !(error instanceof PushscanError)) return // acknowledged or expired meanwhile
        if (!(error instanceof SyntaxError || error instanceof PushscanError)) throw error
      }
      // indexed before the move, so a receiver that claims it at once also unindexes it
      if (key !== undefined) this.#addWaiting(found.id, { key, visibleAt, durable: Promise.resolve() })
      let moved = false
      try {
        moved = await this.#moveBack(found, 0, visibleAt)
      } finally {
        if (!moved) this.#removeWaiting(found.id)
      }
    } catch (error) {
      throw queueError(`release ${id}`, error)
    }
  }

  /** How many messages each folder holds (`ready` includes delayed and backing-off ones). */
  async stats(): Promise<QueueStats> {
    try {
      const [ready, inflight, dead] = await Promise.all([this.#list(READY), this.#list(INFLIGHT), this.#list(DEAD)])
      return { ready: ready.length, inflight: inflight.length, dead: dead.length }
    } catch (error) {
      throw queueError('read stats', error)
    }
  }

  /** The dead-lettered messages, oldest first, with why they died. */
  async deadLetters(): Promise<DeadLetter[]> {
    try {
      const entries = (await this.#list(DEAD)).sort(byId)
      return await Promise.all(
        entries.map(async (entry): Promise<DeadLetter> => {
          const body = await readFile(join(this.#dir, DEAD, entry.name), 'utf8')
          const letter: DeadLetter = { id: entry.id, attempts: entry.attempts, deadAt: entry.time, body }
          try {
            letter.reason = JSON.parse(await readFile(join(this.#dir, DEAD, `${entry.id}.reason.json`), 'utf8')) as DeadLetter['reason']
          } catch {
            // no reason file: dead-lettered by hand, or the reason was lost in a crash
          }
          return letter
        }),
      )
    } catch (error) {
      throw queueError('list dead letters', error)
    }
  }

  /**
   * Stops the queue: long polls and later receives resolve undefined, later enqueues are
   * refused (QUEUE_UNAVAILABLE), and pending enqueues are awaited. `ack`, `retry` and
   * `release` still work, so scans that finish during a shutdown can settle their messages;
   * messages left in flight come back on the next `open` (or when their lease expires).
   */
  async close(): Promise<void> {
    this.#closed = true
    this.#wake()
    await Promise.allSettled([...this.#pending])
  }

  // ---------------------------------------------------------------------------------------

  async #recover(): Promise<void> {
    for (const folder of [READY, INFLIGHT, DEAD] as const) await mkdir(join(this.#dir, folder), { recursive: true })
    for (const folder of [READY, INFLIGHT, DEAD] as const) {
      for (const name of await readdir(join(this.#dir, folder))) {
        if (name.startsWith(TEMP_PREFIX)) await unlinkQuietly(join(this.#dir, folder, name))
      }
    }
    const now = this.#now()
    for (const entry of await this.#list(INFLIGHT)) {
      await rename(join(this.#dir, INFLIGHT, entry.name), join(this.#dir, READY, entryName(entry.id, entry.attempts, now)))
    }
    for (const entry of await this.#list(READY)) {
      if (entry.attempts !== 0) continue
      let request: ScanRequest
      try {
        request = parseScanRequest(JSON.parse(await readFile(join(this.#dir, READY, entry.name), 'utf8')))
      } catch {
        continue // dead-lettered when received
      }
      this.#addWaiting(entry.id, { key: dedupKey(request), visibleAt: entry.time, durable: Promise.resolve() })
    }
    // keep new ids after the ones on disk even if the clock stepped back
    const newest = [...(await this.#list(READY)), ...(await this.#list(DEAD))].sort(byId).at(-1)
    if (newest) {
      this.#lastIdTime = Number(newest.id.slice(0, 15))
      this.#idCounter = Number(newest.id.slice(16, 22))
    }
  }

  async #receiveOnce(): Promise<QueueMessage | undefined> {
    const now = this.#now()
    await this.#expireLeases(now)
    const visible = (await this.#list(READY)).filter((entry) => entry.time <= now).sort(byId)
    for (const entry of visible) {
      const attempts = entry.attempts + 1
      const claimed: Entry = { id: entry.id, attempts, time: now + this.#visibilityMs, name: entryName(entry.id, attempts, now + this.#visibilityMs) }
      try {
        await rename(join(this.#dir, READY, entry.name), join(this.#dir, INFLIGHT, claimed.name))
      } catch (error) {
        if (errno(error) === 'ENOENT') continue // another receiver claimed it first
        throw error
      }
      this.#removeWaiting(entry.id)
      if (entry.attempts >= this.#maxAttempts) {
        await this.#deadLetter(claimed, {
          kind: 'abandoned',
          code: ErrorCode.Internal,
          message: `delivered ${entry.attempts} times without being acknowledged or retried`,
        })
        continue
      }
      // an I/O error here propagates and leaves the message leased: it comes back later
      const body = await readFile(join(this.#dir, INFLIGHT, claimed.name), 'utf8')
      let request: ScanRequest
      try {
        request = parseScanRequest(JSON.parse(body))
      } catch (error) {
        const { code, message } = error instanceof SyntaxError ? { code: ErrorCode.ScanRequestInvalid, message: `not JSON: ${error.message}` } : describeError(error)
        await this.#deadLetter(claimed, { kind: 'unparseable', code, message })
        continue
      }
      return { id: entry.id, request, attempts, receivedAt: now }
    }
    return undefined
  }

  async #expireLeases(now: number): Promise<void> {
    let moved = false
    for (const entry of await this.#list(INFLIGHT)) {
      if (entry.time > now) continue
      try {
        await rename(join(this.#dir, INFLIGHT, entry.name), join(this.#dir, READY, entryName(entry.id, entry.attempts, now)))
        moved = true
      } catch (error) {
        if (errno(error) !== 'ENOENT') throw error // acknowledged or expired by someone else meanwhile
      }
    }
    if (moved) this.#wake()
  }

  /** Moves an in-flight message back to `ready/`; false if it was no longer in flight. */
  async #moveBack(entry: Entry, attempts: number, visibleAt: number): Promise<boolean> {
    try {
      await rename(join(this.#dir, INFLIGHT, entry.name), join(this.#dir, READY, entryName(entry.id, attempts, visibleAt)))
    } catch (error) {
      if (errno(error) === 'ENOENT') return false // acknowledged, or its lease expired, meanwhile
      throw error
    }
    this.#wake()
    return true
  }

  /** Records why, then moves the in-flight message to `dead/`. */
  async #deadLetter(entry: Entry, why: { kind: DeadLetterKind; code: string; message: string }): Promise<void> {
    const deadDir = join(this.#dir, DEAD)
    const now = this.#now()
    const reason = { id: entry.id, ...why, attempts: entry.attempts, at: new Date(now).toISOString() }
    const temp = join(deadDir, `${TEMP_PREFIX}${entry.id}.reason`)
    try {
      await writeDurably(temp, `${JSON.stringify(reason, null, 2)}\n`)
      await rename(temp, join(deadDir, `${entry.id}.reason.json`))
    } catch (error) {
      await unlinkQuietly(temp)
      throw error
    }
    await rename(join(this.#dir, INFLIGHT, entry.name), join(deadDir, entryName(entry.id, entry.attempts, now)))
    await fsyncDir(deadDir)
  }

  /** The in-flight entry of `id` (a few files at most: one per scan being run). */
  async #findInflight(id: string): Promise<Entry | undefined> {
    if (!ID_PATTERN.test(id)) return undefined
    return (await this.#list(INFLIGHT)).find((entry) => entry.id === id)
  }

  async #list(folder: Folder): Promise<Entry[]> {
    const names = await readdir(join(this.#dir, folder))
    return names.flatMap((name) => parseEntry(name) ?? [])
  }

  #findWaiting(key: string, visibleAt: number): Waiting | undefined {
    for (const id of this.#waitingByKey.get(key) ?? []) {
      const waiting = this.#waiting.get(id)
      if (waiting && waiting.visibleAt <= visibleAt) return waiting
    }
    return undefined
  }

  #addWaiting(id: string, waiting: Waiting): void {
    this.#waiting.set(id, waiting)
    let ids = this.#waitingByKey.get(waiting.key)
    if (!ids) this.#waitingByKey.set(waiting.key, (ids = new Set()))
    ids.add(id)
  }

  #removeWaiting(id: string): void {
    const waiting = this.#waiting.get(id)
    if (!waiting) return
    this.#waiting.delete(id)
    const ids = this.#waitingByKey.get(waiting.key)
    ids?.delete(id)
    if (ids?.size === 0) this.#waitingByKey.delete(waiting.key)
  }

  #nextId(): string {
    const now = this.#now()
    if (now > this.#lastIdTime) {
      this.#lastIdTime = now
      this.#idCounter = 0
    } else if (++this.#idCounter > 999_999) {
      this.#lastIdTime++
      this.#idCounter = 0
    }
    return `${String(this.#lastIdTime).padStart(15, '0')}-${String(this.#idCounter).padStart(6, '0')}-${randomBytes(4).toString('hex')}`
  }

  /** The clock, in whole milliseconds (times are part of file names). */
  #now(): number {
    return Math.max(0, Math.floor(this.#clock.now()))
  }

  #wake(): void {
    this.#generation++
    for (const wake of [...this.#wakers]) wake()
  }

  /** Waits `ms` real milliseconds, or less if woken (enqueue, retry, release, close) or aborted. */
  async #sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
    await new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer)
        this.#wakers.delete(done)
        signal?.removeEventListener('abort', done)
        resolve()
      }
      const timer = setTimeout(done, ms)
      this.#wakers.add(done)
      signal?.addEventListener('abort', done, { once: true })
    })
  }
}
