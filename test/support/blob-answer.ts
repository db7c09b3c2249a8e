/**
 * The answer to a blob GET/HEAD, honouring `Range: bytes=N-` and `bytes=N-M`.
 *
 * @module
 */
import { errorAnswer, type Answer } from './http-answer.js'

/** 200 with the whole blob, 206 with the requested range, or 416 when the range is unusable. */
export function blobAnswer(bytes: Buffer, digest: string, range: string | undefined): Answer {
  const headers: Record<string, string> = {
    'content-type': 'application/octet-stream',
    'docker-content-digest': digest,
    'accept-ranges': 'bytes',
    etag: `"${digest}"`,
  }
  if (range === undefined) return { status: 200, headers, body: bytes }
  const match = /^bytes=(\d+)-(\d*)$/.exec(range.trim())
  const start = match?.[1] === undefined ? Number.NaN : Number(match[1])
  const end = match?.[2] ? Math.min(Number(match[2]), bytes.length - 1) : bytes.length - 1
  if (!Number.isSafeInteger(start) || start >= bytes.length || end < start) {
    return errorAnswer(416, 'BLOB_UNKNOWN', 'requested range not satisfiable', { 'content-range': `bytes */${bytes.length}` })
  }
  return {
    status: 206,
    headers: { ...headers, 'content-range': `bytes ${start}-${end}/${bytes.length}` },
    body: bytes.subarray(start, end + 1),
  }
}
