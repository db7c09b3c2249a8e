/**
 * The index a long-running worker matches against: loaded from a {@link VulnIndexStore} on
 * first use, kept in memory, and loaded again when the stored index changes. Each call costs
 * one small read (the store's head); the index itself is read only when its version moved.
 *
 * When the stored index cannot be read, the one in memory stays in use (and a warning is
 * logged). With none in memory, a temporary failure is thrown (the scan is retried later)
 * and a permanent one (a corrupt index) is logged and answered with null: scans go on and
 * say they had no index, until a good index is imported.
 *
 * @module
 */
import { describeError, isTemporary } from '../errors.js'
import type { Logger } from '../ports/logger.js'
import type { VulnIndexStore } from '../ports/vuln-index-store.js'
import { loadedIndex, type LoadedVulnIndex } from './report-vulns.js'

export class VulnIndexCache {
  readonly #store: VulnIndexStore
  readonly #logger: Logger
  #cached: { version: string; loaded: LoadedVulnIndex } | undefined
  #loading: { version: string; promise: Promise<LoadedVulnIndex | null> } | undefined

  constructor(store: VulnIndexStore, logger: Logger) {
    this.#store = store
    this.#logger = logger
  }

  /** The current index, or null when none is stored. Safe to call concurrently. */
  async current(): Promise<LoadedVulnIndex | null> {
    let version: string | undefined
    try {
      const head = await this.#store.head()
      if (!head) {
        this.#cached = undefined
        return null
      }
      version = head.version
    } catch (error) {
      return this.#fallback(error)
    }
    if (this.#cached?.version === version) return this.#cached.loaded
    if (this.#loading?.version !== version) {
      const promise = this.#load().finally(() => {
        if (this.#loading?.promise === promise) this.#loading = undefined
      })
      this.#loading = { version, promise }
    }
    return this.#loading.promise
  }

  async #load(): Promise<LoadedVulnIndex | null> {
    try {
      const found = await this.#store.load()
      if (!found) {
        this.#cached = undefined
        return null
      }
      const loaded = loadedIndex(found.index)
      this.#cached = { version: found.head.version, loaded }
      this.#logger.info('vulnerability index loaded', { importedAt: loaded.info.importedAt, records: loaded.info.records })
      return loaded
    } catch (error) {
      return this.#fallback(error)
    }
  }

  #fallback(error: unknown): LoadedVulnIndex | null {
    if (this.#cached) {
      this.#logger.warn('cannot read the vulnerability index; the one in memory stays in use', { error: describeError(error), importedAt: this.#cached.loaded.info.importedAt })
      return this.#cached.loaded
    }
    if (isTemporary(error)) throw error
    this.#logger.error('cannot read the vulnerability index; scanning without one', { error: describeError(error) })
    return null
  }
}
