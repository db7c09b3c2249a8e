/**
 * A bounded reader for ELF files (executables, shared objects, relocatable objects and core
 * files; 32 and 64 bit, little and big endian) over a `Buffer`, with no I/O.
 *
 * Layouts follow the System V ABI "generic ABI" (gABI), chapters 4 (object files: ELF
 * header, sections, string and symbol tables) and 5 (program loading and dynamic linking:
 * program headers, the dynamic section, hash tables), the Linux `elf(5)` manual page for the
 * GNU extensions (`DT_GNU_HASH`, `DT_FLAGS_1`, `STT_GNU_IFUNC`, `STB_GNU_UNIQUE`), and the
 * gABI's extended numbering (`PN_XNUM`, `SHN_XINDEX`, `e_shnum == 0`).
 *
 * Everything the file claims is checked against the buffer before it is used: an offset or
 * size outside the file, a table that overlaps the ELF header, a count above the limits, an
 * unterminated string or a string table that would decode into too many bytes raises an
 * {@link ElfError} (`ELF_INVALID`). No input makes the reader crash, allocate in proportion to
 * a claimed (rather than actual) size, or loop for longer than the buffer is long.
 *
 * Addresses (virtual addresses, symbol values) are JavaScript numbers: exact below 2^53,
 * rounded above (kernel-space addresses); they are only used to translate addresses into
 * file offsets, which are always bounds-checked.
 *
 * @see https://refspecs.linuxfoundation.org/elf/gabi4+/contents.html
 * @see https://man7.org/linux/man-pages/man5/elf.5.html
 * @module
 */
import { ErrorCode, PushscanError, type PushscanErrorOptions } from '../errors.js'

/** Local error codes; the lead merges them into `ErrorCode` in shared/errors.ts. */
export const ElfErrorCode = {
  ElfInvalid: ErrorCode.ElfInvalid,
} as const

/** The bytes are not an ELF file, or an ELF file that lies about its own structure. */
export class ElfError extends PushscanError {
  override name = 'ElfError'

  constructor(message: string, options: PushscanErrorOptions = {}) {
    // ELF_INVALID joins ErrorCode when the lead merges the local codes
    super(ElfErrorCode.ElfInvalid, message, options)
  }
}

/** Limits against hostile files; every one has a default in {@link DEFAULT_ELF_LIMITS}. */
export interface ElfLimits {
  /** Section headers (after extended numbering). */
  maxSections: number
  /** Program headers (after extended numbering). */
  maxProgramHeaders: number
  /** Entries of the dynamic symbol table. */
  maxSymbols: number
  /** Entries of the dynamic section read before giving up (a `DT_NULL` normally ends it). */
  maxDynamicEntries: number
  /** Bytes of one NUL-terminated string (names, paths); longer strings are invalid. */
  maxStringLength: number
  /** Bytes decoded from string tables in total (symbol names sharing suffixes cannot balloon). */
  maxStringBytes: number
}

/** The default limits: far above any real file (libLLVM 15 has about 46,000 dynamic symbols). */
export const DEFAULT_ELF_LIMITS: Readonly<ElfLimits> = Object.freeze({
  maxSections: 65_535,
  maxProgramHeaders: 65_535,
  maxSymbols: 1_000_000,
  maxDynamicEntries: 100_000,
  maxStringLength: 4096,
  maxStringBytes: 64 * 1024 * 1024,
})

/** `e_ident[EI_CLASS]`: ELFCLASS32 or ELFCLASS64. */
export type ElfClass = 32 | 64
/** `e_ident[EI_DATA]`: ELFDATA2LSB or ELFDATA2MSB. */
export type ElfEndian = 'little' | 'big'
/** `e_type`: ET_NONE, ET_REL (object), ET_EXEC, ET_DYN (shared object or PIE), ET_CORE; anything else `OTHER`. */
export type ElfType = 'NONE' | 'REL' | 'EXEC' | 'DYN' | 'CORE' | 'OTHER'

/** The ELF header (`Elf32_Ehdr` / `Elf64_Ehdr`), with extended numbering resolved. */
export interface ElfHeader {
  class: ElfClass
  endian: ElfEndian
  /** `e_ident[EI_OSABI]`: 0 System V, 3 GNU/Linux, 9 FreeBSD … */
  osAbi: number
  osAbiName: string
  abiVersion: number
  type: ElfType
  /** `e_type` as stored (OS- and processor-specific types map to `OTHER`). */
  typeValue: number
  /** `e_machine`: 3 x86, 62 x86-64, 40 ARM, 183 AArch64, 243 RISC-V … */
  machine: number
  machineName: string
  entry: number
  flags: number
  programHeaderCount: number
  sectionCount: number
  /** Index of the section-name string table, 0 when there is none. */
  sectionNameIndex: number
}

/** One program header (segment). */
export interface ElfProgramHeader {
  /** `p_type`: 1 `PT_LOAD`, 2 `PT_DYNAMIC`, 3 `PT_INTERP`, 4 `PT_NOTE` … */
  type: number
  typeName: string
  /** `p_flags`: 1 execute, 2 write, 4 read. */
  flags: number
  offset: number
  vaddr: number
  fileSize: number
  memorySize: number
  align: number
}

