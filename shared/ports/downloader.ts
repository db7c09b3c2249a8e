/**
 * Downloads a whole resource over HTTP(S): how vulnerability data archives (OSV's
 * `all.zip` exports) reach the importer. The undici adapter lives in
 * `functions/runtime/undici-downloader.ts`; tests use it against loopback servers.
 *
 * @module
 */

export interface DownloadOptions {
  /** The most bytes to accept; a larger body is refused, never truncated. */
  maxBytes: number
}

export interface Downloader {
  /**
   * The body of a successful GET of `url` (redirects followed). Throws a `PushscanError`:
   * `VULN_SOURCE_NOT_FOUND` (404, 410), `VULN_SOURCE_TOO_LARGE` (over `maxBytes`),
   * `VULN_SOURCE_UNAVAILABLE` (network errors, timeouts, other answers; temporary for
   * network errors, 408, 429 and 5xx).
   */
  download(url: string, options: DownloadOptions): Promise<Buffer>
}
