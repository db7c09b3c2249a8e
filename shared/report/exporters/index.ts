/**
 * Report exporters: CycloneDX 1.6, SPDX 2.3 and SARIF 2.1.0 JSON, in an explicit map from
 * the format name users give (`--format`, `?format=`) to the exporter.
 *
 * @module
 */
import type { Rule } from '../../analyzers/rule.js'
import type { Report } from '../model.js'
import { serialiseJson } from '../serialise.js'
import { CYCLONEDX_MEDIA_TYPE, toCycloneDx } from './cyclonedx.js'
import { SARIF_MEDIA_TYPE, toSarif } from './sarif.js'
import { SPDX_MEDIA_TYPE, toSpdx } from './spdx.js'

export { ExportError } from './export-error.js'
export { toCycloneDx, type CycloneDxBom } from './cyclonedx.js'
export { toSarif, type SarifLog } from './sarif.js'
export { toSpdx, type SpdxDocument } from './spdx.js'

/** The export formats, as users name them. */
export const EXPORT_FORMATS = ['cyclonedx', 'spdx', 'sarif'] as const
export type ExportFormat = (typeof EXPORT_FORMATS)[number]

/** What an exporter may need besides the report. */
export interface ExportContext {
  /** The rules findings refer to (`builtinRules`), for SARIF's rule descriptions. */
  rules: readonly Rule[]
}

export interface Exporter {
  /** The `Content-Type` the document is served with. */
  mediaType: string
  /** The document, as a plain object with a fixed key order. */
  toDocument(report: Report, context: ExportContext): unknown
}

export const exporters: Readonly<Record<ExportFormat, Exporter>> = {
  cyclonedx: { mediaType: CYCLONEDX_MEDIA_TYPE, toDocument: (report) => toCycloneDx(report) },
  spdx: { mediaType: SPDX_MEDIA_TYPE, toDocument: (report) => toSpdx(report) },
  sarif: { mediaType: SARIF_MEDIA_TYPE, toDocument: (report, context) => toSarif(report, { rules: context.rules }) },
}

export function isExportFormat(name: string): name is ExportFormat {
  return (EXPORT_FORMATS as readonly string[]).includes(name)
}

/**
 * `report` in `format`, serialised with the same layout as reports (two-space indent, a
 * final newline), so the same report gives the same bytes.
 *
 * @throws ExportError (`REPORT_INVALID`) when a field the format needs is malformed.
 * @example
 * process.stdout.write(exportReport(report, 'cyclonedx', { rules: builtinRules }))
 */
export function exportReport(report: Report, format: ExportFormat, context: ExportContext): string {
  return serialiseJson(exporters[format].toDocument(report, context))
}