/** One section header, with its name from the section-name string table. */
export interface ElfSection {
  index: number
  name: string
  /** `sh_type`: 1 `PROGBITS`, 2 `SYMTAB`, 3 `STRTAB`, 6 `DYNAMIC`, 8 `NOBITS`, 11 `DYNSYM` … */
  type: number
  flags: number
  addr: number
  offset: number
  size: number
  link: number
  info: number
  addralign: number
  entsize: number
}

/** What the dynamic section (`PT_DYNAMIC` / `.dynamic`) says about linking and start-up. */
export interface ElfDynamicInfo {
  /** `DT_NEEDED`, in order: the libraries the dynamic linker loads. */
  needed: string[]
  /** `DT_SONAME`: the name a shared library is linked under. */
  soname?: string
  /** `DT_RPATH` entries (split on `:`), searched before `LD_LIBRARY_PATH`. */
  rpath: string[]
  /** `DT_RUNPATH` entries (split on `:`), searched after `LD_LIBRARY_PATH`. */
  runpath: string[]
  /** `DT_INIT` is present: a legacy initialisation function runs at load. */
  hasInit: boolean
  /** `DT_INIT_ARRAYSZ` / pointer size: constructors run at load. */
  initArrayCount: number
  /** `DT_PREINIT_ARRAYSZ` / pointer size: executables' pre-initialisers. */
  preinitArrayCount: number
  /** Everything that runs before `main` / on `dlopen`: `DT_INIT` + init array + preinit array. */
  constructorCount: number
  /** `DT_FLAGS` (`DF_BIND_NOW` 0x8, `DF_STATIC_TLS` 0x10 …), 0 when absent. */
  flags: number
  /** `DT_FLAGS_1` (`DF_1_NOW` 0x1, `DF_1_PIE` 0x08000000 …), 0 when absent. */
  flags1: number
}

/** `ELF64_ST_BIND(st_info)`: STB_LOCAL, STB_GLOBAL, STB_WEAK, STB_GNU_UNIQUE; anything else `OTHER`. */
export type ElfSymbolBinding = 'LOCAL' | 'GLOBAL' | 'WEAK' | 'GNU_UNIQUE' | 'OTHER'
/** `ELF64_ST_TYPE(st_info)`: STT_NOTYPE … STT_TLS, STT_GNU_IFUNC; anything else `OTHER`. */
export type ElfSymbolType = 'NOTYPE' | 'OBJECT' | 'FUNC' | 'SECTION' | 'FILE' | 'COMMON' | 'TLS' | 'GNU_IFUNC' | 'OTHER'
/** `ELF64_ST_VISIBILITY(st_other)`: STV_DEFAULT, STV_INTERNAL, STV_HIDDEN, STV_PROTECTED. */
export type ElfSymbolVisibility = 'DEFAULT' | 'INTERNAL' | 'HIDDEN' | 'PROTECTED'

/** One entry of the dynamic symbol table (`.dynsym`). */
export interface ElfSymbol {
  name: string
  binding: ElfSymbolBinding
  type: ElfSymbolType
  visibility: ElfSymbolVisibility
  /** False for `SHN_UNDEF`: the symbol is imported from another object. */
  defined: boolean
  /** `st_shndx` as stored. */
  sectionIndex: number
  value: number
  size: number
}

/** A plain, serialisable summary of an ELF file. */
export interface ElfSummary {
  header: ElfHeader
  interpreter?: string
  isStatic: boolean
  isPie: boolean
  dynamic?: ElfDynamicInfo
  sectionNames: string[]
}

/** Options of {@link ElfFile.interestingStrings}. */
export interface InterestingStringsOptions {
  /** Shortest printable run reported (like `strings -n`). Default 4. */
  minLength?: number
  /** Longest run kept; longer runs are cut into pieces of this length. Default 4096. */
  maxLength?: number
  /** Matching strings returned at most (deduplicated, in file order). Default 1000. */
  maxResults?: number
}

const PT_LOAD = 1
const PT_DYNAMIC = 2
const PT_INTERP = 3
const PF_X = 1
const SHT_NULL = 0
const SHT_STRTAB = 3
const SHT_DYNAMIC = 6
const SHT_NOBITS = 8
const SHT_DYNSYM = 11
const SHF_ALLOC = 2
const PN_XNUM = 0xffff
const SHN_UNDEF = 0
const SHN_XINDEX = 0xffff

const DT_NULL = 0
const DT_NEEDED = 1
const DT_HASH = 4
const DT_STRTAB = 5
const DT_SYMTAB = 6
const DT_STRSZ = 10
const DT_SYMENT = 11
const DT_INIT = 12
const DT_SONAME = 14
const DT_RPATH = 15
const DT_INIT_ARRAYSZ = 27
const DT_RUNPATH = 29
const DT_FLAGS = 30
const DT_PREINIT_ARRAYSZ = 33
const DT_GNU_HASH = 0x6ffffef5
const DT_FLAGS_1 = 0x6ffffffb
const DF_1_PIE = 0x08000000

