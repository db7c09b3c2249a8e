/**
 * OCI whiteouts: `.wh.<name>` deletes `<name>` from lower layers; `.wh..wh..opq` in a
 * directory hides everything lower layers put in that directory. Both apply only to lower
 * layers, and the whiteout entries themselves never appear in the image.
 *
 * @see https://github.com/opencontainers/image-spec/blob/main/layer.md#whiteouts
 * @module
 */
import { baseName, parentPath } from './paths.js'

export const WHITEOUT_PREFIX = '.wh.'
export const OPAQUE_WHITEOUT = '.wh..wh..opq'

export type Whiteout = { kind: 'opaque'; directory: string } | { kind: 'file'; target: string } | { kind: 'invalid' }

/** Classifies an absolute path as a whiteout, or returns undefined for an ordinary entry. */
export function whiteoutOf(path: string): Whiteout | undefined {
  const name = baseName(path)
  if (!name.startsWith(WHITEOUT_PREFIX)) return undefined
  const directory = parentPath(path)
  if (name === OPAQUE_WHITEOUT) return { kind: 'opaque', directory }
  const target = name.slice(WHITEOUT_PREFIX.length)
  // ".wh." alone names nothing; ".wh..wh.*" other than the opaque marker is reserved
  if (target === '' || target.startsWith(WHITEOUT_PREFIX)) return { kind: 'invalid' }
  return { kind: 'file', target: directory === '/' ? `/${target}` : `${directory}/${target}` }
}
