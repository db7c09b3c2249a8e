/**
 * Java archives (`.jar`, `.war`, `.ear`, and Jenkins' `.hpi`/`.jpi`), read with the bounded
 * zip reader, and the archives nested in them (Spring Boot's `BOOT-INF/lib/*.jar`, a WAR's
 * `WEB-INF/lib/*.jar`, an EAR's modules, any other `*.jar` entry) up to `maxDepth` levels.
 *
 * What identifies the code in one archive, in order of authority:
 * 1. `META-INF/maven/<groupId>/<artifactId>/pom.properties`, written by Maven's archiver:
 *    `groupId`, `artifactId`, `version` (Java properties syntax; the path's segments stand in
 *    for a missing `groupId` or `artifactId`). One package per file: a shaded ("uber") jar
 *    carries one for itself and one per library folded into it, and all are reported. When
 *    one of them gives a version, nothing else in the archive is consulted.
 * 2. Else the main section of `META-INF/MANIFEST.MF` (JAR File Specification: `Name: value`
 *    headers, continuation lines starting with one space, the main section ends at the
 *    first blank line): the version is the first word of `Implementation-Version`, else
 *    `Bundle-Version`, else `Specification-Version`; when the file name agrees (its version
 *    is that version, or that version's prefix before a `.`/`-` build qualifier:
 *    `org.eclipse.osgi-3.22.0.jar` with `Bundle-Version: 3.22.0.v20241030-2121`), the file
 *    name's artifact and version are used; otherwise the name is `Implementation-Title`,
 *    else `Bundle-SymbolicName` (without `;` directives), else `Specification-Title`; the group is `Implementation-Vendor-Id` when it looks like a
 *    Java package name, else a guess from `Bundle-SymbolicName` (all but its last
 *    dot-separated segment, when it has at least three: `org.apache.commons.lang3` →
 *    `org.apache.commons`), else none.
 * 3. Else the file name, `<artifactId>-<version>.jar` (the version starts at the first `-`
 *    followed by a digit: `jackson-databind-2.13.3.jar`, `guava-31.1-jre.jar`), no group. A
 *    name without a version identifies nothing.
 *
 * Packages are deduplicated on group, artifact and version (the first occurrence, outermost
 * first, wins). Nested packages carry the chain of archives in `path`
 * (`/app/app.jar!/BOOT-INF/lib/spring-core-5.3.20.jar`).
 *
 * Limits: nesting depth (3), nested archives read (1,000; beyond that, nested archives are
 * identified by their file name only), bytes of one nested archive (64 MiB) and of one
 * metadata file (1 MiB), and the uncompressed bytes of all reads together (512 MiB, shared by
 * every nested reader). A nested archive that is corrupt or over a limit is identified by its
 * file name; the outermost archive's {@link ZipError} is thrown.
 *
 * @see https://docs.oracle.com/en/java/javase/21/docs/specs/jar/jar.html (JAR File Specification: the manifest)
 * @see https://maven.apache.org/shared/maven-archiver/ (pom.properties and the manifest entries Maven writes)
 * @see https://docs.oracle.com/en/java/javase/21/docs/api/java.base/java/util/Properties.html#load(java.io.Reader) (properties syntax)
 * @see https://docs.osgi.org/specification/osgi.core/8.0.0/framework.module.html (Bundle-SymbolicName, Bundle-Version)
 * @module
 */
import { openZip, ZipError, type ZipBudget, type ZipEntry, type ZipLimits, type ZipReader } from '../../zip/zip-reader.js'
import { baseNameOf, langPackage, type LangPackage } from './lang-package.js'

/** Options of {@link parseJavaArchive}; every limit has a default. */
export interface JavaArchiveOptions {
  /** Levels of nested archives opened below the outermost one. Default 3. */
  maxDepth?: number
  /** Nested archives opened in total. Default 1,000. */
  maxNestedArchives?: number
  /** Uncompressed bytes of one nested archive. Default 64 MiB. */
  maxNestedArchiveBytes?: number
  /** Uncompressed bytes of one pom.properties or manifest. Default 1 MiB. */
  maxMetadataBytes?: number
  /** Uncompressed bytes read from all archives together. Default 512 MiB. */
  maxTotalBytes?: number
  /** Limits handed to the zip reader (entries, ratio …). */
  zipLimits?: Partial<ZipLimits>
}

const MiB = 1024 * 1024
const ARCHIVE = /\.(?:jar|war|ear|hpi|jpi)$/i
const POM_PROPERTIES = /^META-INF\/maven\/([^/]+)\/([^/]+)\/pom\.properties$/

