/**
 * Ruby gems installed by RubyGems: each installed gem leaves a specification under
 * `<GEM_HOME>/specifications/<name>-<version>[-<platform>].gemspec` (default gems under
 * `specifications/default/`). RubyGems writes it with `Gem::Specification#to_ruby`:
 *
 * ```ruby
 * # stub: rake 13.0.6 ruby lib
 * Gem::Specification.new do |s|
 *   s.name = "rake".freeze
 *   s.version = "13.0.6"
 *   s.licenses = ["MIT".freeze]
 * end
 * ```
 *
 * The file is Ruby code and is never evaluated: `name`, `version`, `license` and `licenses`
 * are read with regular expressions, and only when the right-hand side is a plain string
 * literal (or an array of nothing but string literals; `.freeze` allowed; double-quoted
 * strings with `#{…}` interpolation are refused). A missing name or version falls back to
 * the `# stub:` line RubyGems writes first, then to the file name.
 *
 * @see https://guides.rubygems.org/specification-reference/
 * @see https://guides.rubygems.org/rubygems-basics/ (installation layout)
 * @module
 */
import { baseNameOf, langPackage, metadataText, PackageMetadataError, type LangPackage } from './lang-package.js'

/** True for `…/specifications/<x>.gemspec` and `…/specifications/default/<x>.gemspec`. */
export function wantsGem(path: string): boolean {
  return /(?:^|\/)specifications\/(?:default\/)?[^/]+\.gemspec$/.test(path)
}

const STRING = String.raw`"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'`

/** The value of one Ruby string literal, or undefined when it interpolates. */
export function rubyStringLiteral(literal: string): string | undefined {
  const quote = literal[0]
  const body = literal.slice(1, -1)
  if (quote === "'") return body.replace(/\\([\\'])/g, '$1')
  if (/#\{/.test(body.replace(/\\./g, ''))) return undefined
  const escapes: Readonly<Record<string, string>> = { n: '\n', t: '\t', r: '\r', s: ' ', '0': '\0', e: '\x1b', a: '\x07', b: '\b', f: '\f', v: '\v' }
  return body.replace(/\\(u\{[0-9a-fA-F]{1,6}\}|u[0-9a-fA-F]{4}|x[0-9a-fA-F]{1,2}|.)/g, (_, escape: string) => {
    if (escape.startsWith('u{')) return String.fromCodePoint(Math.min(0x10ffff, parseInt(escape.slice(2, -1), 16)))
    if (escape.length === 5 && escape.startsWith('u')) return String.fromCharCode(parseInt(escape.slice(1), 16))
    if (escape.length > 1 && escape.startsWith('x')) return String.fromCharCode(parseInt(escape.slice(1), 16))
    return escapes[escape] ?? escape
  })
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

/** `<var>.<attribute> = "literal"[.freeze]` → the literal's value. */
function stringAttribute(text: string, variable: string, attribute: string): string | undefined {
  const pattern = new RegExp(String.raw`^[ \t]*${escapeRegExp(variable)}\.${attribute}[ \t]*=[ \t]*(${STRING})(?:\.freeze)?[ \t]*(?:#.*)?$`, 'm')
  const match = pattern.exec(text)
  return match === null ? undefined : rubyStringLiteral(match[1]!)
}

/**
 * `<var>.<attribute> = ["a".freeze, "b"]` → the literals' values; undefined unless every
 * item is a string literal (anything else would need evaluating).
 */
function stringArrayAttribute(text: string, variable: string, attribute: string): string[] | undefined {
  const head = new RegExp(String.raw`^[ \t]*${escapeRegExp(variable)}\.${attribute}[ \t]*=[ \t]*\[`, 'm').exec(text)
  if (head === null) return undefined
  const item = new RegExp(String.raw`\s*(${STRING})(?:\.freeze)?\s*([,\]])`, 'y')
  item.lastIndex = head.index + head[0].length
  if (/^\s*\]/.test(text.slice(item.lastIndex, item.lastIndex + 256))) return []
  const values: string[] = []
  for (let count = 0; count < 1000; count++) {
    const match = item.exec(text)
    if (match === null) return undefined
    const value = rubyStringLiteral(match[1]!)
    if (value === undefined) return undefined
    values.push(value)
    if (match[2] === ']') return values
  }
  return undefined
}

/**
 * The gem an installed `.gemspec` describes: one package.
 *
 * @throws PackageMetadataError when neither the literals, the stub line nor the file name give a name and a version
 */
export function parseGemspec(path: string, content: Buffer): LangPackage[] {
  const text = metadataText(content)
  const variable = /Gem::Specification\.new\s+do\s+\|\s*(\w+)\s*\|/.exec(text)?.[1] ?? 's'
  const stub = /^# stub: (\S+) (\S+)/m.exec(text)
  const file = /^(.+?)-(\d[^-]*)(?:-[^-]+)*\.gemspec$/.exec(baseNameOf(path))
  const name = stringAttribute(text, variable, 'name') ?? stub?.[1] ?? file?.[1]
  const version = stringAttribute(text, variable, 'version') ?? stub?.[2] ?? file?.[2]
  if (name === undefined || name === '' || version === undefined || version === '') {
    throw new PackageMetadataError(`${path}: no literal gem name and version`)
  }
  const licenses = stringArrayAttribute(text, variable, 'licenses') ?? []
  const single = stringAttribute(text, variable, 'license')
  if (single !== undefined) licenses.push(single)
  return [langPackage({ ecosystem: 'gem', name, version, licenses, path, purl: { name } })]
}
