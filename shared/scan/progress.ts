/**
 * Progress events a scan emits, for the CLI's progress line and for logs.
 *
 * @module
 */

export type ScanProgressEvent =
  | { type: 'layer-start'; index: number; total: number; digest: string; size: number }
  | { type: 'layer-bytes'; index: number; bytes: number }
  | { type: 'layer-done'; index: number; total: number; digest: string }
