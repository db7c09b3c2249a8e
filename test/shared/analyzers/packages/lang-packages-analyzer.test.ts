import { describe, expect, it } from 'vitest'
import { langPackagesAnalyzer } from '../../../../shared/analyzers/packages/lang-packages-analyzer.js'
import type { EntryRecord } from '../../../../shared/layers/layer-result.js'
import { inlineBuildInfo } from '../../packages/lang/go-build-info.js'

function entry(path: string, size: number, mode = 0o755): EntryRecord {
  return { path, type: 'file', size, mode, uid: 0, gid: 0 }
}

const ELF = Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0])
/** Go's build ID note as the linker writes it: namesz 4, descsz, type 4, name "Go\0\0". */
const GO_NOTE = Buffer.from([4, 0, 0, 0, 83, 0, 0, 0, 4, 0, 0, 0, 0x47, 0x6f, 0, 0])

const MODINFO = 'path\texample.com/tool\nmod\texample.com/tool\tv1.4.0\th1:abc=\ndep\tgolang.org/x/text\tv0.14.0\th1:def=\n'

describe('langPackagesAnalyzer', () => {
  it.each<[string, EntryRecord, boolean]>([
    ['an npm package.json under node_modules', entry('/app/node_modules/left-pad/package.json', 300, 0o644), true],
    ['a dist-info METADATA', entry('/usr/lib/python3/dist-packages/requests-2.31.0.dist-info/METADATA', 3000, 0o644), true],
    ['a large executable', entry('/usr/local/bin/tool', 2_000_000), true],
    ['a small executable (no build info worth reading)', entry('/usr/local/bin/run.sh', 200), false],
    ['a large file that is not executable', entry('/srv/data.bin', 2_000_000, 0o644), false],
  ])('wants %s: %s', (_name, record, expected) => {
    expect(langPackagesAnalyzer.wants(record.path, record)).toBe(expected)
  })

  it.each<[string, string, Buffer, boolean]>([
    ['a C program in /usr/bin', '/usr/bin/grep', Buffer.concat([ELF, Buffer.alloc(4000)]), false],
    ['a Go program in /usr/bin (its build ID note is near the start)', '/usr/bin/containerd', Buffer.concat([ELF, Buffer.alloc(3000), GO_NOTE, Buffer.alloc(1000)]), true],
    ['a big-endian Go program in /usr/lib', '/usr/lib/foo/tool', Buffer.concat([ELF, Buffer.alloc(3000), Buffer.from([0, 0, 0, 4, 0x47, 0x6f, 0, 0])]), true],
    ['any ELF program outside the system directories', '/usr/local/bin/tool', Buffer.concat([ELF, Buffer.alloc(4000)]), true],
    ['an executable that is not ELF', '/usr/bin/tool.exe', Buffer.from('MZ\x90\x00'), true],
  ])('wantsHead: %s → %s', (_name, path, head, expected) => {
    expect(langPackagesAnalyzer.wantsHead!(head, path, entry(path, 2_000_000))).toBe(expected)
  })

  it('finds Go modules in an executable that is not ELF, by the build info magic', async () => {
    // a Mach-O or PE file is not parsed as such: the inline build info is found in its bytes
    const content = Buffer.concat([Buffer.from([0xcf, 0xfa, 0xed, 0xfe]), Buffer.alloc(70_000, 0x90), inlineBuildInfo('go1.22.3', MODINFO), Buffer.alloc(64)])
    const analysis = await langPackagesAnalyzer.analyze({ path: '/usr/local/bin/tool', entry: entry('/usr/local/bin/tool', content.length), content, truncated: false })
    const packages = (analysis.facts as { packages: Array<{ name: string; version: string }> }).packages
    expect(packages.map((p) => `${p.name}@${p.version}`)).toEqual(['example.com/tool@v1.4.0', 'golang.org/x/text@v0.14.0', 'stdlib@1.22.3'])
  })

  it('reads nothing from an executable that is neither ELF nor Go', async () => {
    const content = Buffer.alloc(70_000, 0x41)
    const analysis = await langPackagesAnalyzer.analyze({ path: '/usr/local/bin/blob', entry: entry('/usr/local/bin/blob', content.length), content, truncated: false })
    expect(analysis).toEqual({})
  })
})