const TYPES: readonly ElfType[] = ['NONE', 'REL', 'EXEC', 'DYN', 'CORE']
const OS_ABIS: Readonly<Record<number, string>> = {
  0: 'SYSV', 1: 'HPUX', 2: 'NETBSD', 3: 'GNU', 6: 'SOLARIS', 7: 'AIX', 8: 'IRIX', 9: 'FREEBSD',
  10: 'TRU64', 11: 'MODESTO', 12: 'OPENBSD', 13: 'OPENVMS', 14: 'NSK', 15: 'AROS', 16: 'FENIXOS',
  17: 'CLOUDABI', 18: 'OPENVOS', 64: 'ARM_AEABI', 97: 'ARM', 255: 'STANDALONE',
}
const MACHINES: Readonly<Record<number, string>> = {
  0: 'NONE', 2: 'SPARC', 3: 'X86', 4: 'M68K', 8: 'MIPS', 10: 'MIPS_RS3_LE', 15: 'PARISC', 18: 'SPARC32PLUS', 20: 'PPC', 21: 'PPC64',
  22: 'S390', 40: 'ARM', 42: 'SH', 43: 'SPARCV9', 50: 'IA_64', 62: 'X86_64', 183: 'AARCH64', 243: 'RISCV',
  247: 'BPF', 258: 'LOONGARCH',
}
const PROGRAM_TYPES: Readonly<Record<number, string>> = {
  0: 'NULL', 1: 'LOAD', 2: 'DYNAMIC', 3: 'INTERP', 4: 'NOTE', 5: 'SHLIB', 6: 'PHDR', 7: 'TLS',
  0x6474e550: 'GNU_EH_FRAME', 0x6474e551: 'GNU_STACK', 0x6474e552: 'GNU_RELRO', 0x6474e553: 'GNU_PROPERTY',
}
const BINDINGS: Readonly<Record<number, ElfSymbolBinding>> = { 0: 'LOCAL', 1: 'GLOBAL', 2: 'WEAK', 10: 'GNU_UNIQUE' }
const SYMBOL_TYPES: Readonly<Record<number, ElfSymbolType>> = {
  0: 'NOTYPE', 1: 'OBJECT', 2: 'FUNC', 3: 'SECTION', 4: 'FILE', 5: 'COMMON', 6: 'TLS', 10: 'GNU_IFUNC',
}
const VISIBILITIES: readonly ElfSymbolVisibility[] = ['DEFAULT', 'INTERNAL', 'HIDDEN', 'PROTECTED']

function invalid(message: string): ElfError {
  return new ElfError(`invalid ELF file: ${message}`)
}

/** True when `data` starts with the ELF magic `\x7fELF`. */
export function isElf(data: Uint8Array): boolean {
  return data.length >= 4 && data[0] === 0x7f && data[1] === 0x45 && data[2] === 0x4c && data[3] === 0x46
}

/** Bounds-checked, endian-aware integer reads over the whole file. */
class Bytes {
  constructor(
    readonly buf: Buffer,
    readonly little: boolean,
    readonly is64: boolean
  ) {}

  check(offset: number, size: number, what: string): void {
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(size) || offset < 0 || size < 0 || offset + size > this.buf.length) {
      throw invalid(`${what} (offset ${offset}, ${size} bytes) is outside the file (${this.buf.length} bytes)`)
    }
  }

  u8(offset: number, what: string): number {
    this.check(offset, 1, what)
    return this.buf[offset]!
  }

  u16(offset: number, what: string): number {
    this.check(offset, 2, what)
    return this.little ? this.buf.readUInt16LE(offset) : this.buf.readUInt16BE(offset)
  }

  u32(offset: number, what: string): number {
    this.check(offset, 4, what)
    return this.little ? this.buf.readUInt32LE(offset) : this.buf.readUInt32BE(offset)
  }

  u64(offset: number, what: string): bigint {
    this.check(offset, 8, what)
    return this.little ? this.buf.readBigUInt64LE(offset) : this.buf.readBigUInt64BE(offset)
  }

  /** A native word (`Elf32_Addr`/`Elf64_Addr`, `_Off`, `_Xword`), as a possibly rounded number. */
  word(offset: number, what: string): number {
    return this.is64 ? Number(this.u64(offset, what)) : this.u32(offset, what)
  }

  /** A native word that must be an exact file offset or size. */
  size(offset: number, what: string): number {
    if (!this.is64) return this.u32(offset, what)
    const value = this.u64(offset, what)
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw invalid(`${what} is too large (${value})`)
    return Number(value)
  }

  /** A signed native word (`d_tag`). */
  sword(offset: number, what: string): number {
    if (this.is64) {
      this.check(offset, 8, what)
      return Number(this.little ? this.buf.readBigInt64LE(offset) : this.buf.readBigInt64BE(offset))
    }
    this.check(offset, 4, what)
    return this.little ? this.buf.readInt32LE(offset) : this.buf.readInt32BE(offset)
  }
}

/** Shared budget for bytes decoded out of string tables. */
interface StringBudget {
  remaining: number
}

/** A NUL-terminated string table; lookups are bounded and cached. */
class StringTable {
  private readonly cache = new Map<number, string>()

  constructor(
    private readonly data: Buffer,
    private readonly what: string,
    private readonly maxLength: number,
    private readonly budget: StringBudget
  ) {}

  get(offset: number): string {
    const cached = this.cache.get(offset)
    if (cached !== undefined) return cached
    if (offset === 0 && this.data.length === 0) return ''
    if (!Number.isSafeInteger(offset) || offset < 0 || offset >= this.data.length) {
      throw invalid(`string offset ${offset} is outside ${this.what} (${this.data.length} bytes)`)
    }
    const window = this.data.subarray(offset, offset + this.maxLength + 1)
    const end = window.indexOf(0)
    if (end === -1) throw invalid(`unterminated or over-long string at offset ${offset} of ${this.what}`)
    this.budget.remaining -= end + 1
    if (this.budget.remaining < 0) throw invalid('string tables decode into too many bytes')
    const value = window.toString('utf8', 0, end)
    this.cache.set(offset, value)
    return value
  }
}

