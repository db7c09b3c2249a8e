/**
 * The error exporters throw.
 *
 * @module
 */
import { ErrorCode, PushscanError } from '../../errors.js'

/** A report that cannot be exported: a field an exporter needs is malformed (`REPORT_INVALID`). */
export class ExportError extends PushscanError {
  override name = 'ExportError'

  constructor(message: string, options: { cause?: unknown } = {}) {
    super(ErrorCode.ReportInvalid, message, options)
  }
}
