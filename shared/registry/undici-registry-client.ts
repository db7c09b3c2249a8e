/**
 * The registry client on undici: the `/v2/` challenge, anonymous, basic and bearer-token
 * auth, the full manifest Accept list, verified manifests and blobs, manual redirects that
 * never carry `Authorization` to another host, retries with backoff and `Retry-After`, and
 * blob downloads that resume with `Range` after a dropped connection.
 *
 * Every response body is consumed or destroyed on every path, so connections return to the
 * pool (undici does not rely on garbage collection for that).
 *
 * @module
 */
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { request, errors as undiciErrors, type Dispatcher } from 'undici'
import { ErrorCode, LimitError, ManifestError, PushscanError } from '../errors.js'
import { DigestVerifier, digestLike, parseDigest, type Digest } from '../image/digest.js'
import { parseManifest, type Descriptor, type FetchedManifest } from '../image/manifest.js'
import { MANIFEST_ACCEPT, MediaType } from '../image/media-types.js'
import { registryApiHost } from '../image/reference.js'
import { systemClock, type Clock } from '../ports/clock.js'
import { silentLogger, type Logger } from '../ports/logger.js'
import type { CredentialProvider, Credentials } from './credentials.js'
import { readRateLimit, readRetryAfter, type RateLimit } from './rate-limit.js'
import type { ManifestHead, RegistryClient, RepositoryRef } from './registry-client.js'
import { codeForStatus, isRetryableStatus, parseErrorBody, RegistryError } from './registry-error.js'
import { backoffDelay, DEFAULT_RETRY_POLICY, sleep, type RetryPolicy } from './retry.js'
import { TokenCache } from './token-cache.js'
import { parseChallenges, type Challenge } from './www-authenticate.js'

export interface UndiciRegistryClientOptions {
  /** The undici dispatcher (an Agent, a MockAgent, a proxy). Shared by tests and Lambda. */
  dispatcher?: Dispatcher
  credentials?: CredentialProvider
  /** Registries (`host[:port]`) reached over plain HTTP. Everything else is HTTPS. */
  insecureRegistries?: Iterable<string>
  /**
   * Registries read through a mirror: `{ 'docker.io': 'http://127.0.0.1:5000' }`. Requests for
   * the registry go to the mirror's base URL, with the mirror's credentials; reports still
   * name the registry.
   */
  mirrors?: Record<string, string>
  retry?: Partial<RetryPolicy>
  /** Waiting for response headers, and for each body chunk. */
  timeouts?: { headersMs?: number; bodyMs?: number }
  /** The largest manifest accepted (bytes). */
  maxManifestBytes?: number
  userAgent?: string
  logger?: Logger
  clock?: Clock
  /**
   * Called before every request, redirects and token requests included; throws to refuse a
   * host (the SSRF guard, `hostGuard` in shared/policy).
   */
  guard?: (url: URL) => Promise<void>
  /** Injected for tests: how to wait, and the jitter source. */
  sleep?: (ms: number) => Promise<void>
  random?: () => number
}

type Headers = Record<string, string>
type What = 'manifest' | 'blob' | 'other'

interface Exchange {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: Dispatcher.ResponseData['body']
  url: URL
}

const MAX_REDIRECTS = 5
/** Stands for "hash with sha256" when the registry named no digest. */
const SHA256_PREFIX = 'sha256:' as Digest
const ERROR_BODY_LIMIT = 64 * 1024
export const DEFAULT_MAX_MANIFEST_BYTES = 4 * 1024 * 1024

export class UndiciRegistryClient implements RegistryClient {
  readonly #dispatcher: Dispatcher | undefined
  readonly #credentials: CredentialProvider
  readonly #insecure: Set<string>
  readonly #mirrors: Map<string, URL>
  readonly #retry: RetryPolicy
  readonly #headersTimeout: number
  readonly #bodyTimeout: number
  readonly #maxManifestBytes: number
  readonly #userAgent: string
  readonly #logger: Logger
  readonly #clock: Clock
  readonly #sleep: (ms: number) => Promise<void>
  readonly #random: () => number
  readonly #guard: ((url: URL) => Promise<void>) | undefined
  readonly #tokens: TokenCache
  readonly #challenges = new Map<string, Promise<Challenge[]>>()
  readonly #rateLimits = new Map<string, RateLimit>()

