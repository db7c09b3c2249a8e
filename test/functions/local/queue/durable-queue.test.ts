/**
 * DurableQueue: ordering, delay, dedup, retry and dead-lettering, leases, release, crash
 * recovery and concurrency, against a real directory.
 */
import { readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { DurableQueue, type DurableQueueOptions, type QueueMessage } from '../../../../functions/local/queue/durable-queue.js'
import { ErrorCode, PushscanError } from '../../../../shared/errors.js'
import { fixedClock } from '../../../../shared/ports/clock.js'
import { createScanRequest, ScanSource, type ScanRequest } from '../../../../shared/scan/scan-request.js'
import { makeTempDir, removeDir } from '../../../support/temp-dir.js'

const T0 = Date.parse('2024-06-01T12:00:00Z')

function request(tag: string, requestId = `req-${tag}`): ScanRequest {
  return createScanRequest({
    registry: 'registry.example.com',
    repository: 'team/app',
    tag,
    source: ScanSource.Manual,
    receivedAt: '2024-06-01T12:00:00Z',
    requestId,
  })
}

const dirs: string[] = []
const queues: DurableQueue[] = []

async function openQueue(options: DurableQueueOptions = {}, dir?: string): Promise<{ queue: DurableQueue; dir: string }> {
  const where = dir ?? (await makeTempDir('queue'))
  if (!dir) dirs.push(where)
  const queue = await DurableQueue.open(where, options)
  queues.push(queue)
  return { queue, dir: where }
}

async function drain(queue: DurableQueue): Promise<QueueMessage[]> {
  const received: QueueMessage[] = []
  for (let message = await queue.receive(); message; message = await queue.receive()) received.push(message)
  return received
}

afterEach(async () => {
  await Promise.all(queues.splice(0).map((queue) => queue.close()))
  await Promise.all(dirs.splice(0).map((dir) => removeDir(dir)))
})

describe('DurableQueue', () => {
  it('creates its folders and delivers in arrival order', async () => {
    // Prepare
    const { queue, dir } = await openQueue()
    // Act
    await queue.enqueue([request('a'), request('b')])
    await queue.enqueue([request('c')])
    const received = await drain(queue)
    // Assess
    expect((await readdir(dir)).sort()).toEqual(['dead', 'inflight', 'ready'])
    expect(received.map((m) => m.request.tag)).toEqual(['a', 'b', 'c'])
    expect(received.map((m) => m.attempts)).toEqual([1, 1, 1])
    expect([...received.map((m) => m.id)].sort()).toEqual(received.map((m) => m.id))
    expect(await queue.stats()).toEqual({ ready: 0, inflight: 3, dead: 0 })
  })

  it('keeps arrival order when the clock stands still', async () => {
    // Prepare
    const { queue } = await openQueue({ clock: fixedClock(T0) })
    // Act
    for (const tag of ['x', 'y', 'z', 'w']) await queue.enqueue([request(tag)])
    const received = await drain(queue)
    // Assess
    expect(received.map((m) => m.request.tag)).toEqual(['x', 'y', 'z', 'w'])
  })

  it('stores each message as its request in ready/ and acks by deleting it', async () => {
    // Prepare
    const { queue, dir } = await openQueue({ clock: fixedClock(T0) })
    // Act
    await queue.enqueue([request('a')])
    const names = await readdir(join(dir, 'ready'))
    const body: unknown = JSON.parse(await readFile(join(dir, 'ready', names[0]!), 'utf8'))
    const message = await queue.receive()
    await queue.ack(message!.id)
    // Assess
    expect(names).toHaveLength(1)
    expect(names[0]).toMatch(new RegExp(`^\\d{15}-\\d{6}-[0-9a-f]{8}\\.0\\.${T0}\\.json$`))
    expect(body).toEqual(request('a'))
    expect(message?.request).toEqual(request('a'))
    expect(message?.receivedAt).toBe(T0)
    expect(await queue.stats()).toEqual({ ready: 0, inflight: 0, dead: 0 })
    expect(await readdir(join(dir, 'inflight'))).toEqual([])
  })

  it('hides a delayed message until its time', async () => {
    // Prepare
    const clock = fixedClock(T0)
    const { queue } = await openQueue({ clock })
    await queue.enqueue([request('later')], { delaySeconds: 10 })
    await queue.enqueue([request('now')])
    // Act
    const first = await queue.receive()
    const early = await queue.receive()
    clock.advance(10_000)
    const later = await queue.receive()
    // Assess
    expect(first?.request.tag).toBe('now')
    expect(early).toBeUndefined()
    expect(later?.request.tag).toBe('later')
  })

  it('refuses a delay outside 0..900 seconds', async () => {
    // Prepare
    const { queue } = await openQueue()
    // Act + Assess
    await expect(queue.enqueue([request('a')], { delaySeconds: 901 })).rejects.toThrow(RangeError)
    await expect(queue.enqueue([request('a')], { delaySeconds: -1 })).rejects.toThrow(RangeError)
  })

  it('drops a duplicate while the first waits, also across a reopen, but not once it was received', async () => {
    // Prepare
    const { queue, dir } = await openQueue({ clock: fixedClock(T0) })
    // Act
    await queue.enqueue([request('v1', 'delivery-1'), request('v1', 'delivery-2')])
    await queue.enqueue([request('v1', 'delivery-3')])
    const waiting = await queue.stats()
    await queue.close()
    const { queue: reopened } = await openQueue({ clock: fixedClock(T0) }, dir)
    await reopened.enqueue([request('v1', 'delivery-4')])
    const afterReopen = await reopened.stats()
    const first = await reopened.receive()
    await reopened.enqueue([request('v1', 'delivery-5')])
    const second = await reopened.receive()
    // Assess
    expect(waiting.ready).toBe(1)
    expect(afterReopen.ready).toBe(1)
    expect(first?.request.requestId).toBe('delivery-1')
    expect(second?.request.requestId).toBe('delivery-5')
  })

  it('deduplicates concurrent enqueues of the same image', async () => {
    // Prepare
    const { queue } = await openQueue()
    // Act
    await Promise.all([1, 2, 3, 4].map((n) => queue.enqueue([request('same', `delivery-${n}`)])))
    // Assess
    expect((await queue.stats()).ready).toBe(1)
  })

  it('does not merge a fresh push into a message that will only be visible later', async () => {
    // Prepare
    const { queue } = await openQueue({ clock: fixedClock(T0) })
    // Act
    await queue.enqueue([request('v1', 'delayed')], { delaySeconds: 60 })
    await queue.enqueue([request('v1', 'immediate')])
    await queue.enqueue([request('v1', 'delayed-again')], { delaySeconds: 60 })
    const received = await queue.receive()
    // Assess
    expect((await queue.stats()).ready).toBe(1)
    expect(received?.request.requestId).toBe('immediate')
  })

  it('retries with capped exponential backoff, then dead-letters with the last error', async () => {
    // Prepare: jitter pinned at its maximum, so each delay is exactly its ceiling
    const clock = fixedClock(T0)
    const { queue } = await openQueue({ clock, maxAttempts: 4, baseDelayMs: 1000, maxDelayMs: 3000, random: () => 0.999_999_9 })
    await queue.enqueue([request('flaky')])
    const seen: Array<{ attempts: number; earlyVisible: boolean }> = []
    // Act
    let message = await queue.receive()
    for (const ceiling of [1000, 2000, 3000]) {
      await queue.retry(message!.id, { code: 'REGISTRY_TIMEOUT', message: 'timed out' })
      clock.advance(ceiling - 2)
      const early = await queue.receive()
      clock.advance(2)
      message = await queue.receive()
      seen.push({ attempts: message!.attempts, earlyVisible: early !== undefined })
    }
    await queue.retry(message!.id, { code: 'REGISTRY_UNAVAILABLE', message: 'registry answered 503' })
    clock.advance(3_600_000)
    const afterDeath = await queue.receive()
    // Assess
    expect(seen).toEqual([
      { attempts: 2, earlyVisible: false },
      { attempts: 3, earlyVisible: false },
      { attempts: 4, earlyVisible: false },
    ])
    expect(afterDeath).toBeUndefined()
    expect(await queue.stats()).toEqual({ ready: 0, inflight: 0, dead: 1 })
    const [dead] = await queue.deadLetters()
    expect(dead?.attempts).toBe(4)
    expect(dead?.reason).toMatchObject({ kind: 'max-attempts', code: 'REGISTRY_UNAVAILABLE', message: 'registry answered 503', attempts: 4 })
    expect(JSON.parse(dead!.body)).toEqual(request('flaky'))
  })

  it('draws the backoff from zero up to its ceiling (full jitter)', async () => {
    // Prepare
    const clock = fixedClock(T0)
    const { queue } = await openQueue({ clock, baseDelayMs: 1000, random: () => 0 })
    await queue.enqueue([request('a')])
    const first = await queue.receive()
    // Act
    await queue.retry(first!.id, { code: 'X', message: 'x' })
    const again = await queue.receive()
    // Assess
    expect(again?.id).toBe(first?.id)
    expect(again?.attempts).toBe(2)
  })

  it('returns a message whose lease expired on the next receive', async () => {
    // Prepare
    const clock = fixedClock(T0)
    const { queue } = await openQueue({ clock, visibilityMs: 1000 })
    await queue.enqueue([request('slow')])
    const first = await queue.receive()
    // Act
    clock.advance(999)
    const whileLeased = await queue.receive()
    clock.advance(1)
    const redelivered = await queue.receive()
    // Assess
    expect(whileLeased).toBeUndefined()
    expect(redelivered?.id).toBe(first?.id)
    expect(redelivered?.attempts).toBe(2)
    expect(redelivered?.receivedAt).toBe(T0 + 1000)
  })

  it('lets a slow worker ack its message after the lease expired and it was delivered again', async () => {
    // Prepare
    const clock = fixedClock(T0)
    const { queue } = await openQueue({ clock, visibilityMs: 1000 })
    await queue.enqueue([request('slow')])
    const slow = await queue.receive()
    clock.advance(5000)
    const redelivered = await queue.receive()
    // Act: the slow worker finishes first; the second worker's ack then finds nothing
    await queue.ack(slow!.id)
    await queue.ack(redelivered!.id)
    // Assess
    expect(redelivered?.id).toBe(slow?.id)
    expect(await queue.stats()).toEqual({ ready: 0, inflight: 0, dead: 0 })
  })

  it('ignores ack, retry and release of unknown ids', async () => {
    // Prepare
    const { queue } = await openQueue()
    await queue.enqueue([request('a')])
    // Act
    await queue.ack('000000000000001-000000-00000000')
    await queue.retry('../../etc/passwd', { code: 'X', message: 'x' })
    await queue.release('nope')
    // Assess
    expect(await queue.stats()).toEqual({ ready: 1, inflight: 0, dead: 0 })
  })

  it('dead-letters a message delivered maxAttempts times without ack or retry', async () => {
    // Prepare
    const clock = fixedClock(T0)
    const { queue } = await openQueue({ clock, visibilityMs: 1000, maxAttempts: 2 })
    await queue.enqueue([request('crasher')])
    // Act
    const first = await queue.receive()
    clock.advance(1000)
    const second = await queue.receive()
    clock.advance(1000)
    const third = await queue.receive()
    // Assess
    expect([first?.attempts, second?.attempts, third]).toEqual([1, 2, undefined])
    const [dead] = await queue.deadLetters()
    expect(dead?.reason?.kind).toBe('abandoned')
  })

  it('releases a message at once without counting the attempt, and it absorbs duplicates again', async () => {
    // Prepare
    const { queue } = await openQueue({ clock: fixedClock(T0) })
    await queue.enqueue([request('a', 'first')])
    const first = await queue.receive()
    // Act
    await queue.release(first!.id)
    await queue.enqueue([request('a', 'duplicate')])
    const stats = await queue.stats()
    const again = await queue.receive()
    // Assess
    expect(stats).toEqual({ ready: 1, inflight: 0, dead: 0 })
    expect(again?.id).toBe(first?.id)
    expect(again?.attempts).toBe(1)
    expect(again?.request.requestId).toBe('first')
  })

  it('sends an unparseable message to dead/ with a reason and never returns it', async () => {
    // Prepare: two hand-made files in the documented layout, before a valid message
    const { queue, dir } = await openQueue({ clock: fixedClock(T0) })
    await writeFile(join(dir, 'ready', '000000000000001-000000-00000000.0.0.json'), JSON.stringify({ v: 99, registry: 'x' }))
    await writeFile(join(dir, 'ready', '000000000000001-000001-00000000.0.0.json'), '{ not json')
    await queue.enqueue([request('good')])
    // Act
    const received = await queue.receive()
    const nothing = await queue.receive()
    // Assess
    expect(received?.request.tag).toBe('good')
    expect(nothing).toBeUndefined()
    expect(await queue.stats()).toEqual({ ready: 0, inflight: 1, dead: 2 })
    const dead = await queue.deadLetters()
    expect(dead.map((d) => [d.id, d.reason?.kind, d.reason?.code])).toEqual([
      ['000000000000001-000000-00000000', 'unparseable', 'SCAN_REQUEST_INVALID'],
      ['000000000000001-000001-00000000', 'unparseable', 'SCAN_REQUEST_INVALID'],
    ])
    expect((await readdir(join(dir, 'dead'))).sort()).toEqual([
      `000000000000001-000000-00000000.1.${T0}.json`,
      '000000000000001-000000-00000000.reason.json',
      `000000000000001-000001-00000000.1.${T0}.json`,
      '000000000000001-000001-00000000.reason.json',
    ])
  })

  it('after a crash, reopening returns in-flight messages to ready with their attempts and removes temp files', async () => {
    // Prepare: a "crashed" instance (never closed) with two messages in flight
    const clock = fixedClock(T0)
    const { queue: crashed, dir } = await openQueue({ clock })
    await crashed.enqueue([request('a'), request('b'), request('c')])
    const a = await crashed.receive()
    await crashed.retry(a!.id, { code: 'X', message: 'x' })
    clock.advance(3_600_000)
    const a2 = await crashed.receive()
    const b = await crashed.receive()
    await writeFile(join(dir, 'ready', '.tmp-000000000000001-000000-00000000'), '{"half":')
    // Act
    const { queue: reopened } = await openQueue({ clock }, dir)
    const statsAfterOpen = await reopened.stats()
    const received = await drain(reopened)
    // Assess
    expect(a2?.attempts).toBe(2)
    expect(statsAfterOpen).toEqual({ ready: 3, inflight: 0, dead: 0 })
    expect(received.map((m) => [m.id, m.attempts])).toEqual([
      [a!.id, 3],
      [b!.id, 2],
      [expect.any(String), 1],
    ])
    expect(await readdir(join(dir, 'ready'))).toEqual([])
  })

  it('never gives one message to two concurrent receivers', async () => {
    // Prepare
    const { queue } = await openQueue()
    await queue.enqueue(Array.from({ length: 40 }, (_, n) => request(`t${n}`)))
    // Act
    const workers = Array.from({ length: 6 }, () => drain(queue))
    const received = (await Promise.all(workers)).flat()
    // Assess
    const ids = received.map((m) => m.id)
    expect(ids).toHaveLength(40)
    expect(new Set(ids).size).toBe(40)
  })

  it('two instances on one directory never deliver the same message twice', async () => {
    // Prepare
    const { queue: one, dir } = await openQueue()
    await one.enqueue(Array.from({ length: 30 }, (_, n) => request(`t${n}`)))
    const { queue: two } = await openQueue({}, dir)
    // Act
    const received = (await Promise.all([drain(one), drain(two), drain(one), drain(two)])).flat()
    // Assess
    expect(new Set(received.map((m) => m.id)).size).toBe(30)
    expect(received).toHaveLength(30)
  })

  it('long polls: wakes up as soon as a message is enqueued in the process', async () => {
    // Prepare
    const { queue } = await openQueue()
    const started = performance.now()
    // Act
    const receiving = queue.receive({ waitMs: 5000 })
    setTimeout(() => void queue.enqueue([request('late')]), 50)
    const message = await receiving
    // Assess
    expect(message?.request.tag).toBe('late')
    expect(performance.now() - started).toBeLessThan(1000)
  })

  it('long polls: picks up a message another process wrote, by polling', async () => {
    // Prepare
    const { queue, dir } = await openQueue()
    const { queue: other } = await openQueue({}, dir)
    // Act
    const receiving = queue.receive({ waitMs: 3000 })
    setTimeout(() => void other.enqueue([request('elsewhere')]), 50)
    const message = await receiving
    // Assess
    expect(message?.request.tag).toBe('elsewhere')
  })

  it('long polls: resolves undefined after waitMs, on abort and on close', async () => {
    // Prepare
    const { queue } = await openQueue()
    const controller = new AbortController()
    // Act
    const started = performance.now()
    const timedOut = await queue.receive({ waitMs: 300 })
    const waited = performance.now() - started
    const aborted = queue.receive({ waitMs: 10_000, signal: controller.signal })
    const closing = queue.receive({ waitMs: 10_000 })
    setTimeout(() => controller.abort(), 20)
    setTimeout(() => void queue.close(), 40)
    // Assess
    expect(timedOut).toBeUndefined()
    expect(waited).toBeGreaterThanOrEqual(250)
    await expect(aborted).resolves.toBeUndefined()
    await expect(closing).resolves.toBeUndefined()
    await expect(queue.enqueue([request('a')])).rejects.toMatchObject({ code: ErrorCode.QueueUnavailable })
  })

  it('still settles messages after close, so scans finishing during a shutdown are not lost', async () => {
    // Prepare
    const { queue, dir } = await openQueue({ clock: fixedClock(T0) })
    await queue.enqueue([request('done'), request('unfinished')])
    const done = await queue.receive()
    const unfinished = await queue.receive()
    // Act
    await queue.close()
    await queue.ack(done!.id)
    await queue.release(unfinished!.id)
    const afterClose = await queue.receive()
    const { queue: reopened } = await openQueue({ clock: fixedClock(T0) }, dir)
    const next = await reopened.receive()
    // Assess
    expect(afterClose).toBeUndefined()
    expect(next?.request.tag).toBe('unfinished')
    expect(next?.attempts).toBe(1)
    expect(await reopened.stats()).toEqual({ ready: 0, inflight: 1, dead: 0 })
  })

  it('reports storage failures as temporary QUEUE_UNAVAILABLE errors', async () => {
    // Prepare: ready/ replaced by a plain file
    const { queue, dir } = await openQueue()
    await rm(join(dir, 'ready'), { recursive: true })
    await writeFile(join(dir, 'ready'), 'not a directory')
    // Act
    const failure = queue.enqueue([request('a')]).catch((error: unknown) => error)
    const again = queue.enqueue([request('a', 'duplicate')]).catch((error: unknown) => error)
    // Assess
    const error = await failure
    expect(error).toBeInstanceOf(PushscanError)
    expect(error).toMatchObject({ code: ErrorCode.QueueUnavailable, temporary: true })
    expect((error as Error).cause).toBeDefined()
    // the duplicate was merged into the failed write, so it fails too instead of being lost
    await expect(again).resolves.toMatchObject({ code: ErrorCode.QueueUnavailable })
    await expect(queue.receive()).rejects.toMatchObject({ code: ErrorCode.QueueUnavailable })
    await expect(DurableQueue.open(join(dir, 'ready', 'sub'))).rejects.toMatchObject({ code: ErrorCode.QueueUnavailable })
  })
})
