/**
 * Runs `npm start` (functions/local/main.ts) as a child process, as a user would, and
 * collects its JSON log lines.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { freePort } from './free-port.js'

export interface PushscanProcess {
  url: string
  port: number
  /** Every JSON log line so far. */
  logs: Array<Record<string, unknown>>
  /** Lines that were not JSON (stderr included). */
  output: string[]
  child: ChildProcess
  /** Resolves with the exit code (or signal) once the process is gone. */
  exited: Promise<number | string>
  kill(signal?: NodeJS.Signals): Promise<number | string>
}

const MAIN = fileURLToPath(new URL('../../functions/local/main.ts', import.meta.url))

export async function startPushscan(env: Record<string, string>, port?: number): Promise<PushscanProcess> {
  const chosen = port ?? (await freePort())
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
    env: { ...process.env, PUSHSCAN_PORT: String(chosen), PUSHSCAN_HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const logs: Array<Record<string, unknown>> = []
  const output: string[] = []
  const exited = new Promise<number | string>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')))
  let pending = ''
  child.stdout!.on('data', (chunk: Buffer) => {
    pending += chunk.toString()
    const lines = pending.split('\n')
    pending = lines.pop() ?? ''
    for (const line of lines) {
      try {
        logs.push(JSON.parse(line) as Record<string, unknown>)
      } catch {
        output.push(line)
      }
    }
  })
  child.stderr!.on('data', (chunk: Buffer) => output.push(chunk.toString()))
  const server: PushscanProcess = {
    url: `http://127.0.0.1:${chosen}`,
    port: chosen,
    logs,
    output,
    child,
    exited,
    async kill(signal = 'SIGKILL') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal)
      return exited
    },
  }
  const deadline = Date.now() + 20_000
  while (!logs.some((l) => l.message === 'pushscan listening')) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL')
      throw new Error(`local server did not start: ${output.join('').slice(-2000)}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  return server
}

/** Polls `check` every `intervalMs` until it returns a value other than undefined. */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 15_000, what = 'condition', intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await check()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, intervalMs))
  }
}
