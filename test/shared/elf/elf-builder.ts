/**
 * Builds small ELF files byte by byte for tests, from the gABI layouts (ELF header, program
 * headers, section headers, symbol tables, the dynamic section, DT_HASH and DT_GNU_HASH).
 * The files are never executed: they only need to be well-formed enough to parse.
 *
 * Layout: the ELF header, the program header table, each section's bytes (aligned), the
 * section-name table, the section header table. Allocated sections get the virtual address
 * `base + file offset`, and one `PT_LOAD` segment maps the whole file at `base`, so every
 * address a section holds can be read back through the segments.
 *
 * @module
 */

export const ET = { REL: 1, EXEC: 2, DYN: 3, CORE: 4 } as const
export const PT = { LOAD: 1, DYNAMIC: 2, INTERP: 3, NOTE: 4, PHDR: 6 } as const
export const SHT = { PROGBITS: 1, SYMTAB: 2, STRTAB: 3, HASH: 5, DYNAMIC: 6, NOTE: 7, NOBITS: 8, DYNSYM: 11, INIT_ARRAY: 14, GNU_HASH: 0x6ffffff6 } as const
export const SHF = { WRITE: 1, ALLOC: 2, EXEC: 4 } as const
export const DT = {
  NULL: 0, NEEDED: 1, HASH: 4, STRTAB: 5, SYMTAB: 6, STRSZ: 10, SYMENT: 11, INIT: 12, SONAME: 14, RPATH: 15,
  INIT_ARRAY: 25, INIT_ARRAYSZ: 27, RUNPATH: 29, FLAGS: 30, PREINIT_ARRAY: 32, PREINIT_ARRAYSZ: 33, GNU_HASH: 0x6ffffef5, FLAGS_1: 0x6ffffffb,
} as const
export const DF_1_PIE = 0x08000000
export const STB = { LOCAL: 0, GLOBAL: 1, WEAK: 2 } as const
export const STT = { NOTYPE: 0, OBJECT: 1, FUNC: 2 } as const

export type ElfClass = 32 | 64
export type Endian = 'little' | 'big'

/** Addresses and offsets of the built sections, handed to section data callbacks. */
export interface Layout {
  offset(name: string): number
  addr(name: string): number
  size(name: string): number
  index(name: string): number
}

export interface SectionSpec {
  name: string
  type: number
  flags?: number
  /** Bytes, or a function of the layout (then `size` is required). */
  data?: Buffer | ((layout: Layout) => Buffer)
  size?: number
  /** Name of the linked section (`sh_link`). */
  link?: string
  info?: number
  entsize?: number
  align?: number
}

export interface SegmentSpec {
  type: number
  flags: number
  /** The section the segment covers; none: the whole file from offset 0. */
  section?: string
}

export interface ElfSpec {
  class?: ElfClass
  endian?: Endian
  type?: number
  machine?: number
  osAbi?: number
  /** Virtual address of file offset 0. Default 0 (a DYN object). */
  base?: number
  sections: SectionSpec[]
  segments?: SegmentSpec[]
  /** Leave the section headers out (e_shoff = 0), as `sstrip` does. */
  stripSectionHeaders?: boolean
}

/** Endian- and class-aware writer into a growing list of buffers. */
export class Writer {
  constructor(
    readonly elfClass: ElfClass,
    readonly endian: Endian
  ) {}

  get wordSize(): number {
    return this.elfClass === 64 ? 8 : 4
  }

  u8(value: number): Buffer {
    return Buffer.from([value & 0xff])
  }

  u16(value: number): Buffer {
    const b = Buffer.alloc(2)
    if (this.endian === 'little') b.writeUInt16LE(value)
    else b.writeUInt16BE(value)
    return b
  }

  u32(value: number): Buffer {
    const b = Buffer.alloc(4)
    if (this.endian === 'little') b.writeUInt32LE(value >>> 0)
    else b.writeUInt32BE(value >>> 0)
    return b
  }

  u64(value: number | bigint): Buffer {
    const b = Buffer.alloc(8)
    const big = BigInt.asUintN(64, BigInt(value))
    if (this.endian === 'little') b.writeBigUInt64LE(big)
    else b.writeBigUInt64BE(big)
    return b
  }

  /** A native word: 4 bytes in ELF32, 8 in ELF64. */
  word(value: number | bigint): Buffer {
    return this.elfClass === 64 ? this.u64(value) : this.u32(Number(value))
  }
}

/** A string table: `\0name\0name…`, with each name's offset. */
export function stringTable(names: readonly string[]): { data: Buffer; offsets: Map<string, number> } {
  const offsets = new Map<string, number>()
  const parts: Buffer[] = [Buffer.from([0])]
  let size = 1
  for (const name of names) {
    if (offsets.has(name)) continue
    offsets.set(name, size)
    const bytes = Buffer.from(`${name}\0`, 'utf8')
    parts.push(bytes)
    size += bytes.length
  }
  return { data: Buffer.concat(parts), offsets }
}

