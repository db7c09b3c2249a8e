import { deflateSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { ElfError } from '../../../../shared/elf/elf-reader.js'
import { langParserFor, parseComposerInstalled, parseDotnetDeps, parseGemspec, parseLangBinary, parseNpmPackageJson, parsePythonMetadata } from '../../../../shared/packages/lang/index.js'
import { buildElf, ET, SHF, SHT } from '../../elf/elf-builder.js'

describe('langParserFor', () => {
  it.each([
    ['/app/node_modules/x/package.json', parseNpmPackageJson],
    ['/usr/lib/python3/dist-packages/x-1.dist-info/METADATA', parsePythonMetadata],
    ['/usr/local/bundle/specifications/x-1.gemspec', parseGemspec],
    ['/var/www/vendor/composer/installed.json', parseComposerInstalled],
    ['/app/App.deps.json', parseDotnetDeps],
    ['/etc/passwd', undefined],
    ['/app/package.json', undefined],
  ])('%s', (path, parser) => {
    expect(langParserFor(path)).toBe(parser)
  })

  it('routes Java archives to the archive parser', () => {
    expect(langParserFor('/app/app.jar')).toBeTypeOf('function')
  })
})

describe('parseLangBinary', () => {
  const magic = Buffer.from('\xff Go buildinf:', 'latin1')
  const mod = Buffer.concat([Buffer.alloc(16, 1), Buffer.from('path\texample.com/x\nmod\texample.com/x\tv1.0.0\t\n'), Buffer.alloc(16, 2)])
  const goInfo = Buffer.concat([magic, Buffer.from([8, 2]), Buffer.alloc(16), Buffer.from([8]), Buffer.from('go1.22.1'), Buffer.from([mod.length]), mod])
  const crates = deflateSync(Buffer.from(JSON.stringify({ packages: [{ name: 'libc', version: '0.2.150', source: 'crates.io' }] })))

  it('reads Go build info and cargo-auditable data from one ELF file', () => {
    const binary = buildElf({
      type: ET.EXEC,
      sections: [
        { name: '.go.buildinfo', type: SHT.PROGBITS, flags: SHF.ALLOC | SHF.WRITE, data: goInfo, align: 16 },
        { name: '.dep-v0', type: SHT.PROGBITS, data: crates, align: 1 },
      ],
    })
    expect(parseLangBinary('/bin/x', binary).map((p) => `${p.ecosystem}:${p.name}@${p.version}`)).toEqual(['golang:example.com/x@v1.0.0', 'golang:stdlib@1.22.1', 'cargo:libc@0.2.150'])
  })

  it('finds inline Go build info outside ELF, and nothing in other files', () => {
    expect(parseLangBinary('/x.exe', Buffer.concat([Buffer.alloc(32), goInfo]))).toHaveLength(2)
    expect(parseLangBinary('/x.sh', Buffer.from('#!/bin/sh\n'))).toEqual([])
  })

  it('throws ElfError for a malformed ELF file', () => {
    expect(() => parseLangBinary('/x', Buffer.from('\x7fELF\x02\x01\x01'))).toThrow(ElfError)
  })
})
