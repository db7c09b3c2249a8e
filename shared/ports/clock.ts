/**
 * Time, injected so reports and token expiry are testable and deterministic.
 *
 * @module
 */

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number
}

export const systemClock: Clock = { now: () => Date.now() }

/** A clock that stands still at `at` until moved; for tests and golden reports. */
export function fixedClock(at: number | string): Clock & { advance(ms: number): void } {
  let now = typeof at === 'number' ? at : Date.parse(at)
  return {
    now: () => now,
    advance(ms: number) {
      now += ms
    },
  }
}
