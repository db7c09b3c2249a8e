import { describe, expect, it } from 'vitest'
import type { JsonValue } from '../../../../shared/analyzers/analyzer.js'
import { detectOs, OS_RELEASE_ANALYZER_ID, osReleaseAnalyzer, parseOsRelease } from '../../../../shared/analyzers/os-release/os-release-analyzer.js'
import type { EntryRecord } from '../../../../shared/layers/layer-result.js'
import type { SquashedTree } from '../../../../shared/layers/squash.js'

const DEBIAN_12 = `PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
NAME="Debian GNU/Linux"
VERSION_ID="12"
VERSION="12 (bookworm)"
VERSION_CODENAME=bookworm
ID=debian
HOME_URL="https://www.debian.org/"
SUPPORT_URL="https://www.debian.org/support"
BUG_REPORT_URL="https://bugs.debian.org/"
`

function fileEntry(path: string): EntryRecord {
  return { path, type: 'file', size: 10, mode: 0o644, uid: 0, gid: 0 }
}

describe('parseOsRelease', () => {
  it('reads the Debian 12 file', () => {
    expect(parseOsRelease(DEBIAN_12)).toEqual({
      PRETTY_NAME: 'Debian GNU/Linux 12 (bookworm)',
      NAME: 'Debian GNU/Linux',
      VERSION_ID: '12',
      VERSION: '12 (bookworm)',
      VERSION_CODENAME: 'bookworm',
      ID: 'debian',
      HOME_URL: 'https://www.debian.org/',
      SUPPORT_URL: 'https://www.debian.org/support',
      BUG_REPORT_URL: 'https://bugs.debian.org/',
    })
  })

  it.each<[string, string, Record<string, string>]>([
    ['an unquoted value', 'ID=alpine', { ID: 'alpine' }],
    ['a double-quoted value', 'NAME="Alpine Linux"', { NAME: 'Alpine Linux' }],
    ['a single-quoted value', "NAME='Alpine Linux'", { NAME: 'Alpine Linux' }],
    ['escaped double quotes', 'PRETTY_NAME="The \\"Best\\" OS"', { PRETTY_NAME: 'The "Best" OS' }],
    ['an escaped backslash, dollar and backtick', 'X="a\\\\b \\$HOME \\`cmd\\`"', { X: 'a\\b $HOME `cmd`' }],
    ['an unknown escape left as is', 'X="a\\nb"', { X: 'a\\nb' }],
    ['backslashes inside single quotes kept', "X='a\\\"b'", { X: 'a\\"b' }],
    ['an empty quoted value', 'VARIANT=""', { VARIANT: '' }],
    ['an empty value', 'VARIANT=', { VARIANT: '' }],
    ['an unterminated quote kept', 'NAME="Alpine', { NAME: '"Alpine' }],
    ['a lone quote kept', 'NAME="', { NAME: '"' }],
    ['mismatched quotes kept', `NAME="Alpine'`, { NAME: `"Alpine'` }],
    ['an equals sign in the value', 'X="a=b"', { X: 'a=b' }],
    ['spaces around the value', 'ID=  debian  ', { ID: 'debian' }],
    ['leading spaces before the key', '   ID=debian', { ID: 'debian' }],
    ['comments and blank lines', '# a comment\n\n   \nID=ubuntu\n  # ID=not-this\n', { ID: 'ubuntu' }],
    ['lower-case keys ignored', 'id=nope\nID=yes', { ID: 'yes' }],
    ['keys with digits and underscores', 'X_2=a', { X_2: 'a' }],
    ['keys starting with a digit ignored', '2X=a', {}],
    ['a space before the equals sign ignored', 'ID =debian', {}],
    ['a later duplicate winning', 'ID=a\nID=b', { ID: 'b' }],
    ['nothing', '', {}],
  ])('handles %s', (_label, text, expected) => {
    expect(parseOsRelease(text)).toEqual(expected)
  })
})

describe('osReleaseAnalyzer', () => {
  it.each([
    ['/etc/os-release', true],
    ['/usr/lib/os-release', true],
    ['/etc/debian_version', true],
    ['/etc/alpine-release', true],
    ['/etc/lsb-release', false],
    ['/etc/os-release.bak', false],
    ['/home/user/etc/os-release', false],
    ['etc/os-release', false],
    ['/etc/', false],
  ])('wants %s: %s', (path, expected) => {
    expect(osReleaseAnalyzer.wants(path, fileEntry(path))).toBe(expected)
  })

  it.each<[string, string, JsonValue]>([
    ['/etc/os-release', 'ID=alpine\nVERSION_ID=3.20.0\n', { ID: 'alpine', VERSION_ID: '3.20.0' }],
    ['/usr/lib/os-release', DEBIAN_12, parseOsRelease(DEBIAN_12)],
    ['/etc/debian_version', '12.5\n', { release: '12.5' }],
    ['/etc/alpine-release', '  3.20.0  \nsecond line\n', { release: '3.20.0' }],
    ['/etc/debian_version', '', { release: '' }],
  ])('turns %s into facts', async (path, content, facts) => {
    // Act
    const analysis = await osReleaseAnalyzer.analyze({ path, entry: fileEntry(path), content: Buffer.from(content), truncated: false })
    // Assess
    expect(analysis).toEqual({ facts })
  })
})

describe('detectOs', () => {
  function imageWith(files: Record<string, JsonValue>): Parameters<typeof detectOs>[0] {
    return {
      tree: {} as SquashedTree,
      visibleFacts: (analyzerId, path) => (analyzerId === OS_RELEASE_ANALYZER_ID ? files[path] : undefined),
    }
  }

  it.each<[string, Record<string, JsonValue>, ReturnType<typeof detectOs>]>([
    [
      'Debian from /etc/os-release',
      { '/etc/os-release': parseOsRelease(DEBIAN_12) },
      { family: 'debian', version: '12', name: 'Debian GNU/Linux 12 (bookworm)', versionCodename: 'bookworm' },
    ],
    ['the /usr/lib copy when /etc has none', { '/usr/lib/os-release': { ID: 'fedora', VERSION_ID: '40', NAME: 'Fedora Linux' } }, { family: 'fedora', version: '40', name: 'Fedora Linux' }],
    ['Debian testing: the version from debian_version', { '/etc/os-release': { ID: 'debian' }, '/etc/debian_version': { release: 'trixie/sid' } }, { family: 'debian', version: 'trixie/sid' }],
    ['an ID without a version', { '/etc/os-release': { ID: 'arch' } }, { family: 'arch', version: '' }],
    ['Alpine from alpine-release only', { '/etc/alpine-release': { release: '3.19.1' } }, { family: 'alpine', version: '3.19.1' }],
    ['Debian from debian_version only', { '/etc/debian_version': { release: '11.9' } }, { family: 'debian', version: '11.9' }],
    ['nothing', {}, null],
    ['an os-release without an ID', { '/etc/os-release': { NAME: 'x' } }, null],
  ])('detects %s', (_label, files, expected) => {
    expect(detectOs(imageWith(files))).toEqual(expected)
  })
})
