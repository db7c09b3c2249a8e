/**
 * What every language-ecosystem parser in this directory returns: the packages an
 * application carries (npm `node_modules`, Python `site-packages`, Go and Rust binaries,
 * Java archives, RubyGems, Composer `vendor/`, .NET `deps.json`), with the parts of their
 * package URL (the lead formats them with `formatPurl`).
 *
 * Naming, per ecosystem: `name` is the package name as the ecosystem's own tools spell it
 * (npm `@scope/name`, Composer `vendor/package`, a Go module path, a PyPI project name as
 * written in its metadata), except Maven, whose coordinates are two fields: `namespace` is
 * the groupId and `name` the artifactId. `namespace` is set where the ecosystem has one: the
 * npm scope (`@scope`), the Maven groupId, the Composer vendor. The `purl` parts follow the
 * purl type definitions (npm scope as namespace, Go module path split at its last `/`, PyPI
 * names normalised per PEP 503 …).
 *
 * @see https://github.com/package-url/purl-spec/blob/main/PURL-TYPES.rst
 * @module
 */
import { ErrorCode, PushscanError } from '../../errors.js'
import { isObject, type JsonObject } from '../../shape.js'

/** The stable code of {@link PackageMetadataError}. */
export const PACKAGE_METADATA_INVALID = ErrorCode.PackageMetadataInvalid

/**
 * Package metadata (package.json, METADATA, installed.json, Go build info …) that cannot be
 * read. Permanent: reading the same bytes again fails the same way.
 */
export class PackageMetadataError extends PushscanError {
  override name = 'PackageMetadataError'

  constructor(message: string, options: { cause?: unknown } = {}) {
    // the code joins ErrorCode when shared/errors.ts is updated; until then it is cast
    super(PACKAGE_METADATA_INVALID, message, options)
  }
}

/** The ecosystems these parsers report; each is also its purl type. */
export type LangEcosystem = 'npm' | 'pypi' | 'golang' | 'maven' | 'gem' | 'cargo' | 'composer' | 'nuget'

/** The parts of a package URL (structurally a `PurlParts` of shared/packages/purl.ts). */
export interface LangPurlParts {
  /** The purl type: the same word as the ecosystem. */
  type: LangEcosystem
  namespace?: string
  name: string
  version: string
}

/** One language package found in an image file. */
export interface LangPackage {
  ecosystem: LangEcosystem
  name: string
  version: string
  namespace?: string
  /** Licences as declared (SPDX expressions or free text), deduplicated; absent when none. */
  licenses?: string[]
  /**
   * The file it was read from. Packages found in an archive nested in another carry the
   * chain, joined with `!/` as in Java's `jar:` URLs: `/app/app.jar!/BOOT-INF/lib/x.jar`.
   */
  path: string
  purl: LangPurlParts
}

/** Builds a package, dropping empty licences and an empty namespace. */
export function langPackage(fields: {
  ecosystem: LangEcosystem
  name: string
  version: string
  namespace?: string | undefined
  licenses?: readonly string[] | undefined
  path: string
  purl: { namespace?: string | undefined; name: string }
}): LangPackage {
  const licenses = uniqueStrings(fields.licenses ?? [])
  const purlNamespace = fields.purl.namespace === undefined || fields.purl.namespace === '' ? undefined : fields.purl.namespace
  return {
    ecosystem: fields.ecosystem,
    name: fields.name,
    version: fields.version,
    ...(fields.namespace === undefined || fields.namespace === '' ? {} : { namespace: fields.namespace }),
    ...(licenses.length === 0 ? {} : { licenses }),
    path: fields.path,
    purl: {
      type: fields.ecosystem,
      ...(purlNamespace === undefined ? {} : { namespace: purlNamespace }),
      name: fields.purl.name,
      version: fields.version,
    },
  }
}

/** Trimmed, non-empty, first occurrence kept. */
export function uniqueStrings(values: Iterable<string>): string[] {
  const seen = new Set<string>()
  for (const value of values) {
    const trimmed = value.trim()
    if (trimmed !== '') seen.add(trimmed)
  }
  return [...seen]
}

/** Text of a metadata file: UTF-8 (invalid bytes replaced), without a byte-order mark. */
export function metadataText(content: Buffer): string {
  const text = content.toString('utf8')
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text
}

/** Parses a JSON metadata file (a leading byte-order mark is allowed). */
export function parseJsonMetadata(path: string, content: Buffer): unknown {
  try {
    return JSON.parse(metadataText(content))
  } catch (error) {
    throw new PackageMetadataError(`${path} is not valid JSON: ${(error as Error).message}`, { cause: error })
  }
}

/** A JSON object, or a {@link PackageMetadataError} naming the file. */
export function expectJsonObject(path: string, value: unknown, what = 'the document'): JsonObject {
  if (!isObject(value)) throw new PackageMetadataError(`${path}: ${what} is not a JSON object`)
  return value
}

/** A non-empty string, else undefined. */
export function nonEmptyString(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined
}

/** The last segment of a `/`-separated path. */
export function baseNameOf(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1)
}
