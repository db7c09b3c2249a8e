/**
 * Carrying out a fault on a response of the fault registry or its blob host.
 *
 * @module
 */
import type { ServerResponse } from 'node:http'
import type { Fault } from './fault-rules.js'
import { errorAnswer, sendAnswer, sendRaw, type Answer } from './http-answer.js'

/**
 * Carries out a `status` or `hang` fault. Returns false for faults of the other stage.
 */
export function applyBeforeFault(response: ServerResponse, fault: Fault, head: boolean): boolean {
  if ('hang' in fault) return true // never answered; closing the registry destroys the socket
  if (!('status' in fault)) return false
  const { body } = fault
  const answer: Answer =
    body === undefined
      ? errorAnswer(fault.status, undefined, 'injected fault', fault.headers)
      : typeof body === 'string' || Buffer.isBuffer(body)
        ? { status: fault.status, headers: { 'content-type': 'text/plain', ...fault.headers }, body: Buffer.from(body) }
        : { status: fault.status, headers: { 'content-type': 'application/json', ...fault.headers }, body: Buffer.from(JSON.stringify(body)) }
  sendAnswer(response, answer, head)
  return true
}

/**
 * Sends `answer` changed by an answer-stage fault (reset, corrupt, lie, extra bytes, rate
 * limit headers). `redirectTo` is handled by the registry itself; here it sends the answer unchanged.
 */
export function sendWithFault(response: ServerResponse, answer: Answer, fault: Fault | undefined, head: boolean): void {
  if (fault === undefined) return sendAnswer(response, answer, head)
  if ('resetAfterBytes' in fault) {
    return sendRaw(response, answer, answer.body.length, head ? Buffer.alloc(0) : answer.body.subarray(0, fault.resetAfterBytes), 'destroy')
  }
  if ('lieContentLength' in fault) {
    return sendRaw(response, answer, fault.lieContentLength, head ? Buffer.alloc(0) : answer.body, 'end')
  }
  if ('corruptBody' in fault) {
    const body = Buffer.from(answer.body)
    const at = Math.floor(body.length / 2)
    if (body.length > 0) body[at] = (body[at] ?? 0) ^ 0xff
    return sendAnswer(response, { ...answer, body }, head)
  }
  if ('extraBytes' in fault) {
    const extra = Buffer.alloc(fault.extraBytes, 0x5a)
    return sendAnswer(response, { ...answer, body: Buffer.concat([answer.body, extra]) }, head)
  }
  if ('ratelimitHeaders' in fault) {
    const { limit, remaining, windowSeconds = 21600 } = fault.ratelimitHeaders
    return sendAnswer(response, {
      ...answer,
      headers: {
        ...answer.headers,
        'ratelimit-limit': `${limit};w=${windowSeconds}`,
        'ratelimit-remaining': `${remaining};w=${windowSeconds}`,
        'docker-ratelimit-source': '127.0.0.1',
      },
    }, head)
  }
  sendAnswer(response, answer, head)
}
