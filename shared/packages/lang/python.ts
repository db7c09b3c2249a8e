/**
 * Installed Python distributions: the core metadata file of each one, `*.dist-info/METADATA`
 * (wheels and modern installers) or `*.egg-info/PKG-INFO` (setuptools; also the single-file
 * `*.egg-info` form and `EGG-INFO/PKG-INFO` inside an `.egg` directory).
 *
 * The file is a set of email (RFC 822) headers, ended by a blank line before the optional
 * description body; a line that starts with whitespace continues the header before it.
 * Fields read: `Name`, `Version` (both required), `License-Expression` (metadata 2.4, an SPDX
 * expression), `License` and the `Classifier: License :: …` trove classifiers.
 *
 * Licences: `License-Expression` alone when present (PEP 639 supersedes the other two);
 * otherwise `License` when it is one line that says something (not `UNKNOWN`; several lines
 * are the full licence text, which is no identifier) plus the last segment of each licence
 * classifier (`License :: OSI Approved :: MIT License` → `MIT License`).
 *
 * The purl name is normalised per PEP 503 (lower case, runs of `-`, `_`, `.` → `-`); `name`
 * keeps the spelling of the metadata.
 *
 * @see https://packaging.python.org/en/latest/specifications/core-metadata/
 * @see https://packaging.python.org/en/latest/specifications/recording-installed-packages/
 * @see https://peps.python.org/pep-0503/#normalized-names
 * @module
 */
import { langPackage, metadataText, PackageMetadataError, type LangPackage } from './lang-package.js'

/** True for `…/<x>.dist-info/METADATA`, `…/<x>.egg-info/PKG-INFO`, `…/<x>.egg-info` and `…/EGG-INFO/PKG-INFO`. */
export function wantsPython(path: string): boolean {
  // every entry of a layer is asked: the name's ending rules out most before any pattern runs
  if (path.endsWith('/METADATA')) return /(?:^|\/)[^/]+\.dist-info\/METADATA$/.test(path)
  if (path.endsWith('/PKG-INFO')) return /(?:^|\/)(?:[^/]+\.egg-info|EGG-INFO)\/PKG-INFO$/.test(path)
  return path.endsWith('.egg-info') && /(?:^|\/)[^/]+\.egg-info$/.test(path)
}

/** PEP 503 normalisation: `Foo.Bar_baz` → `foo-bar-baz`. */
export function normalizePythonName(name: string): string {
  return name.replace(/[-_.]+/g, '-').toLowerCase()
}

/**
 * The headers of an email-header document (up to the first blank line), in order, with
 * continuation lines joined to their header by `\n` (their leading whitespace removed).
 */
export function parseEmailHeaders(text: string): Array<[name: string, value: string]> {
  const headers: Array<[string, string]> = []
  for (const line of text.split(/\r\n|\n|\r/)) {
    // only an empty line ends the headers: a whitespace-only line continues the one before
    // (setuptools writes blank lines inside a multi-line License or Description that way)
    if (line === '') {
      if (headers.length > 0) break
      continue
    }
    if (/^[ \t]/.test(line)) {
      const last = headers.at(-1)
      if (last !== undefined) last[1] = `${last[1]}\n${line.trim()}`.replace(/\n+$/, '')
      continue
    }
    const colon = line.indexOf(':')
    if (colon <= 0) continue
    headers.push([line.slice(0, colon).trim(), line.slice(colon + 1).trim()])
  }
  return headers
}

/**
 * The distribution a core metadata file describes: one package.
 *
 * @throws PackageMetadataError when `Name` or `Version` is missing
 */
export function parsePythonMetadata(path: string, content: Buffer): LangPackage[] {
  const headers = parseEmailHeaders(metadataText(content))
  const first = (field: string): string | undefined => headers.find(([name]) => name.toLowerCase() === field)?.[1]
  const all = (field: string): string[] => headers.filter(([name]) => name.toLowerCase() === field).map(([, value]) => value)
  const name = first('name')
  const version = first('version')
  if (name === undefined || name === '' || version === undefined || version === '') {
    throw new PackageMetadataError(`${path}: core metadata without Name or Version`)
  }
  const licenses: string[] = []
  const expression = first('license-expression')
  if (expression !== undefined && expression !== '') {
    licenses.push(expression)
  } else {
    const license = first('license')
    if (license !== undefined && !license.includes('\n') && license.length <= 200 && !/^unknown$/i.test(license)) licenses.push(license)
    for (const classifier of all('classifier')) {
      const segments = classifier.split('::').map((segment) => segment.trim())
      if (segments[0] !== 'License' || segments.length < 2) continue
      const last = segments.at(-1)!
      if (last !== 'OSI Approved' && last !== '') licenses.push(last)
    }
  }
  return [langPackage({ ecosystem: 'pypi', name, version, licenses, path, purl: { name: normalizePythonName(name) } })]
}
