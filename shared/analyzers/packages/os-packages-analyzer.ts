/**
 * Reads the OS package databases as their files stream past: dpkg (`status`, distroless
 * `status.d/*`, `info/*.list` file lists, DEP-5 `copyright` licences), apk
 * (`lib/apk/db/installed`) and rpm (SQLite, BerkeleyDB and NDB databases). Each file's
 * packages are recorded as facts; the image's inventory is assembled from the files
 * visible in the final filesystem (`shared/packages/inventory.ts`).
 *
 * @module
 */
import { parseApkInstalled } from '../../packages/os/apk.js'
import { dpkgLicenses, parseDpkgFileList, parseDpkgStatus } from '../../packages/os/dpkg.js'
import { readRpmDatabase, RPM_DATABASE_PATHS } from '../../packages/os/rpm/index.js'
import type { FileAnalyzer, JsonValue } from '../analyzer.js'

export const OS_PACKAGES_ANALYZER_ID = 'os-packages'

const APK_DATABASES = new Set(['/lib/apk/db/installed', '/usr/lib/apk/db/installed'])
const RPM_DATABASES = new Set(RPM_DATABASE_PATHS)

export type OsPackageFacts =
  | { kind: 'dpkg'; packages: Array<{ name: string; version: string; architecture?: string; source: string; sourceVersion: string }> }
  | { kind: 'dpkg-files'; files: string[] }
  | { kind: 'dpkg-copyright'; licenses: string[] }
  | { kind: 'apk'; packages: Array<{ name: string; version: string; architecture?: string; origin?: string; license?: string; files: string[] }> }
  | { kind: 'rpm'; packages: Array<{ name: string; version: string; release: string; epoch?: number; arch?: string; sourceRpm?: string; license?: string; files: string[] }> }

function wants(path: string): boolean {
  if (path === '/var/lib/dpkg/status') return true
  if (path.startsWith('/var/lib/dpkg/status.d/')) return !path.endsWith('.md5sums')
  if (path.startsWith('/var/lib/dpkg/info/')) return path.endsWith('.list')
  if (path.startsWith('/usr/share/doc/') && path.endsWith('/copyright')) return path.split('/').length === 6
  return APK_DATABASES.has(path) || RPM_DATABASES.has(path)
}

export const osPackagesAnalyzer: FileAnalyzer = {
  kind: 'file',
  id: OS_PACKAGES_ANALYZER_ID,
  version: 1,
  wants: (path) => wants(path),
  analyze({ path, content, truncated }) {
    if (truncated) throw new Error(`${path} is larger than the read limit (maxFileReadBytes); its packages are not listed`)
    let facts: OsPackageFacts
    if (path === '/var/lib/dpkg/status' || path.startsWith('/var/lib/dpkg/status.d/')) {
      facts = {
        kind: 'dpkg',
        packages: parseDpkgStatus(content.toString('utf8')).map((p) => ({
          name: p.name,
          version: p.version,
          ...(p.architecture ? { architecture: p.architecture } : {}),
          source: p.source,
          sourceVersion: p.sourceVersion,
        })),
      }
    } else if (path.startsWith('/var/lib/dpkg/info/')) {
      facts = { kind: 'dpkg-files', files: parseDpkgFileList(content.toString('utf8')) }
    } else if (path.startsWith('/usr/share/doc/')) {
      const licenses = dpkgLicenses(content.toString('utf8'))
      if (licenses.length === 0) return {}
      facts = { kind: 'dpkg-copyright', licenses }
    } else if (APK_DATABASES.has(path)) {
      facts = {
        kind: 'apk',
        packages: parseApkInstalled(content.toString('utf8')).map((p) => ({
          name: p.name,
          version: p.version,
          ...(p.architecture ? { architecture: p.architecture } : {}),
          ...(p.origin ? { origin: p.origin } : {}),
          ...(p.license ? { license: p.license } : {}),
          files: p.files,
        })),
      }
    } else {
      facts = {
        kind: 'rpm',
        packages: readRpmDatabase(path, content).map((p) => ({
          name: p.name,
          version: p.version,
          release: p.release,
          ...(p.epoch !== undefined ? { epoch: p.epoch } : {}),
          ...(p.arch ? { arch: p.arch } : {}),
          ...(p.sourceRpm ? { sourceRpm: p.sourceRpm } : {}),
          ...(p.license ? { license: p.license } : {}),
          files: p.files,
        })),
      }
    }
    return { facts: facts as unknown as JsonValue }
  },
}
