import { existsSync, readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { readElf } from '../../../../shared/elf/elf-reader.js'
import { effectiveModule, goStdlibVersion, parseGoBinary, parseGoModuleInfo, readGoBuildInfo, unquoteGo } from '../../../../shared/packages/lang/go.js'
import { PackageMetadataError } from '../../../../shared/packages/lang/lang-package.js'
import { buildElf, ET, PT, SHF, SHT, Writer, type ElfClass, type Endian } from '../../elf/elf-builder.js'

import { framed, inlineBuildInfo, MAGIC, uvarint } from './go-build-info.js'

/** An ELF file with a `.go.buildinfo` section. */
function goElf(section: Buffer): Buffer {
  return buildElf({
    type: ET.EXEC,
    base: 0x400000,
    sections: [
      { name: '.text', type: SHT.PROGBITS, flags: SHF.ALLOC | SHF.EXEC, data: Buffer.alloc(64, 0xcc) },
      { name: '.go.buildinfo', type: SHT.PROGBITS, flags: SHF.ALLOC | SHF.WRITE, data: section, align: 16 },
    ],
  })
}

/**
 * The Go 1.13–1.17 layout: the header holds two pointers to Go string headers in `.data`,
 * which point at the bytes in `.rodata`; everything mapped by one PT_LOAD.
 */
function pointerGoElf(goVersion: string, modinfo: string, elfClass: ElfClass, endian: Endian): Buffer {
  const w = new Writer(elfClass, endian)
  const version = Buffer.from(goVersion)
  const mod = framed(modinfo)
  const rodata = Buffer.concat([version, mod])
  const pointers = 2 * w.wordSize
  return buildElf({
    class: elfClass,
    endian,
    type: ET.EXEC,
    base: 0x10000,
    sections: [
      { name: '.rodata', type: SHT.PROGBITS, flags: SHF.ALLOC, data: rodata },
      {
        name: '.data',
        type: SHT.PROGBITS,
        flags: SHF.ALLOC | SHF.WRITE,
        size: 2 * pointers,
        data: (layout) => Buffer.concat([w.word(layout.addr('.rodata')), w.word(version.length), w.word(layout.addr('.rodata') + version.length), w.word(mod.length)]),
      },
      {
        name: '.go.buildinfo',
        type: SHT.PROGBITS,
        flags: SHF.ALLOC | SHF.WRITE,
        size: 32,
        align: 16,
        data: (layout) => {
          const head = Buffer.concat([MAGIC, Buffer.from([w.wordSize, endian === 'big' ? 1 : 0]), w.word(layout.addr('.data')), w.word(layout.addr('.data') + pointers)])
          return Buffer.concat([head, Buffer.alloc(32 - head.length)])
        },
      },
    ],
    segments: [{ type: PT.LOAD, flags: 6 }],
  })
}

const MODINFO = [
  'path\texample.com/app/cmd/app',
  'mod\texample.com/app\t(devel)\t',
  'dep\tgithub.com/pkg/errors\tv0.9.1\th1:FEBLx1zS214owpjy7qsBeixbURkuhQAwrK5UwLGTwt4=',
  'dep\tgolang.org/x/net\tv0.17.0\th1:pVaXccu2ozPjCXewfr1S7xza/zcXTity9cCdXQYSjIM=',
  '=>\tgithub.com/acme/net-fork\tv0.17.1\th1:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa=',
  'dep\texample.com/patched\tv1.4.0\th1:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb=',
  '=>\t./third_party/patched\t(devel)\t',
  'dep\texample.com/nosum\tv2.0.0',
  'build\t-buildmode=exe',
  'build\t-compiler=gc',
  'build\t-ldflags="-s -w -X \\"main.version=1.2.3\\""',
  'build\tCGO_ENABLED=0',
  'build\t"odd key"=x',
  'build\tvcs.revision=0123456789abcdef',
  '',
].join('\n')

const EXPECTED_PACKAGES = [
  ['example.com/app', '(devel)', 'example.com', 'app'],
  ['github.com/pkg/errors', 'v0.9.1', 'github.com/pkg', 'errors'],
  ['github.com/acme/net-fork', 'v0.17.1', 'github.com/acme', 'net-fork'],
  ['example.com/patched', 'v1.4.0', 'example.com', 'patched'],
  ['example.com/nosum', 'v2.0.0', 'example.com', 'nosum'],
  ['stdlib', '1.21.4', undefined, 'stdlib'],
]

function summary(path: string, content: Buffer): unknown[] {
  return parseGoBinary(path, content).map((p) => [p.name, p.version, p.purl.namespace, p.purl.name])
}

// ---------------------------------------------------------------------------------------

describe('parseGoModuleInfo', () => {
  it('reads path, mod, dep, => and build lines', () => {
    const info = parseGoModuleInfo(MODINFO)
    expect(info.path).toBe('example.com/app/cmd/app')
    expect(info.main).toEqual({ path: 'example.com/app', version: '(devel)' })
    expect(info.deps).toEqual([
      { path: 'github.com/pkg/errors', version: 'v0.9.1', sum: 'h1:FEBLx1zS214owpjy7qsBeixbURkuhQAwrK5UwLGTwt4=' },
      {
        path: 'golang.org/x/net',
        version: 'v0.17.0',
        sum: 'h1:pVaXccu2ozPjCXewfr1S7xza/zcXTity9cCdXQYSjIM=',
        replace: { path: 'github.com/acme/net-fork', version: 'v0.17.1', sum: 'h1:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa=' },
      },
      { path: 'example.com/patched', version: 'v1.4.0', sum: 'h1:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb=', replace: { path: './third_party/patched', version: '(devel)' } },
      { path: 'example.com/nosum', version: 'v2.0.0' },
    ])
    expect(info.settings).toEqual([
      { key: '-buildmode', value: 'exe' },
      { key: '-compiler', value: 'gc' },
      { key: '-ldflags', value: '-s -w -X "main.version=1.2.3"' },
      { key: 'CGO_ENABLED', value: '0' },
      { key: 'odd key', value: 'x' },
      { key: 'vcs.revision', value: '0123456789abcdef' },
    ])
  })

  it('ignores unknown and malformed lines', () => {
    expect(parseGoModuleInfo('hello\nmod\t\nbuild\t=novalue\nbuild\tnoequals\n=>\torphan\tv1\nfuture\tthing\n')).toEqual({ deps: [], settings: [] })
  })

  it.each<[string, { path: string; version: string; replace?: { path: string; version: string } }, { path: string; version: string }]>([
    ['no replacement', { path: 'a.io/x', version: 'v1.0.0' }, { path: 'a.io/x', version: 'v1.0.0' }],
    ['a module replacement', { path: 'a.io/x', version: 'v1.0.0', replace: { path: 'b.io/x', version: 'v1.0.1' } }, { path: 'b.io/x', version: 'v1.0.1' }],
    ['a directory replacement, (devel)', { path: 'a.io/x', version: 'v1.0.0', replace: { path: './x', version: '(devel)' } }, { path: 'a.io/x', version: 'v1.0.0' }],
    ['a parent-directory replacement', { path: 'a.io/x', version: 'v1.0.0', replace: { path: '../x', version: '' } }, { path: 'a.io/x', version: 'v1.0.0' }],
    ['an absolute directory replacement', { path: 'a.io/x', version: 'v1.0.0', replace: { path: '/src/x', version: '(devel)' } }, { path: 'a.io/x', version: 'v1.0.0' }],
  ])('effectiveModule: %s', (_, module, expected) => {
    expect(effectiveModule(module)).toEqual(expected)
  })
})

describe('unquoteGo and goStdlibVersion', () => {
  it.each<[string, string | undefined]>([
    ['"plain"', 'plain'],
    [String.raw`"a\tb\n"`, 'a\tb\n'],
    [String.raw`"\"quoted\" \\ back"`, '"quoted" \\ back'],
    [String.raw`"\x41\u00e9\U0001F600\101"`, 'Aé😀A'],
    ['"unterminated', undefined],
    [String.raw`"bad \q escape"`, undefined],
    ['"inner " quote"', undefined],
  ])('unquoteGo(%s)', (literal, expected) => {
    expect(unquoteGo(literal)).toBe(expected)
  })

  it.each([
    ['go1.22.3', '1.22.3'],
    ['go1.21.0 X:boringcrypto', '1.21.0'],
    ['go1.20', '1.20'],
    ['go1.23rc2', '1.23rc2'],
    ['devel go1.24-abcdef Tue Jan 1', 'devel go1.24-abcdef Tue Jan 1'],
  ])('goStdlibVersion(%s) → %s', (version, expected) => {
    expect(goStdlibVersion(version)).toBe(expected)
  })
})

describe('readGoBuildInfo / parseGoBinary on built binaries', () => {
  it('Go ≥ 1.18 inline build info in .go.buildinfo', () => {
    const binary = goElf(inlineBuildInfo('go1.21.4', MODINFO))
    const info = readGoBuildInfo(binary)
    expect(info).toMatchObject({ goVersion: 'go1.21.4', format: 'inline', path: 'example.com/app/cmd/app', main: { path: 'example.com/app', version: '(devel)' } })
    expect(summary('/usr/bin/app', binary)).toEqual(EXPECTED_PACKAGES)
    expect(parseGoBinary('/usr/bin/app', binary)[0]).toEqual({
      ecosystem: 'golang',
      name: 'example.com/app',
      version: '(devel)',
      path: '/usr/bin/app',
      purl: { type: 'golang', namespace: 'example.com', name: 'app', version: '(devel)' },
    })
  })

  it('accepts an already parsed ELF file', () => {
    const binary = goElf(inlineBuildInfo('go1.21.4', MODINFO))
    expect(parseGoBinary('/a', binary, { elf: readElf(binary) })).toHaveLength(EXPECTED_PACKAGES.length)
  })

  it.each([
    [64, 'little'],
    [32, 'big'],
    [32, 'little'],
    [64, 'big'],
  ] as const)('Go 1.13–1.17 pointer build info, ELF%i %s-endian', (elfClass, endian) => {
    const binary = pointerGoElf('go1.16.15', MODINFO, elfClass, endian)
    expect(readGoBuildInfo(binary)).toMatchObject({ goVersion: 'go1.16.15', format: 'pointer', path: 'example.com/app/cmd/app' })
    expect(summary('/a', binary).at(-1)).toEqual(['stdlib', '1.16.15', undefined, 'stdlib'])
    expect(summary('/a', binary)).toHaveLength(EXPECTED_PACKAGES.length)
  })

  it('finds inline build info by its magic in a file that is not ELF', () => {
    const blob = Buffer.concat([Buffer.from('MZ not an ELF file'), Buffer.alloc(4096 - 18), inlineBuildInfo('go1.21.4', MODINFO), Buffer.alloc(100)])
    expect(summary('/a.exe', blob)).toEqual(EXPECTED_PACKAGES)
  })

  it('skips a false magic (a Go tool holding the string) and finds the real header', () => {
    const blob = Buffer.concat([MAGIC, Buffer.from('\x08\x02 garbage garbage'), Buffer.alloc(30), inlineBuildInfo('go1.21.4', MODINFO)])
    expect(readGoBuildInfo(blob)?.goVersion).toBe('go1.21.4')
  })

  it('a GOPATH build: a path, no main module, no dependencies → only stdlib', () => {
    const binary = goElf(inlineBuildInfo('go1.19.8', 'path\tgithub.com/example/tool/cmd/tool\nbuild\t-compiler=gc\n'))
    expect(readGoBuildInfo(binary)).toMatchObject({ path: 'github.com/example/tool/cmd/tool', deps: [] })
    expect(readGoBuildInfo(binary)?.main).toBeUndefined()
    expect(summary('/a', binary)).toEqual([['stdlib', '1.19.8', undefined, 'stdlib']])
  })

  it('module information without its sentinels is ignored, the version kept', () => {
    const header = Buffer.concat([MAGIC, Buffer.from([8, 0x02]), Buffer.alloc(16)])
    const raw = Buffer.from('mod\texample.com/x\tv1.0.0\n')
    const binary = goElf(Buffer.concat([header, uvarint(8), Buffer.from('go1.22.0'), uvarint(raw.length), raw]))
    expect(summary('/a', binary)).toEqual([['stdlib', '1.22.0', undefined, 'stdlib']])
  })

  it.each([
    ['an ELF file without build info', () => buildElf({ type: ET.EXEC, sections: [{ name: '.text', type: SHT.PROGBITS, flags: SHF.ALLOC, data: Buffer.alloc(8) }] })],
    ['a shell script', () => Buffer.from('#!/bin/sh\necho hi\n')],
    ['pointer build info outside ELF', () => Buffer.concat([MAGIC, Buffer.from([8, 0]), Buffer.alloc(64)])],
  ])('nothing from %s', (_, build) => {
    expect(readGoBuildInfo(build())).toBeUndefined()
    expect(parseGoBinary('/a', build())).toEqual([])
  })

  it.each([
    ['a section without the magic', Buffer.alloc(64)],
    ['a truncated varint', Buffer.concat([MAGIC, Buffer.from([8, 0x02]), Buffer.alloc(16), Buffer.from([0xff, 0xff])])],
    ['a length past the section', Buffer.concat([MAGIC, Buffer.from([8, 0x02]), Buffer.alloc(16), uvarint(1_000_000), Buffer.from('go1')])],
    ['an empty version', Buffer.concat([MAGIC, Buffer.from([8, 0x02]), Buffer.alloc(16), uvarint(0), uvarint(0)])],
    ['pointers to nowhere', Buffer.concat([MAGIC, Buffer.from([8, 0x00]), Buffer.alloc(8, 0xee), Buffer.alloc(8, 0xee)])],
  ])('PACKAGE_METADATA_INVALID for a .go.buildinfo section with %s', (_, section) => {
    expect(() => parseGoBinary('/a', goElf(section))).toThrow(PackageMetadataError)
  })
})

// ---------------------------------------------------------------------------------------
// Go binaries on this machine, checked against the raw bytes (and `go version -m` when Go is installed)

const DOCKER = ['/usr/local/bin/docker', '/usr/bin/docker'].find((path) => existsSync(path))

/** A Go binary built in module mode (with `mod` and `dep` lines). */
const MODULE_BINARY = ['/usr/local/bin/terraform', '/usr/bin/kubectl', '/usr/bin/skopeo', '/usr/bin/docker-registry', '/usr/local/bin/docker'].find(
  (path) => existsSync(path) && readGoBuildInfo(readFileSync(path))?.main !== undefined
)

/** `dep` lines and their `=>` lines, found in the raw bytes like `strings` would. */
function rawDeps(bytes: Buffer): Array<{ path: string; version: string; replace?: string }> {
  const text = bytes.toString('latin1')
  return [...text.matchAll(/^dep\t([^\t\n]+)\t([^\t\n]+)[^\n]*\n(?:=>\t([^\t\n]+)\t[^\n]*\n)?/gm)].map((m) => ({ path: m[1]!, version: m[2]!, ...(m[3] === undefined ? {} : { replace: m[3] }) }))
}

describe('Go binaries on this machine', () => {
  it.skipIf(DOCKER === undefined)('docker (a GOPATH-mode build): the main package path, no modules, stdlib at the toolchain version', () => {
    const binary = readFileSync(DOCKER!)
    const info = readGoBuildInfo(binary)!
    expect(info.format).toBe('inline')
    expect(info.path).toBe('github.com/docker/cli/cmd/docker')
    expect(info.goVersion).toMatch(/^go1\.\d+/)
    // what `strings` shows: the path line and the version in the bytes
    expect(binary.includes(Buffer.from(`path\t${info.path}\n`))).toBe(true)
    expect(binary.includes(Buffer.from(info.goVersion))).toBe(true)
    // Docker's CLI has long been built outside module mode (no `mod` line, no `dep` lines);
    // should a build in module mode turn up, its main module is the CLI's
    const section = readElf(binary).section('.go.buildinfo')!
    expect(section.includes(Buffer.from('\nmod\t'))).toBe(info.main !== undefined)
    if (info.main === undefined) expect(info.deps).toEqual([])
    else expect(info.main.path).toBe('github.com/docker/cli')
    expect(info.deps).toHaveLength(rawDeps(section).length)
    expect(info.settings.find((s) => s.key === '-ldflags')?.value).toContain('github.com/docker/cli/cli/version.Version=')
    const packages = parseGoBinary(DOCKER!, binary)
    expect(packages.at(-1)).toEqual({
      ecosystem: 'golang',
      name: 'stdlib',
      version: goStdlibVersion(info.goVersion),
      path: DOCKER,
      purl: { type: 'golang', name: 'stdlib', version: goStdlibVersion(info.goVersion) },
    })
  })

  it.skipIf(MODULE_BINARY === undefined)('a module-mode Go binary: main module and every dependency as the raw bytes list them', () => {
    const binary = readFileSync(MODULE_BINARY!)
    const info = readGoBuildInfo(binary)!
    expect(binary.includes(Buffer.from(`\nmod\t${info.main!.path}\t${info.main!.version}`))).toBe(true)
    const raw = rawDeps(readElf(binary).section('.go.buildinfo')!)
    expect(raw.length).toBeGreaterThan(5)
    expect(info.deps.map((d) => ({ path: d.path, version: d.version, ...(d.replace === undefined ? {} : { replace: d.replace.path }) }))).toEqual(raw)
    const packages = parseGoBinary(MODULE_BINARY!, binary)
    expect(packages[0]).toMatchObject({ name: info.main!.path, version: info.main!.version })
    expect(packages).toHaveLength(1 + raw.length + 1)
    for (const dep of raw.filter((d) => d.replace === undefined).slice(0, 20)) {
      expect(packages).toContainEqual(expect.objectContaining({ name: dep.path, version: dep.version }))
    }
  })
})
