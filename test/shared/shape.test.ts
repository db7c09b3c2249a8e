import { describe, expect, it } from 'vitest'
import {
  expectArray,
  expectInteger,
  expectObject,
  expectString,
  isObject,
  optionalArray,
  optionalBoolean,
  optionalKeySet,
  optionalString,
  optionalStringArray,
  optionalStringMap,
  parseJsonBytes,
  type Fail,
} from '../../shared/shape.js'

class ShapeError extends Error {}

const fail: Fail = (message) => {
  throw new ShapeError(message)
}

const failsWith = (message: string): unknown => expect.objectContaining({ constructor: ShapeError, message })

describe('isObject', () => {
  it.each<[unknown, boolean]>([
    [{}, true],
    [{ a: 1 }, true],
    [Object.create(null), true],
    [null, false],
    [[], false],
    ['{}', false],
    [1, false],
    [undefined, false],
  ])('%j → %s', (value, expected) => {
    expect(isObject(value)).toBe(expected)
  })
})

describe('readers that accept', () => {
  it.each<[string, () => unknown, unknown]>([
    ['expectObject', () => expectObject({ a: 1 }, 'x', fail), { a: 1 }],
    ['expectString', () => expectString('', 'x', fail), ''],
    ['optionalString of a string', () => optionalString('s', 'x', fail), 's'],
    ['optionalString of undefined', () => optionalString(undefined, 'x', fail), undefined],
    ['optionalString of null', () => optionalString(null, 'x', fail), undefined],
    ['expectInteger at the default bounds', () => [expectInteger(0, 'x', fail), expectInteger(Number.MAX_SAFE_INTEGER, 'x', fail)], [0, Number.MAX_SAFE_INTEGER]],
    ['expectInteger within given bounds', () => [expectInteger(-3, 'x', fail, -5, 5), expectInteger(5, 'x', fail, -5, 5)], [-3, 5]],
    ['optionalBoolean', () => [optionalBoolean(true, 'x', fail), optionalBoolean(false, 'x', fail), optionalBoolean(null, 'x', fail)], [true, false, undefined]],
    ['expectArray', () => expectArray([1, 'a'], 'x', fail), [1, 'a']],
    ['optionalArray of null', () => optionalArray(null, 'x', fail), undefined],
    ['optionalStringArray', () => optionalStringArray(['a', 'b'], 'x', fail), ['a', 'b']],
    ['optionalStringArray of undefined', () => optionalStringArray(undefined, 'x', fail), undefined],
    ['optionalStringMap', () => optionalStringMap({ a: 'b', c: '' }, 'x', fail), { a: 'b', c: '' }],
    ['optionalStringMap of null', () => optionalStringMap(null, 'x', fail), undefined],
    ['optionalKeySet', () => optionalKeySet({ '80/tcp': {}, '443/tcp': {} }, 'x', fail), ['80/tcp', '443/tcp']],
    ['optionalKeySet of undefined', () => optionalKeySet(undefined, 'x', fail), undefined],
  ])('%s', (_label, read, expected) => {
    expect(read()).toEqual(expected)
  })

  it('returns a fresh copy from optionalStringMap', () => {
    // Prepare
    const input = { a: 'b' }
    // Act
    const out = optionalStringMap(input, 'x', fail)
    // Assess
    expect(out).not.toBe(input)
    expect(out).toEqual(input)
  })
})

