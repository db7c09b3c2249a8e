import { describe, expect, it } from 'vitest'
import { ErrorCode } from '../../../shared/errors.js'
import { formatPlatform, isUnknownPlatform, parsePlatform, platformMatches, type Platform } from '../../../shared/image/platform.js'

describe('parsePlatform', () => {
  it.each<[string, Platform]>([
    ['linux/amd64', { os: 'linux', architecture: 'amd64' }],
    ['linux/arm64/v8', { os: 'linux', architecture: 'arm64', variant: 'v8' }],
    ['linux/arm/v7', { os: 'linux', architecture: 'arm', variant: 'v7' }],
    ['windows/amd64', { os: 'windows', architecture: 'amd64' }],
    ['linux/x86_64', { os: 'linux', architecture: 'amd64' }],
    ['linux/x86-64', { os: 'linux', architecture: 'amd64' }],
    ['linux/aarch64', { os: 'linux', architecture: 'arm64' }],
    ['linux/aarch64/v8', { os: 'linux', architecture: 'arm64', variant: 'v8' }],
    ['linux/armhf', { os: 'linux', architecture: 'arm' }],
    ['linux/armel', { os: 'linux', architecture: 'arm' }],
    ['linux/i386', { os: 'linux', architecture: '386' }],
    ['linux/i686', { os: 'linux', architecture: '386' }],
    ['Linux/AMD64', { os: 'linux', architecture: 'amd64' }],
    ['  linux/amd64  ', { os: 'linux', architecture: 'amd64' }],
    ['linux/ppc64le', { os: 'linux', architecture: 'ppc64le' }],
  ])('parses %j', (input, expected) => {
    expect(parsePlatform(input)).toEqual(expected)
  })

  it('leaves the arm64 variant absent when not given (the default is applied when matching)', () => {
    expect(parsePlatform('linux/arm64')).not.toHaveProperty('variant')
  })

  it.each(['', 'linux', '/amd64', 'linux/', 'linux//v8', 'linux/arm64/', 'linux/arm64/v8/extra', '/', '//', 'linux amd64'])(
    'refuses %j with PLATFORM_INVALID',
    (input) => {
      expect(() => parsePlatform(input)).toThrow(
        expect.objectContaining({ name: 'InputError', code: ErrorCode.PlatformInvalid, message: expect.stringContaining('expected OS/ARCH[/VARIANT]') })
      )
    }
  )
})

describe('formatPlatform', () => {
  it.each<[Platform, string]>([
    [{ os: 'linux', architecture: 'amd64' }, 'linux/amd64'],
    [{ os: 'linux', architecture: 'arm', variant: 'v6' }, 'linux/arm/v6'],
    [{ os: 'windows', architecture: 'amd64', osVersion: '10.0.17763' }, 'windows/amd64'],
    [{ os: 'linux', architecture: 'arm64', variant: '' }, 'linux/arm64'],
  ])('formats %j as %s', (platform, expected) => {
    expect(formatPlatform(platform)).toBe(expected)
  })

  it.each(['linux/amd64', 'linux/arm64/v8', 'linux/arm/v7', 'linux/s390x'])('round-trips %s through parsePlatform', (text) => {
    expect(formatPlatform(parsePlatform(text))).toBe(text)
  })
})

describe('platformMatches', () => {
  it.each<[string, string, Platform, boolean]>([
    ['same os and architecture', 'linux/amd64', { os: 'linux', architecture: 'amd64' }, true],
    ['another architecture', 'linux/amd64', { os: 'linux', architecture: 'arm64' }, false],
    ['another os', 'linux/amd64', { os: 'windows', architecture: 'amd64' }, false],
    ['a candidate spelled x86_64', 'linux/amd64', { os: 'linux', architecture: 'x86_64' }, true],
    ['a candidate spelled aarch64', 'linux/arm64', { os: 'linux', architecture: 'aarch64' }, true],
    ['no variant wanted, candidate has one', 'linux/arm', { os: 'linux', architecture: 'arm', variant: 'v7' }, true],
    ['variant wanted and equal', 'linux/arm/v7', { os: 'linux', architecture: 'arm', variant: 'v7' }, true],
    ['variant wanted and different', 'linux/arm/v7', { os: 'linux', architecture: 'arm', variant: 'v6' }, false],
    // containerd reads a 32-bit arm image without a variant as v7
    ['arm/v7 wanted, candidate has none (default v7)', 'linux/arm/v7', { os: 'linux', architecture: 'arm' }, true],
    ['arm/v6 wanted, candidate has none (default v7)', 'linux/arm/v6', { os: 'linux', architecture: 'arm' }, false],
    ['arm64/v8 against an arm64 candidate without variant (default v8)', 'linux/arm64/v8', { os: 'linux', architecture: 'arm64' }, true],
    ['arm64/v8 against aarch64 without variant', 'linux/arm64/v8', { os: 'linux', architecture: 'aarch64' }, true],
    ['arm64/v9 against an arm64 candidate without variant', 'linux/arm64/v9', { os: 'linux', architecture: 'arm64' }, false],
    ['arm64 against arm64/v8', 'linux/arm64', { os: 'linux', architecture: 'arm64', variant: 'v8' }, true],
    ['windows with an os.version', 'windows/amd64', { os: 'windows', architecture: 'amd64', osVersion: '10.0.20348' }, true],
    ['the unknown/unknown attestation platform', 'linux/amd64', { os: 'unknown', architecture: 'unknown' }, false],
  ])('%s', (_label, wanted, candidate, expected) => {
    expect(platformMatches(parsePlatform(wanted), candidate)).toBe(expected)
  })
})

describe('isUnknownPlatform', () => {
  it.each<[Platform | undefined, boolean]>([
    [{ os: 'unknown', architecture: 'unknown' }, true],
    [{ os: 'unknown', architecture: 'unknown', variant: 'v1' }, true],
    [{ os: 'unknown', architecture: 'amd64' }, false],
    [{ os: 'linux', architecture: 'unknown' }, false],
    [{ os: 'linux', architecture: 'amd64' }, false],
    [undefined, false],
  ])('%j → %s', (platform, expected) => {
    expect(isUnknownPlatform(platform)).toBe(expected)
  })
})
