/**
 * The built-in analyzers, in an explicit list: nothing registers itself on import.
 *
 * @module
 */
import type { Analyzer, FileAnalyzer, ImageAnalyzer } from './analyzer.js'
import { CONFIG_RULES, configAnalyzer } from './config/config-analyzer.js'
import { accountsFileAnalyzer } from './filesystem/accounts.js'
import { FILESYSTEM_RULES, filesystemAnalyzer } from './filesystem/filesystem-analyzer.js'
import { HISTORY_RULES, historyAnalyzer } from './history/history-analyzer.js'
import { elfAnalyzer } from './malware/elf-analyzer.js'
import { MALWARE_RULES, malwareAnalyzer } from './malware/malware-analyzer.js'
import { textAnalyzer } from './malware/text-analyzer.js'
import { osReleaseAnalyzer } from './os-release/os-release-analyzer.js'
import { langPackagesAnalyzer } from './packages/lang-packages-analyzer.js'
import { osPackagesAnalyzer } from './packages/os-packages-analyzer.js'
import { secretsConfigAnalyzer } from './secrets/scan-config.js'
import { secretRules, secretsAnalyzer } from './secrets/secrets-analyzer.js'
import { WASTE_RULES, wasteAnalyzer } from './waste/waste-analyzer.js'
import { provenanceRules } from '../provenance/provenance-rules.js'
import type { Rule } from './rule.js'

export const builtinAnalyzers: readonly Analyzer[] = [
  osReleaseAnalyzer,
  osPackagesAnalyzer,
  langPackagesAnalyzer,
  elfAnalyzer,
  textAnalyzer,
  accountsFileAnalyzer,
  historyAnalyzer,
  configAnalyzer,
  filesystemAnalyzer,
  malwareAnalyzer,
  wasteAnalyzer,
  secretsAnalyzer,
  secretsConfigAnalyzer,
]

/** Every rule a built-in analyzer can report, for documentation and `pushscan rules`. */
export const builtinRules: readonly Rule[] = [
  ...HISTORY_RULES,
  ...CONFIG_RULES,
  ...FILESYSTEM_RULES,
  ...MALWARE_RULES,
  ...WASTE_RULES,
  ...provenanceRules,
  ...secretRules,
]

export interface AnalyzerSet {
  file: readonly FileAnalyzer[]
  image: readonly ImageAnalyzer[]
  /** `{id: version}` of every analyzer, for the report and for cache keys. */
  versions: Record<string, number>
}

/** Splits a list of analyzers by kind; ids must be unique. */
export function createAnalyzerSet(analyzers: readonly Analyzer[] = builtinAnalyzers): AnalyzerSet {
  const versions: Record<string, number> = {}
  for (const analyzer of [...analyzers].sort((a, b) => (a.id < b.id ? -1 : 1))) {
    if (analyzer.id in versions) throw new Error(`duplicate analyzer id ${analyzer.id}`)
    versions[analyzer.id] = analyzer.version
  }
  return {
    file: analyzers.filter((a): a is FileAnalyzer => a.kind === 'file'),
    image: analyzers.filter((a): a is ImageAnalyzer => a.kind === 'image'),
    versions,
  }
}
