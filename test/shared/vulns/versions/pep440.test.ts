import { describe, expect, it } from 'vitest'
import { compare, isValid, normalise, parse } from '../../../../shared/vulns/versions/pep440.js'
import { ascendingPairs, sgn } from './helpers.js'

describe('PEP 440 versions', () => {
  // the specification's "Summary of permitted suffixes and relative ordering" example, plus epochs
  it.each(
    ascendingPairs([
      '1.dev0',
      '1.0.dev456',
      '1.0a1',
      '1.0a2.dev456',
      '1.0a12.dev456',
      '1.0a12',
      '1.0b1.dev456',
      '1.0b2',
      '1.0b2.post345.dev456',
      '1.0b2.post345',
      '1.0rc1.dev456',
      '1.0rc1',
      '1.0',
      '1.0+abc.5',
      '1.0+abc.7',
      '1.0+5',
      '1.0.post456.dev34',
      '1.0.post456',
      '1.0.15',
      '1.1.dev1',
      '2.0',
      '1!0.1',
    ]),
  )('%s < %s', (a, b) => {
    expect(compare(a, b)).toBeLessThan(0)
    expect(compare(b, a)).toBeGreaterThan(0)
  })

  it.each<[string, string]>([
    ['1.0-rc1', '1.0rc1'],
    ['1.0.RC1', '1.0rc1'],
    ['1.0c1', '1.0rc1'],
    ['1.0pre1', '1.0rc1'],
    ['1.0-preview-1', '1.0rc1'],
    ['1.0alpha1', '1.0a1'],
    ['1.0-Beta.2', '1.0b2'],
    ['1.0a', '1.0a0'],
    ['1.0.post1', '1.0.post1'],
    ['1.0-post1', '1.0.post1'],
    ['1.0-1', '1.0.post1'],
    ['1.0rev1', '1.0.post1'],
    ['1.0r', '1.0.post0'],
    ['1.0-dev', '1.0.dev0'],
    ['1.0_dev_2', '1.0.dev2'],
    ['v1.0', '1.0'],
    ['  1.0  ', '1.0'],
    ['0!1.0', '1.0'],
    ['01.002', '1.2'],
    ['1.0+ubuntu-1', '1.0+ubuntu.1'],
    ['1.0+Ubuntu_1', '1.0+ubuntu.1'],
    ['2!1.0a1.post2.dev3+local.7', '2!1.0a1.post2.dev3+local.7'],
  ])('normalises %j to %s', (spelling, normal) => {
    expect(normalise(spelling)).toBe(normal)
    expect(compare(spelling, normal)).toBe(0)
  })

  it.each<[string, string, number]>([
    ['1.0', '1.0.0', 0],
    ['1.0', '1', 0],
    ['1.0.0.0.0', '1', 0],
    ['1.0.dev1', '1.0a1', -1],
    ['1.0.post1.dev1', '1.0.post1', -1],
    ['1.0.post1.dev1', '1.0', 1],
    ['1.0+local', '1.0', 1],
    ['1.0+1.a', '1.0+1', 1],
    ['1.0a1+local', '1.0a1', 1],
    ['2.0', '10.0', -1],
    ['1!1.0', '2.0', 1],
  ])('compare(%s, %s) is %i', (a, b, expected) => {
    expect(sgn(compare(a, b))).toBe(expected)
  })

  it('parses the parts', () => {
    expect(parse('1!2.3rc4.post5.dev6+ab.7')).toEqual({
      epoch: '1',
      release: ['2', '3'],
      pre: { label: 'rc', number: '4' },
      post: '5',
      dev: '6',
      local: ['ab', '7'],
    })
  })

  it.each(['', 'a', '1.0.', '1..0', '1.0+', '1.0+-a', '1.0-', 'french toast', '1.0a1a1', '1.0 .0', '1.0++a', '1.0.post.dev.foo'])('rejects %j', (version) => {
    expect(isValid(version)).toBe(false)
    expect(() => compare(version, '1.0')).toThrow(expect.objectContaining({ code: 'VERSION_INVALID' }))
  })
})
