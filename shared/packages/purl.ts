/**
 * Package URLs (purl): `pkg:type/namespace/name@version?qualifiers#subpath`.
 *
 * {@link formatPurl} builds the canonical string from components and {@link parsePurl} reads
 * one back; `parsePurl(formatPurl(parts))` gives the normalised parts, and
 * `formatPurl(parsePurl(text))` the canonical form of `text`.
 *
 * Canonical form, per the specification:
 * - `type` lower-cased, letters, digits, `.`, `+`, `-`, not starting with a digit; unencoded;
 * - `namespace` segments and `subpath` segments percent-encoded one by one and joined with
 *   `/`; empty segments dropped (and `.`/`..` in the subpath);
 * - `name` and `version` percent-encoded;
 * - qualifiers sorted by key, keys lower-cased (letters, digits, `.`, `-`, `_`, not starting
 *   with a digit), pairs with an empty value dropped, values percent-encoded;
 * - percent-encoding: UTF-8 bytes, everything except `A–Z a–z 0–9 . - _ ~` and `:` encoded
 *   as `%XX` (upper-case hex; so `+` is `%2B`, a space `%20`, `@` in a name `%40`); the one
 *   exception is `/` inside qualifier values, left as is, as in the specification's own
 *   canonical examples (`download_url=https://…`);
 * - type-specific normalisation: `namespace` lower-cased for alpm, apk, bitbucket, composer,
 *   deb, github, golang, hex, npm and rpm; `name` lower-cased for alpm, apk, bitbucket,
 *   composer, deb, github, golang, hex, npm and pypi; pypi names with `_` → `-`; huggingface
 *   versions lower-cased.
 *
 * Helpers build the purls of OS packages: {@link debPurl}, {@link rpmPurl}, {@link apkPurl}
 * (namespace = the distribution's `ID`, qualifiers `arch`, `epoch` (rpm), `distro`
 * (`debian-12`, `alpine-3.20.3`, `fedora-39`) and `upstream` (the source package)).
 *
 * @see https://github.com/package-url/purl-spec/blob/main/PURL-SPECIFICATION.rst
 * @see https://github.com/package-url/purl-spec/blob/main/PURL-TYPES.rst
 * @module
 */
import { ErrorCode, PushscanError } from '../errors.js'

/** The stable code of {@link PurlError}. */
export const PURL_INVALID = ErrorCode.PurlInvalid

/** A purl that cannot be parsed or components that cannot be built into one. */
export class PurlError extends PushscanError {
  override name = 'PurlError'

  constructor(message: string) {
    super(PURL_INVALID, message)
  }
}

/** The components of a purl (decoded). */
export interface PurlParts {
  type: string
  /** `/`-separated segments (`github.com/gorilla`, `@angular`, `org.apache.commons`). */
  namespace?: string
  name: string
  version?: string
  qualifiers?: Record<string, string>
  /** `/`-separated segments. */
  subpath?: string
}

const TYPE_PATTERN = /^[a-z.+-][a-z0-9.+-]*$/
const QUALIFIER_KEY_PATTERN = /^[a-z.\-_][a-z0-9.\-_]*$/
const LOWER_NAMESPACE = new Set(['alpm', 'apk', 'bitbucket', 'composer', 'deb', 'github', 'golang', 'hex', 'npm', 'rpm'])
const LOWER_NAME = new Set(['alpm', 'apk', 'bitbucket', 'composer', 'deb', 'github', 'golang', 'hex', 'npm', 'pypi'])

const encoder = new TextEncoder()
const strictDecoder = new TextDecoder('utf-8', { fatal: true })

function isUnreserved(byte: number): boolean {
  return (
    (byte >= 0x30 && byte <= 0x39) ||
    (byte >= 0x41 && byte <= 0x5a) ||
    (byte >= 0x61 && byte <= 0x7a) ||
    byte === 0x2e || // .
    byte === 0x2d || // -
    byte === 0x5f || // _
    byte === 0x7e || // ~
    byte === 0x3a // :
  )
}

