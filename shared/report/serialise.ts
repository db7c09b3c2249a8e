/**
 * Report serialisation. Reports are built with a fixed key order and sorted arrays, so the
 * same image scanned at the same instant gives the same bytes.
 *
 * @module
 */
import type { Report } from './model.js'

export function serialiseReport(report: Report): string {
  return serialiseJson(report)
}

/** Any document built with a fixed key order (a report, an exported SBOM or SARIF log), laid out as reports are. */
export function serialiseJson(document: unknown): string {
  return `${JSON.stringify(document, null, 2)}\n`
}
