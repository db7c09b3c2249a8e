/**
 * Runs one `pushscan scan` in this process and prints its peak RSS (MiB) as JSON on stdout,
 * for the benchmark. With `--baseline` it loads the same modules and scans nothing.
 *
 * @module
 */
import { readFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { PassThrough } from 'node:stream'
import { runCli } from '../../functions/cli/run-cli.js'

const args = process.argv.slice(2)
let exitCode = 0
if (args[0] !== '--baseline') {
  const sink = new PassThrough()
  sink.resume()
  exitCode = await runCli(['scan', ...args, '--no-progress', '--no-cache'], { stdout: sink, stderr: process.stderr, stdin: process.stdin, env: process.env, cwd: process.cwd(), homeDir: homedir() })
}
/**
 * The peak resident set of this process image. Not `resourceUsage().maxRSS`: on Linux that
 * keeps the parent's peak from before exec, so a child of a big parent reports the parent.
 */
function peakRssMiB(): number {
  const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'))
  return match ? Number(match[1]) / 1024 : process.resourceUsage().maxRSS / 1024
}

process.stdout.write(`${JSON.stringify({ exitCode, maxRssMiB: peakRssMiB() })}\n`)
