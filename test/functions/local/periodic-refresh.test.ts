/**
 * PeriodicRefresh: a run at start, no overlap, failures logged not thrown, a stop that waits
 * for the run in progress.
 */
import { describe, expect, it } from 'vitest'
import { PeriodicRefresh } from '../../../functions/local/periodic-refresh.js'
import type { LogFields, Logger } from '../../../shared/ports/logger.js'

function recordingLogger(): Logger & { errors: Array<[string, LogFields | undefined]> } {
  const errors: Array<[string, LogFields | undefined]> = []
  const noop = (): void => {}
  return { errors, debug: noop, info: noop, warn: noop, error: (message, fields) => void errors.push([message, fields]) }
}

describe('PeriodicRefresh', () => {
  it('runs once at start, and stop waits for that run to end', async () => {
    // Prepare
    let release!: () => void
    let started!: () => void
    const running = new Promise<void>((resolve) => (started = resolve))
    let runs = 0
    let finished = false
    const refresh = new PeriodicRefresh(
      async () => {
        runs++
        started()
        await new Promise<void>((resolve) => (release = resolve))
        finished = true
      },
      3_600_000,
      recordingLogger()
    )
    // Act
    refresh.start()
    await running
    const stopping = refresh.stop()
    release()
    await stopping
    // Assess
    expect(runs).toBe(1)
    expect(finished).toBe(true)
  })

  it('logs a failed run instead of throwing', async () => {
    // Prepare
    const logger = recordingLogger()
    let failed!: () => void
    const done = new Promise<void>((resolve) => (failed = resolve))
    const refresh = new PeriodicRefresh(
      async () => {
        queueMicrotask(failed)
        throw Object.assign(new Error('feed down'), { code: 'VULN_SOURCE_UNAVAILABLE' })
      },
      3_600_000,
      logger
    )
    // Act
    refresh.start()
    await done
    await refresh.stop()
    // Assess
    expect(logger.errors).toEqual([['vulnerability refresh failed; the previous index stays in use', { error: { code: 'INTERNAL', message: 'internal error: feed down' } }]])
  })
})
