import { deflateSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { readElf } from '../../../../shared/elf/elf-reader.js'
import { parseCargoAuditableBinary, readCargoAuditable } from '../../../../shared/packages/lang/cargo.js'
import { PackageMetadataError } from '../../../../shared/packages/lang/lang-package.js'
import { buildDynamicElf, buildElf, ET, SHF, SHT } from '../../elf/elf-builder.js'

/** A Rust binary as cargo auditable leaves it: a `.dep-v0` section holding zlib-compressed JSON. */
function auditableBinary(json: unknown, options: { raw?: Buffer } = {}): Buffer {
  const section = options.raw ?? deflateSync(Buffer.from(JSON.stringify(json)))
  return buildDynamicElf({
    interpreter: '/lib64/ld-linux-x86-64.so.2',
    needed: ['libc.so.6', 'libgcc_s.so.1'],
    imports: ['malloc', 'write'],
    extraSections: [{ name: '.dep-v0', type: SHT.PROGBITS, data: section, align: 1 }],
  })
}

const TREE = {
  packages: [
    { name: 'ripsnort', version: '0.4.2', source: 'local', dependencies: [1, 2, 4], root: true },
    { name: 'serde', version: '1.0.193', source: 'crates.io', dependencies: [3] },
    { name: 'regex', version: '1.10.2', source: 'crates.io', kind: 'runtime' },
    { name: 'serde_derive', version: '1.0.193', source: 'crates.io', kind: 'build' },
    { name: 'patched-log', version: '0.4.20', source: 'git' },
    { name: 'cc', version: '1.0.83', source: 'crates.io', kind: 'build' },
  ],
}

describe('parseCargoAuditableBinary', () => {
  it('reports runtime crates (the root included) and skips build-time ones', () => {
    const packages = parseCargoAuditableBinary('/usr/local/bin/ripsnort', auditableBinary(TREE))
    expect(packages.map((p) => [p.name, p.version])).toEqual([
      ['ripsnort', '0.4.2'],
      ['serde', '1.0.193'],
      ['regex', '1.10.2'],
      ['patched-log', '0.4.20'],
    ])
    expect(packages[1]).toEqual({
      ecosystem: 'cargo',
      name: 'serde',
      version: '1.0.193',
      path: '/usr/local/bin/ripsnort',
      purl: { type: 'cargo', name: 'serde', version: '1.0.193' },
    })
  })

  it('reports build-time crates when asked', () => {
    const packages = parseCargoAuditableBinary('/b', auditableBinary(TREE), { includeBuildDependencies: true })
    expect(packages.map((p) => p.name)).toEqual(['ripsnort', 'serde', 'regex', 'serde_derive', 'patched-log', 'cc'])
  })

  it('accepts an already parsed ELF file', () => {
    const binary = auditableBinary(TREE)
    expect(parseCargoAuditableBinary('/b', binary, { elf: readElf(binary) })).toHaveLength(4)
  })

  it.each([
    ['an ELF file without .dep-v0', () => buildDynamicElf({ needed: ['libc.so.6'] })],
    ['a file that is not ELF', () => Buffer.from('#!/bin/sh\n')],
    ['an empty .dep-v0 section', () => buildElf({ type: ET.EXEC, sections: [{ name: '.dep-v0', type: SHT.PROGBITS, flags: SHF.ALLOC, data: Buffer.alloc(0) }] })],
  ])('nothing from %s', (_, build) => {
    expect(parseCargoAuditableBinary('/b', build())).toEqual([])
  })

  it.each<[string, Buffer, RegExp]>([
    ['data that does not inflate', Buffer.from('not zlib at all'), /does not inflate/],
    ['raw deflate instead of zlib', Buffer.from([0x4b, 0x4c, 0x4a, 0x06, 0x00]), /does not inflate/],
    ['JSON that is not JSON', deflateSync(Buffer.from('{"packages": [')), /not valid JSON/],
    ['no packages array', deflateSync(Buffer.from('{"format": 1}')), /no "packages" array/],
    ['a package without a version', deflateSync(Buffer.from('{"packages": [{"name": "x", "source": "crates.io"}]}')), /packages\[0\] has no version/],
    ['an unknown kind', deflateSync(Buffer.from('{"packages": [{"name": "x", "version": "1", "source": "git", "kind": "dev"}]}')), /unknown kind/],
    ['a dependency index out of range', deflateSync(Buffer.from('{"packages": [{"name": "x", "version": "1", "source": "git", "dependencies": [7]}]}')), /invalid dependencies/],
    ['a bomb', deflateSync(Buffer.from(`{"packages": [], "pad": "${'x'.repeat(9 * 1024 * 1024)}"}`)), /inflates to more than/],
  ])('PACKAGE_METADATA_INVALID for %s', (_, section, message) => {
    const run = (): unknown => parseCargoAuditableBinary('/b', auditableBinary(undefined, { raw: section }))
    expect(run).toThrow(PackageMetadataError)
    expect(run).toThrow(message)
  })
})

describe('readCargoAuditable', () => {
  it('fills in the documented defaults and accepts the { "Other": … } source form', () => {
    const data = deflateSync(Buffer.from(JSON.stringify({ format: 1, packages: [{ name: 'a', version: '1.0.0', source: { Other: 'sparse+https://r.example.org/' } }, { name: 'b', version: '2.0.0', source: 'registry', kind: 'build', dependencies: [0], root: false }] })))
    expect(readCargoAuditable(data)).toEqual([
      { name: 'a', version: '1.0.0', source: 'sparse+https://r.example.org/', kind: 'runtime', dependencies: [], root: false },
      { name: 'b', version: '2.0.0', source: 'registry', kind: 'build', dependencies: [0], root: false },
    ])
  })

  it('caps the package count', () => {
    const data = deflateSync(Buffer.from(JSON.stringify({ packages: Array.from({ length: 5 }, (_, i) => ({ name: `c${i}`, version: '1', source: 'crates.io' })) })))
    expect(() => readCargoAuditable(data, { maxPackages: 4 })).toThrow(/more than 4 packages/)
  })
})
