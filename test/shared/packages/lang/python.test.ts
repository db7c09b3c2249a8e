import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { PackageMetadataError } from '../../../../shared/packages/lang/lang-package.js'
import { normalizePythonName, parseEmailHeaders, parsePythonMetadata, wantsPython } from '../../../../shared/packages/lang/python.js'

const FIXTURES = new URL('../../../fixtures/packages/lang/python/', import.meta.url)

function fixture(name: string): Buffer {
  return readFileSync(new URL(name, FIXTURES))
}

describe('wantsPython', () => {
  it.each([
    ['/usr/lib/python3/dist-packages/requests-2.31.0.dist-info/METADATA', true],
    ['/app/.venv/lib/python3.12/site-packages/Acme_Widgets.Core-2.4.1.dist-info/METADATA', true],
    ['/usr/lib/python3/dist-packages/six-1.16.0.egg-info/PKG-INFO', true],
    ['/usr/lib/python3/dist-packages/tinyutil-0.3.egg-info', true],
    ['/usr/lib/python3/site-packages/foo-1.0-py3.12.egg/EGG-INFO/PKG-INFO', true],
    ['/usr/lib/python3/dist-packages/requests-2.31.0.dist-info/RECORD', false],
    ['/usr/lib/python3/dist-packages/requests/METADATA', false],
    ['/src/PKG-INFO', false],
    ['/usr/lib/python3/dist-packages/x.dist-info/METADATA.bak', false],
  ])('%s → %s', (path, expected) => {
    expect(wantsPython(path)).toBe(expected)
  })
})

describe('normalizePythonName (PEP 503)', () => {
  it.each([
    ['Django', 'django'],
    ['Acme_Widgets.Core', 'acme-widgets-core'],
    ['zope.interface', 'zope-interface'],
    ['foo__-.bar', 'foo-bar'],
    ['ruamel.yaml.clib', 'ruamel-yaml-clib'],
  ])('%s → %s', (name, expected) => {
    expect(normalizePythonName(name)).toBe(expected)
  })
})

describe('parseEmailHeaders', () => {
  it('joins continuation lines, keeps repeated headers and stops at the first empty line', () => {
    expect(parseEmailHeaders('A: 1\nB: two\n  lines\n\tand tabs\nA: 3\n\nC: body\n')).toEqual([
      ['A', '1'],
      ['B', 'two\nlines\nand tabs'],
      ['A', '3'],
    ])
  })
})

describe('parsePythonMetadata', () => {
  it('reads a wheel METADATA with a multi-line licence text and a description body', () => {
    const path = '/app/site-packages/Acme_Widgets.Core-2.4.1.dist-info/METADATA'
    expect(parsePythonMetadata(path, fixture('Acme_Widgets.Core-2.4.1.dist-info.METADATA'))).toEqual([
      {
        ecosystem: 'pypi',
        name: 'Acme_Widgets.Core',
        version: '2.4.1',
        // the multi-line License is licence text, not an identifier: the classifier names it
        licenses: ['MIT License'],
        path,
        purl: { type: 'pypi', name: 'acme-widgets-core', version: '2.4.1' },
      },
    ])
  })

  it.each<[string, string, string, string, string[] | undefined]>([
    ['an egg-info PKG-INFO (metadata 1.1)', 'tinyutil.egg-info.PKG-INFO', 'tinyutil', '0.3.post1', ['BSD', 'BSD License', 'Public Domain']],
    ['a PEP 639 License-Expression, which wins', 'spdx_pkg-1.0.0.dist-info.METADATA', 'spdx-pkg', '1.0.0', ['Apache-2.0 OR MIT']],
    ['License: UNKNOWN', 'unknown-license.METADATA', 'mystery', '0.0.1', undefined],
    ['CRLF line endings', 'crlf.METADATA', 'crlf_package', '3.0', ['ISC']],
  ])('reads %s', (_, file, name, version, licenses) => {
    const [pkg] = parsePythonMetadata(`/x/${file}`, fixture(file))
    expect(pkg).toMatchObject({ ecosystem: 'pypi', name, version })
    expect(pkg?.licenses).toEqual(licenses)
    expect(pkg?.purl.name).toBe(normalizePythonName(name))
  })

  it.each([
    ['no Version', 'Metadata-Version: 2.1\nName: x\n'],
    ['no Name', 'Metadata-Version: 2.1\nVersion: 1.0\n'],
    ['an empty file', ''],
    ['Name only in the body', 'Metadata-Version: 2.1\n\nName: x\nVersion: 1\n'],
  ])('throws PACKAGE_METADATA_INVALID with %s', (_, text) => {
    expect(() => parsePythonMetadata('/x/METADATA', Buffer.from(text))).toThrow(PackageMetadataError)
  })
})