  constructor(options: UndiciRegistryClientOptions = {}) {
    this.#dispatcher = options.dispatcher
    this.#credentials = options.credentials ?? (async () => undefined)
    this.#insecure = new Set([...(options.insecureRegistries ?? [])].map((h) => h.toLowerCase()))
    this.#mirrors = new Map(Object.entries(options.mirrors ?? {}).map(([registry, base]) => [registry, new URL(base)]))
    this.#retry = { ...DEFAULT_RETRY_POLICY, ...options.retry }
    this.#headersTimeout = options.timeouts?.headersMs ?? 30_000
    this.#bodyTimeout = options.timeouts?.bodyMs ?? 60_000
    this.#maxManifestBytes = options.maxManifestBytes ?? DEFAULT_MAX_MANIFEST_BYTES
    this.#userAgent = options.userAgent ?? 'pushscan'
    this.#logger = options.logger ?? silentLogger
    this.#clock = options.clock ?? systemClock
    this.#sleep = options.sleep ?? sleep
    this.#random = options.random ?? Math.random
    this.#guard = options.guard
    this.#tokens = new TokenCache(this.#clock)
  }

  rateLimit(registry: string): RateLimit | undefined {
    return this.#rateLimits.get(registry)
  }

  async getManifest(repo: RepositoryRef, reference: string): Promise<FetchedManifest> {
    const response = await this.#authorized(repo, 'GET', `manifests/${reference}`, { accept: MANIFEST_ACCEPT }, 'manifest')
    const declared = contentLength(response.headers)
    if (declared !== undefined && declared > this.#maxManifestBytes) {
      discard(response.body)
      throw tooLargeManifest(declared, this.#maxManifestBytes)
    }
    const bytes = await readAll(response.body, this.#maxManifestBytes, () => tooLargeManifest(undefined, this.#maxManifestBytes))
    const header = headerDigest(response.headers)
    const computed = digestLike(header ?? SHA256_PREFIX, bytes)
    if (header && header !== computed) {
      throw new ManifestError(ErrorCode.ManifestDigestMismatch, `manifest bytes hash to ${computed} but the registry said ${header}`)
    }
    let digest = header ?? computed
    if (isDigestLike(reference)) {
      const wanted = parseDigest(reference)
      const actual = digestLike(wanted, bytes)
      if (actual !== wanted) {
        throw new ManifestError(ErrorCode.ManifestDigestMismatch, `manifest ${wanted} arrived with content hashing to ${actual}`)
      }
      digest = wanted
    }
    const manifest = parseManifest(bytes, first(response.headers['content-type']) ?? '')
    return { digest, bytes, manifest }
  }

  async findManifest(repo: RepositoryRef, reference: string): Promise<FetchedManifest | undefined> {
    try {
      await this.headManifest(repo, reference)
    } catch (error) {
      if (error instanceof RegistryError && error.status === 404) return undefined
      throw error
    }
    return this.getManifest(repo, reference)
  }

  async getReferrers(repo: RepositoryRef, digest: Digest): Promise<FetchedManifest | undefined> {
    let response: Exchange
    try {
      response = await this.#authorized(repo, 'GET', `referrers/${digest}`, { accept: MediaType.OciIndex }, 'other')
    } catch (error) {
      // 404: the registry has no referrers API (distribution 2.8); 400/405: the same, said otherwise
      if (error instanceof RegistryError && (error.status === 404 || error.status === 400 || error.status === 405)) return undefined
      throw error
    }
    const bytes = await readAll(response.body, this.#maxManifestBytes, () => tooLargeManifest(undefined, this.#maxManifestBytes))
    return { digest: digestLike(SHA256_PREFIX, bytes), bytes, manifest: parseManifest(bytes, first(response.headers['content-type']) ?? MediaType.OciIndex) }
  }

  async headManifest(repo: RepositoryRef, reference: string): Promise<ManifestHead> {
    const response = await this.#authorized(repo, 'HEAD', `manifests/${reference}`, { accept: MANIFEST_ACCEPT }, 'manifest')
    await response.body.dump()
    const digest = headerDigest(response.headers)
    if (!digest) {
      // older registries omit the header on HEAD; fall back to a GET
      const fetched = await this.getManifest(repo, reference)
      return { digest: fetched.digest, mediaType: fetched.manifest.mediaType, size: fetched.bytes.length }
    }
    return {
      digest,
      mediaType: (first(response.headers['content-type']) ?? '').split(';')[0]!.trim(),
      size: contentLength(response.headers) ?? 0,
    }
  }

  async blobBytes(repo: RepositoryRef, descriptor: Descriptor, maxBytes: number): Promise<Uint8Array> {
    if (descriptor.size > maxBytes) {
      throw new LimitError(ErrorCode.BlobTooLarge, 'maxBlobBytes', descriptor.size, `blob ${descriptor.digest} is ${descriptor.size} bytes, over the limit of ${maxBytes}`)
    }
    const stream = await this.openBlob(repo, descriptor)
    return readAll(stream, maxBytes, () => new PushscanError(ErrorCode.BlobSizeMismatch, `blob ${descriptor.digest} is longer than ${maxBytes} bytes`))
  }

  async openBlob(repo: RepositoryRef, descriptor: Descriptor): Promise<Readable> {
    const path = `blobs/${descriptor.digest}`
    const firstResponse = await this.#authorized(repo, 'GET', path, {}, 'blob')
    const declared = contentLength(firstResponse.headers)
    if (declared !== undefined && declared !== descriptor.size) {
      discard(firstResponse.body)
      throw new PushscanError(
        ErrorCode.BlobSizeMismatch,
        `blob ${descriptor.digest}: the registry announces ${declared} bytes, the manifest says ${descriptor.size}`
      )
    }
    const chunks = this.#blobChunks(repo, descriptor, firstResponse)
    const verifier = new DigestVerifier({ digest: descriptor.digest, size: descriptor.size })
    // errors on either side destroy both; the caller sees them on the verifier
    pipeline(Readable.from(chunks, { objectMode: false }), verifier).catch(() => {})
    return verifier
  }

  /** Yields a blob's bytes, reconnecting with `Range` when the connection drops mid-body. */
  async *#blobChunks(repo: RepositoryRef, descriptor: Descriptor, firstResponse: Exchange): AsyncGenerator<Buffer> {
    let response: Exchange | undefined = firstResponse
    let received = 0
    let resumes = 0
    while (true) {
      if (!response) {
        response = await this.#authorized(repo, 'GET', `blobs/${descriptor.digest}`, { range: `bytes=${received}-` }, 'blob')
      }
      let skip = 0
      if (received > 0) {
        if (response.status === 206) {
          const start = /^bytes (\d+)-/.exec(first(response.headers['content-range']) ?? '')?.[1]
          if (Number(start) !== received) {
            discard(response.body)
            throw new PushscanError(ErrorCode.BlobSizeMismatch, `blob ${descriptor.digest}: resumed at the wrong offset`)
          }
        } else {
          skip = received // the server ignored Range: drop what we already have
        }
      }
      const body = response.body
      response = undefined
      try {
        for await (const raw of body) {
          let chunk = raw as Buffer
          if (skip > 0) {
            if (chunk.length <= skip) {
              skip -= chunk.length
              continue
            }
            chunk = chunk.subarray(skip)
            skip = 0
          }
          received += chunk.length
          yield chunk
        }
        return
      } catch (error) {
        if (!isNetworkError(error) || resumes >= this.#retry.attempts - 1 || received >= descriptor.size) {
          throw mapNetworkError(error, `reading blob ${descriptor.digest}`)
        }
        resumes++
        this.#logger.warn('blob download interrupted; resuming', { digest: descriptor.digest, received, attempt: resumes })
        await this.#sleep(backoffDelay(this.#retry, resumes, this.#random))
      } finally {
        if (!body.destroyed) discard(body)
      }
    }
  }

  /**
   * Sends a request to `/v2/<repository>/<path>` with whatever auth the registry asks for;
   * on 401, refreshes the credentials once and retries. Returns only 2xx responses (206 too).
   */
  async #authorized(repo: RepositoryRef, method: string, path: string, headers: Headers, what: What): Promise<Exchange> {
    const base = this.#baseUrl(repo.registry)
    const url = new URL(`/v2/${repo.repository}/${path}`, base)
    const challenges = await this.#challengesFor(repo.registry)
    let authorization = await this.#authorization(repo, challenges)
    for (let attempt = 0; ; attempt++) {
      const response = await this.#send(method, url, { ...headers, ...(authorization ? { authorization } : {}) }, repo.registry)
      if (response.status === 401 && attempt === 0) {
        const fresh = parseChallenges(first(response.headers['www-authenticate']) ?? '')
        await response.body.dump()
        if (fresh.length === 0 && !authorization) throw await this.#httpError(response, what, url)
        this.#challenges.set(repo.registry, Promise.resolve(fresh.length > 0 ? fresh : challenges))
        authorization = await this.#authorization(repo, fresh.length > 0 ? fresh : challenges, true)
        if (!authorization) {
          throw new RegistryError(ErrorCode.Unauthorized, `${repo.registry} requires credentials for ${repo.repository} (none configured)`, { status: 401 })
        }
        continue
      }
      if (response.status >= 200 && response.status < 300) return response
      throw await this.#httpError(response, what, url)
    }
  }

  /** The auth challenges of a registry, learned once from `GET /v2/`. */
  #challengesFor(registry: string): Promise<Challenge[]> {
    let pending = this.#challenges.get(registry)
    if (!pending) {
      pending = (async () => {
        const url = new URL('/v2/', this.#baseUrl(registry))
        const response = await this.#send('GET', url, {}, registry)
        const challenges = response.status === 401 ? parseChallenges(first(response.headers['www-authenticate']) ?? '') : []
        await response.body.dump()
        return challenges
      })()
      this.#challenges.set(registry, pending)
      pending.catch(() => this.#challenges.delete(registry))
    }
    return pending
  }

  async #authorization(repo: RepositoryRef, challenges: Challenge[], refresh = false): Promise<string | undefined> {
    const bearer = challenges.find((c) => c.scheme === 'bearer')
    const basic = challenges.find((c) => c.scheme === 'basic')
    const mirror = this.#mirrors.get(repo.registry)
    const credentials = (mirror ? await this.#credentials(mirror.host) : undefined) ?? (await this.#credentials(repo.registry))
    if (bearer) {
      if (credentials?.registryToken) return `Bearer ${credentials.registryToken}`
      const scopes = bearer.params.scope ? bearer.params.scope.split(' ').filter(Boolean) : []
      const pull = `repository:${repo.repository}:pull`
      if (!scopes.includes(pull)) scopes.push(pull)
      return `Bearer ${await this.#token(repo.registry, bearer, scopes, credentials, refresh)}`
    }
    if (basic || (refresh && credentials?.username !== undefined)) {
      if (credentials?.username === undefined) return undefined
      return `Basic ${Buffer.from(`${credentials.username}:${credentials.password ?? ''}`).toString('base64')}`
    }
    return undefined
  }

  async #token(registry: string, challenge: Challenge, scopes: string[], credentials: Credentials | undefined, refresh: boolean): Promise<string> {
    const realm = challenge.params.realm
    if (!realm) throw new RegistryError(ErrorCode.TokenFailed, `${registry} asked for a bearer token without a realm`)
    let realmUrl: URL
    try {
      realmUrl = new URL(realm)
    } catch {
      throw new RegistryError(ErrorCode.TokenFailed, `${registry} gave an invalid token realm "${realm}"`)
    }
    if (realmUrl.protocol !== 'https:' && realmUrl.protocol !== 'http:') {
      throw new RegistryError(ErrorCode.TokenFailed, `${registry} gave a token realm that is not http(s)`)
    }
    const service = challenge.params.service ?? ''
    const key = TokenCache.key(registry, realm, service, scopes)
    if (refresh) this.#tokens.delete(key)
    const cached = this.#tokens.get(key)
    if (cached) return cached

    const headers: Headers = {}
    let method = 'GET'
    let body: string | undefined
    if (credentials?.identityToken) {
      // OAuth2 refresh-token grant, as docker does with an identity token
      method = 'POST'
      headers['content-type'] = 'application/x-www-form-urlencoded'
      const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: credentials.identityToken, client_id: 'pushscan' })
      if (service) form.set('service', service)
      form.set('scope', scopes.join(' '))
      body = form.toString()
    } else {
      if (service) realmUrl.searchParams.set('service', service)
      for (const scope of scopes) realmUrl.searchParams.append('scope', scope)
      if (credentials?.username !== undefined) {
        headers.authorization = `Basic ${Buffer.from(`${credentials.username}:${credentials.password ?? ''}`).toString('base64')}`
      }
    }
    const response = await this.#send(method, realmUrl, headers, registry, body)
    if (response.status === 401 || response.status === 403) {
      await response.body.dump()
      throw new RegistryError(ErrorCode.Unauthorized, `the token server for ${registry} rejected the credentials`, { status: response.status })
    }
    if (response.status < 200 || response.status >= 300) {
      const error = await this.#httpError(response, 'other', realmUrl)
      throw new RegistryError(ErrorCode.TokenFailed, `token request for ${registry} failed: ${error.message}`, {
        status: response.status,
        temporary: error.temporary,
        cause: error,
      })
    }
    const text = new TextDecoder().decode(await readAll(response.body, ERROR_BODY_LIMIT, () => new RegistryError(ErrorCode.TokenFailed, 'token response too large')))
    let json: Record<string, unknown>
    try {
      json = JSON.parse(text) as Record<string, unknown>
    } catch {
      throw new RegistryError(ErrorCode.TokenFailed, `the token server for ${registry} sent invalid JSON`)
    }
    const token = typeof json.token === 'string' && json.token ? json.token : json.access_token
    if (typeof token !== 'string' || !token) {
      throw new RegistryError(ErrorCode.TokenFailed, `the token server for ${registry} sent no token`)
    }
    this.#tokens.set(key, token, typeof json.expires_in === 'number' ? json.expires_in : undefined, typeof json.issued_at === 'string' ? json.issued_at : undefined)
    return token
  }

  /**
   * One logical request: follows redirects (dropping `Authorization` across origins) and
   * retries network errors, 408, 429 and 5xx with backoff, honouring `Retry-After`.
   * Returns the final response, whatever its status, unless retries ran out.
   */
  async #send(method: string, url: URL, headers: Headers, registry: string, body?: string): Promise<Exchange> {
    for (let attempt = 0; ; attempt++) {
      const last = attempt >= this.#retry.attempts - 1
      let response: Exchange
      try {
        response = await this.#follow(method, url, headers, body)
      } catch (error) {
        const mapped = mapNetworkError(error, `${method} ${redact(url)}`)
        if (!mapped.temporary || last) throw mapped
        this.#logger.warn('registry request failed; retrying', { url: redact(url), code: mapped.code, attempt: attempt + 1 })
        await this.#sleep(backoffDelay(this.#retry, attempt, this.#random))
        continue
      }
      const rateLimit = readRateLimit(response.headers)
      if (rateLimit) {
        this.#rateLimits.set(registry, rateLimit)
        if (rateLimit.remaining !== undefined && rateLimit.remaining <= 5) {
          this.#logger.warn('registry rate limit nearly used up', { registry, ...rateLimit })
        }
      }
      if (!isRetryableStatus(response.status)) return response
      const retryAfter = readRetryAfter(response.headers, this.#clock.now())
      if (last || (retryAfter !== undefined && retryAfter > this.#retry.maxRetryAfterMs)) return response
      await response.body.dump()
      const delay = retryAfter ?? backoffDelay(this.#retry, attempt, this.#random)
      this.#logger.warn('registry answered with a retryable status; retrying', { url: redact(url), status: response.status, delayMs: delay })
      await this.#sleep(delay)
    }
  }

  async #follow(method: string, start: URL, headers: Headers, body?: string): Promise<Exchange> {
    let url = start
    let currentHeaders = headers
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      await this.#guard?.(url)
      const response = await request(url, {
        method: method as Dispatcher.HttpMethod,
        headers: { 'user-agent': this.#userAgent, ...currentHeaders },
        ...(body !== undefined ? { body } : {}),
        ...(this.#dispatcher ? { dispatcher: this.#dispatcher } : {}),
        headersTimeout: this.#headersTimeout,
        bodyTimeout: this.#bodyTimeout,
      })
      const location = first(response.headers.location)
      if (response.statusCode < 300 || response.statusCode >= 400 || response.statusCode === 304 || !location) {
        return { status: response.statusCode, headers: response.headers, body: response.body, url }
      }
      await response.body.dump()
      const next = new URL(location, url)
      if (next.protocol !== 'https:' && next.protocol !== 'http:') {
        throw new RegistryError(ErrorCode.RegistryError, `redirect to an unsupported scheme ${next.protocol}`)
      }
      if (url.protocol === 'https:' && next.protocol === 'http:') {
        throw new RegistryError(ErrorCode.RegistryInsecure, `refusing a redirect from HTTPS to plain HTTP (${redact(next)})`)
      }
      if (next.origin !== url.origin) {
        // never hand our registry credentials to another host (S3 behind ECR rejects them anyway)
        const { authorization: _dropped, ...rest } = currentHeaders
        currentHeaders = rest
      }
      url = next
    }
    throw new RegistryError(ErrorCode.TooManyRedirects, `more than ${MAX_REDIRECTS} redirects from ${redact(start)}`)
  }

  #baseUrl(registry: string): string {
    const mirror = this.#mirrors.get(registry)
    if (mirror) return mirror.origin
    const host = registryApiHost(registry)
    const insecure = this.#insecure.has(registry) || this.#insecure.has(host) || this.#insecure.has(hostOnly(registry))
    return `${insecure ? 'http' : 'https'}://${host}`
  }

  async #httpError(response: Exchange, what: What, url: URL): Promise<RegistryError> {
    let text = ''
    try {
      text = new TextDecoder().decode(await readAll(response.body, ERROR_BODY_LIMIT, () => new Error('error body too large')))
    } catch {
      discard(response.body)
    }
    const details = parseErrorBody(text)
    const code = codeForStatus(response.status, what)
    const retryAfterMs = readRetryAfter(response.headers, this.#clock.now())
    const rateLimit = readRateLimit(response.headers)
    const said = details.map((d) => `${d.code}${d.message ? `: ${d.message}` : ''}`).join('; ')
    const temporary = isRetryableStatus(response.status)
    return new RegistryError(code, `${response.status} from ${redact(url)}${said ? ` (${said})` : ''}`, {
      status: response.status,
      details,
      temporary,
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
      ...(rateLimit ? { rateLimit } : {}),
    })
  }
}

/**
 * Drops a response body we will not read. An undici body destroyed without a listener
 * raises an uncaught AbortError, hence the listener.
 */
function discard(body: Readable): void {
  body.on('error', () => {})
  body.destroy()
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value
}

function contentLength(headers: Exchange['headers']): number | undefined {
  const value = first(headers['content-length'])
  if (value === undefined || !/^\d+$/.test(value)) return undefined
  return Number(value)
}

function headerDigest(headers: Exchange['headers']): Digest | undefined {
  const value = first(headers['docker-content-digest'])
  if (!value) return undefined
  try {
    return parseDigest(value.trim())
  } catch {
    return undefined
  }
}

function isDigestLike(reference: string): boolean {
  return /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:/.test(reference)
}

function hostOnly(registry: string): string {
  return registry.replace(/:\d+$/, '')
}

function tooLargeManifest(size: number | undefined, max: number): LimitError {
  return new LimitError(ErrorCode.ManifestTooLarge, 'maxManifestBytes', size ?? max + 1, `manifest is larger than the limit of ${max} bytes`)
}

/** URLs in messages lose their query string (presigned URLs carry credentials there). */
function redact(url: URL): string {
  return `${url.origin}${url.pathname}`
}

/** Reads a stream to the end into one buffer, failing (and destroying it) past `max` bytes. */
export async function readAll(stream: Readable, max: number, tooLarge: () => Error): Promise<Uint8Array> {
  const chunks: Buffer[] = []
  let total = 0
  try {
    for await (const chunk of stream) {
      total += (chunk as Buffer).length
      if (total > max) {
        discard(stream)
        throw tooLarge()
      }
      chunks.push(chunk as Buffer)
    }
  } catch (error) {
    if (!stream.destroyed) discard(stream)
    throw error instanceof PushscanError ? error : mapNetworkError(error, 'reading a response')
  }
  return Buffer.concat(chunks, total)
}

const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'ENETUNREACH', 'EHOSTUNREACH', 'EAI_AGAIN', 'ENOTFOUND', 'ECONNABORTED'])

