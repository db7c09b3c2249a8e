import { readFile, readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { dpkgInfoName, dpkgLicenses, parseDpkgFileList, parseDpkgStatus } from '../../../../shared/packages/os/dpkg.js'
import { classifyPackageLicense } from '../../../../shared/report/exporters/license-expression.js'
import { debianRootfs, dpkgPackages } from '../../../support/debian-rootfs.js'
import { runCommand } from '../../../support/run-command.js'

// a real Debian 12 minbase root filesystem (debootstrap, cached in test/.cache), read by
// the parsers and by dpkg-query itself
describe('a real Debian 12 root filesystem', () => {
  let root = ''

  beforeAll(async () => {
    root = await debianRootfs()
  }, 600_000)

  it('parseDpkgStatus finds the packages dpkg-query lists, with the same versions', async () => {
    const parsed = parseDpkgStatus(await readFile(join(root, 'var/lib/dpkg/status'), 'utf8'))
    const expected = await dpkgPackages(root)
    const byName = (a: { name: string }, b: { name: string }): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)
    expect(parsed.map(({ name, version }) => ({ name, version })).sort(byName)).toEqual(expected)
    expect(expected.length).toBeGreaterThan(50)
  })

  it('reads source packages as dpkg-query does', async () => {
    const parsed = parseDpkgStatus(await readFile(join(root, 'var/lib/dpkg/status'), 'utf8'))
    const { stdout } = await runCommand('dpkg-query', [
      '-W',
      `--admindir=${join(root, 'var/lib/dpkg')}`,
      '-f',
      '${Package}:${Architecture}\t${source:Package}\t${source:Version}\t${Installed-Size}\n',
    ])
    const expected = stdout.toString('utf8').split('\n').filter((line) => line !== '').sort()
    const actual = parsed.map((pkg) => `${pkg.name}:${pkg.architecture ?? ''}\t${pkg.source}\t${pkg.sourceVersion}\t${pkg.installedSize ?? ''}`).sort()
    expect(actual).toEqual(expected)
  })

  it('parseDpkgFileList reads every package list as dpkg-query -L does', async () => {
    const parsed = parseDpkgStatus(await readFile(join(root, 'var/lib/dpkg/status'), 'utf8'))
    const names = parsed.map((pkg) => pkg.name).slice(0, 12)
    for (const name of names) {
      const pkg = parsed.find((candidate) => candidate.name === name)!
      const list = parseDpkgFileList(await readFile(join(root, 'var/lib/dpkg/info', `${dpkgInfoName(pkg)}.list`), 'utf8'))
      const { stdout } = await runCommand('dpkg-query', ['-L', `--admindir=${join(root, 'var/lib/dpkg')}`, name])
      const expected = stdout
        .toString('utf8')
        .split('\n')
        .filter((line) => line.startsWith('/') && line !== '/.')
      expect(list, name).toEqual(expected)
    }
  })

  it('every installed package has a list file', async () => {
    const parsed = parseDpkgStatus(await readFile(join(root, 'var/lib/dpkg/status'), 'utf8'))
    const info = new Set(await readdir(join(root, 'var/lib/dpkg/info')))
    expect(parsed.filter((pkg) => !info.has(`${dpkgInfoName(pkg)}.list`)).map((pkg) => pkg.name)).toEqual([])
  })

  it('dpkgLicenses reads the DEP-5 copyright files', async () => {
    const licenses = async (name: string): Promise<string[]> => dpkgLicenses(await readFile(join(root, 'usr/share/doc', name, 'copyright'), 'utf8'))
    expect(await licenses('dpkg')).toEqual(expect.arrayContaining(['GPL-2+', 'BSD-2-clause', 'public-domain-s-s-d']))
    expect(await licenses('zlib1g')).toEqual(['Zlib'])
    expect(await licenses('bash')).toEqual(expect.arrayContaining(['GPL-3+', 'BSD-4-clause-UC', 'MIT-like']))
    let machineReadable = 0
    for (const name of await readdir(join(root, 'usr/share/doc'))) {
      const text = await readFile(join(root, 'usr/share/doc', name, 'copyright'), 'utf8').catch(() => undefined)
      if (text === undefined) continue
      const found = dpkgLicenses(text)
      for (const license of found) expect(license, name).toMatch(/^\S(?:.*\S)?$/)
      if (/^Format:/m.test(text.split('\n\n')[0]!)) {
        machineReadable++
        expect(found.length, name).toBeGreaterThan(0)
      }
    }
    expect(machineReadable).toBeGreaterThan(20)
  })

  it('every versioned GPL-family licence name in Debian 12 reads as an SPDX id', async () => {
    const versioned = new Set<string>()
    for (const name of await readdir(join(root, 'usr/share/doc'))) {
      const text = await readFile(join(root, 'usr/share/doc', name, 'copyright'), 'utf8').catch(() => undefined)
      if (text === undefined) continue
      for (const license of dpkgLicenses(text)) if (/^(?:A|L)?GPL-\d+(?:\.\d+)?\+?$/i.test(license)) versioned.add(license)
    }
    expect([...versioned]).toEqual(expect.arrayContaining(['GPL-2+', 'GPL-3+', 'LGPL-2.1+']))
    for (const license of versioned) expect(classifyPackageLicense(license, 'deb'), license).toMatchObject({ kind: 'id' })
  })
})
