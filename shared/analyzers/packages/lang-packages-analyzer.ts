/**
 * Finds language packages in an image's files: npm `package.json` under `node_modules`,
 * Python `METADATA`/`PKG-INFO`, Java archives (nested ones too), RubyGems gemspecs,
 * Composer `installed.json`, .NET `*.deps.json`, and executables carrying Go build
 * information or cargo-auditable data.
 *
 * @module
 */
import { isElf } from '../../elf/elf-reader.js'
import { langParserFor, parseLangBinary, type LangPackage } from '../../packages/lang/index.js'
import type { EntryRecord } from '../../layers/layer-result.js'
import type { FileAnalyzer, JsonValue } from '../analyzer.js'

export const LANG_PACKAGES_ANALYZER_ID = 'lang-packages'

/** The bytes that open Go's build information, in any executable format. */
const GO_BUILDINFO_MAGIC = Buffer.from('\xff Go buildinf:', 'latin1')

/** Executables smaller than this hold no Go or Rust build information worth reading. */
const MIN_BINARY_BYTES = 64 * 1024

function isExecutable(entry: EntryRecord): boolean {
  return (entry.mode & 0o111) !== 0 && entry.size >= MIN_BINARY_BYTES
}

export const langPackagesAnalyzer: FileAnalyzer = {
  kind: 'file',
  id: LANG_PACKAGES_ANALYZER_ID,
  version: 2,
  wants: (path, entry) => langParserFor(path) !== undefined || isExecutable(entry),
  analyze({ path, content }) {
    const parser = langParserFor(path)
    let packages: LangPackage[]
    if (parser) packages = parser(path, content)
    else if (isElf(content) || content.includes(GO_BUILDINFO_MAGIC)) packages = parseLangBinary(path, content)
    else return {}
    return packages.length > 0 ? { facts: { packages } as unknown as JsonValue } : {}
  },
}
