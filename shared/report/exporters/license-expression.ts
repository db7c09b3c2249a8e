/**
 * Declared licences, as packages write them, sorted into what SBOM formats can carry:
 *
 * - `id`: a licence identifier from the SPDX licence list that pushscan knows
 *   ({@link KNOWN_LICENSE_IDS}), in its canonical spelling (`mit` → `MIT`);
 * - `expression`: a valid SPDX licence expression (SPDX 2.3 Annex D: `AND`, `OR`, `WITH`,
 *   parentheses, `+`, `LicenseRef-…`) whose identifiers are all known, re-written in a
 *   canonical form;
 * - `text`: anything else (`Apache 2.0`, `BSD-like`, Debian's `public-domain`), kept as written.
 *
 * A Debian package's licences are Debian short names (`GPL-2+`); {@link classifyPackageLicense}
 * reads them as their SPDX equivalents first (`GPL-2.0-or-later`).
 *
 * pushscan keeps a deliberately small list of identifiers (the licences packages in
 * container images commonly declare) rather than the whole SPDX licence list: a string that
 * is a real SPDX identifier but not on the list is exported as text, which is still true,
 * only less machine-readable. Every identifier on the list is also in the SPDX licence list
 * 3.10, so it validates against the enumeration the CycloneDX 1.6 schema uses.
 *
 * @see https://spdx.github.io/spdx-spec/v2.3/SPDX-license-expressions/
 * @module
 */
import { debianLicenseToSpdx } from '../../packages/os/debian-licenses.js'

/** Licence identifiers pushscan recognises (SPDX licence list; deprecated ids included where packages still use them). */
export const KNOWN_LICENSE_IDS: readonly string[] = [
  '0BSD', 'AFL-2.1', 'AFL-3.0', 'AGPL-3.0', 'AGPL-3.0-only', 'AGPL-3.0-or-later', 'Apache-1.0', 'Apache-1.1', 'Apache-2.0',
  'Artistic-1.0', 'Artistic-1.0-Perl', 'Artistic-2.0', 'BSD-1-Clause', 'BSD-2-Clause', 'BSD-2-Clause-Patent', 'BSD-3-Clause',
  'BSD-3-Clause-Clear', 'BSD-4-Clause', 'BSL-1.0', 'bzip2-1.0.6', 'CC-BY-3.0', 'CC-BY-4.0', 'CC-BY-SA-3.0', 'CC-BY-SA-4.0',
  'CC0-1.0', 'CDDL-1.0', 'CDDL-1.1', 'curl', 'ECL-2.0', 'EPL-1.0', 'EPL-2.0', 'EUPL-1.1', 'EUPL-1.2', 'FTL',
  'GFDL-1.1-only', 'GFDL-1.1-or-later', 'GFDL-1.2-only', 'GFDL-1.2-or-later', 'GFDL-1.3-only', 'GFDL-1.3-or-later', 'GPL-1.0-only', 'GPL-1.0-or-later', 'GPL-2.0', 'GPL-2.0+',
  'GPL-2.0-only', 'GPL-2.0-or-later', 'GPL-3.0', 'GPL-3.0+', 'GPL-3.0-only', 'GPL-3.0-or-later', 'HPND', 'ICU', 'IJG', 'ISC',
  'LGPL-2.0', 'LGPL-2.0+', 'LGPL-2.0-only', 'LGPL-2.0-or-later', 'LGPL-2.1', 'LGPL-2.1+', 'LGPL-2.1-only', 'LGPL-2.1-or-later',
  'LGPL-3.0', 'LGPL-3.0+', 'LGPL-3.0-only', 'LGPL-3.0-or-later', 'Libpng', 'libpng-2.0', 'MIT', 'MIT-0', 'MPL-1.1', 'MPL-2.0',
  'MS-PL', 'NCSA', 'OFL-1.1', 'OpenSSL', 'PHP-3.01', 'PostgreSQL', 'PSF-2.0', 'Python-2.0', 'Ruby', 'Sleepycat',
  'Unicode-DFS-2016', 'Unlicense', 'UPL-1.0', 'W3C', 'WTFPL', 'X11', 'Zlib', 'ZPL-2.1',
]

/** Licence exceptions pushscan recognises after `WITH`. */
export const KNOWN_EXCEPTION_IDS: readonly string[] = [
  'Autoconf-exception-2.0', 'Autoconf-exception-3.0', 'Bison-exception-2.2', 'Classpath-exception-2.0', 'Font-exception-2.0',
  'GCC-exception-2.0', 'GCC-exception-3.1', 'Libtool-exception', 'Linux-syscall-note', 'LLVM-exception', 'OpenJDK-assembly-exception-1.0',
]

const LICENSES = new Map(KNOWN_LICENSE_IDS.map((id) => [id.toLowerCase(), id]))
const EXCEPTIONS = new Map(KNOWN_EXCEPTION_IDS.map((id) => [id.toLowerCase(), id]))
const ID_STRING = /^[A-Za-z0-9.-]+$/
const LICENSE_REF = /^(?:DocumentRef-[A-Za-z0-9.-]+:)?LicenseRef-[A-Za-z0-9.-]+$/
/** Longer declarations are never parsed: they are prose, not expressions. */
const MAX_EXPRESSION_LENGTH = 1024

