/**
 * Numeric comparison of digit strings of any length, shared by the version schemes: version
 * components such as `20240101120000` or `99999999999999999999` exceed what a double holds
 * exactly, so they are compared as strings (leading zeros dropped, then length, then digits).
 *
 * @module
 */

/** Compares two strings of ASCII digits as non-negative integers; `''` counts as 0. */
export function compareDigits(a: string, b: string): number {
  const x = a.replace(/^0+/, '')
  const y = b.replace(/^0+/, '')
  if (x.length !== y.length) return x.length < y.length ? -1 : 1
  return x < y ? -1 : x > y ? 1 : 0
}

/** Plain code-unit (ASCII) ordering of two strings, as `-1`, `0` or `1`. */
export function compareAscii(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/** `-1`, `0` or `1` for a comparison result of any magnitude. */
export function sign(n: number): number {
  return n < 0 ? -1 : n > 0 ? 1 : 0
}