/**
 * Parses the ELF header, program headers, section headers (with names), the interpreter and
 * the dynamic section; the dynamic symbol table is read on first use. Throws
 * {@link ElfError} (`ELF_INVALID`) for anything that is not a well-formed ELF file.
 */
export function readElf(data: Buffer, limits: Partial<ElfLimits> = {}): ElfFile {
  return new ElfFile(data, { ...DEFAULT_ELF_LIMITS, ...limits })
}

/** A parsed ELF file. Construct with {@link readElf}. */
export class ElfFile {
  readonly header: ElfHeader
  readonly programHeaders: readonly ElfProgramHeader[]
  readonly sections: readonly ElfSection[]
  /** The `PT_INTERP` path (`/lib64/ld-linux-x86-64.so.2`), when there is one. */
  readonly interpreter: string | undefined
  /** The dynamic section, when the file has one (`PT_DYNAMIC` or `SHT_DYNAMIC`). */
  readonly dynamic: ElfDynamicInfo | undefined
  /** An executable that needs no dynamic linker: no `PT_INTERP` (static, or static-pie). */
  readonly isStatic: boolean
  /** A position-independent executable: `ET_DYN` with `DF_1_PIE`, or with an interpreter and no `DT_SONAME`. */
  readonly isPie: boolean

  private readonly bytes: Bytes
  private readonly limits: ElfLimits
  private readonly budget: StringBudget
  private readonly dynamicEntries: ReadonlyArray<readonly [number, number]>
  private dynamicStrings: StringTable | undefined
  private symbolsCache: ElfSymbol[] | undefined

  /** @internal use {@link readElf} */
  constructor(data: Buffer, limits: ElfLimits) {
    this.limits = limits
    this.budget = { remaining: limits.maxStringBytes }
    if (!isElf(data)) throw invalid('no ELF magic')
    if (data.length < 16) throw invalid('truncated identification')
    const elfClass = data[4]
    const encoding = data[5]
    if (elfClass !== 1 && elfClass !== 2) throw invalid(`unknown class ${elfClass}`)
    if (encoding !== 1 && encoding !== 2) throw invalid(`unknown data encoding ${encoding}`)
    const is64 = elfClass === 2
    this.bytes = new Bytes(data, encoding === 1, is64)
    this.header = this.readHeader()
    this.sections = this.readSections()
    this.programHeaders = this.readProgramHeaders()
    this.header.sectionCount = this.sections.length
    this.header.programHeaderCount = this.programHeaders.length
    this.interpreter = this.readInterpreter()
    this.dynamicEntries = this.readDynamicEntries()
    this.dynamic = this.dynamicEntries.length > 0 || this.dynamicRange() !== undefined ? this.readDynamicInfo() : undefined
    const executable = this.header.type === 'EXEC' || this.header.type === 'DYN'
    const pieFlag = ((this.dynamic?.flags1 ?? 0) & DF_1_PIE) !== 0
    this.isPie = this.header.type === 'DYN' && (pieFlag || (this.interpreter !== undefined && this.dynamic?.soname === undefined))
    this.isStatic = executable && this.interpreter === undefined && (this.header.type === 'EXEC' || pieFlag)
  }

  /** The bytes of the first section called `name` (empty for `SHT_NOBITS` and `SHT_NULL`), or undefined. */
  section(name: string): Buffer | undefined {
    const header = this.sectionHeader(name)
    return header === undefined ? undefined : this.sectionData(header)
  }

  /** The header of the first section called `name`. */
  sectionHeader(name: string): ElfSection | undefined {
    return this.sections.find((section) => section.name === name)
  }

  /** The file bytes of a section (empty for `SHT_NOBITS` and `SHT_NULL`; checked when the file was read). */
  sectionData(section: ElfSection): Buffer {
    if (section.type === SHT_NOBITS || section.type === SHT_NULL) return Buffer.alloc(0)
    return this.bytes.buf.subarray(section.offset, section.offset + section.size)
  }

  /**
   * `size` bytes at virtual address `address`, through the `PT_LOAD` segment that maps them
   * from the file (or, in files without program headers, the `SHF_ALLOC` section); undefined
   * when no segment maps all of them from file bytes.
   */
  readVirtual(address: number, size: number): Buffer | undefined {
    if (!Number.isSafeInteger(address) || !Number.isSafeInteger(size) || address < 0 || size < 0) return undefined
    const loads = this.programHeaders.filter((header) => header.type === PT_LOAD)
    const ranges =
      loads.length > 0
        ? loads.map((header) => ({ addr: header.vaddr, offset: header.offset, size: header.fileSize }))
        : this.sections
            .filter((section) => (section.flags & SHF_ALLOC) !== 0 && section.type !== SHT_NOBITS)
            .map((section) => ({ addr: section.addr, offset: section.offset, size: section.size }))
    for (const range of ranges) {
      if (address < range.addr || address + size > range.addr + range.size) continue
      const offset = range.offset + (address - range.addr)
      if (offset + size > this.bytes.buf.length) return undefined
      return this.bytes.buf.subarray(offset, offset + size)
    }
    return undefined
  }