/** Percent-encodes `text` as a purl component (see the module documentation). */
export function encodePurlComponent(text: string, keepSlash = false): string {
  let out = ''
  for (const byte of encoder.encode(text)) {
    if (isUnreserved(byte) || (keepSlash && byte === 0x2f)) out += String.fromCharCode(byte)
    else out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`
  }
  return out
}

function decode(text: string, what: string): string {
  if (!text.includes('%')) return text
  const bytes: number[] = []
  for (let index = 0; index < text.length; index++) {
    const char = text[index]!
    if (char === '%') {
      const hex = text.slice(index + 1, index + 3)
      if (!/^[0-9A-Fa-f]{2}$/.test(hex)) throw new PurlError(`invalid percent-encoding in the ${what}: ${JSON.stringify(text)}`)
      bytes.push(parseInt(hex, 16))
      index += 2
    } else {
      bytes.push(...encoder.encode(char))
    }
  }
  try {
    return strictDecoder.decode(new Uint8Array(bytes))
  } catch {
    throw new PurlError(`the ${what} is not UTF-8 once decoded: ${JSON.stringify(text)}`)
  }
}

function segments(path: string | undefined, dropDots: boolean): string[] {
  if (path === undefined) return []
  return path.split('/').filter((segment) => segment !== '' && !(dropDots && (segment === '.' || segment === '..')))
}

/** Applies the type-specific rules and validates; returns a new object without empty parts. */
export function normalizePurl(parts: PurlParts): PurlParts {
  if (typeof parts.type !== 'string' || parts.type === '') throw new PurlError('a purl needs a type')
  const type = parts.type.toLowerCase()
  if (!TYPE_PATTERN.test(type)) throw new PurlError(`invalid purl type ${JSON.stringify(parts.type)}`)
  let namespaceSegments = segments(parts.namespace, false)
  if (LOWER_NAMESPACE.has(type)) namespaceSegments = namespaceSegments.map((segment) => segment.toLowerCase())
  let name = typeof parts.name === 'string' ? parts.name.replace(/^\/+|\/+$/g, '') : ''
  if (LOWER_NAME.has(type)) name = name.toLowerCase()
  if (type === 'pypi') name = name.replace(/_/g, '-')
  if (name === '') throw new PurlError('a purl needs a name')
  const out: PurlParts = { type, name }
  if (namespaceSegments.length > 0) out.namespace = namespaceSegments.join('/')
  if (parts.version !== undefined && parts.version !== '') out.version = type === 'huggingface' ? parts.version.toLowerCase() : parts.version
  const qualifiers: Record<string, string> = {}
  for (const [rawKey, value] of Object.entries(parts.qualifiers ?? {})) {
    const key = rawKey.toLowerCase()
    if (!QUALIFIER_KEY_PATTERN.test(key)) throw new PurlError(`invalid qualifier key ${JSON.stringify(rawKey)}`)
    if (Object.hasOwn(qualifiers, key)) throw new PurlError(`duplicate qualifier key ${JSON.stringify(key)}`)
    if (value === undefined || value === '') continue
    qualifiers[key] = value
  }
  const keys = Object.keys(qualifiers).sort()
  if (keys.length > 0) out.qualifiers = Object.fromEntries(keys.map((key) => [key, qualifiers[key]!]))
  const subpathSegments = segments(parts.subpath, true)
  if (subpathSegments.length > 0) out.subpath = subpathSegments.join('/')
  return out
}

/**
 * The canonical purl string of `parts`.
 *
 * @throws PurlError when the type or a qualifier key is invalid or the name is empty.
 */
export function formatPurl(parts: PurlParts): string {
  const purl = normalizePurl(parts)
  let out = `pkg:${purl.type}/`
  if (purl.namespace !== undefined) out += `${segments(purl.namespace, false).map((segment) => encodePurlComponent(segment)).join('/')}/`
  out += encodePurlComponent(purl.name)
  if (purl.version !== undefined) out += `@${encodePurlComponent(purl.version)}`
  if (purl.qualifiers) {
    out += `?${Object.entries(purl.qualifiers)
      .map(([key, value]) => `${key}=${encodePurlComponent(value, true)}`)
      .join('&')}`
  }
  if (purl.subpath !== undefined) out += `#${segments(purl.subpath, true).map((segment) => encodePurlComponent(segment)).join('/')}`
  return out
}

/**
 * The components of a purl string, decoded and normalised.
 *
 * @throws PurlError when the scheme is not `pkg`, the type is missing or invalid, the name is
 *   missing, a qualifier is malformed or repeated, or the percent-encoding is invalid.
 */
export function parsePurl(text: string): PurlParts {
  if (typeof text !== 'string' || text.length > 65536) throw new PurlError('not a purl string')
  let remainder = text
  let subpath: string | undefined
  const hash = remainder.lastIndexOf('#')
  if (hash >= 0) {
    subpath = remainder
      .slice(hash + 1)
      .split('/')
      .map((segment) => decode(segment, 'subpath'))
      .filter((segment) => segment !== '' && segment !== '.' && segment !== '..')
      .map((segment) => {
        if (segment.includes('/')) throw new PurlError('a subpath segment contains "/"')
        return segment
      })
      .join('/')
    remainder = remainder.slice(0, hash)
  }
  let qualifiers: Record<string, string> | undefined
  const question = remainder.lastIndexOf('?')
  if (question >= 0) {
    qualifiers = {}
    for (const pair of remainder.slice(question + 1).split('&')) {
      if (pair === '') continue
      const equals = pair.indexOf('=')
      if (equals <= 0) throw new PurlError(`invalid qualifier ${JSON.stringify(pair)}`)
      const key = pair.slice(0, equals).toLowerCase()
      if (!QUALIFIER_KEY_PATTERN.test(key)) throw new PurlError(`invalid qualifier key ${JSON.stringify(pair.slice(0, equals))}`)
      if (Object.hasOwn(qualifiers, key)) throw new PurlError(`duplicate qualifier key ${JSON.stringify(key)}`)
      qualifiers[key] = decode(pair.slice(equals + 1), 'qualifier value')
    }
    remainder = remainder.slice(0, question)
  }
  const colon = remainder.indexOf(':')
  if (colon < 0 || remainder.slice(0, colon).toLowerCase() !== 'pkg') throw new PurlError(`not a purl (no "pkg:" scheme): ${JSON.stringify(text.slice(0, 100))}`)
  remainder = remainder.slice(colon + 1).replace(/^\/+/, '')
  const slash = remainder.indexOf('/')
  if (slash <= 0) throw new PurlError(`a purl needs a type and a name: ${JSON.stringify(text.slice(0, 100))}`)
  const type = remainder.slice(0, slash).toLowerCase()
  if (!TYPE_PATTERN.test(type)) throw new PurlError(`invalid purl type ${JSON.stringify(remainder.slice(0, slash))}`)
  remainder = remainder.slice(slash + 1)
  let version: string | undefined
  const at = remainder.lastIndexOf('@')
  if (at >= 0 && at > remainder.lastIndexOf('/')) {
    version = decode(remainder.slice(at + 1), 'version')
    remainder = remainder.slice(0, at)
  }
  remainder = remainder.replace(/\/+$/, '')
  const lastSlash = remainder.lastIndexOf('/')
  const name = decode(remainder.slice(lastSlash + 1), 'name')
  if (name === '') throw new PurlError(`a purl needs a name: ${JSON.stringify(text.slice(0, 100))}`)
  const namespaceSegments = (lastSlash >= 0 ? remainder.slice(0, lastSlash) : '')
    .split('/')
    .filter((segment) => segment !== '')
    .map((segment) => {
      const decoded = decode(segment, 'namespace')
      if (decoded.includes('/')) throw new PurlError('a namespace segment contains "/"')
      return decoded
    })
  const parts: PurlParts = { type, name }
  if (namespaceSegments.length > 0) parts.namespace = namespaceSegments.join('/')
  if (version !== undefined) parts.version = version
  if (qualifiers) parts.qualifiers = qualifiers
  if (subpath !== undefined) parts.subpath = subpath
  return normalizePurl(parts)
}

/** A distribution as os-release names it (`ID`, `VERSION_ID`). */
export interface PurlDistro {
  id: string
  versionId?: string
}

/** The `distro` qualifier: `<id>-<version id>` (`debian-12`, `alpine-3.20.3`), or the bare id. */
export function distroQualifier(distro: PurlDistro | undefined): string | undefined {
  if (!distro?.id) return undefined
  const id = distro.id.toLowerCase()
  return distro.versionId ? `${id}-${distro.versionId}` : id
}

/**
 * The purl of a Debian package: `pkg:deb/<distro id, default debian>/<name>@<version>` with
 * `arch`, `distro`, and `upstream` when the source package differs from the binary one
 * (`upstream=<source>`, plus `@<source version>` when that differs: `gcc-12@12.2.0-14`).
 */
export function debPurl(
  pkg: { name: string; version: string; architecture?: string; source?: string; sourceVersion?: string },
  distro?: PurlDistro,
): string {
  const source = pkg.source ?? pkg.name
  const sourceVersion = pkg.sourceVersion ?? pkg.version
  let upstream: string | undefined
  if (source !== pkg.name || sourceVersion !== pkg.version) upstream = sourceVersion !== pkg.version ? `${source}@${sourceVersion}` : source
  return formatPurl({
    type: 'deb',
    namespace: distro?.id || 'debian',
    name: pkg.name,
    version: pkg.version,
    qualifiers: { arch: pkg.architecture ?? '', distro: distroQualifier(distro) ?? '', upstream: upstream ?? '' },
  })
}

/**
 * The purl of an rpm package: `pkg:rpm/<distro id>/<name>@<version>-<release>` with `arch`,
 * `epoch` (when above 0), `distro`, and `upstream` (the source rpm file name).
 */
export function rpmPurl(
  pkg: { name: string; version: string; release: string; epoch?: number; arch?: string; sourceRpm?: string },
  distro?: PurlDistro,
): string {
  const parts: PurlParts = {
    type: 'rpm',
    name: pkg.name,
    version: `${pkg.version}-${pkg.release}`,
    qualifiers: {
      arch: pkg.arch ?? '',
      epoch: pkg.epoch !== undefined && pkg.epoch > 0 ? String(pkg.epoch) : '',
      distro: distroQualifier(distro) ?? '',
      upstream: pkg.sourceRpm ?? '',
    },
  }
  if (distro?.id) parts.namespace = distro.id
  return formatPurl(parts)
}

/**
 * The purl of an Alpine package: `pkg:apk/<distro id, default alpine>/<name>@<version>` with
 * `arch`, `distro`, and `upstream` (the origin) when the origin differs from the name.
 */
export function apkPurl(pkg: { name: string; version: string; architecture?: string; origin?: string }, distro?: PurlDistro): string {
  return formatPurl({
    type: 'apk',
    namespace: distro?.id || 'alpine',
    name: pkg.name,
    version: pkg.version,
    qualifiers: {
      arch: pkg.architecture ?? '',
      distro: distroQualifier(distro) ?? '',
      upstream: pkg.origin !== undefined && pkg.origin !== pkg.name ? pkg.origin : '',
    },
  })
}
