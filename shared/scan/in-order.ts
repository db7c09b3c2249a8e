/**
 * Hands numbered items on in their order (0, 1, 2, …) whatever order they arrive in,
 * holding back the ones that come early. Layers read at once finish in any order; the
 * squashed tree must be built bottom layer first.
 *
 * @module
 */

/** A function to call with each item as it arrives; `consume` sees them in index order. */
export function inOrder<T>(consume: (item: T, index: number) => void): (index: number, item: T) => void {
  const early = new Map<number, T>()
  let next = 0
  return (index, item) => {
    if (index < next || early.has(index)) throw new Error(`item ${index} handed on twice`)
    early.set(index, item)
    while (early.has(next)) {
      const ready = early.get(next) as T
      early.delete(next)
      consume(ready, next)
      next++
    }
  }
}
