/**
 * Limits against hostile or absurd images: every one has a default, can be configured, and
 * fails the scan with a stable code when exceeded (except `maxFileReadBytes`, which only
 * truncates what analyzers see of one file).
 *
 * @module
 */
import { ErrorCode, InputError } from '../errors.js'

export interface ScanLimits {
  /** Layers in one image. */
  maxLayers: number
  /** Tar entries in one layer. */
  maxEntriesPerLayer: number
  /** Uncompressed bytes of one layer (decompression bombs). */
  maxLayerBytes: number
  /** Uncompressed bytes of all layers of one image together. */
  maxImageBytes: number
  /** Bytes an analyzer may read from one file; the rest is skipped, not refused. */
  maxFileReadBytes: number
  /** Characters in one entry path; longer entries are refused and reported. */
  maxPathLength: number
  /** Bytes of one manifest or index. */
  maxManifestBytes: number
  /** Bytes of one image config. */
  maxConfigBytes: number
  /** Platform images scanned from one index. */
  maxPlatforms: number
}

const GiB = 1024 ** 3
const MiB = 1024 ** 2

export const DEFAULT_LIMITS: Readonly<ScanLimits> = Object.freeze({
  maxLayers: 256,
  maxEntriesPerLayer: 1_000_000,
  maxLayerBytes: 32 * GiB,
  maxImageBytes: 64 * GiB,
  maxFileReadBytes: 32 * MiB,
  maxPathLength: 4096,
  maxManifestBytes: 4 * MiB,
  maxConfigBytes: 8 * MiB,
  maxPlatforms: 64,
})

const UNITS: Readonly<Record<string, number>> = { '': 1, b: 1, k: 1024, kb: 1000, kib: 1024, m: MiB, mb: 1e6, mib: MiB, g: GiB, gb: 1e9, gib: GiB, t: 1024 * GiB, tb: 1e12, tib: 1024 * GiB }

/** Parses `123`, `64MiB`, `2GB`, `1_000_000`. */
export function parseSize(value: string): number {
  const match = /^\s*([\d_]+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(value)
  const unit = UNITS[(match?.[2] ?? '').toLowerCase()]
  if (!match || unit === undefined) throw new InputError(ErrorCode.Usage, `invalid size "${value}"`)
  const n = Math.floor(Number(match[1]!.replace(/_/g, '')) * unit)
  if (!Number.isFinite(n) || n <= 0) throw new InputError(ErrorCode.Usage, `invalid size "${value}"`)
  return n
}

/** Applies `name=value` overrides (`maxLayerBytes=2GiB`) to the defaults. */
export function resolveLimits(overrides: Iterable<string> = [], base: ScanLimits = DEFAULT_LIMITS): ScanLimits {
  const limits: ScanLimits = { ...base }
  for (const override of overrides) {
    const eq = override.indexOf('=')
    const name = override.slice(0, eq).trim()
    if (eq <= 0 || !Object.hasOwn(base, name)) {
      throw new InputError(ErrorCode.Usage, `unknown limit "${override}"; known: ${Object.keys(base).join(', ')}`)
    }
    limits[name as keyof ScanLimits] = parseSize(override.slice(eq + 1))
  }
  return limits
}
