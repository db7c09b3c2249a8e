/**
 * Runs a real CNCF distribution 2.8 registry (`docker-registry` from Debian) as a child
 * process on 127.0.0.1, with no auth, htpasswd auth, or token auth through our own
 * {@link startTokenServer}, and optionally webhook notifications.
 *
 * @module
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes, randomUUID } from 'node:crypto'
import { open, readFile, writeFile, mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { request } from 'undici'
import { freePort } from './free-port.js'
import { registryConfigYaml, type RegistryConfigParams } from './registry-config.js'
import { runCommand } from './run-command.js'
import { makeTempDir, removeDir } from './temp-dir.js'
import { startTokenServer, type RunningTokenServer } from './token-server.js'

/** Options for {@link startRegistry}. */
export interface StartRegistryOptions {
  auth: 'none' | 'htpasswd' | 'token'
  /** Webhook endpoint for distribution's notifications (push and delete events; pulls are ignored). */
  notificationsUrl?: string
  /** Sent as the `Authorization` header of every notification delivery. */
  notificationsAuthorization?: string
}

/** A registry child process and how to reach it. */
export interface RunningRegistry {
  /** `http://127.0.0.1:PORT` */
  url: string
  /** `127.0.0.1:PORT` */
  host: string
  /** Set for htpasswd and token auth (`scanner`). */
  username?: string
  password?: string
  /** The token server's realm, for token auth. */
  tokenRealm?: string
  /** The registry's filesystem storage. */
  dataDir: string
  /** Kills the registry (and its token server) and removes every file it used. */
  stop(): Promise<void>
}

const USERNAME = 'scanner'
const SERVICE = 'pushscan-test-registry'
const STARTUP_TIMEOUT_MS = 10_000
const STOP_TIMEOUT_MS = 5_000

/** Children still running, killed synchronously if the test process exits without stopping them. */
const liveChildren = new Set<ChildProcess>()
let exitHookInstalled = false
function installExitHook(): void {
  if (exitHookInstalled) return
  exitHookInstalled = true
  process.once('exit', () => {
    for (const child of liveChildren) child.kill('SIGKILL')
  })
}

/** The environment for the child: ours without REGISTRY_* overrides, plus a fixed HTTP secret. */
function registryEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('REGISTRY_')) env[key] = value
  }
  env.REGISTRY_HTTP_SECRET = randomBytes(16).toString('hex')
  return env
}

async function logTail(logPath: string, lines = 30): Promise<string> {
  const text = await readFile(logPath, 'utf8').catch(() => '')
  return text.trim().split('\n').slice(-lines).join('\n')
}

function waitForExit(child: ChildProcess): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => child.once('exit', () => resolve()))
}

async function killChild(child: ChildProcess): Promise<void> {
  const exited = waitForExit(child)
  child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS)
  await exited
  clearTimeout(timer)
  liveChildren.delete(child)
}

/**
 * Polls `GET /v2/` until this registry process (recognised by its instance header) answers
 * 200 or 401, the child exits, or time runs out.
 */
async function waitUntilReady(url: string, child: ChildProcess, instanceId: string): Promise<'ready' | 'exited' | 'timeout'> {
  const deadline = Date.now() + STARTUP_TIMEOUT_MS
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) return 'exited'
    try {
      const response = await request(`${url}/v2/`, { method: 'GET', headersTimeout: 1_000, bodyTimeout: 1_000 })
      await response.body.dump()
      const ours = response.headers['x-pushscan-registry-instance'] === instanceId
      if (ours && (response.statusCode === 200 || response.statusCode === 401)) return 'ready'
    } catch {
      // not listening yet
    }
    await sleep(25)
  }
  return 'timeout'
}

/** Starts one registry process on a free port; resolves with 'retry' when the port was taken meanwhile. */
async function launch(dir: string, params: Omit<RegistryConfigParams, 'addr' | 'instanceId'>): Promise<{ child: ChildProcess; url: string; host: string } | 'retry'> {
  const host = `127.0.0.1:${await freePort()}`
  const instanceId = randomUUID()
  const url = `http://${host}`
  const configPath = join(dir, 'config.yml')
  const logPath = join(dir, 'registry.log')
  await writeFile(configPath, registryConfigYaml({ ...params, addr: host, instanceId }))
  const log = await open(logPath, 'w')
  let child: ChildProcess
  let spawnError: Promise<Error>
  try {
    child = spawn('docker-registry', ['serve', configPath], { cwd: dir, env: registryEnv(), stdio: ['ignore', log.fd, log.fd] })
    // listen at once: a spawn failure (ENOENT) is emitted on the next tick
    spawnError = new Promise<Error>((resolve) => child.once('error', resolve))
  } finally {
    await log.close()
  }
  installExitHook()
  liveChildren.add(child)
  const outcome = await Promise.race([spawnError, waitUntilReady(url, child, instanceId)])
  if (outcome === 'ready') return { child, url, host }
  await killChild(child)
  const tail = await logTail(logPath)
  if (outcome instanceof Error) {
    const hint = (outcome as NodeJS.ErrnoException).code === 'ENOENT' ? ' (apt-get install docker-registry)' : ''
    throw new Error(`cannot start docker-registry${hint}: ${outcome.message}`)
  }
  if (outcome === 'exited' && /address already in use/.test(tail)) return 'retry'
  throw new Error(`docker-registry did not become ready (${outcome}); registry log:\n${tail}`)
}

/**
 * Starts `docker-registry serve config.yml` in a new temp dir and waits until `GET /v2/`
 * answers. On failure the error includes the end of the registry log.
 */
export async function startRegistry(options: StartRegistryOptions): Promise<RunningRegistry> {
  const dir = await makeTempDir('registry')
  const dataDir = join(dir, 'data')
  let tokenServer: RunningTokenServer | undefined
  try {
    await mkdir(dataDir)
    const password = options.auth === 'none' ? undefined : randomBytes(12).toString('base64url')
    const params: Omit<RegistryConfigParams, 'addr' | 'instanceId'> = {
      storageDir: dataDir,
      notifications: options.notificationsUrl
        ? { url: options.notificationsUrl, authorization: options.notificationsAuthorization }
        : undefined,
    }
    if (options.auth === 'htpasswd' && password !== undefined) {
      const htpasswdPath = join(dir, 'htpasswd')
      const { stdout } = await runCommand('htpasswd', ['-Bbn', USERNAME, password])
      await writeFile(htpasswdPath, stdout)
      params.htpasswd = { realm: 'pushscan-test-registry', path: htpasswdPath }
    }
    if (options.auth === 'token' && password !== undefined) {
      tokenServer = await startTokenServer({ username: USERNAME, password, service: SERVICE })
      params.token = { realm: tokenServer.realm, service: SERVICE, issuer: tokenServer.issuer, rootCertBundle: tokenServer.certPath }
    }
    let launched: Awaited<ReturnType<typeof launch>> = 'retry'
    for (let attempt = 0; attempt < 5 && launched === 'retry'; attempt += 1) launched = await launch(dir, params)
    if (launched === 'retry') throw new Error('docker-registry could not find a free port')
    const { child, url, host } = launched
    const tokens = tokenServer
    let stopping: Promise<void> | undefined
    return {
      url,
      host,
      ...(password === undefined ? {} : { username: USERNAME, password }),
      ...(tokens ? { tokenRealm: tokens.realm } : {}),
      dataDir,
      stop() {
        stopping ??= (async () => {
          await killChild(child)
          await tokens?.stop()
          await removeDir(dir)
        })()
        return stopping
      },
    }
  } catch (error) {
    await tokenServer?.stop()
    await removeDir(dir)
    throw error
  }
}
