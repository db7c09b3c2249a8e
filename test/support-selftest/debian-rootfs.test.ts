import { describe, it, expect } from 'vitest'
import { existsSync } from 'node:fs'
import { lstat } from 'node:fs/promises'
import { join } from 'node:path'
import { debianRootfs, debianRootfsTar, dpkgPackages } from '../support/debian-rootfs.js'
import { runCommand } from '../support/run-command.js'

// The first build takes ~30 s and needs deb.debian.org; the scan tests need the same cache,
// so it is built once per machine whichever test asks first.
describe('debian rootfs', () => {
  it('is a trimmed bookworm minbase with dpkg metadata', { timeout: 180_000 }, async () => {
    const root = await debianRootfs()
    const packages = await dpkgPackages(root)
    expect(packages.length).toBeGreaterThan(50)
    expect(packages.map((entry) => entry.name)).toEqual(expect.arrayContaining(['base-files', 'dpkg', 'libc6', 'login']))
    expect(packages.map((entry) => entry.name)).toEqual([...packages.map((entry) => entry.name)].sort())
    expect((await lstat(join(root, 'usr/bin/su'))).mode & 0o4000).toBe(0o4000)
    expect(existsSync(join(root, 'dev/null'))).toBe(false)
    expect(existsSync(join(root, 'dev/pts'))).toBe(true)
    expect(existsSync(join(root, 'var/cache/apt/pkgcache.bin'))).toBe(false)

    const tarball = await debianRootfsTar()
    const listing = (await runCommand('tar', ['-tvf', tarball])).stdout.toString()
    expect(listing).toMatch(/^-rwsr-xr-x 0\/0 .* \.\/usr\/bin\/su$/m)
    expect(listing).toMatch(/^h.* link to /m)
    expect(listing).toMatch(/^l.* \.\/bin -> usr\/bin$/m)
  })
})
