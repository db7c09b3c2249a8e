/**
 * Temporary directories for test servers and fixtures.
 *
 * @module
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** Creates a fresh, empty directory under the OS temp dir whose name starts with `pushscan-<prefix>-`. */
export async function makeTempDir(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `pushscan-${prefix}-`))
}

/** Removes a directory tree; a missing directory is not an error. */
export async function removeDir(path: string): Promise<void> {
  await rm(path, { recursive: true, force: true, maxRetries: 3 })
}
