import { describe, expect, it } from 'vitest'
import { normaliseEntryPath, resolveLinkTarget } from '../../../shared/layers/paths.js'
import { whiteoutOf } from '../../../shared/layers/whiteout.js'

describe('normaliseEntryPath', () => {
  it.each([
    ['etc/passwd', '/etc/passwd', false],
    ['./etc/passwd', '/etc/passwd', false],
    ['/etc/passwd', '/etc/passwd', false],
    ['etc//ssl/./certs/', '/etc/ssl/certs', false],
    ['./', '/', false],
    ['.', '/', false],
    ['usr/../etc/shadow', '/etc/shadow', true],
    ['a/b/../../c', '/c', true],
  ])('%j → %s', (name, path, dotDot) => {
    expect(normaliseEntryPath(name, 4096)).toEqual({ ok: true, path, dotDot })
  })

  it.each([
    ['../etc/passwd', 'escapes-root'],
    ['a/../../etc/passwd', 'escapes-root'],
    ['/../../x', 'escapes-root'],
    ['a\0b', 'nul-byte'],
    [`${'a/'.repeat(3000)}`, 'too-long'],
  ])('refuses %j (%s)', (name, reason) => {
    expect(normaliseEntryPath(name, 4096)).toEqual({ ok: false, reason })
  })
})

describe('resolveLinkTarget', () => {
  it.each([
    ['/etc/os-release', '../usr/lib/os-release', '/usr/lib/os-release'],
    ['/bin', 'usr/bin', '/usr/bin'],
    ['/a/b/link', '/abs/target', '/abs/target'],
    ['/a/link', '../../../../etc/passwd', '/etc/passwd'],
    ['/a/link', './x/./y', '/a/x/y'],
  ])('%s -> %s resolves to %s', (link, target, expected) => {
    expect(resolveLinkTarget(link, target)).toBe(expected)
  })
})

describe('whiteoutOf', () => {
  it.each([
    ['/etc/.wh.motd', { kind: 'file', target: '/etc/motd' }],
    ['/.wh.app', { kind: 'file', target: '/app' }],
    ['/app/tmp/.wh..wh..opq', { kind: 'opaque', directory: '/app/tmp' }],
    ['/.wh..wh..opq', { kind: 'opaque', directory: '/' }],
    ['/etc/.wh.', { kind: 'invalid' }],
    ['/etc/.wh..wh.other', { kind: 'invalid' }],
    ['/etc/motd', undefined],
    ['/etc/x.wh.y', undefined],
  ])('%s', (path, expected) => {
    expect(whiteoutOf(path)).toEqual(expected)
  })
})
