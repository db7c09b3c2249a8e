import { Readable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { HEAD_BYTES, type FileAnalyzer } from '../../../shared/analyzers/analyzer.js'
import { ErrorCode } from '../../../shared/errors.js'
import { parseDigest, type Digest } from '../../../shared/image/digest.js'
import type { Descriptor } from '../../../shared/image/manifest.js'
import { MediaType } from '../../../shared/image/media-types.js'
import { EntryType } from '../../../shared/layers/layer-result.js'
import { DEFAULT_LIMITS, type ScanLimits } from '../../../shared/layers/limits.js'
import { ByteBudget, readLayer } from '../../../shared/layers/read-layer.js'
import { buildLayer, opaqueWhiteout, whiteout, type BuiltBlob, type LayerCompression, type LayerEntrySpec } from '../../support/layer-builder.js'

const MEDIA_TYPES: Record<LayerCompression, string> = { gzip: MediaType.OciLayerGzip, zstd: MediaType.OciLayerZstd, none: MediaType.OciLayer }

function descriptorOf(blob: BuiltBlob, mediaType = MEDIA_TYPES[blob.compression ?? 'gzip']): Descriptor {
  return { mediaType, digest: parseDigest(blob.digest), size: blob.size }
}

/** The blob as a stream, in chunks of `chunk` bytes (small chunks cross every parser boundary). */
function streamOf(bytes: Buffer, chunk = 64 * 1024): Readable {
  const parts: Buffer[] = []
  for (let i = 0; i < bytes.length; i += chunk) parts.push(bytes.subarray(i, i + chunk))
  return Readable.from(parts)
}

function read(blob: BuiltBlob, options: { limits?: Partial<ScanLimits>; analyzers?: FileAnalyzer[]; chunk?: number; mediaType?: string; diffId?: string } = {}) {
  const limits = { ...DEFAULT_LIMITS, ...options.limits }
  return readLayer(streamOf(blob.bytes, options.chunk), descriptorOf(blob, options.mediaType), (options.diffId ?? blob.diffId) as Digest, {
    limits,
    analyzers: options.analyzers ?? [],
    imageBudget: new ByteBudget(limits.maxImageBytes),
  })
}

const LONG_NAME = `opt/${'very-long-directory-name/'.repeat(8)}file.txt`

const ENTRIES: LayerEntrySpec[] = [
  { name: './', type: 'directory' },
  { name: 'etc/', type: 'directory' },
  { name: 'etc/os-release', content: 'ID=debian\nVERSION_ID="12"\n' },
  { name: 'usr/bin/su', content: 'ELF', mode: 0o4755 },
  { name: 'usr/bin/wall', content: 'ELF', mode: 0o2755 },
  { name: 'usr/bin/su-again', type: 'hardlink', linkname: './usr/bin/su' },
  { name: 'bin', type: 'symlink', linkname: 'usr/bin' },
  { name: 'dev/null', type: 'char-device', devmajor: 1, devminor: 3 },
  { name: 'run/fifo', type: 'fifo' },
  { name: LONG_NAME, content: 'deep' },
  whiteout('etc/motd'),
  opaqueWhiteout('var/cache'),
]

describe('readLayer', () => {
  it.each(['gzip', 'zstd', 'none'] as const)('reads a %s layer entry by entry and checks its DiffID', async (compression) => {
    // Prepare
    const blob = await buildLayer(ENTRIES, { compression })
    // Act
    const result = await read(blob)
    // Assess
    expect(result.diffId).toBe(blob.diffId)
    expect(result.compression).toBe(compression)
    expect(result.uncompressedSize).toBeGreaterThan(0)
    const byPath = new Map(result.entries.map((e) => [e.path, e]))
    expect(byPath.get('/usr/bin/su')).toMatchObject({ type: EntryType.File, mode: 0o4755, size: 3 })
    expect(byPath.get('/usr/bin/wall')).toMatchObject({ mode: 0o2755 })
    expect(byPath.get('/usr/bin/su-again')).toMatchObject({ type: EntryType.Hardlink, linkname: '/usr/bin/su' })
    expect(byPath.get('/bin')).toMatchObject({ type: EntryType.Symlink, linkname: 'usr/bin' })
    expect(byPath.get('/dev/null')).toMatchObject({ type: EntryType.CharDevice })
    expect(byPath.get('/run/fifo')).toMatchObject({ type: EntryType.Fifo })
    expect(byPath.get(`/${LONG_NAME}`)).toMatchObject({ type: EntryType.File, size: 4 })
    expect(byPath.get('/etc/motd')).toMatchObject({ type: EntryType.Whiteout })
    expect(byPath.get('/var/cache')).toMatchObject({ type: EntryType.OpaqueWhiteout })
    expect(byPath.has('/')).toBe(false)
    expect(result.refused).toEqual([])
  })

  it('gives the same result whatever the chunking', async () => {
    const blob = await buildLayer(ENTRIES, { compression: 'gzip' })
    const whole = await read(blob, { chunk: blob.bytes.length })
    const tiny = await read(blob, { chunk: 321 })
    expect(tiny).toEqual(whole)
  })

  it('offers wanted files to analyzers, capped at maxFileReadBytes', async () => {
    // Prepare
    const blob = await buildLayer([{ name: 'big.txt', content: 'x'.repeat(5000) }, { name: 'small.txt', content: 'hello' }], { compression: 'gzip' })
    const seen: Array<{ path: string; length: number; truncated: boolean }> = []
    const analyzer: FileAnalyzer = {
      kind: 'file',
      id: 'probe',
      version: 1,
      wants: (path) => path.endsWith('.txt'),
      analyze: ({ path, content, truncated }) => {
        seen.push({ path, length: content.length, truncated })
        return { facts: { length: content.length } }
      },
    }
    // Act
    const result = await read(blob, { analyzers: [analyzer], limits: { maxFileReadBytes: 1000 } })
    // Assess
    expect(seen).toEqual([
      { path: '/big.txt', length: 1000, truncated: true },
      { path: '/small.txt', length: 5, truncated: false },
    ])
    expect(result.analyses.probe?.facts).toEqual([
      { path: '/big.txt', value: { length: 1000 } },
      { path: '/small.txt', value: { length: 5 } },
    ])
  })

  it('shows wantsHead the first HEAD_BYTES, and analyzes only the files still wanted after it', async () => {
    const binary = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46]), Buffer.alloc(100_000, 1)])
    const blob = await buildLayer(
      [
        { name: 'prog', content: binary },
        { name: 'script', content: `#!/bin/sh\n${'echo hi\n'.repeat(2000)}` },
        { name: 'tiny', content: '#!/bin/sh\n' },
      ],
      { compression: 'gzip' }
    )
    const heads: Array<{ path: string; length: number }> = []
    const analyzed: Array<{ path: string; length: number }> = []
    const analyzer: FileAnalyzer = {
      kind: 'file',
      id: 'scripts-only',
      version: 1,
      wants: () => true,
      wantsHead: (head, path) => {
        heads.push({ path, length: head.length })
        return head.subarray(0, 2).toString() === '#!'
      },
      analyze: ({ path, content }) => {
        analyzed.push({ path, length: content.length })
        return {}
      },
    }
    const always: FileAnalyzer = { kind: 'file', id: 'sizes', version: 1, wants: (path) => path === '/prog', analyze: ({ content }) => ({ facts: content.length }) }
    const result = await read(blob, { analyzers: [analyzer, always], chunk: 1000 })
    expect(heads).toEqual([
      { path: '/prog', length: HEAD_BYTES },
      { path: '/script', length: HEAD_BYTES },
      { path: '/tiny', length: 10 },
    ])
    expect(analyzed).toEqual([
      { path: '/script', length: 10 + 8 * 2000 },
      { path: '/tiny', length: 10 },
    ])
    // an analyzer without wantsHead still gets the whole file another one declined
    expect(result.analyses.sizes?.facts).toEqual([{ path: '/prog', value: binary.length }])
    expect(result.entries.map((e) => e.path)).toEqual(['/prog', '/script', '/tiny'])
  })

  it('records an analyzer that throws and reads on', async () => {
    const blob = await buildLayer([{ name: 'a' }, { name: 'b' }], { compression: 'gzip' })
    const analyzer: FileAnalyzer = {
      kind: 'file',
      id: 'broken',
      version: 1,
      wants: () => true,
      analyze: ({ path }) => {
        if (path === '/a') throw new Error('boom')
        return { findings: [{ ruleId: 'probe-rule', category: 'filesystem', severity: 'low', title: 'probe', location: {} }] }
      },
    }
    const result = await read(blob, { analyzers: [analyzer] })
    expect(result.analyses.broken?.errors).toEqual([expect.objectContaining({ code: ErrorCode.AnalyzerFailed, analyzer: 'broken' })])
    expect(result.analyses.broken?.findings).toEqual([expect.objectContaining({ ruleId: 'probe-rule', location: { layer: blob.diffId, path: '/b' } })])
  })

  it('refuses and reports names that escape the root or are too long, and notes ".." names', async () => {
    const blob = await buildLayer(
      [{ name: '../../etc/cron.d/evil', content: 'x' }, { name: 'usr/../etc/ok', content: 'y' }, { name: `a/${'b'.repeat(300)}`, content: 'z' }, { name: 'link', type: 'hardlink', linkname: '../../etc/shadow' }],
      { compression: 'gzip' }
    )
    const result = await read(blob, { limits: { maxPathLength: 200 } })
    expect(result.refused).toEqual([
      { name: '../../etc/cron.d/evil', reason: 'escapes-root' },
      { name: `a/${'b'.repeat(300)}`, reason: 'too-long' },
      { name: 'link', reason: 'hardlink-escapes-root' },
    ])
    expect(result.dotDotNames).toEqual(['usr/../etc/ok'])
    expect(result.entries.map((e) => e.path)).toEqual(['/etc/ok'])
  })

  it('reads a layer whose media type lies about its compression, and says so', async () => {
    const blob = await buildLayer([{ name: 'f' }], { compression: 'zstd' })
    const result = await read(blob, { mediaType: MediaType.OciLayerGzip })
    expect(result.compression).toBe('zstd')
    expect(result.notes).toEqual([expect.objectContaining({ code: ErrorCode.LayerUnsupported })])
  })

  it.each([
    ['a DiffID the config does not have', { diffId: `sha256:${'0'.repeat(64)}` }, ErrorCode.DiffIdMismatch],
    ['more entries than maxEntriesPerLayer', { limits: { maxEntriesPerLayer: 3 } }, ErrorCode.LayerTooManyEntries],
  ])('fails on %s', async (_name, options, code) => {
    const blob = await buildLayer([{ name: 'a' }, { name: 'b' }, { name: 'c' }, { name: 'd' }], { compression: 'gzip' })
    await expect(read(blob, options)).rejects.toMatchObject({ code })
  })

  it('stops a decompression bomb at maxLayerBytes', async () => {
    // 64 MiB of zeros gzip to about 64 KiB
    const blob = await buildLayer([{ name: 'zeros', content: Buffer.alloc(64 * 1024 * 1024) }], { compression: 'gzip' })
    expect(blob.size).toBeLessThan(200 * 1024)
    await expect(read(blob, { limits: { maxLayerBytes: 8 * 1024 * 1024 } })).rejects.toMatchObject({ code: ErrorCode.LayerTooLarge, name: 'LimitError' })
  })

  it.each([
    ['gzip data cut short', (b: Buffer) => b.subarray(0, Math.floor(b.length / 2))],
    ['gzip data with a damaged byte', (b: Buffer) => Buffer.concat([b.subarray(0, 20), Buffer.from([b[20]! ^ 0xff]), b.subarray(21)])],
    ['a tar that is not a tar', () => Buffer.from('this is not a tar archive, just text'.repeat(40))],
  ])('reports %s as LAYER_CORRUPT', async (_name, damage) => {
    const blob = await buildLayer([{ name: 'f', content: 'x'.repeat(10_000) }, { name: 'g', content: 'y'.repeat(10_000) }], { compression: 'gzip' })
    const bytes = damage(blob.bytes)
    const damaged = { ...blob, bytes, size: bytes.length, mediaType: MediaType.OciLayerGzip }
    await expect(read(damaged)).rejects.toMatchObject({ code: ErrorCode.LayerCorrupt, name: 'LayerError' })
  })
})
