/**
 * Image names found in archives (`RepoTags`, `org.opencontainers.image.ref.name`) and the
 * tags users give on the command line, compared after normalisation.
 *
 * @module
 */
import { formatReference, parseReference, type ImageRef } from '../image/reference.js'

/** The reference `name` denotes, or undefined when it does not parse. */
export function tryParseReference(name: string): ImageRef | undefined {
  try {
    return parseReference(name)
  } catch {
    return undefined
  }
}

/**
 * True when `name` is written as a reference (`app:1`, `ghcr.io/org/app`) rather than as a
 * bare tag (`1.0`, `latest`): only then is it worth normalising.
 */
export function looksLikeReference(name: string): boolean {
  return /[/:@]/.test(name)
}

/**
 * True when `wanted` (from the user) names the same image as `stored` (from the archive):
 * equal strings, or equal once both are read as references
 * (`app:1` ≡ `docker.io/library/app:1`).
 */
export function sameImageName(wanted: string, stored: string): boolean {
  if (wanted === stored) return true
  if (!looksLikeReference(wanted) && !looksLikeReference(stored)) return false
  const a = tryParseReference(wanted)
  const b = tryParseReference(stored)
  return a !== undefined && b !== undefined && formatReference(a) === formatReference(b)
}

/** `"a", "b"` or `none`, for "available tags" messages. */
export function listNames(names: readonly string[]): string {
  return names.length === 0 ? 'none' : names.map((name) => `"${name}"`).join(', ')
}