export interface SymbolSpec {
  name: string
  bind: number
  type: number
  /** Section index; 0 = undefined (imported). */
  shndx: number
  value?: number
  size?: number
  other?: number
}

/** A symbol table with the null symbol first (`Elf32_Sym` / `Elf64_Sym`). */
export function symbolTable(w: Writer, symbols: readonly SymbolSpec[], names: Map<string, number>): Buffer {
  const entries = [{ name: '', bind: 0, type: 0, shndx: 0 } as SymbolSpec, ...symbols].map((s) => {
    const nameOffset = s.name === '' ? 0 : names.get(s.name)!
    const info = w.u8((s.bind << 4) | s.type)
    const other = w.u8(s.other ?? 0)
    if (w.elfClass === 64) {
      return Buffer.concat([w.u32(nameOffset), info, other, w.u16(s.shndx), w.u64(s.value ?? 0), w.u64(s.size ?? 0)])
    }
    return Buffer.concat([w.u32(nameOffset), w.u32(s.value ?? 0), w.u32(s.size ?? 0), info, other, w.u16(s.shndx)])
  })
  return Buffer.concat(entries)
}

/** Dynamic entries followed by `DT_NULL`. */
export function dynamicTable(w: Writer, entries: ReadonlyArray<readonly [number, number]>): Buffer {
  return Buffer.concat([...entries, [DT.NULL, 0] as const].map(([tag, value]) => Buffer.concat([w.word(tag), w.word(value)])))
}

function align(value: number, to: number): number {
  return Math.ceil(value / to) * to
}

/** Builds an ELF file from `spec` (see the module documentation for the layout). */
export function buildElf(spec: ElfSpec): Buffer {
  const elfClass = spec.class ?? 64
  const w = new Writer(elfClass, spec.endian ?? 'little')
  const is64 = elfClass === 64
  const ehsize = is64 ? 64 : 52
  const phentsize = is64 ? 56 : 32
  const shentsize = is64 ? 64 : 40
  const base = spec.base ?? 0
  const segments = spec.segments ?? [{ type: PT.LOAD, flags: 5 }]
  const names = stringTable(['.shstrtab', ...spec.sections.map((s) => s.name)])
  // layout: offsets of every section (the name table last)
  const all: SectionSpec[] = [...spec.sections, { name: '.shstrtab', type: SHT.STRTAB, data: names.data, align: 1 }]
  const placed = new Map<string, { offset: number; size: number; addr: number; index: number }>()
  let cursor = ehsize + segments.length * phentsize
  all.forEach((section, i) => {
    const size = section.size ?? (Buffer.isBuffer(section.data) ? section.data.length : 0)
    cursor = align(cursor, section.align ?? 8)
    const alloc = ((section.flags ?? 0) & SHF.ALLOC) !== 0
    placed.set(section.name, { offset: cursor, size, addr: alloc ? base + cursor : 0, index: i + 1 })
    if (section.type !== SHT.NOBITS) cursor += size
  })
  const layout: Layout = {
    offset: (name) => placed.get(name)!.offset,
    addr: (name) => placed.get(name)!.addr,
    size: (name) => placed.get(name)!.size,
    index: (name) => placed.get(name)!.index,
  }
  const shoff = align(cursor, 8)
  const fileEnd = spec.stripSectionHeaders === true ? shoff : shoff + (all.length + 1) * shentsize
  const file = Buffer.alloc(fileEnd)
  // section bytes
  for (const section of all) {
    if (section.type === SHT.NOBITS || section.data === undefined) continue
    const bytes = typeof section.data === 'function' ? section.data(layout) : section.data
    const at = placed.get(section.name)!
    if (bytes.length !== at.size) throw new Error(`section ${section.name}: ${bytes.length} bytes, declared ${at.size}`)
    bytes.copy(file, at.offset)
  }
  // ELF header
  const ident = Buffer.from([0x7f, 0x45, 0x4c, 0x46, is64 ? 2 : 1, w.endian === 'little' ? 1 : 2, 1, spec.osAbi ?? 0, 0, 0, 0, 0, 0, 0, 0, 0])
  const header = Buffer.concat([
    ident,
    w.u16(spec.type ?? ET.DYN),
    w.u16(spec.machine ?? (is64 ? 62 : 3)),
    w.u32(1),
    w.word(0), // e_entry
    w.word(ehsize), // e_phoff
    w.word(spec.stripSectionHeaders === true ? 0 : shoff),
    w.u32(0),
    w.u16(ehsize),
    w.u16(phentsize),
    w.u16(segments.length),
    w.u16(shentsize),
    w.u16(spec.stripSectionHeaders === true ? 0 : all.length + 1),
    w.u16(spec.stripSectionHeaders === true ? 0 : all.length),
  ])
  header.copy(file, 0)
  // program headers
  segments.forEach((segment, i) => {
    const covered = segment.section === undefined ? { offset: 0, size: fileEnd, addr: base } : placed.get(segment.section)!
    const fields = is64
      ? [w.u32(segment.type), w.u32(segment.flags), w.u64(covered.offset), w.u64(covered.addr), w.u64(covered.addr), w.u64(covered.size), w.u64(covered.size), w.u64(segment.type === PT.LOAD ? 0x1000 : 8)]
      : [w.u32(segment.type), w.u32(covered.offset), w.u32(covered.addr), w.u32(covered.addr), w.u32(covered.size), w.u32(covered.size), w.u32(segment.flags), w.u32(segment.type === PT.LOAD ? 0x1000 : 4)]
    Buffer.concat(fields).copy(file, ehsize + i * phentsize)
  })
  // section headers (index 0 is the null section)
  if (spec.stripSectionHeaders !== true) {
    all.forEach((section, i) => {
      const at = placed.get(section.name)!
      const link = section.link === undefined ? 0 : placed.get(section.link)!.index
      const fields = is64
        ? [w.u32(names.offsets.get(section.name)!), w.u32(section.type), w.u64(section.flags ?? 0), w.u64(at.addr), w.u64(at.offset), w.u64(at.size), w.u32(link), w.u32(section.info ?? 0), w.u64(section.align ?? 8), w.u64(section.entsize ?? 0)]
        : [w.u32(names.offsets.get(section.name)!), w.u32(section.type), w.u32(section.flags ?? 0), w.u32(at.addr), w.u32(at.offset), w.u32(at.size), w.u32(link), w.u32(section.info ?? 0), w.u32(section.align ?? 4), w.u32(section.entsize ?? 0)]
      Buffer.concat(fields).copy(file, shoff + (i + 1) * shentsize)
    })
  }
  return file
}

