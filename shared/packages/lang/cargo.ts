/**
 * Rust binaries built with `cargo auditable`: the dependency tree is embedded in the ELF
 * section `.dep-v0` as zlib-compressed (RFC 1950) JSON:
 *
 * ```json
 * { "packages": [ { "name": "serde", "version": "1.0.193", "source": "crates.io",
 *                   "kind": "runtime", "dependencies": [3], "root": false } ] }
 * ```
 *
 * `name`, `version` and `source` (`crates.io`, `git`, `local`, `registry`, or another
 * word) are required; `kind` defaults to `runtime` (a crate that is both is recorded as
 * `runtime`); `dependencies` holds indices into `packages`; `root` marks the crate the binary
 * was built from; an optional top-level `format` says which data source cargo-auditable used
 * (format 0 wrongly records proc macros as `runtime`: such binaries report a few extra
 * crates).
 *
 * Decisions: every `runtime` package is reported, the root crate included (its `local`
 * source is no reason to hide it). `build` packages (build scripts, proc macros and their
 * dependencies) ran on the build machine and are not in the binary: they are skipped unless
 * `includeBuildDependencies` is set. The inflated JSON is capped (`maxJsonBytes`, default
 * 8 MiB) and so is the package count.
 *
 * @see https://github.com/rust-secure-code/cargo-auditable (README: the `.dep-v0` section)
 * @see https://github.com/rust-secure-code/cargo-auditable/blob/master/cargo-auditable.schema.json
 * @module
 */
import { inflateSync } from 'node:zlib'
import { isElf, readElf, type ElfFile } from '../../elf/elf-reader.js'
import { isObject } from '../../shape.js'
import { langPackage, metadataText, PackageMetadataError, type LangPackage } from './lang-package.js'

/** One entry of the cargo-auditable `packages` array. */
export interface CargoAuditablePackage {
  name: string
  version: string
  source: string
  kind: 'runtime' | 'build'
  /** Indices into the `packages` array. */
  dependencies: number[]
  root: boolean
}

/** Options of {@link parseCargoAuditableBinary}. */
export interface CargoAuditableOptions {
  /** An already parsed ELF view of `content`, to avoid parsing it twice. */
  elf?: ElfFile
  /** Report `build` packages too. Default false. */
  includeBuildDependencies?: boolean
  /** Cap on the inflated JSON. Default 8 MiB. */
  maxJsonBytes?: number
  /** Cap on the number of packages. Default 100,000. */
  maxPackages?: number
}

/** The ELF section cargo-auditable writes. */
export const CARGO_AUDITABLE_SECTION = '.dep-v0'

/**
 * Inflates and validates the contents of a `.dep-v0` section.
 *
 * @throws PackageMetadataError when the data does not inflate, is larger than the caps, or is not the documented JSON
 */
export function readCargoAuditable(compressed: Buffer, options: Pick<CargoAuditableOptions, 'maxJsonBytes' | 'maxPackages'> = {}): CargoAuditablePackage[] {
  const maxJsonBytes = options.maxJsonBytes ?? 8 * 1024 * 1024
  const maxPackages = options.maxPackages ?? 100_000
  let json: Buffer
  try {
    json = inflateSync(compressed, { maxOutputLength: maxJsonBytes })
  } catch (error) {
    const reason = error instanceof RangeError ? `inflates to more than ${maxJsonBytes} bytes` : `does not inflate: ${(error as Error).message}`
    throw new PackageMetadataError(`the ${CARGO_AUDITABLE_SECTION} section ${reason}`, { cause: error })
  }
  let document: unknown
  try {
    document = JSON.parse(metadataText(json))
  } catch (error) {
    throw new PackageMetadataError(`the ${CARGO_AUDITABLE_SECTION} section is not valid JSON: ${(error as Error).message}`, { cause: error })
  }
  const list = isObject(document) ? document['packages'] : undefined
  if (!Array.isArray(list)) throw new PackageMetadataError(`the ${CARGO_AUDITABLE_SECTION} section has no "packages" array`)
  if (list.length > maxPackages) throw new PackageMetadataError(`the ${CARGO_AUDITABLE_SECTION} section lists more than ${maxPackages} packages`)
  return list.map((item, index) => {
    const fail = (what: string): never => {
      throw new PackageMetadataError(`the ${CARGO_AUDITABLE_SECTION} section: packages[${index}] ${what}`)
    }
    if (!isObject(item)) return fail('is not an object')
    const { name, version, source, kind, dependencies, root } = item
    if (typeof name !== 'string' || name === '') return fail('has no name')
    if (typeof version !== 'string' || version === '') return fail('has no version')
    // the schema allows an extension object { "Other": "…" } besides the known words
    const sourceName = typeof source === 'string' ? source : isObject(source) && typeof source['Other'] === 'string' ? source['Other'] : undefined
    if (sourceName === undefined) return fail('has no source')
    if (kind !== undefined && kind !== 'runtime' && kind !== 'build') return fail(`has an unknown kind ${JSON.stringify(kind)}`)
    if (dependencies !== undefined && (!Array.isArray(dependencies) || !dependencies.every((d) => Number.isSafeInteger(d) && d >= 0 && d < list.length))) {
      return fail('has invalid dependencies')
    }
    if (root !== undefined && typeof root !== 'boolean') return fail('has a non-boolean root')
    return { name, version, source: sourceName, kind: kind ?? 'runtime', dependencies: (dependencies as number[] | undefined) ?? [], root: root ?? false }
  })
}

/**
 * The crates of a cargo-auditable binary (ELF). A file that is not ELF, or has no `.dep-v0`
 * section, gives no packages.
 *
 * @throws ElfError when the ELF file is malformed
 * @throws PackageMetadataError when the section is (see {@link readCargoAuditable})
 */
export function parseCargoAuditableBinary(path: string, content: Buffer, options: CargoAuditableOptions = {}): LangPackage[] {
  if (options.elf === undefined && !isElf(content)) return []
  const elf = options.elf ?? readElf(content)
  const section = elf.section(CARGO_AUDITABLE_SECTION)
  if (section === undefined || section.length === 0) return []
  return readCargoAuditable(section, options)
    .filter((crate) => crate.kind === 'runtime' || options.includeBuildDependencies === true)
    .map((crate) => langPackage({ ecosystem: 'cargo', name: crate.name, version: crate.version, path, purl: { name: crate.name } }))
}