describe('readers that refuse, naming the field', () => {
  it.each<[string, () => unknown, string]>([
    ['expectObject of null', () => expectObject(null, 'manifest.config', fail), 'manifest.config must be an object'],
    ['expectObject of an array', () => expectObject([], 'a.b', fail), 'a.b must be an object'],
    ['expectString of a number', () => expectString(1, 'config.os', fail), 'config.os must be a string'],
    ['expectString of undefined', () => expectString(undefined, 'x.y', fail), 'x.y must be a string'],
    ['optionalString of a boolean', () => optionalString(false, 'config.User', fail), 'config.User must be a string'],
    ['expectInteger of a fraction', () => expectInteger(1.5, 'layers[0].size', fail), `layers[0].size must be an integer between 0 and ${Number.MAX_SAFE_INTEGER}`],
    ['expectInteger below the minimum', () => expectInteger(-1, 'size', fail), `size must be an integer between 0 and ${Number.MAX_SAFE_INTEGER}`],
    ['expectInteger above the maximum', () => expectInteger(3, 'schemaVersion', fail, 2, 2), 'schemaVersion must be an integer between 2 and 2'],
    ['expectInteger of an unsafe integer', () => expectInteger(2 ** 53, 'n', fail), `n must be an integer between 0 and ${Number.MAX_SAFE_INTEGER}`],
    ['expectInteger of a numeric string', () => expectInteger('5', 'n', fail), `n must be an integer between 0 and ${Number.MAX_SAFE_INTEGER}`],
    ['expectInteger of NaN', () => expectInteger(Number.NaN, 'n', fail), `n must be an integer between 0 and ${Number.MAX_SAFE_INTEGER}`],
    ['expectInteger of Infinity', () => expectInteger(Number.POSITIVE_INFINITY, 'n', fail, 0, Number.POSITIVE_INFINITY), 'n must be an integer between 0 and Infinity'],
    ['optionalBoolean of a string', () => optionalBoolean('true', 'history[2].empty_layer', fail), 'history[2].empty_layer must be a boolean'],
    ['expectArray of an object', () => expectArray({}, 'manifest.layers', fail), 'manifest.layers must be an array'],
    ['optionalArray of a string', () => optionalArray('a', 'urls', fail), 'urls must be an array'],
    ['optionalStringArray of a string', () => optionalStringArray('a', 'Cmd', fail), 'Cmd must be an array'],
    ['optionalStringArray with a number inside', () => optionalStringArray(['a', 'b', 3], 'Env', fail), 'Env[2] must be a string'],
    ['optionalStringMap of an array', () => optionalStringMap(['a'], 'Labels', fail), 'Labels must be an object'],
    ['optionalStringMap with a number value', () => optionalStringMap({ ok: 'x', port: 80 }, 'Labels', fail), 'Labels.port must be a string'],
    ['optionalKeySet of an array', () => optionalKeySet(['80/tcp'], 'ExposedPorts', fail), 'ExposedPorts must be an object'],
  ])('%s', (_label, read, message) => {
    expect(read).toThrow(failsWith(message))
  })
})

describe('parseJsonBytes', () => {
  const encode = (text: string): Uint8Array => new TextEncoder().encode(text)

  it.each<[string, Uint8Array, unknown]>([
    ['an object', encode('{"a":[1,"é"]}'), { a: [1, 'é'] }],
    ['a number', encode('42'), 42],
    ['null', encode('null'), null],
    ['surrounding whitespace', encode('\n  "s"  \n'), 's'],
  ])('parses %s', (_label, bytes, expected) => {
    expect(parseJsonBytes(bytes, 'doc', fail)).toEqual(expected)
  })

  it.each<[string, Uint8Array, string | RegExp]>([
    ['invalid UTF-8', new Uint8Array([0x22, 0xff, 0x22]), /^manifest is not valid UTF-8$/],
    ['a lone surrogate half encoded', new Uint8Array([0x22, 0xed, 0xa0, 0x80, 0x22]), /^manifest is not valid UTF-8$/],
    ['a truncated document', encode('{"a":'), /^manifest is not valid JSON: /],
    ['an empty document', encode(''), /^manifest is not valid JSON: /],
    ['trailing garbage', encode('{} x'), /^manifest is not valid JSON: /],
  ])('refuses %s, naming the document', (_label, bytes, message) => {
    expect(() => parseJsonBytes(bytes, 'manifest', fail)).toThrow(expect.objectContaining({ constructor: ShapeError, message: expect.stringMatching(message) }))
  })
})