function isNetworkError(error: unknown): boolean {
  if (error instanceof PushscanError) return error.temporary
  if (
    error instanceof undiciErrors.SocketError ||
    error instanceof undiciErrors.HeadersTimeoutError ||
    error instanceof undiciErrors.BodyTimeoutError ||
    error instanceof undiciErrors.ConnectTimeoutError ||
    error instanceof undiciErrors.ResponseContentLengthMismatchError
  ) {
    return true
  }
  const code = (error as { code?: unknown } | null)?.code
  return typeof code === 'string' && NETWORK_CODES.has(code)
}

/** Classifies a thrown network error as a temporary or permanent {@link RegistryError}. */
function mapNetworkError(error: unknown, doing: string): PushscanError {
  if (error instanceof PushscanError) return error
  const code = (error as { code?: unknown } | null)?.code
  const message = (error as Error | null)?.message ?? String(error)
  if (
    error instanceof undiciErrors.HeadersTimeoutError ||
    error instanceof undiciErrors.BodyTimeoutError ||
    error instanceof undiciErrors.ConnectTimeoutError
  ) {
    return new RegistryError(ErrorCode.RegistryTimeout, `${doing}: timed out`, { temporary: true, cause: error })
  }
  if (isNetworkError(error)) {
    return new RegistryError(ErrorCode.RegistryUnreachable, `${doing}: ${message}`, { temporary: true, cause: error })
  }
  if (typeof code === 'string' && (code.startsWith('ERR_SSL') || code === 'EPROTO' || code.startsWith('ERR_TLS') || code === 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' || code === 'DEPTH_ZERO_SELF_SIGNED_CERT')) {
    return new RegistryError(
      ErrorCode.RegistryUnreachable,
      `${doing}: TLS failed (${code}); for a plain-HTTP registry pass --insecure-registry`,
      { cause: error }
    )
  }
  return new RegistryError(ErrorCode.RegistryUnreachable, `${doing}: ${message}`, { temporary: true, cause: error })
}

