/**
 * A real Debian 12 (bookworm) minbase root filesystem for tests, made once with debootstrap
 * and cached under test/.cache. Building needs root, the debootstrap package and the network
 * to deb.debian.org, and takes about 25 s.
 *
 * @module
 */
import { access, mkdir, readdir, rename, rm, stat, writeFile, readFile, mkdtemp } from 'node:fs/promises'
import { basename, dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { setTimeout as sleep } from 'node:timers/promises'
import { CommandError, runCommand } from './run-command.js'

/** test/.cache (gitignored). */
export const CACHE_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', '.cache')
const ROOTFS = join(CACHE_DIR, 'debian-bookworm-rootfs')
const MARKER = `${ROOTFS}.complete`
const LOCK = `${ROOTFS}.lock`
const TARBALL = join(CACHE_DIR, 'debian-bookworm-rootfs.tar')
const MIRROR = 'http://deb.debian.org/debian'
const LOCK_WAIT_MS = 15 * 60_000

/** One installed package. */
export interface DpkgPackage {
  name: string
  version: string
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  )
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * Runs `work` while holding a lock directory, so that two test workers never build the
 * same cache entry at once. A lock whose owner died is taken over.
 */
async function withLock<T>(work: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + LOCK_WAIT_MS
  await mkdir(CACHE_DIR, { recursive: true })
  for (;;) {
    try {
      await mkdir(LOCK)
      break
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
      const owner = Number(await readFile(join(LOCK, 'pid'), 'utf8').catch(() => ''))
      const age = Date.now() - (await stat(LOCK).catch(() => ({ mtimeMs: Date.now() }))).mtimeMs
      if ((owner > 0 && !processAlive(owner)) || (owner === 0 && age > 10_000)) {
        await rm(LOCK, { recursive: true, force: true })
        continue
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${LOCK}`)
      await sleep(250)
    }
  }
  try {
    await writeFile(join(LOCK, 'pid'), String(process.pid))
    return await work()
  } finally {
    await rm(LOCK, { recursive: true, force: true })
  }
}

/** Mount points at or below `dir` (an interrupted debootstrap can leave proc, sys or dev bind mounts). */
async function mountsUnder(dir: string): Promise<string[]> {
  const table = await readFile('/proc/self/mounts', 'utf8').catch(() => '')
  return table
    .split('\n')
    .map((line) => (line.split(' ')[1] ?? '').replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8))))
    .filter((mountPoint) => mountPoint === dir || mountPoint.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length)
}

/**
 * Removes a build directory, first unmounting whatever an interrupted debootstrap left mounted
 * inside it; refuses (rather than deleting through a bind mount into the host) if that fails.
 */
async function removeBuildDir(dir: string): Promise<void> {
  for (const mountPoint of await mountsUnder(dir)) {
    await runCommand('umount', ['-l', mountPoint]).catch(() => undefined)
  }
  const left = await mountsUnder(dir)
  if (left.length > 0) throw new Error(`refusing to delete ${dir}: still mounted: ${left.join(', ')}`)
  await rm(dir, { recursive: true, force: true })
}

/** Removes what earlier, interrupted builds left in the cache (call with the lock held). */
async function removeStaleBuilds(): Promise<void> {
  const prefix = `${basename(ROOTFS)}.build-`
  for (const name of await readdir(CACHE_DIR)) {
    if (name.startsWith(prefix)) await removeBuildDir(join(CACHE_DIR, name))
  }
}

async function debootstrapCommand(): Promise<string> {
  for (const candidate of ['/usr/sbin/debootstrap', '/sbin/debootstrap']) {
    if (await exists(candidate)) return candidate
  }
  try {
    await runCommand('debootstrap', ['--version'])
    return 'debootstrap'
  } catch {
    throw new Error('debootstrap is not installed: run `apt-get install debootstrap` (as root) to build the Debian test rootfs')
  }
}

/** Makes the tree look like the official slim images: no apt caches or lists, no device nodes. */
async function trim(root: string): Promise<void> {
  const archives = join(root, 'var/cache/apt/archives')
  for (const name of await readdir(archives).catch(() => [])) {
    if (name.endsWith('.deb')) await rm(join(archives, name), { force: true })
  }
  await rm(join(root, 'var/cache/apt/pkgcache.bin'), { force: true })
  await rm(join(root, 'var/cache/apt/srcpkgcache.bin'), { force: true })
  const lists = join(root, 'var/lib/apt/lists')
  for (const name of await readdir(lists).catch(() => [])) await rm(join(lists, name), { recursive: true, force: true })
  const dev = join(root, 'dev')
  for (const name of await readdir(dev).catch(() => [])) {
    if (name !== 'pts' && name !== 'shm') await rm(join(dev, name), { recursive: true, force: true })
  }
}

async function build(): Promise<void> {
  const debootstrap = await debootstrapCommand()
  await mkdir(CACHE_DIR, { recursive: true })
  await rm(MARKER, { force: true })
  await removeStaleBuilds()
  await removeBuildDir(ROOTFS)
  const work = await mkdtemp(`${ROOTFS}.build-`)
  try {
    const target = join(work, 'root')
    try {
      await runCommand(debootstrap, ['--variant=minbase', 'bookworm', target, MIRROR])
    } catch (error) {
      const detail = error instanceof CommandError ? error.message : String(error)
      throw new Error(`debootstrap failed (it needs root and network access to deb.debian.org): ${detail}`)
    }
    await trim(target)
    await rename(target, ROOTFS)
    await writeFile(MARKER, `${new Date().toISOString()}\n`)
  } finally {
    await removeBuildDir(work)
  }
}

let rootfsPromise: Promise<string> | undefined

/**
 * The path of a cached Debian bookworm minbase rootfs (trimmed like the slim images),
 * building it with debootstrap when the cache is missing or incomplete.
 */
export function debianRootfs(): Promise<string> {
  rootfsPromise ??= (async () => {
    if (await exists(MARKER)) return ROOTFS
    await withLock(async () => {
      if (!(await exists(MARKER))) await build()
    })
    return ROOTFS
  })()
  rootfsPromise.catch(() => {
    rootfsPromise = undefined
  })
  return rootfsPromise
}

let tarPromise: Promise<string> | undefined

/**
 * A tar of {@link debianRootfs} made with GNU tar (numeric owners, sorted names, mtimes 0;
 * setuid bits, hard links and symlinks kept), cached next to the rootfs.
 */
export function debianRootfsTar(): Promise<string> {
  tarPromise ??= (async () => {
    const root = await debianRootfs()
    const fresh = async (): Promise<boolean> => {
      const [tarStat, markerStat] = await Promise.all([stat(TARBALL).catch(() => undefined), stat(MARKER).catch(() => undefined)])
      return tarStat !== undefined && markerStat !== undefined && tarStat.mtimeMs >= markerStat.mtimeMs
    }
    if (await fresh()) return TARBALL
    await withLock(async () => {
      if (await fresh()) return
      const partial = `${TARBALL}.partial-${process.pid}`
      try {
        await runCommand('tar', ['--numeric-owner', '--sort=name', '--mtime=@0', '-C', root, '-cf', partial, '.'])
        await rename(partial, TARBALL)
      } finally {
        await rm(partial, { force: true })
      }
    })
    return TARBALL
  })()
  tarPromise.catch(() => {
    tarPromise = undefined
  })
  return tarPromise
}

/** The packages dpkg has installed in `root`, sorted by name. */
export async function dpkgPackages(root: string): Promise<DpkgPackage[]> {
  const { stdout } = await runCommand('dpkg-query', ['-W', `--admindir=${join(root, 'var/lib/dpkg')}`, '-f', '${Package}\t${Version}\n'])
  return stdout
    .toString('utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const [name = '', version = ''] = line.split('\t')
      return { name, version }
    })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
}
