/** Test helpers for the version schemes: every adjacent pair of an ascending list is ordered. */

/** Every pair (i < j) of an ascending list, for `it.each`. */
export function ascendingPairs(list: readonly string[]): Array<[string, string]> {
  const pairs: Array<[string, string]> = []
  for (let i = 0; i < list.length; i++) for (let j = i + 1; j < list.length; j++) pairs.push([list[i]!, list[j]!])
  return pairs
}

/** The sign of a comparison, so tests do not depend on magnitudes. */
export function sgn(n: number): number {
  return n < 0 ? -1 : n > 0 ? 1 : 0
}
