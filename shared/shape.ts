/**
 * Small readers that turn untrusted JSON (manifests, configs, webhook bodies, queue messages)
 * into typed values, failing with a message that names the offending field. Used at the
 * edges so the rest of the code works with parsed types, never with `unknown`.
 *
 * @module
 */

/** Raises the caller's own error type; it must throw. */
export type Fail = (message: string) => never

export type JsonObject = Record<string, unknown>

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

export function expectObject(value: unknown, at: string, fail: Fail): JsonObject {
  if (!isObject(value)) fail(`${at} must be an object`)
  return value as JsonObject
}

export function expectString(value: unknown, at: string, fail: Fail): string {
  if (typeof value !== 'string') fail(`${at} must be a string`)
  return value as string
}

export function optionalString(value: unknown, at: string, fail: Fail): string | undefined {
  if (value === undefined || value === null) return undefined
  return expectString(value, at, fail)
}

export function expectInteger(value: unknown, at: string, fail: Fail, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    fail(`${at} must be an integer between ${min} and ${max}`)
  }
  return value as number
}

export function optionalBoolean(value: unknown, at: string, fail: Fail): boolean | undefined {
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'boolean') fail(`${at} must be a boolean`)
  return value as boolean
}

export function expectArray(value: unknown, at: string, fail: Fail): unknown[] {
  if (!Array.isArray(value)) fail(`${at} must be an array`)
  return value as unknown[]
}

export function optionalArray(value: unknown, at: string, fail: Fail): unknown[] | undefined {
  if (value === undefined || value === null) return undefined
  return expectArray(value, at, fail)
}

export function optionalStringArray(value: unknown, at: string, fail: Fail): string[] | undefined {
  const array = optionalArray(value, at, fail)
  return array?.map((item, i) => expectString(item, `${at}[${i}]`, fail))
}

/** An object whose values are all strings (labels, annotations). */
export function optionalStringMap(value: unknown, at: string, fail: Fail): Record<string, string> | undefined {
  if (value === undefined || value === null) return undefined
  const object = expectObject(value, at, fail)
  const out: Record<string, string> = {}
  for (const [key, item] of Object.entries(object)) out[key] = expectString(item, `${at}.${key}`, fail)
  return out
}

/** The keys of an object used as a set (`ExposedPorts`, `Volumes`: `{"80/tcp": {}}`). */
export function optionalKeySet(value: unknown, at: string, fail: Fail): string[] | undefined {
  if (value === undefined || value === null) return undefined
  return Object.keys(expectObject(value, at, fail))
}

/** Parses JSON bytes, mapping syntax errors to the caller's error type. */
export function parseJsonBytes(bytes: Uint8Array, what: string, fail: Fail): unknown {
  let text: string
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    fail(`${what} is not valid UTF-8`)
  }
  try {
    return JSON.parse(text!)
  } catch (error) {
    fail(`${what} is not valid JSON: ${(error as Error).message}`)
  }
}
