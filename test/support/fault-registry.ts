/**
 * An in-process OCI distribution registry for tests of failure handling: it serves built
 * images read-only, optionally behind Basic or Bearer auth, and misbehaves on request
 * through a queue of {@link FaultRule}s. Every request is recorded.
 *
 * @module
 */
import { randomBytes, timingSafeEqual } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { parseBasicAuthorization } from './basic-auth.js'
import { blobAnswer } from './blob-answer.js'
import { startBlobHost } from './blob-host.js'
import { applyBeforeFault, sendWithFault } from './fault-apply.js'
import { describeFault, takeFault, type Fault, type FaultRule, type RecordedRequest } from './fault-rules.js'
import { errorAnswer, jsonAnswer, sendAnswer, type Answer } from './http-answer.js'
import { blobsOf, sha256, type BuiltImage, type BuiltIndex } from './image-builder.js'
import { listenLocal } from './local-server.js'

export type { Fault, FaultRule, RecordedRequest } from './fault-rules.js'

/** Options for {@link startFaultRegistry}. */
export interface FaultRegistryOptions {
  /** Default `none`. `bearer` runs a token endpoint at `/token` on the same server. */
  auth?: 'none' | 'basic' | 'bearer'
  /** Default `scanner`. */
  username?: string
  /** Default: random. */
  password?: string
  /** `expires_in` of issued bearer tokens, in seconds; they stop working afterwards. Default 300. */
  tokenExpiresIn?: number
}

/** A manifest to serve as raw bytes. */
export interface RawManifest {
  mediaType: string
  bytes: Buffer
}

/** The running fault registry. */
export interface FaultRegistry {
  /** `http://127.0.0.1:PORT` */
  url: string
  /** `127.0.0.1:PORT` */
  host: string
  username?: string
  password?: string
  /** The blob host that `redirectTo: 'blob-host'` sends clients to. */
  blobHostUrl: string
  /** The fault queue: push rules here (or use {@link FaultRegistry.inject}). */
  faults: FaultRule[]
  /** Every request to the registry and to the blob host, in arrival order. */
  requests: RecordedRequest[]
  /** Bearer tokens issued so far. */
  readonly tokensIssued: number
  /** Serves an image or an index (children and attestations by digest) under `tags`. */
  serve(repository: string, image: BuiltImage | BuiltIndex, tags?: readonly string[]): void
  /** Serves arbitrary manifest bytes (broken JSON, schema 1, …); returns their digest. */
  serveManifest(repository: string, manifest: RawManifest, tags?: readonly string[]): string
  /** Serves arbitrary blob bytes; returns their digest. */
  serveBlob(repository: string, bytes: Buffer): string
  /** Appends rules to the fault queue. */
  inject(...rules: FaultRule[]): void
  /** Open sockets on the registry and the blob host. */
  openConnections(): number
  /** Destroys every connection and stops both servers. */
  close(): Promise<void>
}

interface Repository {
  manifests: Map<string, RawManifest>
  tags: Map<string, string>
  blobs: Map<string, Buffer>
}

const SERVICE = 'pushscan-fault-registry'
const ROUTE = /^\/v2\/(.+)\/(manifests|blobs)\/([^/]+)$/
const TAGS_ROUTE = /^\/v2\/(.+)\/tags\/list$/

function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(a)
  const right = Buffer.from(b)
  return left.length === right.length && timingSafeEqual(left, right)
}