  /** The file bytes from virtual address `address` to the end of the segment mapping it. */
  private mappedFrom(address: number): Buffer | undefined {
    for (const header of this.programHeaders) {
      if (header.type !== PT_LOAD || address < header.vaddr || address >= header.vaddr + header.fileSize) continue
      const offset = header.offset + (address - header.vaddr)
      return this.bytes.buf.subarray(offset, header.offset + header.fileSize)
    }
    return undefined
  }

  /**
   * The dynamic symbol table: `.dynsym` with its linked string table, or, when the section
   * headers are stripped, `DT_SYMTAB`/`DT_STRTAB` sized by `DT_HASH` or `DT_GNU_HASH`. The
   * null symbol at index 0 is left out. Read once, then cached.
   */
  dynamicSymbols(): readonly ElfSymbol[] {
    this.symbolsCache ??= this.readDynamicSymbols()
    return this.symbolsCache
  }

  /** Names of the symbols this object imports (undefined, non-local), deduplicated. */
  importedSymbols(): string[] {
    const names = this.dynamicSymbols()
      .filter((symbol) => !symbol.defined && symbol.binding !== 'LOCAL' && symbol.name !== '')
      .map((symbol) => symbol.name)
    return [...new Set(names)]
  }

  /** Names of the symbols this object exports (defined, global or weak, visible), deduplicated. */
  exportedSymbols(): string[] {
    const names = this.dynamicSymbols()
      .filter(
        (symbol) =>
          symbol.defined &&
          symbol.binding !== 'LOCAL' &&
          symbol.binding !== 'OTHER' &&
          (symbol.visibility === 'DEFAULT' || symbol.visibility === 'PROTECTED') &&
          symbol.name !== ''
      )
      .map((symbol) => symbol.name)
    return [...new Set(names)]
  }

  /**
   * Printable ASCII runs (bytes 0x20–0x7e and tab, like `strings`) in the data sections
   * (`.rodata*`, `.data*`; the non-executable `PT_LOAD` segments when the section headers are
   * stripped) that `predicate` accepts, deduplicated, in file order. At most `maxBytes` bytes
   * are scanned in total.
   */
  interestingStrings(predicate: (value: string) => boolean, maxBytes: number, options: InterestingStringsOptions = {}): string[] {
    const minLength = Math.max(1, options.minLength ?? 4)
    const maxLength = Math.max(minLength, options.maxLength ?? 4096)
    const maxResults = options.maxResults ?? 1000
    const regions: Buffer[] =
      this.sections.length > 0
        ? this.sections
            .filter((section) => section.type !== SHT_NOBITS && /^\.(rodata|data)(\.|$)/.test(section.name))
            .map((section) => this.sectionData(section))
        : this.programHeaders
            .filter((header) => header.type === PT_LOAD && (header.flags & PF_X) === 0)
            .map((header) => this.bytes.buf.subarray(header.offset, header.offset + header.fileSize))
    const found = new Set<string>()
    let budget = Math.max(0, maxBytes)
    const consider = (region: Buffer, start: number, end: number): void => {
      for (let from = start; end - from >= minLength && found.size < maxResults; from += maxLength) {
        const value = region.toString('latin1', from, Math.min(end, from + maxLength))
        if (value.length >= minLength && !found.has(value) && predicate(value)) found.add(value)
      }
    }
    for (const region of regions) {
      if (budget === 0 || found.size >= maxResults) break
      const length = Math.min(region.length, budget)
      budget -= length
      let start = -1
      for (let i = 0; i < length; i++) {
        const byte = region[i]!
        const printable = (byte >= 0x20 && byte <= 0x7e) || byte === 0x09
        if (printable) {
          if (start === -1) start = i
        } else if (start !== -1) {
          consider(region, start, i)
          start = -1
          if (found.size >= maxResults) break
        }
      }
      if (start !== -1) consider(region, start, length)
    }
    return [...found]
  }

  /** A plain, serialisable summary (no symbols, no bytes). */
  summary(): ElfSummary {
    return {
      header: { ...this.header },
      ...(this.interpreter === undefined ? {} : { interpreter: this.interpreter }),
      isStatic: this.isStatic,
      isPie: this.isPie,
      ...(this.dynamic === undefined ? {} : { dynamic: structuredClone(this.dynamic) }),
      sectionNames: this.sections.map((section) => section.name).filter((name) => name !== ''),
    }
  }

  private readHeader(): ElfHeader {
    const b = this.bytes
    const is64 = b.is64
    const headerSize = is64 ? 64 : 52
    b.check(0, headerSize, 'ELF header')
    const typeValue = b.u16(16, 'e_type')
    const machine = b.u16(18, 'e_machine')
    const osAbi = b.buf[7]!
    return {
      class: is64 ? 64 : 32,
      endian: b.little ? 'little' : 'big',
      osAbi,
      osAbiName: OS_ABIS[osAbi] ?? `UNKNOWN(${osAbi})`,
      abiVersion: b.buf[8]!,
      type: TYPES[typeValue] ?? 'OTHER',
      typeValue,
      machine,
      machineName: MACHINES[machine] ?? `UNKNOWN(${machine})`,
      entry: b.word(24, 'e_entry'),
      flags: b.u32(is64 ? 48 : 36, 'e_flags'),
      programHeaderCount: b.u16(is64 ? 56 : 44, 'e_phnum'),
      sectionCount: b.u16(is64 ? 60 : 48, 'e_shnum'),
      sectionNameIndex: b.u16(is64 ? 62 : 50, 'e_shstrndx'),
    }
  }

