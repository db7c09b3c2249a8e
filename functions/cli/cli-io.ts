/**
 * What the CLI touches of the outside world, injected so tests run it in-process.
 *
 * @module
 */
import type { Readable, Writable } from 'node:stream'

export interface CliIo {
  stdout: Writable
  stderr: Writable & { isTTY?: boolean; columns?: number }
  stdin: Readable
  env: Record<string, string | undefined>
  cwd: string
  homeDir: string
}
