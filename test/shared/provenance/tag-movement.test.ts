import { describe, expect, it } from 'vitest'
import { compareTagLayers, type BaseBoundary } from '../../../shared/provenance/tag-movement.js'

describe('compareTagLayers', () => {
  it.each<[string, string[], string[], BaseBoundary, Record<string, unknown>]>([
    ['an identical image', ['a', 'b'], ['a', 'b'], {}, { kept: ['a', 'b'], added: [], removed: [], baseChanged: false, sharedPrefix: 2, baseEvidence: 'common-prefix' }],
    ['a new application layer', ['a', 'b', 'c'], ['a', 'b', 'd'], {}, { kept: ['a', 'b'], added: ['d'], removed: ['c'], baseChanged: false, sharedPrefix: 2 }],
    ['a rebuilt base', ['a', 'b', 'c'], ['x', 'b', 'c'], {}, { kept: ['b', 'c'], added: ['x'], removed: ['a'], baseChanged: true, sharedPrefix: 0 }],
    ['an added layer on top', ['a'], ['a', 'b'], {}, { kept: ['a'], added: ['b'], removed: [], baseChanged: false }],
    ['repeated empty layers, counted as a multiset', ['a', 'e', 'e'], ['a', 'e', 'b'], {}, { kept: ['a', 'e'], added: ['b'], removed: ['e'] }],
    ['a first image', [], ['a'], {}, { kept: [], added: ['a'], removed: [], baseChanged: false }],
    [
      'a changed second base layer, boundary known for both',
      ['a', 'b', 'c'],
      ['a', 'x', 'c'],
      { previousBaseLayers: 2, currentBaseLayers: 2 },
      { baseChanged: true, sharedPrefix: 1, baseEvidence: 'boundary' },
    ],
    ['an unchanged base, boundary known for both', ['a', 'b', 'c'], ['a', 'b', 'd'], { previousBaseLayers: 2, currentBaseLayers: 2 }, { baseChanged: false, baseEvidence: 'boundary' }],
    ['a base that grew a layer', ['a', 'b', 'c'], ['a', 'b', 'z', 'c'], { previousBaseLayers: 2, currentBaseLayers: 3 }, { baseChanged: true }],
    ['a changed base layer, boundary known for the new image only', ['a', 'b', 'c', 'd'], ['a', 'b', 'x', 'd'], { currentBaseLayers: 3 }, { baseChanged: true, baseEvidence: 'boundary' }],
    ['an unchanged base, boundary known for the old image only', ['a', 'b', 'c'], ['a', 'b', 'x'], { previousBaseLayers: 2 }, { baseChanged: false }],
  ])('on %s', (_name, previous, current, boundary, expected) => {
    expect(compareTagLayers(previous, current, boundary)).toMatchObject(expected)
  })
})