export interface DynamicElfSpec {
  class?: ElfClass
  endian?: Endian
  type?: number
  osAbi?: number
  /** `PT_INTERP` path; none for a shared library. */
  interpreter?: string
  needed?: string[]
  soname?: string
  rpath?: string
  runpath?: string
  /** Undefined (imported) function symbols. */
  imports?: string[]
  /** Defined global function symbols (in `.text`). */
  exports?: string[]
  /** Pointers in `.init_array`. */
  initArray?: number
  /** Add `DT_INIT`. */
  init?: boolean
  flags1?: number
  /** NUL-terminated strings in `.rodata`. */
  rodata?: string[]
  /** Which hash table sizes the symbol table when section headers are gone. Default `sysv`. */
  hash?: 'sysv' | 'gnu'
  stripSectionHeaders?: boolean
  extraSections?: SectionSpec[]
}

/** A dynamically linked object with `.interp`, `.dynsym`, `.dynstr`, a hash table, `.init_array`, `.rodata` and `.dynamic`. */
export function buildDynamicElf(spec: DynamicElfSpec): Buffer {
  const w = new Writer(spec.class ?? 64, spec.endian ?? 'little')
  const imports = spec.imports ?? []
  const exports = spec.exports ?? []
  const libraries = [...(spec.needed ?? []), ...(spec.soname === undefined ? [] : [spec.soname]), ...(spec.rpath === undefined ? [] : [spec.rpath]), ...(spec.runpath === undefined ? [] : [spec.runpath])]
  const dynstr = stringTable([...libraries, ...imports, ...exports])
  const symbols: SymbolSpec[] = [
    ...imports.map((name) => ({ name, bind: STB.GLOBAL, type: STT.FUNC, shndx: 0 })),
    ...exports.map((name, i) => ({ name, bind: STB.GLOBAL, type: STT.FUNC, shndx: 1, value: 0x100 + i * 16, size: 16 })),
  ]
  const dynsym = symbolTable(w, symbols, dynstr.offsets)
  const symbolCount = symbols.length + 1
  const sysvHash = Buffer.concat([w.u32(1), w.u32(symbolCount), w.u32(0), ...Array.from({ length: symbolCount }, () => w.u32(0))])
  // GNU hash: one bucket starting at symbol 1, every chain value's low bit clear except the last
  const gnuHash = Buffer.concat([
    w.u32(1),
    w.u32(1),
    w.u32(1),
    w.u32(6),
    w.word(0),
    w.u32(symbolCount > 1 ? 1 : 0),
    ...Array.from({ length: symbolCount - 1 }, (_, i) => w.u32(i === symbolCount - 2 ? 1 : 2)),
  ])
  const hashName = spec.hash === 'gnu' ? '.gnu.hash' : '.hash'
  const initCount = spec.initArray ?? 0
  const entries = (layout: Layout): Array<readonly [number, number]> => [
    ...(spec.needed ?? []).map((name) => [DT.NEEDED, dynstr.offsets.get(name)!] as const),
    ...(spec.soname === undefined ? [] : [[DT.SONAME, dynstr.offsets.get(spec.soname)!] as const]),
    ...(spec.rpath === undefined ? [] : [[DT.RPATH, dynstr.offsets.get(spec.rpath)!] as const]),
    ...(spec.runpath === undefined ? [] : [[DT.RUNPATH, dynstr.offsets.get(spec.runpath)!] as const]),
    ...(spec.init === true ? [[DT.INIT, layout.addr('.text')] as const] : []),
    ...(initCount > 0 ? [[DT.INIT_ARRAY, layout.addr('.init_array')] as const, [DT.INIT_ARRAYSZ, initCount * w.wordSize] as const] : []),
    [spec.hash === 'gnu' ? DT.GNU_HASH : DT.HASH, layout.addr(hashName)] as const,
    [DT.STRTAB, layout.addr('.dynstr')] as const,
    [DT.SYMTAB, layout.addr('.dynsym')] as const,
    [DT.STRSZ, dynstr.data.length] as const,
    [DT.SYMENT, w.elfClass === 64 ? 24 : 16] as const,
    ...(spec.flags1 === undefined ? [] : [[DT.FLAGS_1, spec.flags1] as const]),
  ]
  const entryCount = entries({ offset: () => 0, addr: () => 0, size: () => 0, index: () => 0 }).length
  const rodata = Buffer.from((spec.rodata ?? []).map((s) => `${s}\0`).join(''), 'latin1')
  const sections: SectionSpec[] = [
    { name: '.text', type: SHT.PROGBITS, flags: SHF.ALLOC | SHF.EXEC, data: Buffer.alloc(0x100 + exports.length * 16, 0xc3), align: 16 },
    ...(spec.interpreter === undefined ? [] : [{ name: '.interp', type: SHT.PROGBITS, flags: SHF.ALLOC, data: Buffer.from(`${spec.interpreter}\0`), align: 1 }]),
    { name: hashName, type: spec.hash === 'gnu' ? SHT.GNU_HASH : SHT.HASH, flags: SHF.ALLOC, data: spec.hash === 'gnu' ? gnuHash : sysvHash, link: '.dynsym', align: 8 },
    { name: '.dynsym', type: SHT.DYNSYM, flags: SHF.ALLOC, data: dynsym, link: '.dynstr', info: 1, entsize: w.elfClass === 64 ? 24 : 16 },
    { name: '.dynstr', type: SHT.STRTAB, flags: SHF.ALLOC, data: dynstr.data, align: 1 },
    { name: '.rodata', type: SHT.PROGBITS, flags: SHF.ALLOC, data: rodata, align: 8 },
    ...(initCount > 0
      ? [{ name: '.init_array', type: SHT.INIT_ARRAY, flags: SHF.ALLOC | SHF.WRITE, size: initCount * w.wordSize, data: (layout: Layout) => Buffer.concat(Array.from({ length: initCount }, () => w.word(layout.addr('.text')))), entsize: w.wordSize }]
      : []),
    {
      name: '.dynamic',
      type: SHT.DYNAMIC,
      flags: SHF.ALLOC | SHF.WRITE,
      size: (entryCount + 1) * 2 * w.wordSize,
      data: (layout: Layout) => dynamicTable(w, entries(layout)),
      link: '.dynstr',
      entsize: 2 * w.wordSize,
    },
    { name: '.data', type: SHT.PROGBITS, flags: SHF.ALLOC | SHF.WRITE, data: Buffer.from('data section\0'), align: 8 },
    { name: '.bss', type: SHT.NOBITS, flags: SHF.ALLOC | SHF.WRITE, size: 64 },
    ...(spec.extraSections ?? []),
  ]
  const segments: SegmentSpec[] = [
    ...(spec.interpreter === undefined ? [] : [{ type: PT.INTERP, flags: 4, section: '.interp' }]),
    // one read-write segment (never executed): with the section headers stripped, the
    // readers fall back to the non-executable segments for data
    { type: PT.LOAD, flags: 6 },
    { type: PT.DYNAMIC, flags: 6, section: '.dynamic' },
  ]
  return buildElf({
    class: w.elfClass,
    endian: w.endian,
    type: spec.type ?? ET.DYN,
    ...(spec.osAbi === undefined ? {} : { osAbi: spec.osAbi }),
    sections,
    segments,
    ...(spec.stripSectionHeaders === undefined ? {} : { stripSectionHeaders: spec.stripSectionHeaders }),
  })
}