/** True for `.jar`, `.war`, `.ear`, `.hpi` and `.jpi` files. */
export function wantsJavaArchive(path: string): boolean {
  return ARCHIVE.test(path)
}

/**
 * Parses Java properties text (`key=value`, `key: value`, `key value`; `#`/`!` comments;
 * backslash line continuation; `\uXXXX` and `\t\n\r\f` escapes). Later keys win.
 */
export function parseJavaProperties(text: string): Map<string, string> {
  const properties = new Map<string, string>()
  const lines = text.split(/\r\n|\n|\r/)
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i]!.replace(/^[ \t\f]+/, '')
    if (line === '' || line.startsWith('#') || line.startsWith('!')) continue
    // an odd number of trailing backslashes continues the logical line
    while (endsWithContinuation(line) && i + 1 < lines.length) {
      line = line.slice(0, -1) + lines[++i]!.replace(/^[ \t\f]+/, '')
    }
    const separator = /^((?:[^\\=: \t\f]|\\.)*)[ \t\f]*[=:]?[ \t\f]*/.exec(line)!
    const key = unescapeProperty(separator[1]!)
    properties.set(key, unescapeProperty(line.slice(separator[0].length)))
  }
  return properties
}

function endsWithContinuation(line: string): boolean {
  let count = 0
  for (let i = line.length - 1; i >= 0 && line[i] === '\\'; i--) count++
  return count % 2 === 1
}

function unescapeProperty(text: string): string {
  return text.replace(/\\(u[0-9a-fA-F]{4}|.)/g, (_, escape: string) => {
    if (escape.length === 5) return String.fromCharCode(parseInt(escape.slice(1), 16))
    return ({ t: '\t', n: '\n', r: '\r', f: '\f' } as Readonly<Record<string, string>>)[escape] ?? escape
  })
}

/**
 * The main attributes of a JAR manifest (names lower-cased: attribute names are
 * case-insensitive), continuation lines joined.
 */
export function parseManifest(text: string): Map<string, string> {
  const attributes = new Map<string, string>()
  let last: string | undefined
  for (const line of text.split(/\r\n|\n|\r/)) {
    if (line === '') {
      if (attributes.size > 0) break
      continue
    }
    if (line.startsWith(' ')) {
      if (last !== undefined) attributes.set(last, attributes.get(last)! + line.slice(1))
      continue
    }
    const match = /^([A-Za-z0-9][A-Za-z0-9_-]*):\s?(.*)$/.exec(line)
    if (match === null) {
      last = undefined
      continue
    }
    last = match[1]!.toLowerCase()
    if (!attributes.has(last)) attributes.set(last, match[2]!)
    else last = undefined
  }
  return attributes
}

/** `commons-lang3-3.12.0.jar` → artifact and version; undefined without a version. */
export function javaArchiveNameParts(fileName: string): { artifactId: string; version: string } | undefined {
  const match = /^(.+?)-(\d[^/]*?)\.(?:jar|war|ear|hpi|jpi)$/i.exec(fileName)
  return match === null ? undefined : { artifactId: match[1]!, version: match[2]! }
}

interface Coordinates {
  groupId?: string | undefined
  artifactId: string
  version: string
}

function fromManifest(attributes: Map<string, string>, fileName: string): Coordinates | undefined {
  const get = (name: string): string | undefined => {
    const value = attributes.get(name)?.trim()
    return value === undefined || value === '' ? undefined : value
  }
  const declared = (get('implementation-version') ?? get('bundle-version') ?? get('specification-version'))?.split(/\s/)[0]
  if (declared === undefined || declared === '') return undefined
  const symbolicName = get('bundle-symbolicname')?.split(';')[0]?.trim() || undefined
  const fromFile = javaArchiveNameParts(fileName)
  // the file name agrees when its version is the manifest's, or the manifest's with a build qualifier
  const agrees = fromFile !== undefined && (declared === fromFile.version || declared.startsWith(`${fromFile.version}.`) || declared.startsWith(`${fromFile.version}-`))
  const version = agrees ? fromFile.version : declared
  const artifactId = (agrees ? fromFile.artifactId : undefined) ?? get('implementation-title') ?? symbolicName ?? get('specification-title')
  if (artifactId === undefined) return undefined
  const vendorId = get('implementation-vendor-id')
  const segments = symbolicName?.split('.') ?? []
  const groupId =
    vendorId !== undefined && /^[A-Za-z_][\w-]*(?:\.[\w-]+)+$/.test(vendorId) ? vendorId : segments.length >= 3 ? segments.slice(0, -1).join('.') : undefined
  return { groupId, artifactId, version }
}