/** Starts the fault registry and its blob host on 127.0.0.1. */
export async function startFaultRegistry(options: FaultRegistryOptions = {}): Promise<FaultRegistry> {
  const auth = options.auth ?? 'none'
  const username = options.username ?? 'scanner'
  const password = options.password ?? randomBytes(12).toString('base64url')
  const expiresIn = options.tokenExpiresIn ?? 300
  const repositories = new Map<string, Repository>()
  const tokens = new Map<string, number>()
  const faults: FaultRule[] = []
  const requests: RecordedRequest[] = []
  let tokensIssued = 0
  let baseUrl = ''

  const repository = (name: string): Repository => {
    let repo = repositories.get(name)
    if (!repo) {
      repo = { manifests: new Map(), tags: new Map(), blobs: new Map() }
      repositories.set(name, repo)
    }
    return repo
  }
  const findBlob = (digest: string): Buffer | undefined => {
    for (const repo of repositories.values()) {
      const bytes = repo.blobs.get(digest)
      if (bytes) return bytes
    }
    return undefined
  }

  const blobHost = await startBlobHost({ lookup: findBlob, requests, faults })

  const credentialsOk = (header: string | undefined): boolean => {
    const credentials = parseBasicAuthorization(header)
    return credentials !== undefined && credentials.username === username && sameSecret(credentials.password, password)
  }

  const challenge = (name: string | undefined): Answer => {
    const header =
      auth === 'basic'
        ? `Basic realm="${SERVICE}"`
        : `Bearer realm="${baseUrl}/token",service="${SERVICE}"${name ? `,scope="repository:${name}:pull"` : ''}`
    return errorAnswer(401, 'UNAUTHORIZED', 'authentication required', { 'www-authenticate': header })
  }

  const authorized = (header: string | undefined): boolean => {
    if (auth === 'none') return true
    if (auth === 'basic') return credentialsOk(header)
    const match = /^Bearer\s+(\S+)$/i.exec(header ?? '')
    const expiry = match?.[1] === undefined ? undefined : tokens.get(match[1])
    return expiry !== undefined && expiry > Date.now()
  }

  const tokenAnswer = (header: string | undefined): Answer => {
    if (auth !== 'bearer') return errorAnswer(404, 'NOT_FOUND', 'no token endpoint')
    if (!credentialsOk(header)) return errorAnswer(401, 'UNAUTHORIZED', 'bad credentials', { 'www-authenticate': `Basic realm="${SERVICE}-token"` })
    const token = randomBytes(24).toString('hex')
    tokens.set(token, Date.now() + expiresIn * 1000)
    tokensIssued += 1
    return jsonAnswer(200, { token, access_token: token, expires_in: expiresIn, issued_at: new Date().toISOString() })
  }

  /** The normal answer of the registry, and the blob digest when it is a blob answer. */
  const route = (method: string, path: string, request: IncomingMessage): { answer: Answer; blob?: string } => {
    if (path === '/v2/' || path === '/v2') {
      return { answer: jsonAnswer(200, {}, { 'docker-distribution-api-version': 'registry/2.0' }) }
    }
    if (method !== 'GET' && method !== 'HEAD') return { answer: errorAnswer(405, 'UNSUPPORTED', 'this registry is read-only') }
    const tagsMatch = TAGS_ROUTE.exec(path)
    if (tagsMatch?.[1]) {
      const repo = repositories.get(tagsMatch[1])
      if (!repo) return { answer: errorAnswer(404, 'NAME_UNKNOWN', 'repository name not known to registry') }
      return { answer: jsonAnswer(200, { name: tagsMatch[1], tags: [...repo.tags.keys()].sort() }) }
    }
    const match = ROUTE.exec(path)
    const [, name, kind, reference] = match ?? []
    if (!name || !kind || !reference) return { answer: errorAnswer(404, 'NOT_FOUND', 'no such route') }
    const repo = repositories.get(name)
    if (kind === 'manifests') {
      const digest = repo?.tags.get(reference) ?? reference
      const manifest = repo?.manifests.get(digest)
      if (!manifest) return { answer: errorAnswer(404, 'MANIFEST_UNKNOWN', 'manifest unknown') }
      return {
        answer: {
          status: 200,
          headers: { 'content-type': manifest.mediaType, 'docker-content-digest': digest, etag: `"${digest}"` },
          body: manifest.bytes,
        },
      }
    }
    const bytes = repo?.blobs.get(reference)
    if (!bytes) return { answer: errorAnswer(404, 'BLOB_UNKNOWN', 'blob unknown to registry') }
    return { answer: blobAnswer(bytes, reference, request.headers.range), blob: reference }
  }

  const handle = (request: IncomingMessage, response: ServerResponse): void => {
    const url = new URL(request.url ?? '/', 'http://registry.invalid')
    const method = request.method ?? 'GET'
    const head = method === 'HEAD'
    const authorization = request.headers.authorization
    const record: RecordedRequest = {
      server: 'registry',
      method,
      path: url.pathname,
      url: request.url ?? '/',
      headers: request.headers,
      ...(authorization === undefined ? {} : { authorization }),
    }
    requests.push(record)
    request.resume() // ignore request bodies
    const where = { server: 'registry' as const, method, path: url.pathname }
    const before = takeFault(faults, where, 'before')
    if (before) {
      record.fault = describeFault(before)
      applyBeforeFault(response, before, head)
      return
    }
    if (url.pathname === '/token') return sendAnswer(response, tokenAnswer(authorization), head)
    if (!authorized(authorization)) {
      const name = ROUTE.exec(url.pathname)?.[1] ?? TAGS_ROUTE.exec(url.pathname)?.[1]
      return sendAnswer(response, challenge(name), head)
    }
    const { answer, blob } = route(method, url.pathname, request)
    const applicable = (fault: Fault): boolean => !('redirectTo' in fault) || (blob !== undefined && answer.status === 200)
    const fault = answer.status < 300 ? takeFault(faults, where, 'answer', applicable) : undefined
    if (fault) record.fault = describeFault(fault)
    if (fault && 'redirectTo' in fault && blob) {
      return sendAnswer(response, { status: 307, headers: { location: blobHost.locationFor(blob), 'docker-content-digest': blob }, body: Buffer.alloc(0) }, head)
    }
    sendWithFault(response, answer, fault, head)
  }

  const server = await listenLocal(createServer(handle)).catch(async (error: unknown) => {
    await blobHost.close()
    throw error
  })
  baseUrl = server.url

  return {
    url: server.url,
    host: server.host,
    ...(auth === 'none' ? {} : { username, password }),
    blobHostUrl: blobHost.url,
    faults,
    requests,
    get tokensIssued() {
      return tokensIssued
    },
    serve(name, image, tags = []) {
      const repo = repository(name)
      const contents = blobsOf(image)
      for (const blob of contents.blobs.values()) repo.blobs.set(blob.digest, blob.bytes)
      for (const manifest of contents.manifests.values()) repo.manifests.set(manifest.digest, manifest)
      for (const tag of tags) repo.tags.set(tag, contents.root.digest)
    },
    serveManifest(name, manifest, tags = []) {
      const repo = repository(name)
      const digest = sha256(manifest.bytes)
      repo.manifests.set(digest, manifest)
      for (const tag of tags) repo.tags.set(tag, digest)
      return digest
    },
    serveBlob(name, bytes) {
      const digest = sha256(bytes)
      repository(name).blobs.set(digest, bytes)
      return digest
    },
    inject(...rules) {
      faults.push(...rules)
    },
    openConnections: () => server.openConnections() + blobHost.openConnections(),
    async close() {
      await Promise.all([server.close(), blobHost.close()])
    },
  }
}
