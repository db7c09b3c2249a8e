/**
 * The fault-injection vocabulary of the fault registry: rules in a queue, each matching some
 * requests a number of times and changing or replacing the answer.
 *
 * @module
 */
import type { IncomingHttpHeaders } from 'node:http'

/** Which of the fault registry's two servers a request reached. */
export type FaultServer = 'registry' | 'blob-host'

/**
 * What to do instead of (or to) the normal answer.
 *
 * `status` and `hang` replace the answer before authentication is even checked, like a load
 * balancer or rate limiter in front of the registry. The others change an answer the
 * registry would have given successfully (2xx), so a 401 challenge never uses them up.
 */
export type Fault =
  /** Answer this status (e.g. 429 with `retry-after`, 500, 503, 408). The body defaults to a registry error JSON. */
  | { status: number; headers?: Record<string, string>; body?: string | Buffer | Record<string, unknown> }
  /** Send the headers with the full Content-Length, then this many body bytes, then destroy the socket. */
  | { resetAfterBytes: number }
  /** Flip one byte of the body (same length, wrong digest). */
  | { corruptBody: true }
  /** Declare this Content-Length but send the real body, then close the connection. */
  | { lieContentLength: number }
  /** Append this many bytes to the body and declare the longer, true length. */
  | { extraBytes: number }
  /** Answer 307 to the blob host (blob requests only); it refuses requests that carry Authorization. */
  | { redirectTo: 'blob-host' }
  /** Never answer. */
  | { hang: true }
  /** Add `ratelimit-limit` / `ratelimit-remaining` headers (Docker Hub style) to the normal answer. */
  | { ratelimitHeaders: { limit: number; remaining: number; windowSeconds?: number } }

/** One entry of the fault queue. */
export interface FaultRule {
  match?: {
    /** `GET`, `HEAD`, … (any when absent). */
    method?: string
    /** A RegExp tested against the path, or a string the path must end with (the query is not part of the path). */
    path?: string | RegExp
    /** Default `registry`. */
    server?: FaultServer
  }
  /** How many matching requests the rule applies to. Default 1; `Infinity` for all. */
  times?: number
  fault: Fault
}

/** A request as the fault registry saw it. */
export interface RecordedRequest {
  server: FaultServer
  method: string
  /** Path without the query. */
  path: string
  /** Path and query as sent. */
  url: string
  headers: IncomingHttpHeaders
  /** The Authorization header, if any. */
  authorization?: string
  /** The fault that was applied, described in a word or two. */
  fault?: string
}

/** When a fault is applied: before authentication, or to a successful answer. */
export type FaultStage = 'before' | 'answer'

/** The stage at which a fault applies. */
export function faultStage(fault: Fault): FaultStage {
  return 'status' in fault || 'hang' in fault ? 'before' : 'answer'
}

/** A short description of a fault for {@link RecordedRequest.fault}. */
export function describeFault(fault: Fault): string {
  if ('status' in fault) return `status ${fault.status}`
  return Object.keys(fault)[0] ?? 'fault'
}

function matches(rule: FaultRule, server: FaultServer, method: string, path: string): boolean {
  const match = rule.match ?? {}
  if ((match.server ?? 'registry') !== server) return false
  if (match.method !== undefined && match.method.toUpperCase() !== method) return false
  if (match.path === undefined) return true
  return typeof match.path === 'string' ? path.endsWith(match.path) : match.path.test(path)
}

/**
 * Finds the first rule in `queue` that matches the request and applies at `stage`, uses it
 * up once (removing it when exhausted) and returns its fault.
 */
export function takeFault(
  queue: FaultRule[],
  request: { server: FaultServer; method: string; path: string },
  stage: FaultStage,
  applicable: (fault: Fault) => boolean = () => true,
): Fault | undefined {
  const index = queue.findIndex(
    (rule) => (rule.times ?? 1) > 0 && faultStage(rule.fault) === stage && matches(rule, request.server, request.method, request.path) && applicable(rule.fault),
  )
  const rule = queue[index]
  if (!rule) return undefined
  rule.times = (rule.times ?? 1) - 1
  if (rule.times <= 0) queue.splice(index, 1)
  return rule.fault
}