  private headerLayout(): { ehsize: number; phoff: number; phentsize: number; shoff: number; shentsize: number } {
    const b = this.bytes
    const is64 = b.is64
    return {
      ehsize: b.u16(is64 ? 52 : 40, 'e_ehsize'),
      phoff: b.size(is64 ? 32 : 28, 'e_phoff'),
      phentsize: b.u16(is64 ? 54 : 42, 'e_phentsize'),
      shoff: b.size(is64 ? 40 : 32, 'e_shoff'),
      shentsize: b.u16(is64 ? 58 : 46, 'e_shentsize'),
    }
  }

  private readSectionHeader(offset: number, index: number): Omit<ElfSection, 'name'> & { nameOffset: number } {
    const b = this.bytes
    const what = `section header ${index}`
    if (b.is64) {
      return {
        index,
        nameOffset: b.u32(offset, what),
        type: b.u32(offset + 4, what),
        flags: b.word(offset + 8, what),
        addr: b.word(offset + 16, what),
        offset: b.size(offset + 24, what),
        size: b.size(offset + 32, what),
        link: b.u32(offset + 40, what),
        info: b.u32(offset + 44, what),
        addralign: b.word(offset + 48, what),
        entsize: b.word(offset + 56, what),
      }
    }
    return {
      index,
      nameOffset: b.u32(offset, what),
      type: b.u32(offset + 4, what),
      flags: b.u32(offset + 8, what),
      addr: b.u32(offset + 12, what),
      offset: b.u32(offset + 16, what),
      size: b.u32(offset + 20, what),
      link: b.u32(offset + 24, what),
      info: b.u32(offset + 28, what),
      addralign: b.u32(offset + 32, what),
      entsize: b.u32(offset + 36, what),
    }
  }

  private readSections(): ElfSection[] {
    const b = this.bytes
    const { ehsize, shoff, shentsize } = this.headerLayout()
    const minHeader = b.is64 ? 64 : 52
    if (ehsize < minHeader) throw invalid(`e_ehsize ${ehsize} is smaller than the ELF header`)
    let count = this.header.sectionCount
    if (shoff === 0) {
      if (count !== 0) throw invalid('section headers counted but e_shoff is 0')
      this.header.sectionNameIndex = 0
      return []
    }
    const minEntry = b.is64 ? 64 : 40
    if (shentsize < minEntry) throw invalid(`e_shentsize ${shentsize} is smaller than a section header`)
    if (shoff < ehsize) throw invalid('the section header table overlaps the ELF header')
    // extended numbering: the real count and name index live in section header 0
    const first = this.readSectionHeader(shoff, 0)
    if (count === 0) count = first.size
    let nameIndex = this.header.sectionNameIndex
    if (nameIndex === SHN_XINDEX) nameIndex = first.link
    if (count > this.limits.maxSections) throw invalid(`${count} section headers (limit ${this.limits.maxSections})`)
    b.check(shoff, count * shentsize, 'section header table')
    const tableEnd = shoff + count * shentsize
    const raw = Array.from({ length: count }, (_, index) => this.readSectionHeader(shoff + index * shentsize, index))
    for (const section of raw) {
      // SHT_NULL entries carry no bytes (section 0 may hold extended-numbering counts)
      if (section.type === SHT_NULL || section.type === SHT_NOBITS || section.size === 0) continue
      b.check(section.offset, section.size, `section ${section.index}`)
      if (section.offset < ehsize) throw invalid(`section ${section.index} overlaps the ELF header`)
      if (section.offset < tableEnd && section.offset + section.size > shoff) {
        throw invalid(`section ${section.index} overlaps the section header table`)
      }
    }
    if (nameIndex >= count) throw invalid(`section name table index ${nameIndex} is out of range (${count} sections)`)
    this.header.sectionNameIndex = nameIndex
    let names: StringTable | undefined
    if (nameIndex !== SHN_UNDEF) {
      const table = raw[nameIndex]!
      if (table.type === SHT_NOBITS || table.type === SHT_NULL) throw invalid('the section name table has no bytes')
      names = new StringTable(b.buf.subarray(table.offset, table.offset + table.size), 'the section name table', this.limits.maxStringLength, this.budget)
    }
    return raw.map(({ nameOffset, ...section }) => ({
      ...section,
      name: names === undefined || (nameOffset === 0 && section.index === 0) ? '' : names.get(nameOffset),
    }))
  }

