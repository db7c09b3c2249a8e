/**
 * Loading the webhook fixtures under test/fixtures/webhooks and deriving malformed
 * variants from them.
 *
 * @module
 */
import { readFileSync } from 'node:fs'
import { expect } from 'vitest'
import { ErrorCode } from '../../../shared/errors.js'
import type { WebhookContext } from '../../../shared/webhooks/index.js'

const DIR = new URL('../../fixtures/webhooks/', import.meta.url)

/** The parsed JSON of `test/fixtures/webhooks/<path>`. */
export function fixture(path: string): unknown {
  return JSON.parse(readFileSync(new URL(path, DIR), 'utf8')) as unknown
}

/** The exact bytes of a fixture, for signature checks. */
export function fixtureBytes(path: string): Buffer {
  return readFileSync(new URL(path, DIR))
}

/** Marks a field to delete in {@link changed}. */
export const DELETE = Symbol('delete')

/**
 * A deep copy of `value` with the field at `path` (keys and array indexes) set to
 * `replacement`, or removed when it is {@link DELETE}.
 */
export function changed(value: unknown, path: readonly (string | number)[], replacement: unknown): unknown {
  const copy = structuredClone(value) as Record<string | number, unknown>
  let node: Record<string | number, unknown> = copy
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>
  const last = path[path.length - 1]
  if (last === undefined) return replacement
  if (replacement === DELETE) delete node[last]
  else node[last] = replacement
  return copy
}

export const CTX: WebhookContext = { receivedAt: '2026-05-04T10:11:15.000Z', requestId: 'req-0001' }

/** Asserts that `act` throws a WebhookError with `code` whose message contains `message`. */
export function expectWebhookError(act: () => unknown, message: string, code: string = ErrorCode.WebhookInvalid): void {
  let thrown: unknown
  try {
    act()
  } catch (error) {
    thrown = error
  }
  expect(thrown).toMatchObject({ name: 'WebhookError', code })
  expect((thrown as Error).message).toContain(message)
}
