/**
 * Answers of the fault registry as plain values, written either through node:http or, for
 * answers whose framing is deliberately broken, as raw bytes on the socket.
 *
 * @module
 */
import type { ServerResponse } from 'node:http'
import { STATUS_CODES } from 'node:http'

/** A complete answer: status, headers (lower-case names) and body. */
export interface Answer {
  status: number
  headers: Record<string, string>
  body: Buffer
}

/** Registry error codes by HTTP status, for errors the tests inject. */
const ERROR_CODES: Record<number, string> = {
  400: 'UNSUPPORTED',
  401: 'UNAUTHORIZED',
  403: 'DENIED',
  404: 'NAME_UNKNOWN',
  405: 'UNSUPPORTED',
  408: 'UNAVAILABLE',
  416: 'BLOB_UNKNOWN',
  429: 'TOOMANYREQUESTS',
}

/** An answer with a distribution-style error body `{"errors":[{code,message,detail}]}`. */
export function errorAnswer(status: number, code = ERROR_CODES[status] ?? 'UNKNOWN', message = STATUS_CODES[status] ?? 'error', headers: Record<string, string> = {}): Answer {
  return jsonAnswer(status, { errors: [{ code, message, detail: null }] }, headers)
}

/** An answer with a JSON body. */
export function jsonAnswer(status: number, body: unknown, headers: Record<string, string> = {}): Answer {
  return { status, headers: { 'content-type': 'application/json; charset=utf-8', ...headers }, body: Buffer.from(JSON.stringify(body)) }
}

/** Writes an answer normally; HEAD requests get the headers (with the GET Content-Length) only. */
export function sendAnswer(response: ServerResponse, answer: Answer, head: boolean): void {
  response.writeHead(answer.status, { ...answer.headers, 'content-length': String(answer.body.length) })
  response.end(head ? undefined : answer.body)
}

/**
 * Writes an answer as raw bytes on the socket with `contentLength` declared and
 * `bodyBytes` of the body sent, then either closes the connection (`end`) or destroys it at
 * once (`destroy`). The http server never learns of the answer, which is the point.
 */
export function sendRaw(
  response: ServerResponse,
  answer: Answer,
  contentLength: number,
  bodyBytes: Buffer,
  then: 'end' | 'destroy',
): void {
  const socket = response.socket
  if (!socket) return
  const head = [
    `HTTP/1.1 ${answer.status} ${STATUS_CODES[answer.status] ?? ''}`,
    ...Object.entries({ ...answer.headers, 'content-length': String(contentLength), connection: 'close' }).map(([name, value]) => `${name}: ${value}`),
    '',
    '',
  ].join('\r\n')
  socket.write(Buffer.concat([Buffer.from(head, 'latin1'), bodyBytes]), () => {
    if (then === 'destroy') socket.destroy()
    else socket.end()
  })
}