export type ClassifiedLicense =
  | { kind: 'id'; id: string }
  | { kind: 'expression'; expression: string }
  | { kind: 'text'; text: string }

type Node =
  | { type: 'license'; id: string; plus: boolean; exception?: string }
  | { type: 'and' | 'or'; left: Node; right: Node }

/**
 * Sorts one declared licence string into an SPDX id, an SPDX expression or free text.
 *
 * @example
 * classifyLicense('mit') // { kind: 'id', id: 'MIT' }
 * classifyLicense('(MIT OR Apache-2.0)') // { kind: 'expression', expression: 'MIT OR Apache-2.0' }
 * classifyLicense('GPL-2+') // { kind: 'text', text: 'GPL-2+' }
 */
export function classifyLicense(declared: string): ClassifiedLicense {
  const text = declared.trim()
  const node = parseLicenseExpression(text)
  if (!node) return { kind: 'text', text }
  if (node.type === 'license' && !node.plus && node.exception === undefined && LICENSES.has(node.id.toLowerCase())) return { kind: 'id', id: node.id }
  return { kind: 'expression', expression: render(node, undefined) }
}

/**
 * Sorts one licence a package declares, read in its ecosystem's terms: for a Debian package
 * (`deb`), a DEP-5 short name is read as the SPDX licence it stands for.
 *
 * @example
 * classifyPackageLicense('GPL-2+', 'deb') // { kind: 'id', id: 'GPL-2.0-or-later' }
 * classifyPackageLicense('GPL-2+', 'npm') // { kind: 'text', text: 'GPL-2+' }
 */
export function classifyPackageLicense(declared: string, packageType: string): ClassifiedLicense {
  const spdx = packageType === 'deb' ? debianLicenseToSpdx(declared) : undefined
  return classifyLicense(spdx ?? declared)
}

/** True when `text` is a valid SPDX licence expression made of known identifiers or `LicenseRef-`s. */
export function isLicenseExpression(text: string): boolean {
  return parseLicenseExpression(text.trim()) !== undefined
}

/**
 * Joins licence terms (ids or expressions) with `AND`, parenthesising compound ones.
 *
 * @example
 * joinWithAnd(['MIT', 'GPL-2.0-only OR BSD-3-Clause']) // 'MIT AND (GPL-2.0-only OR BSD-3-Clause)'
 */
export function joinWithAnd(terms: readonly string[]): string {
  if (terms.length === 1) return terms[0]!
  return terms.map((term) => (/\s(?:AND|OR)\s/.test(term) ? `(${term})` : term)).join(' AND ')
}

function parseLicenseExpression(text: string): Node | undefined {
  if (text === '' || text.length > MAX_EXPRESSION_LENGTH) return undefined
  const tokens = text.replace(/[()]/g, ' $& ').split(/\s+/).filter((token) => token !== '')
  let position = 0
  const peek = (): string | undefined => tokens[position]

  const parseOr = (): Node | undefined => {
    let left = parseAnd()
    while (left && peek() === 'OR') {
      position++
      const right = parseAnd()
      if (!right) return undefined
      left = { type: 'or', left, right }
    }
    return left
  }
  const parseAnd = (): Node | undefined => {
    let left = parseUnary()
    while (left && peek() === 'AND') {
      position++
      const right = parseUnary()
      if (!right) return undefined
      left = { type: 'and', left, right }
    }
    return left
  }
  const parseUnary = (): Node | undefined => {
    const token = peek()
    if (token === undefined) return undefined
    if (token === '(') {
      position++
      const inner = parseOr()
      if (!inner || peek() !== ')') return undefined
      position++
      return inner
    }
    position++
    const license = simpleLicense(token)
    if (!license) return undefined
    if (peek() === 'WITH') {
      position++
      const exception = EXCEPTIONS.get((peek() ?? '').toLowerCase())
      if (exception === undefined) return undefined
      position++
      license.exception = exception
    }
    return license
  }

  const node = parseOr()
  return node && position === tokens.length ? node : undefined
}

function simpleLicense(token: string): (Node & { type: 'license' }) | undefined {
  if (LICENSE_REF.test(token)) return { type: 'license', id: token, plus: false }
  const known = LICENSES.get(token.toLowerCase())
  if (known !== undefined) return { type: 'license', id: known, plus: false }
  if (token.endsWith('+') && ID_STRING.test(token.slice(0, -1))) {
    const base = LICENSES.get(token.slice(0, -1).toLowerCase())
    if (base !== undefined) return { type: 'license', id: base, plus: true }
  }
  return undefined
}

/** Canonical text: single spaces, parentheses around an operation inside the other one. */
function render(node: Node, parent: 'and' | 'or' | undefined): string {
  if (node.type === 'license') return `${node.id}${node.plus ? '+' : ''}${node.exception ? ` WITH ${node.exception}` : ''}`
  const text = `${render(node.left, node.type)} ${node.type.toUpperCase()} ${render(node.right, node.type)}`
  return parent !== undefined && parent !== node.type ? `(${text})` : text
}
