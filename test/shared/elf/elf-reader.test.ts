import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { ElfError, isElf, readElf, type ElfFile } from '../../../shared/elf/elf-reader.js'
import { buildDynamicElf, buildElf, DF_1_PIE, ET, PT, SHF, SHT, type DynamicElfSpec } from './elf-builder.js'

// ---------------------------------------------------------------------------------------
// helpers

function hasReadelf(): boolean {
  try {
    execFileSync('readelf', ['--version'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

const READELF = hasReadelf()

function readelf(args: string[], file: string): string {
  return execFileSync('readelf', [...args, file], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 })
}

/** What readelf says about a file's dynamic section and dynamic symbols. */
function readelfFacts(file: string): { needed: string[]; soname?: string; interpreter?: string; undefinedSymbols: Set<string>; definedSymbols: Set<string> } {
  const dynamic = readelf(['-dW'], file)
  const needed = [...dynamic.matchAll(/\(NEEDED\)\s+Shared library: \[(.*)\]/g)].map((m) => m[1]!)
  const soname = /\(SONAME\)\s+Library soname: \[(.*)\]/.exec(dynamic)?.[1]
  const interpreter = /\[Requesting program interpreter: (.*)\]/.exec(readelf(['-lW'], file))?.[1]
  const undefinedSymbols = new Set<string>()
  const definedSymbols = new Set<string>()
  for (const m of readelf(['--dyn-syms', '-W'], file).matchAll(/^\s*\d+: [0-9a-f]+\s+\d+ \w+\s+(GLOBAL|WEAK|UNIQUE)\s+(\w+)\s+(\w+) (\S+)/gm)) {
    const name = m[4]!.replace(/@.*$/, '')
    if (m[3] === 'UND') undefinedSymbols.add(name)
    else if (m[2] === 'DEFAULT' || m[2] === 'PROTECTED') definedSymbols.add(name)
  }
  return { needed, ...(soname === undefined ? {} : { soname }), ...(interpreter === undefined ? {} : { interpreter }), undefinedSymbols, definedSymbols }
}

function expectElfInvalid(run: () => unknown): void {
  let thrown: unknown
  try {
    run()
  } catch (error) {
    thrown = error
  }
  expect(thrown).toBeInstanceOf(ElfError)
  expect((thrown as ElfError).code).toBe('ELF_INVALID')
}

/** Everything a caller can ask of a parsed file. */
function exercise(elf: ElfFile): void {
  elf.dynamicSymbols()
  elf.importedSymbols()
  elf.exportedSymbols()
  elf.interestingStrings(() => true, 1 << 20)
  elf.section('.rodata')
  elf.readVirtual(0x100, 16)
  JSON.stringify(elf.summary())
}

/** A deterministic PRNG (mulberry32). */
function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const LS = '/bin/ls'
const LIBC = '/usr/lib/x86_64-linux-gnu/libc.so.6'
const DOCKER = ['/usr/local/bin/docker', '/usr/bin/docker'].find((path) => existsSync(path))

/** A binary that imports `socket` from libc: curl if it does, else the first of a few common ones. */
function socketImporter(): string | undefined {
  if (!READELF) return undefined
  for (const candidate of ['/usr/bin/curl', '/usr/bin/bash', '/bin/bash', '/usr/bin/ssh', '/usr/bin/wget', '/usr/bin/git', '/usr/sbin/sshd']) {
    if (existsSync(candidate) && readelfFacts(candidate).undefinedSymbols.has('socket')) return candidate
  }
  return undefined
}

const REVERSE_SHELL: DynamicElfSpec = {
  interpreter: '/lib64/ld-linux-x86-64.so.2',
  needed: ['libc.so.6'],
  imports: ['socket', 'connect', 'dup2', 'execve'],
  initArray: 2,
  rodata: ['/bin/sh', '10.0.0.1', 'hi'],
  flags1: DF_1_PIE,
}

// ---------------------------------------------------------------------------------------

describe('readElf on this machine’s binaries', () => {
  it.skipIf(!existsSync(LS))('/bin/ls: header, interpreter, NEEDED, PIE', () => {
    const elf = readElf(readFileSync(LS))
    expect(elf.header).toMatchObject({ class: 64, endian: 'little', type: 'DYN' })
    expect(elf.isPie).toBe(true)
    expect(elf.isStatic).toBe(false)
    expect(elf.dynamic?.needed).toContain('libc.so.6')
    expect(elf.interpreter).toMatch(/^\/lib.*\/ld-linux.*\.so\.\d$/)
    expect(elf.sections.map((s) => s.name)).toEqual(expect.arrayContaining(['.interp', '.dynsym', '.dynstr', '.text', '.rodata', '.dynamic']))
    expect(elf.section('.interp')?.toString('latin1')).toBe(`${elf.interpreter}\0`)
    expect(elf.dynamicSymbols().length).toBeGreaterThan(10)
  })

  it.skipIf(!existsSync(LS) || !READELF)('/bin/ls agrees with readelf', () => {
    const elf = readElf(readFileSync(LS))
    const facts = readelfFacts(LS)
    expect(elf.interpreter).toBe(facts.interpreter)
    expect(elf.dynamic?.needed).toEqual(facts.needed)
    expect(new Set(elf.importedSymbols())).toEqual(facts.undefinedSymbols)
    const header = readelf(['-hW'], LS)
    expect(header).toContain(`Machine:                           Advanced Micro Devices X86-64`)
    expect(elf.header.machineName).toBe('X86_64')
    const initArray = /\(INIT_ARRAYSZ\)\s+(\d+) \(bytes\)/.exec(readelf(['-dW'], LS))
    const init = /\(INIT\)\s/.test(readelf(['-dW'], LS))
    const expected = (initArray === null ? 0 : Number(initArray[1]) / 8) + (init ? 1 : 0)
    expect(elf.dynamic?.constructorCount).toBe(expected)
    const sectionNames = [...readelf(['-SW'], LS).matchAll(/^\s*\[\s*\d+\]\s+(\S+)/gm)].map((m) => m[1]!).filter((name) => name !== 'NULL')
    expect(elf.sections.map((s) => s.name).filter((name) => name !== '')).toEqual(sectionNames)
  })

  it.skipIf(!existsSync(LIBC))('libc.so.6: SONAME, exports socket, a shared object not a PIE', () => {
    const elf = readElf(readFileSync(LIBC))
    expect(elf.dynamic?.soname).toBe('libc.so.6')
    expect(elf.isPie).toBe(false)
    expect(elf.isStatic).toBe(false)
    const socket = elf.dynamicSymbols().find((symbol) => symbol.name === 'socket')
    expect(socket).toMatchObject({ defined: true, type: 'FUNC' })
    expect(['GLOBAL', 'WEAK']).toContain(socket?.binding)
    expect(elf.exportedSymbols()).toEqual(expect.arrayContaining(['socket', 'connect', 'execve', 'dup2', 'malloc']))
    expect(elf.importedSymbols()).not.toContain('socket')
  })

  it.skipIf(!existsSync(LIBC) || !READELF)('libc.so.6 agrees with readelf', () => {
    const elf = readElf(readFileSync(LIBC))
    const facts = readelfFacts(LIBC)
    expect(elf.dynamic?.soname).toBe(facts.soname)
    expect(elf.dynamic?.needed).toEqual(facts.needed)
    expect(elf.interpreter).toBe(facts.interpreter)
    expect(new Set(elf.exportedSymbols())).toEqual(facts.definedSymbols)
    expect(readelf(['-hW'], LIBC)).toContain(elf.header.osAbiName === 'GNU' ? 'UNIX - GNU' : 'UNIX - System V')
  })

  const importer = socketImporter()
  it.skipIf(importer === undefined)('a binary that uses socket() imports it (undefined symbol)', () => {
    const elf = readElf(readFileSync(importer!))
    const socket = elf.dynamicSymbols().find((symbol) => symbol.name === 'socket')
    expect(socket).toMatchObject({ defined: false, sectionIndex: 0, type: 'FUNC' })
    expect(elf.importedSymbols()).toContain('socket')
    expect(elf.exportedSymbols()).not.toContain('socket')
    expect(new Set(elf.importedSymbols())).toEqual(readelfFacts(importer!).undefinedSymbols)
  })

  it.skipIf(DOCKER === undefined)('a static Go binary (docker): static, no interpreter, a .go.buildinfo section', () => {
    const elf = readElf(readFileSync(DOCKER!))
    expect(elf.interpreter).toBeUndefined()
    expect(elf.isStatic).toBe(true)
    expect(elf.section('.go.buildinfo')?.subarray(0, 14).toString('latin1')).toBe('\xff Go buildinf:')
  })
})

describe('readElf on built files', () => {
  it.each([
    [64, 'little'],
    [64, 'big'],
    [32, 'little'],
    [32, 'big'],
  ] as const)('ELF%i %s-endian DYN importing socket/connect/dup2/execve with an .init_array and "/bin/sh"', (elfClass, endian) => {
    const data = buildDynamicElf({ ...REVERSE_SHELL, class: elfClass, endian })
    expect(isElf(data)).toBe(true)
    const elf = readElf(data)
    expect(elf.header).toMatchObject({ class: elfClass, endian, type: 'DYN', typeValue: 3, osAbiName: 'SYSV' })
    expect(elf.interpreter).toBe('/lib64/ld-linux-x86-64.so.2')
    expect(elf.dynamic).toEqual({
      needed: ['libc.so.6'],
      rpath: [],
      runpath: [],
      hasInit: false,
      initArrayCount: 2,
      preinitArrayCount: 0,
      constructorCount: 2,
      flags: 0,
      flags1: DF_1_PIE,
    })
    expect(elf.isPie).toBe(true)
    expect(elf.isStatic).toBe(false)
    expect(elf.importedSymbols()).toEqual(['socket', 'connect', 'dup2', 'execve'])
    expect(elf.exportedSymbols()).toEqual([])
    expect(elf.dynamicSymbols()[0]).toEqual({ name: 'socket', binding: 'GLOBAL', type: 'FUNC', visibility: 'DEFAULT', defined: false, sectionIndex: 0, value: 0, size: 0 })
    expect(elf.interestingStrings((s) => s.startsWith('/bin/'), 1 << 20)).toEqual(['/bin/sh'])
    expect(elf.interestingStrings(() => true, 1 << 20)).toEqual(['/bin/sh', '10.0.0.1', 'data section'])
    expect(elf.interestingStrings(() => true, 1 << 20, { minLength: 2 })).toContain('hi')
    expect(elf.section('.rodata')?.toString('latin1')).toBe('/bin/sh\x0010.0.0.1\x00hi\x00')
    expect(elf.section('.bss')).toEqual(Buffer.alloc(0))
    expect(elf.section('.nope')).toBeUndefined()
    const rodata = elf.sectionHeader('.rodata')!
    expect(elf.readVirtual(rodata.addr, 7)?.toString('latin1')).toBe('/bin/sh')
    expect(elf.readVirtual(0x7fff_0000, 4)).toBeUndefined()
  })

  it('a shared library: SONAME, RPATH and RUNPATH split on ":", DT_INIT, exports', () => {
    const elf = readElf(buildDynamicElf({ soname: 'libx.so.1', needed: ['libc.so.6', 'libm.so.6'], rpath: '/opt/x/lib:$ORIGIN', runpath: '/usr/local/lib', init: true, initArray: 1, exports: ['x_init', 'x_run'], imports: ['malloc'] }))
    expect(elf.dynamic).toMatchObject({ soname: 'libx.so.1', needed: ['libc.so.6', 'libm.so.6'], rpath: ['/opt/x/lib', '$ORIGIN'], runpath: ['/usr/local/lib'], hasInit: true, constructorCount: 2 })
    expect(elf.isPie).toBe(false)
    expect(elf.isStatic).toBe(false)
    expect(elf.interpreter).toBeUndefined()
    expect(elf.exportedSymbols()).toEqual(['x_init', 'x_run'])
    expect(elf.importedSymbols()).toEqual(['malloc'])
  })

  it.each([
    ['a static executable', ET.EXEC, undefined, true, false],
    ['a static-pie', ET.DYN, DF_1_PIE, true, true],
    ['a relocatable object', ET.REL, undefined, false, false],
  ] as const)('%s', (_, type, flags1, isStatic, isPie) => {
    const spec: DynamicElfSpec = { type, imports: [], ...(flags1 === undefined ? {} : { flags1 }) }
    const elf = readElf(buildDynamicElf(spec))
    expect(elf.isStatic).toBe(isStatic)
    expect(elf.isPie).toBe(isPie)
  })

  it('an executable with no dynamic section at all', () => {
    const elf = readElf(buildElf({ type: ET.EXEC, sections: [{ name: '.text', type: SHT.PROGBITS, flags: SHF.ALLOC | SHF.EXEC, data: Buffer.alloc(32) }] }))
    expect(elf.dynamic).toBeUndefined()
    expect(elf.isStatic).toBe(true)
    expect(elf.dynamicSymbols()).toEqual([])
  })

  it.each(['sysv', 'gnu'] as const)('section headers stripped: symbols through DT_SYMTAB sized by the %s hash table', (hash) => {
    const elf = readElf(buildDynamicElf({ ...REVERSE_SHELL, exports: ['payload'], hash, stripSectionHeaders: true }))
    expect(elf.sections).toEqual([])
    expect(elf.dynamic?.needed).toEqual(['libc.so.6'])
    expect(elf.importedSymbols()).toEqual(['socket', 'connect', 'dup2', 'execve'])
    expect(elf.exportedSymbols()).toEqual(['payload'])
    expect(elf.interestingStrings((s) => s === '/bin/sh', 1 << 20)).toEqual(['/bin/sh'])
  })

  it('extended section numbering (e_shnum = 0, e_shstrndx = SHN_XINDEX) reads the same', () => {
    const data = buildDynamicElf(REVERSE_SHELL)
    const plain = readElf(data)
    const shoff = Number(data.readBigUInt64LE(40))
    const count = data.readUInt16LE(60)
    const nameIndex = data.readUInt16LE(62)
    const extended = Buffer.from(data)
    extended.writeUInt16LE(0, 60)
    extended.writeUInt16LE(0xffff, 62)
    extended.writeBigUInt64LE(BigInt(count), shoff + 32) // section 0 sh_size
    extended.writeUInt32LE(nameIndex, shoff + 40) // section 0 sh_link
    const elf = readElf(extended)
    expect(elf.sections.map((s) => s.name)).toEqual(plain.sections.map((s) => s.name))
    expect(elf.header.sectionCount).toBe(count)
    expect(elf.header.sectionNameIndex).toBe(nameIndex)
  })

  it('summary() is plain data', () => {
    const summary = readElf(buildDynamicElf(REVERSE_SHELL)).summary()
    expect(JSON.parse(JSON.stringify(summary))).toEqual(summary)
    expect(summary).toMatchObject({ interpreter: '/lib64/ld-linux-x86-64.so.2', isPie: true, isStatic: false, dynamic: { needed: ['libc.so.6'] } })
    expect(summary.sectionNames).toContain('.dynsym')
  })

  it('honours the symbol limit', () => {
    expectElfInvalid(() => readElf(buildDynamicElf(REVERSE_SHELL), { maxSymbols: 3 }).dynamicSymbols())
  })

  it('stops the interesting-string scan at maxBytes and maxResults', () => {
    const elf = readElf(buildDynamicElf({ rodata: ['aaaa', 'bbbb', 'cccc'] }))
    expect(elf.interestingStrings(() => true, 8)).toEqual(['aaaa'])
    expect(elf.interestingStrings(() => true, 1 << 20, { maxResults: 2 })).toEqual(['aaaa', 'bbbb'])
    expect(elf.interestingStrings(() => true, 0)).toEqual([])
  })
})

describe('readElf on hostile input', () => {
  const base = buildDynamicElf(REVERSE_SHELL)
  const shoff = Number(base.readBigUInt64LE(40))
  const sectionAt = (name: string): number => {
    const elf = readElf(base)
    return shoff + elf.sectionHeader(name)!.index * 64
  }
  const patch = (edit: (b: Buffer) => void): Buffer => {
    const copy = Buffer.from(base)
    edit(copy)
    return copy
  }

  it.each<[string, () => Buffer]>([
    ['empty', () => Buffer.alloc(0)],
    ['not ELF', () => Buffer.from('#!/bin/sh\necho hi\n')],
    ['only the magic', () => Buffer.from([0x7f, 0x45, 0x4c, 0x46])],
    ['a truncated header', () => base.subarray(0, 40)],
    ['an unknown class', () => patch((b) => (b[4] = 7))],
    ['an unknown data encoding', () => patch((b) => (b[5] = 0))],
    ['e_ehsize too small', () => patch((b) => b.writeUInt16LE(20, 52))],
    ['the section header table past the end', () => patch((b) => b.writeBigUInt64LE(BigInt(b.length - 10), 40))],
    ['a 2^63 section header offset', () => patch((b) => b.writeBigUInt64LE(1n << 63n, 40))],
    ['65535 section headers claimed', () => patch((b) => b.writeUInt16LE(0xffff, 60))],
    ['e_shentsize too small', () => patch((b) => b.writeUInt16LE(8, 58))],
    ['section headers overlapping the ELF header', () => patch((b) => b.writeBigUInt64LE(8n, 40))],
    ['extended numbering claiming 10 million sections', () => patch((b) => { b.writeUInt16LE(0, 60); b.writeBigUInt64LE(10_000_000n, shoff + 32) })],
    ['a section name table index out of range', () => patch((b) => b.writeUInt16LE(200, 62))],
    ['a section past the end', () => patch((b) => b.writeBigUInt64LE(BigInt(b.length), sectionAt('.rodata') + 24))],
    ['a huge section size', () => patch((b) => b.writeBigUInt64LE(0xffff_ffff_ffffn, sectionAt('.rodata') + 32))],
    ['a section overlapping the section header table', () => patch((b) => b.writeBigUInt64LE(BigInt(shoff), sectionAt('.rodata') + 24))],
    ['a section name outside the name table', () => patch((b) => b.writeUInt32LE(0x7fff_ffff, sectionAt('.rodata')))],
    ['the program header table past the end', () => patch((b) => b.writeBigUInt64LE(BigInt(b.length), 32))],
    ['65535 program headers claimed', () => patch((b) => b.writeUInt16LE(0xfffe, 56))],
    ['e_phentsize too small', () => patch((b) => b.writeUInt16LE(4, 54))],
    ['PT_INTERP outside the file', () => patch((b) => b.writeBigUInt64LE(BigInt(b.length + 100), 64 + 8))],
    ['a DT_NEEDED string outside .dynstr', () => patch((b) => b.writeBigUInt64LE(0xfffffn, readElf(base).sectionHeader('.dynamic')!.offset + 8))],
  ])('%s → ELF_INVALID', (_, build) => {
    expectElfInvalid(() => exercise(readElf(build())))
  })

  it('a symbol name without a terminating NUL → ELF_INVALID', () => {
    const dynstr = readElf(base).sectionHeader('.dynstr')!
    const data = patch((b) => b.fill(0x41, dynstr.offset, dynstr.offset + dynstr.size))
    expectElfInvalid(() => readElf(data).dynamicSymbols())
  })

  it('an unterminated interpreter path is cut at its segment, never read past it', () => {
    const elf = readElf(buildDynamicElf({ ...REVERSE_SHELL, interpreter: 'x'.repeat(100) }))
    expect(elf.interpreter).toBe('x'.repeat(100))
  })

  it('a dynamic section with no DT_NULL stops at its end', () => {
    const elf = readElf(base)
    const dynamic = elf.sectionHeader('.dynamic')!
    const data = patch((b) => b.writeBigUInt64LE(BigInt(0x7000_0000), dynamic.offset + dynamic.size - 16))
    expect(readElf(data).dynamic?.needed).toEqual(['libc.so.6'])
  })

  it('thousands of symbols sharing long names cannot balloon the decoded strings', () => {
    // 20,000 symbols, each named by a different offset into one 4,000-byte run
    const name = 'n'.repeat(4000)
    const spec = buildElf({
      sections: [
        { name: '.dynstr', type: SHT.STRTAB, flags: SHF.ALLOC, data: Buffer.from(`\0${name}\0`) },
        {
          name: '.dynsym',
          type: SHT.DYNSYM,
          flags: SHF.ALLOC,
          link: '.dynstr',
          entsize: 24,
          data: Buffer.concat(Array.from({ length: 20_000 }, (_, i) => {
            const entry = Buffer.alloc(24)
            entry.writeUInt32LE(i === 0 ? 0 : 1 + (i % 3999))
            entry[4] = 0x12
            return entry
          })),
        },
      ],
      segments: [{ type: PT.LOAD, flags: 4 }],
    })
    const started = Date.now()
    expectElfInvalid(() => readElf(spec, { maxStringBytes: 1024 * 1024 }).dynamicSymbols())
    expect(Date.now() - started).toBeLessThan(2000)
  })

  describe('fuzzing: every mutation parses or throws ELF_INVALID, quickly', () => {
    const seeds: Array<[string, Buffer]> = [
      ['ELF64 LE', buildDynamicElf({ ...REVERSE_SHELL, exports: ['a', 'b'] })],
      ['ELF32 BE', buildDynamicElf({ ...REVERSE_SHELL, class: 32, endian: 'big', soname: 'libq.so' })],
      ['ELF64 stripped, GNU hash', buildDynamicElf({ ...REVERSE_SHELL, hash: 'gnu', stripSectionHeaders: true })],
      ...(existsSync(LS) ? [['/bin/ls', readFileSync(LS)] as [string, Buffer]] : []),
    ]

    it.each(seeds)('%s', (_, seed) => {
      const random = prng(0x5eed ^ seed.length)
      const iterations = seed.length > 100_000 ? 150 : 1500
      let slowest = 0
      let parsed = 0
      for (let i = 0; i < iterations; i++) {
        const data = Buffer.from(seed)
        const mode = i % 4
        let input: Buffer = data
        if (mode === 0) {
          input = data.subarray(0, Math.floor(random() * data.length))
        } else {
          const flips = 1 + Math.floor(random() * 8)
          for (let f = 0; f < flips; f++) {
            // half of the flips land in the headers, where they do the most damage
            const at = mode === 1 && random() < 0.5 ? Math.floor(random() * Math.min(data.length, 128)) : Math.floor(random() * data.length)
            data[at] = mode === 3 ? [0x00, 0xff, 0x7f, 0x80][Math.floor(random() * 4)]! : Math.floor(random() * 256)
          }
        }
        const started = performance.now()
        try {
          exercise(readElf(input))
          parsed++
        } catch (error) {
          if (!(error instanceof ElfError)) throw new Error(`mutation ${i} threw ${String(error)}`, { cause: error })
          expect(error.code).toBe('ELF_INVALID')
        }
        slowest = Math.max(slowest, performance.now() - started)
      }
      expect(slowest).toBeLessThan(1000)
      expect(parsed).toBeGreaterThan(0)
    })
  })
})
