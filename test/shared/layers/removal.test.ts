import { describe, expect, it } from 'vitest'
import { EntryType, type EntryRecord } from '../../../shared/layers/layer-result.js'
import { RemovalFinder } from '../../../shared/layers/removal.js'

const file = (path: string): EntryRecord => ({ path, type: EntryType.File, size: 10, mode: 0o644, uid: 0, gid: 0 })
const dir = (path: string): EntryRecord => ({ path, type: EntryType.Directory, size: 0, mode: 0o755, uid: 0, gid: 0 })
const whiteout = (path: string): EntryRecord => ({ path, type: EntryType.Whiteout, size: 0, mode: 0, uid: 0, gid: 0 })
const opaque = (path: string): EntryRecord => ({ path, type: EntryType.OpaqueWhiteout, size: 0, mode: 0, uid: 0, gid: 0 })
const symlink = (path: string, linkname: string): EntryRecord => ({ path, type: EntryType.Symlink, size: 0, mode: 0o777, uid: 0, gid: 0, linkname })

describe('RemovalFinder', () => {
  const base = { entries: [dir('/srv'), dir('/srv/app'), file('/srv/app/.env'), file('/srv/app/main.js')] }

  it.each([
    ['a whiteout of the file', [whiteout('/srv/app/.env')]],
    ['a whiteout of a directory above it', [whiteout('/srv/app')]],
    ['an opaque directory above it', [dir('/srv/app'), opaque('/srv/app'), file('/srv/app/main.js')]],
    ['a new file at the same path', [dir('/srv/app'), file('/srv/app/.env')]],
    ['a symlink put where a directory above it was', [symlink('/srv/app', '/opt/app')]],
  ])('names the layer that removed it: %s', (_name, entries) => {
    const finder = new RemovalFinder([base, { entries: [file('/etc/hostname')] }, { entries }])
    expect(finder.removedIn('/srv/app/.env', 0)).toBe(2)
  })

  it('finds the first removing layer above the one that holds the file, skipping layers that leave it alone', () => {
    const finder = new RemovalFinder([base, { entries: [dir('/srv/app'), file('/srv/app/other')] }, { entries: [whiteout('/srv/app/.env')] }, { entries: [whiteout('/srv')] }])
    expect(finder.removedIn('/srv/app/.env', 0)).toBe(2)
    expect(finder.removedIn('/srv/app/main.js', 0)).toBe(3)
    expect(finder.removedIn('/srv/app/other', 1)).toBe(3)
  })

  it('says nothing for a file no later layer touches, or one a sibling whiteout leaves alone', () => {
    const finder = new RemovalFinder([base, { entries: [dir('/srv/app'), whiteout('/srv/app/main.js'), whiteout('/srv/app/.env.bak')] }])
    expect(finder.removedIn('/srv/app/.env', 0)).toBeUndefined()
    expect(finder.removedIn('/srv/app/main.js', 0)).toBe(1)
    expect(finder.removedIn('/srv/app/.env', 1)).toBeUndefined()
  })
})
