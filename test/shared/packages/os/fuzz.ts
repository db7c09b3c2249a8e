/**
 * Fuzzing helpers for the package database parsers: truncations and seeded byte flips, each
 * of which must either parse or throw {@link PackageDbError}, within a time budget.
 *
 * @module
 */
import { expect } from 'vitest'
import { PACKAGE_DB_CORRUPT, PackageDbError } from '../../../../shared/packages/os/package-db-error.js'

/** A small deterministic PRNG (mulberry32). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Every `step`-th prefix of `input` (the empty one included, the whole one excluded), as views: parsers never write. */
export function* truncations(input: Uint8Array, step = 7): Generator<Uint8Array> {
  for (let length = 0; length < input.length; length += step) yield input.subarray(0, length)
}

/**
 * `count` copies of `input`, each with 1–`maxFlips` random bytes set to random values, at
 * positions below `within` (default: anywhere).
 */
export function* flips(input: Uint8Array, seed: number, count: number, maxFlips = 8, within = input.length): Generator<Uint8Array> {
  const random = seededRandom(seed)
  const range = Math.min(within, input.length)
  for (let round = 0; round < count; round++) {
    const copy = input.slice()
    const howMany = 1 + Math.floor(random() * maxFlips)
    for (let flip = 0; flip < howMany && range > 0; flip++) {
      copy[Math.floor(random() * range)] = Math.floor(random() * 256)
    }
    yield copy
  }
}

/** What the fuzz loop saw. */
export interface FuzzOutcome {
  parsed: number
  rejected: number
  slowestMs: number
}

/**
 * Runs `parse` on every input: each must return or throw a PACKAGE_DB_CORRUPT error (any
 * other throw fails the test, naming the input), and none may take more than `budgetMs`.
 */
export function fuzz(inputs: Iterable<Uint8Array>, parse: (input: Uint8Array) => unknown, budgetMs = 1_000): FuzzOutcome {
  const outcome: FuzzOutcome = { parsed: 0, rejected: 0, slowestMs: 0 }
  let index = 0
  for (const input of inputs) {
    const started = performance.now()
    try {
      parse(input)
      outcome.parsed++
    } catch (error) {
      if (!(error instanceof PackageDbError) || (error.code as string) !== PACKAGE_DB_CORRUPT || error.message === '') {
        expect.fail(`input ${index} (${input.length} bytes) threw ${String(error)}${error instanceof Error ? `\n${error.stack}` : ''}`)
      }
      outcome.rejected++
    }
    const elapsed = performance.now() - started
    outcome.slowestMs = Math.max(outcome.slowestMs, elapsed)
    if (elapsed > budgetMs) expect.fail(`input ${index} (${input.length} bytes) took ${Math.round(elapsed)} ms`)
    index++
  }
  return outcome
}
