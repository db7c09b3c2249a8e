import { describe, expect, it } from 'vitest'
import { computeEfficiency } from '../../../shared/layers/efficiency.js'
import { EntryType, type EntryRecord } from '../../../shared/layers/layer-result.js'
import { SquashedTree, squash } from '../../../shared/layers/squash.js'

const file = (path: string, size = 1, mode = 0o644): EntryRecord => ({ path, type: EntryType.File, size, mode, uid: 0, gid: 0 })
const dir = (path: string): EntryRecord => ({ path, type: EntryType.Directory, size: 0, mode: 0o755, uid: 0, gid: 0 })
const link = (path: string, linkname: string): EntryRecord => ({ path, type: EntryType.Symlink, size: 0, mode: 0o777, uid: 0, gid: 0, linkname })
const whiteout = (path: string): EntryRecord => ({ path, type: EntryType.Whiteout, size: 0, mode: 0, uid: 0, gid: 0 })
const opaque = (path: string): EntryRecord => ({ path, type: EntryType.OpaqueWhiteout, size: 0, mode: 0, uid: 0, gid: 0 })

const paths = (layers: EntryRecord[][]): string[] => [...squash(layers.map((entries) => ({ entries }))).entries()].map((e) => e.path)

describe('squash', () => {
  it('applies file and directory whiteouts to lower layers only', () => {
    // Prepare
    const layers = [
      [dir('/app'), file('/app/a'), file('/app/b'), dir('/app/cache'), file('/app/cache/x'), file('/etc/motd')],
      // a whiteout and a new file of the same name in one layer: the whiteout hits the lower one only
      [whiteout('/app/a'), file('/app/a', 7), whiteout('/app/cache'), whiteout('/etc/motd')],
    ]
    // Act
    const tree = squash(layers.map((entries) => ({ entries })))
    // Assess
    expect([...tree.entries()].map((e) => e.path)).toEqual(['/app', '/app/a', '/app/b'])
    expect(tree.get('/app/a')).toMatchObject({ layer: 1, record: { size: 7 } })
  })

  it('hides everything below an opaque directory, whatever the order in the layer', () => {
    const layers = [
      [dir('/app'), dir('/app/tmp'), file('/app/tmp/old'), file('/app/keep')],
      [file('/app/tmp/new'), opaque('/app/tmp'), dir('/app/tmp')],
    ]
    expect(paths(layers)).toEqual(['/app', '/app/keep', '/app/tmp', '/app/tmp/new'])
  })

  it('creates missing parents and replaces a file in the way with a directory', () => {
    const layers = [[file('/x')], [file('/x/y/z')]]
    expect(paths(layers)).toEqual(['/x/y/z'])
  })

  it('answers exact lookups the same as a walk of the tree, after whiteouts, opaque directories and replacements', () => {
    const tree = squash(
      [
        [dir('/a'), dir('/a/b'), file('/a/b/c'), file('/a/b/d'), dir('/o'), file('/o/x'), dir('/o/y'), file('/o/y/z'), dir('/r'), file('/r/f')],
        [whiteout('/a/b'), opaque('/o'), file('/o/new'), file('/r'), file('/a/b2')],
        [dir('/r'), file('/r/g'), file('/a/b/c')],
      ].map((entries) => ({ entries }))
    )
    const walked = [...tree.entries()].map((e) => e.path)
    expect(walked).toEqual(['/a', '/a/b/c', '/a/b2', '/o', '/o/new', '/r', '/r/g'])
    for (const path of walked) expect(tree.get(path)?.path).toBe(path)
    for (const gone of ['/a/b/d', '/o/x', '/o/y', '/o/y/z', '/r/f']) expect(tree.get(gone)).toBeUndefined()
    // /a/b exists again only as the implied parent of /a/b/c: a directory without a record of its own
    expect(tree.isDirectory('/a/b')).toBe(true)
    expect(tree.isDirectory('/a/b/c')).toBe(false)
    expect(tree.get('/r')).toMatchObject({ layer: 2, record: { type: EntryType.Directory } })
  })

  it('resolves through a symlinked directory, and again after a later layer makes it a real one', () => {
    const tree = new SquashedTree()
    tree.apply([dir('/usr'), dir('/usr/bin'), file('/usr/bin/ls'), link('/bin', 'usr/bin'), link('/usr/bin/sh', 'dash'), file('/usr/bin/dash')], 0)
    expect(tree.resolve('/bin/ls')).toMatchObject({ path: '/usr/bin/ls', layer: 0 })
    expect(tree.resolve('/bin/sh')).toMatchObject({ path: '/usr/bin/dash' })
    expect(tree.resolve('/bin/missing')).toBeUndefined()
    expect(tree.isDirectory('/bin')).toBe(true)
    expect(tree.entries().map((e) => e.path)).toEqual(['/bin', '/usr', '/usr/bin', '/usr/bin/dash', '/usr/bin/ls', '/usr/bin/sh'])
    // a later layer writes below /bin: it becomes a directory, and what was resolved through the link is stale
    tree.apply([file('/bin/ls', 7)], 1)
    expect(tree.resolve('/bin/ls')).toMatchObject({ path: '/bin/ls', layer: 1, record: { size: 7 } })
    expect(tree.resolve('/bin/sh')).toBeUndefined()
    expect(tree.get('/usr/bin/ls')).toMatchObject({ layer: 0 })
    expect(tree.entries().map((e) => e.path)).toEqual(['/bin/ls', '/usr', '/usr/bin', '/usr/bin/dash', '/usr/bin/ls', '/usr/bin/sh'])
  })

  it('resolves symlinks in every path component and stops on loops', () => {
    const tree = squash([
      { entries: [dir('/usr'), dir('/usr/lib'), file('/usr/lib/os-release'), dir('/etc'), link('/etc/os-release', '../usr/lib/os-release'), link('/lib', 'usr/lib'), link('/loop1', 'loop2'), link('/loop2', '/loop1')] },
    ])
    expect(tree.resolve('/etc/os-release')?.path).toBe('/usr/lib/os-release')
    expect(tree.resolve('/lib/os-release')?.path).toBe('/usr/lib/os-release')
    expect(tree.resolve('/loop1')).toBeUndefined()
    expect(tree.resolve('/missing')).toBeUndefined()
  })
})

