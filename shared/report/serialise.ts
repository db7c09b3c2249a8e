/**
 * Report serialisation. Reports are built with a fixed key order and sorted arrays, so the
 * same image scanned at the same instant gives the same bytes.
 *
 * @module
 */
import type { Report } from './model.js'

export function serialiseReport(report: Report): string {
  return `${JSON.stringify(report, null, 2)}\n`
}
