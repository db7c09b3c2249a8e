import { describe, expect, it } from 'vitest'
import { ErrorCode } from '../../../shared/errors.js'
import { DEFAULT_LIMITS, parseSize, resolveLimits, type ScanLimits } from '../../../shared/layers/limits.js'

const KiB = 1024
const MiB = 1024 ** 2
const GiB = 1024 ** 3

const usage = (message: string): unknown => expect.objectContaining({ name: 'InputError', code: ErrorCode.Usage, message: expect.stringContaining(message) })

describe('parseSize', () => {
  it.each([
    ['123', 123],
    ['1', 1],
    ['1_000_000', 1_000_000],
    ['1__0', 10],
    ['64MiB', 64 * MiB],
    ['64mib', 64 * MiB],
    ['64M', 64 * MiB],
    ['64m', 64 * MiB],
    ['64MB', 64_000_000],
    ['2GB', 2_000_000_000],
    ['2G', 2 * GiB],
    ['2GiB', 2 * GiB],
    ['1TiB', 1024 * GiB],
    ['1T', 1024 * GiB],
    ['1TB', 1e12],
    ['4k', 4 * KiB],
    ['4KiB', 4 * KiB],
    ['4kB', 4000],
    ['512b', 512],
    ['512B', 512],
    ['1.5k', 1536],
    ['1.5GiB', 1.5 * GiB],
    ['0.001k', 1],
    [' 10 MiB ', 10 * MiB],
    ['10 mb', 10_000_000],
  ])('parses %j as %i', (input, expected) => {
    expect(parseSize(input)).toBe(expected)
  })

  it.each(['', '   ', 'abc', '-1', '0', '0MiB', '_', '1.', '.5', '1e6', '10 PiB', '10 xb', '1,000', '1.2.3', '0x10', 'MiB', '5 5'])('refuses %j with USAGE', (input) => {
    expect(() => parseSize(input)).toThrow(usage(`invalid size "${input}"`))
  })
})

describe('resolveLimits', () => {
  it('returns the defaults when nothing is overridden, as a copy', () => {
    // Act
    const limits = resolveLimits()
    // Assess
    expect(limits).toEqual(DEFAULT_LIMITS)
    expect(limits).not.toBe(DEFAULT_LIMITS)
  })

  it('applies overrides in order, later ones winning', () => {
    // Act
    const limits = resolveLimits(['maxLayerBytes=2GiB', 'maxLayers=10', ' maxPlatforms = 3', 'maxLayers=1_000'])
    // Assess
    expect(limits).toEqual({ ...DEFAULT_LIMITS, maxLayerBytes: 2 * GiB, maxLayers: 1000, maxPlatforms: 3 })
  })

  it('starts from the given base', () => {
    // Prepare
    const base: ScanLimits = { ...DEFAULT_LIMITS, maxLayers: 7, maxPathLength: 100 }
    // Act
    const limits = resolveLimits(['maxPathLength=200'], base)
    // Assess
    expect(limits).toEqual({ ...DEFAULT_LIMITS, maxLayers: 7, maxPathLength: 200 })
    expect(base.maxPathLength).toBe(100)
  })

  it('takes any iterable', () => {
    expect(resolveLimits(new Set(['maxManifestBytes=1MiB'])).maxManifestBytes).toBe(MiB)
  })

  it('leaves DEFAULT_LIMITS unchanged', () => {
    // Prepare
    const before = { ...DEFAULT_LIMITS }
    // Act
    resolveLimits(['maxLayers=1'])
    // Assess
    expect(DEFAULT_LIMITS).toEqual(before)
    expect(Object.isFrozen(DEFAULT_LIMITS)).toBe(true)
  })

  it.each([
    ['an unknown name', 'maxBananas=3'],
    ['a name in the wrong case', 'MaxLayers=3'],
    ['no equals sign', 'maxLayers'],
    ['no name', '=3'],
  ])('refuses %s with USAGE listing the known limits', (_label, override) => {
    expect(() => resolveLimits([override])).toThrow(usage(`unknown limit "${override}"; known: ${Object.keys(DEFAULT_LIMITS).join(', ')}`))
  })

  it.each(['maxLayers=', 'maxLayers=many', 'maxLayers=0', 'maxLayers=-5'])('refuses the bad value in %j with USAGE', (override) => {
    expect(() => resolveLimits([override])).toThrow(usage('invalid size'))
  })
})
