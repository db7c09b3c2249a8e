import { describe, expect, it } from 'vitest'
import { langPackagesAnalyzer } from '../../../../shared/analyzers/packages/lang-packages-analyzer.js'
import type { EntryRecord } from '../../../../shared/layers/layer-result.js'
import { inlineBuildInfo } from '../../packages/lang/go-build-info.js'

function entry(path: string, size: number, mode = 0o755): EntryRecord {
  return { path, type: 'file', size, mode, uid: 0, gid: 0 }
}

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