describe('computeEfficiency (Dive semantics)', () => {
  it('scores a single layer as fully efficient', () => {
    const { efficiency } = computeEfficiency([{ entries: [dir('/a'), file('/a/x', 100), file('/a/y', 50)] }])
    expect(efficiency).toEqual({ score: 1, wastedBytes: 0, userWastedPercent: 0, topWasted: [] })
  })

  it('counts files written twice and deleted files as waste', () => {
    // Prepare: layer 0 adds x (100) and y (50); layer 1 rewrites x (120) and deletes y; layer 2 adds z (30)
    const layers = [
      { entries: [dir('/a'), file('/a/x', 100), file('/a/y', 50)] },
      { entries: [dir('/a'), file('/a/x', 120), whiteout('/a/y')] },
      { entries: [file('/z', 30)] },
    ]
    // Act
    const { efficiency } = computeEfficiency(layers)
    // Assess: /a/x cumulative 220 (min 100), /a/y cumulative 50 (min 0, the whiteout counts 0), /z 30
    expect(efficiency.wastedBytes).toBe(270)
    expect(efficiency.score).toBeCloseTo((100 + 0 + 30) / (220 + 50 + 30), 6)
    // user layers hold 120 + 30 file bytes
    expect(efficiency.userWastedPercent).toBeCloseTo((270 / 150) * 100, 4)
    expect(efficiency.topWasted).toEqual([
      { path: '/a/x', layers: 2, cumulativeSize: 220 },
      { path: '/a/y', layers: 2, cumulativeSize: 50 },
    ])
  })

  it('sizes a directory whiteout by what it deleted', () => {
    const layers = [{ entries: [dir('/d'), file('/d/1', 10), file('/d/2', 20)] }, { entries: [whiteout('/d')] }]
    const { efficiency } = computeEfficiency(layers)
    // /d is not a leaf of layer 0, so the whiteout is its only sighting: nothing counts as wasted (as in Dive)
    expect(efficiency.wastedBytes).toBe(0)
    expect(efficiency.score).toBe(1)
  })
})
