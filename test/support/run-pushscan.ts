/**
 * Runs the `pushscan` CLI in the test process, as `pushscan ARGS…` would run, with its
 * output captured.
 */
import { PassThrough } from 'node:stream'
import { runCli } from '../../functions/cli/run-cli.js'
import type { CliIo } from '../../functions/cli/cli-io.js'

export interface CliResult {
  code: number
  stdout: string
  stderr: string
}

/**
 * Each scan reads its layers (`--no-cache`) unless `env` names a data directory, so that
 * comparisons between sources compare what each source gave.
 */
export async function pushscan(args: string[], stdin = '', env: Record<string, string> = {}): Promise<CliResult> {
  const argv = args[0] === 'scan' && !env.PUSHSCAN_DATA_DIR ? [...args, '--no-cache'] : args
  const stdout = new PassThrough()
  const stderr = new PassThrough()
  const out: Buffer[] = []
  const err: Buffer[] = []
  stdout.on('data', (c: Buffer) => out.push(c))
  stderr.on('data', (c: Buffer) => err.push(c))
  const io: CliIo = { stdout, stderr, stdin: PassThrough.from([stdin]) as unknown as CliIo['stdin'], env, cwd: process.cwd(), homeDir: '/nonexistent' }
  const code = await runCli(argv, io)
  return { code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }
}
