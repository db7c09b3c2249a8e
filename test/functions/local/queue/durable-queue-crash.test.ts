/**
 * The durability promise of DurableQueue, with a real `kill -9`: every request whose
 * `enqueue` resolved in a child process is still in the queue after the child was killed
 * part-way and the queue reopened.
 */
import { spawn } from 'node:child_process'
import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import { DurableQueue } from '../../../../functions/local/queue/durable-queue.js'
import { makeTempDir, removeDir } from '../../../support/temp-dir.js'

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url))
const CHILD = fileURLToPath(new URL('./crash-child.ts', import.meta.url))
const COUNT = 50

const dirs: string[] = []

afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => removeDir(dir)))
})

/** Runs the child until it has printed `killAfter` ids, SIGKILLs it, and returns every line it printed. */
async function enqueueThenCrash(dir: string, killAfter: number): Promise<{ printed: string[]; signal: NodeJS.Signals | null; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dir, String(COUNT), '10'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk
    if (stdout.split('\n').length - 1 >= killAfter) child.kill('SIGKILL')
  })
  const signal = await new Promise<NodeJS.Signals | null>((resolve, reject) => {
    child.once('error', reject)
    child.once('close', (_code, closeSignal) => resolve(closeSignal))
  })
  return { printed: stdout.split('\n').filter((line) => line !== ''), signal, stderr }
}

describe('DurableQueue under kill -9', () => {
  it('keeps every request whose enqueue resolved before the process was killed', async () => {
    // Prepare
    const dir = await makeTempDir('queue-crash')
    dirs.push(dir)
    // Act
    const { printed, signal, stderr } = await enqueueThenCrash(dir, 20)
    const queue = await DurableQueue.open(dir)
    const stats = await queue.stats()
    const received: string[] = []
    for (let message = await queue.receive(); message; message = await queue.receive()) received.push(message.request.requestId)
    await queue.close()
    // Assess
    expect(stderr).toBe('')
    expect(signal).toBe('SIGKILL')
    expect(printed).not.toContain('done')
    expect(printed.length).toBeGreaterThanOrEqual(20)
    expect(printed.length).toBeLessThan(COUNT)
    expect(received).toEqual(expect.arrayContaining(printed))
    // at most the one request being enqueued when the kill landed is there unannounced
    expect(received.length - printed.length).toBeGreaterThanOrEqual(0)
    expect(received.length - printed.length).toBeLessThanOrEqual(1)
    expect(received.slice(0, printed.length)).toEqual(printed) // and in arrival order
    expect(stats).toEqual({ ready: received.length, inflight: 0, dead: 0 })
    expect((await readdir(join(dir, 'ready'))).filter((name) => name.startsWith('.'))).toEqual([])
  })
})