  private readProgramHeaders(): ElfProgramHeader[] {
    const b = this.bytes
    const { ehsize, phoff, phentsize } = this.headerLayout()
    let count = this.header.programHeaderCount
    if (count === PN_XNUM) {
      const first = this.sections[0]
      if (first === undefined) throw invalid('PN_XNUM program headers without section header 0')
      count = first.info
    }
    if (count === 0) return []
    if (count > this.limits.maxProgramHeaders) throw invalid(`${count} program headers (limit ${this.limits.maxProgramHeaders})`)
    const minEntry = b.is64 ? 56 : 32
    if (phentsize < minEntry) throw invalid(`e_phentsize ${phentsize} is smaller than a program header`)
    if (phoff < ehsize) throw invalid('the program header table overlaps the ELF header')
    b.check(phoff, count * phentsize, 'program header table')
    return Array.from({ length: count }, (_, index) => {
      const at = phoff + index * phentsize
      const what = `program header ${index}`
      const header = b.is64
        ? {
            type: b.u32(at, what),
            flags: b.u32(at + 4, what),
            offset: b.size(at + 8, what),
            vaddr: b.word(at + 16, what),
            fileSize: b.size(at + 32, what),
            memorySize: b.word(at + 40, what),
            align: b.word(at + 48, what),
          }
        : {
            type: b.u32(at, what),
            offset: b.u32(at + 4, what),
            vaddr: b.u32(at + 8, what),
            fileSize: b.u32(at + 16, what),
            memorySize: b.u32(at + 20, what),
            flags: b.u32(at + 24, what),
            align: b.u32(at + 28, what),
          }
      if (header.type === PT_LOAD || header.type === PT_DYNAMIC || header.type === PT_INTERP) {
        b.check(header.offset, header.fileSize, what)
      }
      return { ...header, typeName: PROGRAM_TYPES[header.type] ?? `0x${header.type.toString(16)}` }
    })
  }

  private readInterpreter(): string | undefined {
    const header = this.programHeaders.find((candidate) => candidate.type === PT_INTERP)
    if (header === undefined) return undefined
    const bytes = this.bytes.buf.subarray(header.offset, header.offset + Math.min(header.fileSize, this.limits.maxStringLength + 1))
    const end = bytes.indexOf(0)
    if (end === -1 && header.fileSize > this.limits.maxStringLength) throw invalid('over-long interpreter path')
    return bytes.toString('utf8', 0, end === -1 ? bytes.length : end)
  }

  /** The file range of the dynamic section: the `SHT_DYNAMIC` section, else `PT_DYNAMIC`. */
  private dynamicRange(): { offset: number; size: number; link?: number } | undefined {
    const section = this.sections.find((candidate) => candidate.type === SHT_DYNAMIC)
    if (section !== undefined) return { offset: section.offset, size: section.size, link: section.link }
    const header = this.programHeaders.find((candidate) => candidate.type === PT_DYNAMIC)
    if (header !== undefined) return { offset: header.offset, size: header.fileSize }
    return undefined
  }

  private readDynamicEntries(): Array<readonly [number, number]> {
    const range = this.dynamicRange()
    if (range === undefined) return []
    const b = this.bytes
    const entrySize = b.is64 ? 16 : 8
    b.check(range.offset, range.size, 'the dynamic section')
    const available = Math.floor(range.size / entrySize)
    const entries: Array<readonly [number, number]> = []
    for (let i = 0; i < available; i++) {
      if (i >= this.limits.maxDynamicEntries) throw invalid(`more than ${this.limits.maxDynamicEntries} dynamic entries`)
      const at = range.offset + i * entrySize
      const tag = b.sword(at, 'dynamic entry')
      if (tag === DT_NULL) break
      entries.push([tag, b.word(at + entrySize / 2, 'dynamic entry')] as const)
    }
    return entries
  }

  private dynamicValue(tag: number): number | undefined {
    return this.dynamicEntries.find(([candidate]) => candidate === tag)?.[1]
  }

  /** The string table of the dynamic section: its linked section, else `DT_STRTAB`/`DT_STRSZ`. */
  private dynamicStringTable(): StringTable {
    if (this.dynamicStrings !== undefined) return this.dynamicStrings
    const link = this.dynamicRange()?.link
    let data: Buffer | undefined
    const linked = link === undefined || link === SHN_UNDEF ? undefined : this.sections[link]
    if (linked !== undefined && linked.type === SHT_STRTAB) data = this.sectionData(linked)
    if (data === undefined) {
      const address = this.dynamicValue(DT_STRTAB)
      const size = this.dynamicValue(DT_STRSZ)
      if (address === undefined || size === undefined) throw invalid('the dynamic section has no string table')
      data = this.readVirtual(address, size)
      if (data === undefined) throw invalid('DT_STRTAB is not mapped from the file')
    }
    this.dynamicStrings = new StringTable(data, 'the dynamic string table', this.limits.maxStringLength, this.budget)
    return this.dynamicStrings
  }

  private readDynamicInfo(): ElfDynamicInfo {
    const pointerSize = this.bytes.is64 ? 8 : 4
    const strings = (tag: number): string[] => {
      const values = this.dynamicEntries.filter(([candidate]) => candidate === tag)
      if (values.length === 0) return []
      const table = this.dynamicStringTable()
      return values.map(([, value]) => table.get(value))
    }
    const paths = (tag: number): string[] => strings(tag).flatMap((value) => value.split(':')).filter((entry) => entry !== '')
    const hasInit = this.dynamicValue(DT_INIT) !== undefined
    const initArrayCount = Math.floor((this.dynamicValue(DT_INIT_ARRAYSZ) ?? 0) / pointerSize)
    const preinitArrayCount = Math.floor((this.dynamicValue(DT_PREINIT_ARRAYSZ) ?? 0) / pointerSize)
    const soname = strings(DT_SONAME)[0]
    return {
      needed: strings(DT_NEEDED),
      ...(soname === undefined ? {} : { soname }),
      rpath: paths(DT_RPATH),
      runpath: paths(DT_RUNPATH),
      hasInit,
      initArrayCount,
      preinitArrayCount,
      constructorCount: (hasInit ? 1 : 0) + initArrayCount + preinitArrayCount,
      flags: this.dynamicValue(DT_FLAGS) ?? 0,
      flags1: this.dynamicValue(DT_FLAGS_1) ?? 0,
    }
  }

