/**
 * `UndiciDownloader`: the {@link Downloader} over undici. Follows up to five redirects
 * (http(s) only), refuses a body larger than `maxBytes` from its Content-Length or while it
 * streams, and consumes or destroys every body it opens.
 *
 * @module
 */
import { request, type Dispatcher } from 'undici'
import type { Downloader, DownloadOptions } from '../../shared/ports/downloader.js'
import { VulnSourceError, VulnSourceErrorCode } from '../../shared/vulns/import/source-error.js'

const MAX_REDIRECTS = 5

export interface UndiciDownloaderOptions {
  dispatcher?: Dispatcher
  userAgent?: string
}

/** Drops a body we will not read; undici raises an uncaught AbortError without a listener. */
function discard(body: Dispatcher.ResponseData['body']): void {
  body.on('error', () => {})
  body.destroy()
}

function retryable(status: number): boolean {
  return status === 408 || status === 429 || status >= 500
}

export class UndiciDownloader implements Downloader {
  readonly #dispatcher: Dispatcher | undefined
  readonly #userAgent: string

  constructor(options: UndiciDownloaderOptions = {}) {
    this.#dispatcher = options.dispatcher
    this.#userAgent = options.userAgent ?? 'pushscan'
  }

  async download(url: string, options: DownloadOptions): Promise<Buffer> {
    let current = new URL(url)
    for (let redirects = 0; ; redirects++) {
      if (current.protocol !== 'http:' && current.protocol !== 'https:') {
        throw new VulnSourceError(VulnSourceErrorCode.Invalid, `${url}: only http and https URLs can be downloaded (redirected to ${current.protocol})`)
      }
      let response: Dispatcher.ResponseData
      try {
        response = await request(current, {
          method: 'GET',
          headers: { 'user-agent': this.#userAgent, accept: 'application/zip, application/octet-stream;q=0.9, */*;q=0.1' },
          ...(this.#dispatcher ? { dispatcher: this.#dispatcher } : {}),
        })
      } catch (error) {
        throw new VulnSourceError(VulnSourceErrorCode.Unavailable, `${url}: ${(error as Error).message}`, { cause: error, temporary: true })
      }
      const { statusCode, headers, body } = response
      const location = typeof headers.location === 'string' ? headers.location : undefined
      if (statusCode >= 300 && statusCode < 400 && statusCode !== 304 && location) {
        await body.dump()
        if (redirects >= MAX_REDIRECTS) throw new VulnSourceError(VulnSourceErrorCode.Unavailable, `${url}: more than ${MAX_REDIRECTS} redirects`)
        current = new URL(location, current)
        continue
      }
      if (statusCode < 200 || statusCode >= 300) {
        await body.dump()
        if (statusCode === 404 || statusCode === 410) throw new VulnSourceError(VulnSourceErrorCode.NotFound, `${url}: HTTP ${statusCode}`)
        throw new VulnSourceError(VulnSourceErrorCode.Unavailable, `${url}: HTTP ${statusCode}`, { temporary: retryable(statusCode) })
      }
      const declared = Number(headers['content-length'])
      if (Number.isFinite(declared) && declared > options.maxBytes) {
        discard(body)
        throw new VulnSourceError(VulnSourceErrorCode.TooLarge, `${url}: ${declared} bytes, over the ${options.maxBytes}-byte limit`)
      }
      const chunks: Buffer[] = []
      let size = 0
      try {
        for await (const chunk of body) {
          size += (chunk as Buffer).length
          if (size > options.maxBytes) throw new VulnSourceError(VulnSourceErrorCode.TooLarge, `${url}: more than ${options.maxBytes} bytes`)
          chunks.push(chunk as Buffer)
        }
      } catch (error) {
        if (!body.destroyed) discard(body)
        if (error instanceof VulnSourceError) throw error
        throw new VulnSourceError(VulnSourceErrorCode.Unavailable, `${url}: the download broke off: ${(error as Error).message}`, { cause: error, temporary: true })
      }
      return Buffer.concat(chunks, size)
    }
  }
}
