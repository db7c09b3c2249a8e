/**
 * npm packages installed in `node_modules`: each package directory holds the package's own
 * `package.json` (the npm documentation's "package.json" page: `name`, `version`, `license`,
 * `private`). Only the manifest at the root of an installed package is read, whatever the
 * layout (npm and yarn nesting, pnpm's `.pnpm/<id>/node_modules/<name>`): package.json files
 * deeper inside a package (`lib/package.json`, test fixtures) describe nothing installed.
 *
 * Licences: `license` as a string (an SPDX expression such as `(MIT OR Apache-2.0)`, or
 * `SEE LICENSE IN …`, `UNLICENSED`, kept as written), the legacy object form `{ "type": …,
 * "url": … }`, and the legacy `licenses` array (of objects or strings).
 *
 * Skipped (no package): manifests without a `name` or a `version` (private workspace roots
 * and stubs); a `private` package with a version is still reported: it is installed code.
 *
 * @see https://docs.npmjs.com/cli/configuring-npm/package-json
 * @see https://docs.npmjs.com/cli/configuring-npm/folders#node-modules
 * @module
 */
import { expectJsonObject, langPackage, nonEmptyString, parseJsonMetadata, uniqueStrings, type LangPackage } from './lang-package.js'

function isPackageDirectory(segment: string | undefined): boolean {
  return segment !== undefined && segment !== '' && !segment.startsWith('.') && !segment.startsWith('@') && segment !== 'node_modules'
}

/**
 * True for `…/node_modules/<name>/package.json` and `…/node_modules/@scope/<name>/package.json`
 * (at any nesting depth), false for anything else, including package.json files inside a
 * package's own directories.
 */
export function wantsNpm(path: string): boolean {
  // every entry of a layer is asked: most are answered without splitting the path
  if (!path.endsWith('/package.json')) return false
  const parts = path.split('/')
  const n = parts.length
  if (parts[n - 1] !== 'package.json') return false
  if (parts[n - 3] === 'node_modules') return isPackageDirectory(parts[n - 2])
  const scope = parts[n - 3]
  return parts[n - 4] === 'node_modules' && scope !== undefined && scope.length > 1 && scope.startsWith('@') && isPackageDirectory(parts[n - 2])
}

function licenseName(value: unknown): string | undefined {
  if (typeof value === 'string') return nonEmptyString(value)
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) return nonEmptyString((value as { type?: unknown }).type)
  return undefined
}

/** Licences from `license` (string, SPDX expression, `{ type }`) and the legacy `licenses` array, deduplicated. */
export function npmLicenses(manifest: Record<string, unknown>): string[] {
  const found: string[] = []
  for (const field of [manifest['license'], manifest['licenses']]) {
    for (const item of Array.isArray(field) ? field : [field]) {
      const name = licenseName(item)
      if (name !== undefined) found.push(name)
    }
  }
  return uniqueStrings(found)
}

/**
 * The package described by an installed package's `package.json`: zero or one package.
 *
 * @throws PackageMetadataError when the file is not a JSON object
 */
export function parseNpmPackageJson(path: string, content: Buffer): LangPackage[] {
  const manifest = expectJsonObject(path, parseJsonMetadata(path, content))
  const name = nonEmptyString(manifest['name'])
  const version = nonEmptyString(manifest['version'])
  if (name === undefined || version === undefined) return []
  const scoped = /^(@[^/]+)\/([^/]+)$/.exec(name)
  return [
    langPackage({
      ecosystem: 'npm',
      name,
      version,
      namespace: scoped?.[1],
      licenses: npmLicenses(manifest),
      path,
      purl: { namespace: scoped?.[1], name: scoped?.[2] ?? name },
    }),
  ]
}