  private readDynamicSymbols(): ElfSymbol[] {
    const b = this.bytes
    const minEntry = b.is64 ? 24 : 16
    const section = this.sections.find((candidate) => candidate.type === SHT_DYNSYM) ?? this.sectionHeader('.dynsym')
    let table: Buffer
    let entrySize: number
    let strings: StringTable
    if (section !== undefined && section.type !== SHT_NOBITS) {
      entrySize = section.entsize >= minEntry ? section.entsize : minEntry
      table = this.sectionData(section)
      const linked = this.sections[section.link]
      if (linked === undefined || section.link === SHN_UNDEF || linked.type === SHT_NOBITS) {
        throw invalid('.dynsym has no string table')
      }
      strings = new StringTable(this.sectionData(linked), 'the dynamic symbol string table', this.limits.maxStringLength, this.budget)
    } else {
      const address = this.dynamicValue(DT_SYMTAB)
      if (address === undefined) return []
      const declared = this.dynamicValue(DT_SYMENT)
      entrySize = declared !== undefined && declared >= minEntry && declared <= 1024 ? declared : minEntry
      const count = this.symbolCountFromHash()
      if (count === undefined) return []
      if (count > this.limits.maxSymbols) throw invalid(`${count} dynamic symbols (limit ${this.limits.maxSymbols})`)
      const mapped = this.readVirtual(address, count * entrySize)
      if (mapped === undefined) throw invalid('DT_SYMTAB is not mapped from the file')
      table = mapped
      strings = this.dynamicStringTable()
    }
    const count = Math.floor(table.length / entrySize)
    if (count > this.limits.maxSymbols) throw invalid(`${count} dynamic symbols (limit ${this.limits.maxSymbols})`)
    const view = new Bytes(table, b.little, b.is64)
    const symbols: ElfSymbol[] = []
    for (let index = 1; index < count; index++) {
      const at = index * entrySize
      const what = `dynamic symbol ${index}`
      const nameOffset = view.u32(at, what)
      const info = view.u8(at + (b.is64 ? 4 : 12), what)
      const other = view.u8(at + (b.is64 ? 5 : 13), what)
      const sectionIndex = view.u16(at + (b.is64 ? 6 : 14), what)
      const value = b.is64 ? view.word(at + 8, what) : view.u32(at + 4, what)
      const size = b.is64 ? view.word(at + 16, what) : view.u32(at + 8, what)
      symbols.push({
        name: strings.get(nameOffset),
        binding: BINDINGS[info >> 4] ?? 'OTHER',
        type: SYMBOL_TYPES[info & 0xf] ?? 'OTHER',
        visibility: VISIBILITIES[other & 3]!,
        defined: sectionIndex !== SHN_UNDEF,
        sectionIndex,
        value,
        size,
      })
    }
    return symbols
  }

  /** Symbol count from `DT_HASH` (`nchain`) or `DT_GNU_HASH` (highest chained index + 1). */
  private symbolCountFromHash(): number | undefined {
    const b = this.bytes
    const hashAddress = this.dynamicValue(DT_HASH)
    if (hashAddress !== undefined) {
      const header = this.readVirtual(hashAddress, 8)
      if (header === undefined) throw invalid('DT_HASH is not mapped from the file')
      return new Bytes(header, b.little, b.is64).u32(4, 'DT_HASH nchain')
    }
    const gnuAddress = this.dynamicValue(DT_GNU_HASH)
    if (gnuAddress === undefined) return undefined
    const head = this.readVirtual(gnuAddress, 16)
    if (head === undefined) throw invalid('DT_GNU_HASH is not mapped from the file')
    const h = new Bytes(head, b.little, b.is64)
    const bucketCount = h.u32(0, 'DT_GNU_HASH')
    const symbolOffset = h.u32(4, 'DT_GNU_HASH')
    const bloomSize = h.u32(8, 'DT_GNU_HASH')
    const wordSize = b.is64 ? 8 : 4
    const bucketsAt = gnuAddress + 16 + bloomSize * wordSize
    const buckets = this.readVirtual(bucketsAt, bucketCount * 4)
    if (buckets === undefined) throw invalid('DT_GNU_HASH buckets are not mapped from the file')
    const bucketView = new Bytes(buckets, b.little, b.is64)
    let last = 0
    for (let i = 0; i < bucketCount; i++) last = Math.max(last, bucketView.u32(i * 4, 'DT_GNU_HASH bucket'))
    if (last < symbolOffset) return symbolOffset
    const chainsAt = bucketsAt + bucketCount * 4
    const chains = this.mappedFrom(chainsAt + (last - symbolOffset) * 4)
    if (chains === undefined) throw invalid('DT_GNU_HASH chains are not mapped from the file')
    const chainView = new Bytes(chains, b.little, b.is64)
    // walk the chain holding the highest bucket start until its end marker (low bit set)
    for (let i = 0; ; i++) {
      if (last + i > this.limits.maxSymbols) throw invalid(`more than ${this.limits.maxSymbols} dynamic symbols`)
      if ((chainView.u32(i * 4, 'DT_GNU_HASH chain') & 1) === 1) return last + i + 1
    }
  }
}