interface Walk {
  options: Required<Omit<JavaArchiveOptions, 'zipLimits'>> & { zipLimits: Partial<ZipLimits> }
  budget: ZipBudget
  nestedOpened: number
  seen: Set<string>
  packages: LangPackage[]
}

function add(walk: Walk, path: string, coordinates: Coordinates): void {
  const key = `${coordinates.groupId ?? ''}:${coordinates.artifactId}@${coordinates.version}`
  if (walk.seen.has(key)) return
  walk.seen.add(key)
  walk.packages.push(
    langPackage({
      ecosystem: 'maven',
      name: coordinates.artifactId,
      version: coordinates.version,
      namespace: coordinates.groupId,
      path,
      purl: { namespace: coordinates.groupId, name: coordinates.artifactId },
    })
  )
}

function readText(zip: ZipReader, entry: ZipEntry, walk: Walk): string | undefined {
  try {
    return zip.read(entry, walk.options.maxMetadataBytes).toString('utf8')
  } catch (error) {
    if (error instanceof ZipError) return undefined
    throw error
  }
}

function identifyByName(walk: Walk, path: string, fileName: string): void {
  const parts = javaArchiveNameParts(fileName)
  if (parts !== undefined) add(walk, path, parts)
}

function scanArchive(walk: Walk, path: string, fileName: string, data: Buffer, depth: number): void {
  const zip = openZip(data, { limits: walk.options.zipLimits, budget: walk.budget })
  const entries = zip.entries().filter((entry) => !entry.directory)
  const poms = entries.filter((entry) => POM_PROPERTIES.test(entry.name))
  let identified = false
  for (const entry of poms) {
    const text = readText(zip, entry, walk)
    if (text === undefined) continue
    const properties = parseJavaProperties(text)
    const [, groupFromPath, artifactFromPath] = POM_PROPERTIES.exec(entry.name)!
    const version = properties.get('version')?.trim()
    if (version === undefined || version === '') continue
    add(walk, path, {
      groupId: properties.get('groupId')?.trim() || groupFromPath,
      artifactId: properties.get('artifactId')?.trim() || artifactFromPath!,
      version,
    })
    identified = true
  }
  if (!identified) {
    const manifest = entries.find((entry) => entry.name.toUpperCase() === 'META-INF/MANIFEST.MF')
    const text = manifest === undefined ? undefined : readText(zip, manifest, walk)
    const coordinates = text === undefined ? undefined : fromManifest(parseManifest(text), fileName)
    if (coordinates !== undefined) add(walk, path, coordinates)
    else identifyByName(walk, path, fileName)
  }
  for (const entry of entries) {
    if (!ARCHIVE.test(entry.name)) continue
    const nestedPath = `${path}!/${entry.name}`
    const nestedName = baseNameOf(entry.name)
    if (depth + 1 > walk.options.maxDepth || walk.nestedOpened >= walk.options.maxNestedArchives) {
      identifyByName(walk, nestedPath, nestedName)
      continue
    }
    walk.nestedOpened++
    try {
      const nested = zip.read(entry, walk.options.maxNestedArchiveBytes)
      scanArchive(walk, nestedPath, nestedName, nested, depth + 1)
    } catch (error) {
      if (!(error instanceof ZipError)) throw error
      identifyByName(walk, nestedPath, nestedName)
    }
  }
}

/**
 * The Maven packages in a Java archive and the archives nested in it.
 *
 * @throws ZipError when the outermost archive cannot be read as a zip archive
 */
export function parseJavaArchive(path: string, content: Buffer, options: JavaArchiveOptions = {}): LangPackage[] {
  const walk: Walk = {
    options: {
      maxDepth: options.maxDepth ?? 3,
      maxNestedArchives: options.maxNestedArchives ?? 1000,
      maxNestedArchiveBytes: options.maxNestedArchiveBytes ?? 64 * MiB,
      maxMetadataBytes: options.maxMetadataBytes ?? 1 * MiB,
      maxTotalBytes: options.maxTotalBytes ?? 512 * MiB,
      zipLimits: options.zipLimits ?? {},
    },
    budget: { remainingBytes: options.maxTotalBytes ?? 512 * MiB },
    nestedOpened: 0,
    seen: new Set(),
    packages: [],
  }
  scanArchive(walk, path, baseNameOf(path), content, 0)
  return walk.packages
}
