/**
 * Tar entry names → absolute image paths. Names are cleaned the way a container runtime
 * cleans them when it unpacks a layer (`./a//b/../c` → `/a/c`); names that would escape the
 * root, hold a NUL or are too long are refused: they are reported, never applied.
 *
 * @module
 */

export type PathResult = { ok: true; path: string; dotDot: boolean } | { ok: false; reason: 'escapes-root' | 'nul-byte' | 'too-long' | 'empty' }

/**
 * Normalises a tar entry name into an absolute path (`/etc/passwd`); the root itself is `/`.
 * `dotDot` is true when the name used `..` segments that stayed inside the root.
 */
export function normaliseEntryPath(name: string, maxLength: number): PathResult {
  if (name.includes('\0')) return { ok: false, reason: 'nul-byte' }
  if (name.length > maxLength) return { ok: false, reason: 'too-long' }
  const stack: string[] = []
  let dotDot = false
  for (const segment of name.split('/')) {
    if (segment === '' || segment === '.') continue
    if (segment === '..') {
      if (stack.length === 0) return { ok: false, reason: 'escapes-root' }
      stack.pop()
      dotDot = true
      continue
    }
    stack.push(segment)
  }
  if (stack.length === 0 && name.replace(/[./]/g, '') !== '') return { ok: false, reason: 'empty' }
  return { ok: true, path: `/${stack.join('/')}`, dotDot }
}

/** The parent directory of an absolute path (`/a/b` → `/a`, `/a` → `/`). */
export function parentPath(path: string): string {
  const slash = path.lastIndexOf('/')
  return slash <= 0 ? '/' : path.slice(0, slash)
}

/** The last segment of a path. */
export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1)
}

/** Resolves a symlink target against the link's directory, inside the image root. */
export function resolveLinkTarget(linkPath: string, target: string): string {
  const base = target.startsWith('/') ? '' : parentPath(linkPath)
  const result = normaliseEntryPath(`${base}/${target}`.replace(/^\/+/, ''), Number.MAX_SAFE_INTEGER)
  // a relative target climbing above the root stops at the root, as the kernel does
  if (!result.ok) return climbToRoot(`${base}/${target}`)
  return result.path
}

function climbToRoot(path: string): string {
  const stack: string[] = []
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') continue
    if (segment === '..') stack.pop()
    else stack.push(segment)
  }
  return `/${stack.join('/')}`
}
