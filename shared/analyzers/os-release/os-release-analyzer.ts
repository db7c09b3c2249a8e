/**
 * Reads `os-release` (and Debian's and Alpine's own release files) to name the distribution
 * and release. The image's OS is taken from the files visible in the final filesystem,
 * following symlinks (Debian's `/etc/os-release` points to `/usr/lib/os-release`).
 *
 * @see https://www.freedesktop.org/software/systemd/man/latest/os-release.html
 * @module
 */
import type { FileAnalyzer, ImageInput, JsonValue } from '../analyzer.js'
import type { ReportOs } from '../../report/model.js'

export const OS_RELEASE_ANALYZER_ID = 'os-release'

const RELEASE_FILES = new Set(['/etc/os-release', '/usr/lib/os-release', '/etc/debian_version', '/etc/alpine-release'])

export const osReleaseAnalyzer: FileAnalyzer = {
  kind: 'file',
  id: OS_RELEASE_ANALYZER_ID,
  version: 1,
  wants: (path) => RELEASE_FILES.has(path),
  analyze({ path, content }) {
    const text = content.toString('utf8')
    if (path.endsWith('os-release')) return { facts: parseOsRelease(text) }
    return { facts: { release: text.trim().split('\n')[0]?.trim() ?? '' } }
  },
}

/** Parses the `KEY=value` lines of an os-release file (shell-style quoting). */
export function parseOsRelease(text: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const line of text.split(/\r?\n/)) {
    const match = /^\s*([A-Z][A-Z0-9_]*)=(.*)$/.exec(line)
    if (!match) continue
    out[match[1]!] = unquote(match[2]!.trim())
  }
  return out
}

function unquote(value: string): string {
  const quote = value[0]
  if ((quote === '"' || quote === "'") && value.endsWith(quote) && value.length >= 2) {
    const inner = value.slice(1, -1)
    return quote === '"' ? inner.replace(/\\(["\\$`])/g, '$1') : inner
  }
  return value
}

function str(facts: JsonValue | undefined, key: string): string | undefined {
  if (facts && typeof facts === 'object' && !Array.isArray(facts)) {
    const value = facts[key]
    return typeof value === 'string' && value ? value : undefined
  }
  return undefined
}

/** The image's distribution and release, from the release files visible in the final image. */
export function detectOs(input: Pick<ImageInput, 'tree' | 'visibleFacts'>): ReportOs | null {
  const osRelease =
    input.visibleFacts(OS_RELEASE_ANALYZER_ID, '/etc/os-release') ?? input.visibleFacts(OS_RELEASE_ANALYZER_ID, '/usr/lib/os-release')
  const id = str(osRelease, 'ID')
  if (id) {
    let version = str(osRelease, 'VERSION_ID')
    if (!version && id === 'debian') version = str(input.visibleFacts(OS_RELEASE_ANALYZER_ID, '/etc/debian_version'), 'release')
    const os: ReportOs = { family: id, version: version ?? '' }
    const name = str(osRelease, 'PRETTY_NAME') ?? str(osRelease, 'NAME')
    if (name) os.name = name
    const codename = str(osRelease, 'VERSION_CODENAME')
    if (codename) os.versionCodename = codename
    return os
  }
  const alpine = str(input.visibleFacts(OS_RELEASE_ANALYZER_ID, '/etc/alpine-release'), 'release')
  if (alpine) return { family: 'alpine', version: alpine }
  const debian = str(input.visibleFacts(OS_RELEASE_ANALYZER_ID, '/etc/debian_version'), 'release')
  if (debian) return { family: 'debian', version: debian }
  return null
}
