/**
 * Running a command-line tool to completion and collecting its output.
 *
 * @module
 */
import { spawn } from 'node:child_process'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'

/** Options for {@link runCommand}. */
export interface RunCommandOptions {
  /** Bytes written to the command's standard input (it gets an empty stdin otherwise). */
  input?: Buffer
  cwd?: string
  env?: NodeJS.ProcessEnv
}

/** What a successful command printed. */
export interface CommandOutput {
  stdout: Buffer
  stderr: string
}

/** Thrown when a command cannot be started or exits with a non-zero status. */
export class CommandError extends Error {
  override readonly name = 'CommandError'
  constructor(
    message: string,
    /** `ENOENT` when the program is not installed; otherwise the exit code or signal. */
    readonly code: string | number | null,
    readonly stderr: string,
  ) {
    super(message)
  }
}

async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of stream) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

/**
 * Runs `command args…` and resolves with its stdout (bytes) and stderr (text) once it exits
 * with status 0. Rejects with a {@link CommandError} that includes the end of stderr otherwise.
 */
export async function runCommand(command: string, args: readonly string[], options: RunCommandOptions = {}): Promise<CommandOutput> {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.once('error', reject)
    child.once('close', (code, signal) => resolve({ code, signal }))
  })
  exited.catch(() => undefined) // awaited below; this only keeps an early spawn error from counting as unhandled
  // EPIPE on stdin is expected when a command exits without reading all its input: the exit status tells.
  const feed = pipeline(Readable.from(options.input ? [options.input] : []), child.stdin).catch(() => undefined)
  let stdout: Buffer
  let stderr = ''
  let result: { code: number | null; signal: NodeJS.Signals | null }
  try {
    const [out, err] = await Promise.all([collect(child.stdout), collect(child.stderr)])
    stdout = out
    stderr = err.toString('utf8')
    result = await exited
  } catch (error) {
    child.kill('SIGKILL')
    await exited.catch(() => undefined)
    const code = (error as NodeJS.ErrnoException).code ?? null
    throw new CommandError(`cannot run ${command}: ${(error as Error).message}`, code, stderr)
  }
  await feed
  if (result.code !== 0) {
    const tail = stderr.trim().split('\n').slice(-20).join('\n')
    throw new CommandError(
      `${command} ${args.join(' ')} failed (${result.signal ?? `exit ${result.code}`})${tail ? `:\n${tail}` : ''}`,
      result.signal ?? result.code,
      stderr,
    )
  }
  return { stdout, stderr }
}
