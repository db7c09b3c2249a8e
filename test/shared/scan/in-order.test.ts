import { describe, expect, it } from 'vitest'
import { inOrder } from '../../../shared/scan/in-order.js'

describe('inOrder', () => {
  it('hands items on in index order, whatever order they arrive in', () => {
    const seen: Array<[string, number]> = []
    const put = inOrder<string>((item, index) => seen.push([item, index]))
    put(2, 'c')
    put(3, 'd')
    expect(seen).toEqual([])
    put(0, 'a')
    expect(seen).toEqual([['a', 0]])
    put(1, 'b')
    expect(seen).toEqual([
      ['a', 0],
      ['b', 1],
      ['c', 2],
      ['d', 3],
    ])
  })

  it('refuses an index it was given before', () => {
    const put = inOrder<number>(() => {})
    put(0, 0)
    put(2, 2)
    expect(() => put(0, 0)).toThrow(/twice/)
    expect(() => put(2, 2)).toThrow(/twice/)
  })
})
