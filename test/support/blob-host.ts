/**
 * The fault registry's second server, standing in for the object store a registry such as
 * ECR redirects blob downloads to. Like S3 with a presigned URL, it serves a blob only when
 * the request carries NO Authorization header and answers 400 otherwise.
 *
 * @module
 */
import { randomBytes } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { blobAnswer } from './blob-answer.js'
import { applyBeforeFault, sendWithFault } from './fault-apply.js'
import { describeFault, takeFault, type FaultRule, type RecordedRequest } from './fault-rules.js'
import { sendAnswer } from './http-answer.js'
import { listenLocal, type LocalServer } from './local-server.js'

/** Options for {@link startBlobHost}. */
export interface BlobHostOptions {
  /** Finds a blob by digest. */
  lookup(digest: string): Buffer | undefined
  /** Where requests are recorded. */
  requests: RecordedRequest[]
  /** The shared fault queue; rules with `match.server: 'blob-host'` apply here. */
  faults: FaultRule[]
}

/** A running blob host. */
export interface BlobHost extends LocalServer {
  /** A presigned-looking URL of the blob on this host. */
  locationFor(digest: string): string
}

const PATH = /^\/docker\/registry\/v2\/blobs\/(sha256)\/([0-9a-f]{64})\/data$/

const TWO_AUTH_MECHANISMS =
  '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>InvalidArgument</Code><Message>Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified</Message><ArgumentName>Authorization</ArgumentName></Error>'

/** Starts the blob host on 127.0.0.1. */
export async function startBlobHost(options: BlobHostOptions): Promise<BlobHost> {
  const handle = (request: IncomingMessage, response: ServerResponse): void => {
    const url = new URL(request.url ?? '/', 'http://blob-host.invalid')
    const method = request.method ?? 'GET'
    const head = method === 'HEAD'
    const record: RecordedRequest = {
      server: 'blob-host',
      method,
      path: url.pathname,
      url: request.url ?? '/',
      headers: request.headers,
      ...(request.headers.authorization === undefined ? {} : { authorization: request.headers.authorization }),
    }
    options.requests.push(record)
    const where = { server: 'blob-host' as const, method, path: url.pathname }
    const before = takeFault(options.faults, where, 'before')
    if (before) {
      record.fault = describeFault(before)
      applyBeforeFault(response, before, head)
      return
    }
    const match = PATH.exec(url.pathname)
    const bytes = match ? options.lookup(`${match[1]}:${match[2]}`) : undefined
    if (method !== 'GET' && method !== 'HEAD') {
      return sendAnswer(response, { status: 405, headers: { 'content-type': 'application/xml' }, body: Buffer.from('<Error><Code>MethodNotAllowed</Code></Error>') }, head)
    }
    if (request.headers.authorization !== undefined) {
      return sendAnswer(response, { status: 400, headers: { 'content-type': 'application/xml' }, body: Buffer.from(TWO_AUTH_MECHANISMS) }, head)
    }
    if (!match || !bytes) {
      return sendAnswer(response, { status: 404, headers: { 'content-type': 'application/xml' }, body: Buffer.from('<Error><Code>NoSuchKey</Code></Error>') }, head)
    }
    const answer = blobAnswer(bytes, `${match[1]}:${match[2]}`, request.headers.range)
    const fault = answer.status < 300 ? takeFault(options.faults, where, 'answer', (candidate) => !('redirectTo' in candidate)) : undefined
    if (fault) record.fault = describeFault(fault)
    sendWithFault(response, answer, fault, head)
  }
  const server = await listenLocal(createServer(handle))
  return {
    ...server,
    locationFor(digest: string): string {
      const [algorithm, hex] = digest.split(':')
      const signature = randomBytes(32).toString('hex')
      return `${server.url}/docker/registry/v2/blobs/${algorithm}/${hex}/data?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Expires=1200&X-Amz-Signature=${signature}`
    },
  }
}
