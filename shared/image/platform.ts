/**
 * Platforms (`linux/amd64`, `linux/arm64/v8`): parsing, formatting, matching.
 *
 * @see https://github.com/opencontainers/image-spec/blob/main/image-index.md#platform-variants
 * @module
 */
import { ErrorCode, InputError } from '../errors.js'

export interface Platform {
  os: string
  architecture: string
  variant?: string
  osVersion?: string
}

/** Common spellings of architectures, mapped to the names Go (and so the OCI spec) uses. */
const ARCHITECTURE_ALIASES: Readonly<Record<string, string>> = {
  x86_64: 'amd64',
  'x86-64': 'amd64',
  aarch64: 'arm64',
  armhf: 'arm',
  armel: 'arm',
  i386: '386',
  i686: '386',
}

/** Variants that an absent variant means, per architecture. */
const DEFAULT_VARIANT: Readonly<Record<string, string>> = { arm64: 'v8', arm: 'v7' }

/**
 * Parses `OS/ARCH[/VARIANT]`.
 *
 * @example parsePlatform('linux/arm64/v8') // { os: 'linux', architecture: 'arm64', variant: 'v8' }
 */
export function parsePlatform(value: string): Platform {
  const parts = value.trim().toLowerCase().split('/')
  const [os, architecture, variant] = parts
  if (parts.length < 2 || parts.length > 3 || !os || !architecture || (parts.length === 3 && !variant)) {
    throw new InputError(ErrorCode.PlatformInvalid, `invalid platform "${value}": expected OS/ARCH[/VARIANT]`)
  }
  const platform: Platform = { os, architecture: ARCHITECTURE_ALIASES[architecture] ?? architecture }
  if (variant) platform.variant = variant
  return platform
}

export function formatPlatform(platform: Platform): string {
  return [platform.os, platform.architecture, platform.variant].filter(Boolean).join('/')
}

/** True when `candidate` satisfies `wanted` (a variant is compared only when `wanted` names one). */
export function platformMatches(wanted: Platform, candidate: Platform): boolean {
  if (wanted.os !== candidate.os) return false
  const arch = ARCHITECTURE_ALIASES[candidate.architecture] ?? candidate.architecture
  if (wanted.architecture !== arch) return false
  if (!wanted.variant) return true
  return wanted.variant === (candidate.variant ?? DEFAULT_VARIANT[arch])
}

/** BuildKit stores attestations in the index under the platform `unknown/unknown`. */
export function isUnknownPlatform(platform: Platform | undefined): boolean {
  return platform?.os === 'unknown' && platform.architecture === 'unknown'
}
