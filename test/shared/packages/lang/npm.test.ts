import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { PackageMetadataError } from '../../../../shared/packages/lang/lang-package.js'
import { npmLicenses, parseNpmPackageJson, wantsNpm } from '../../../../shared/packages/lang/npm.js'

const FIXTURES = new URL('../../../fixtures/packages/lang/npm/', import.meta.url)

function json(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value))
}

describe('wantsNpm', () => {
  it.each([
    ['/app/node_modules/lodash/package.json', true],
    ['/app/node_modules/@babel/core/package.json', true],
    ['/app/node_modules/a/node_modules/b/package.json', true],
    ['/app/node_modules/a/node_modules/@scope/b/package.json', true],
    ['/app/node_modules/.pnpm/lodash@4.17.21/node_modules/lodash/package.json', true],
    ['node_modules/x/package.json', true],
    ['/app/package.json', false],
    ['/app/node_modules/package.json', false],
    ['/app/node_modules/@scope/package.json', false],
    ['/app/node_modules/lodash/lib/package.json', false],
    ['/app/node_modules/@babel/core/lib/package.json', false],
    ['/app/node_modules/.bin/package.json', false],
    ['/app/node_modules/.pnpm/package.json', false],
    ['/app/node_modules/@/x/package.json', false],
    ['/app/node_modules/lodash/package.json.bak', false],
    ['/app/node_modules/lodash/Package.json', false],
  ])('%s → %s', (path, expected) => {
    expect(wantsNpm(path)).toBe(expected)
  })
})

describe('parseNpmPackageJson', () => {
  it('reads an unscoped package', () => {
    expect(parseNpmPackageJson('/app/node_modules/left-pad/package.json', json({ name: 'left-pad', version: '1.3.0', license: 'WTFPL' }))).toEqual([
      {
        ecosystem: 'npm',
        name: 'left-pad',
        version: '1.3.0',
        licenses: ['WTFPL'],
        path: '/app/node_modules/left-pad/package.json',
        purl: { type: 'npm', name: 'left-pad', version: '1.3.0' },
      },
    ])
  })

  it('reads a scoped package (with a byte-order mark) into a namespace', () => {
    const path = '/srv/node_modules/@acme/rocket-skates/package.json'
    expect(parseNpmPackageJson(path, readFileSync(new URL('scoped-bom.package.json', FIXTURES)))).toEqual([
      {
        ecosystem: 'npm',
        name: '@acme/rocket-skates',
        namespace: '@acme',
        version: '3.2.1',
        licenses: ['(MIT OR Apache-2.0)'],
        path,
        purl: { type: 'npm', namespace: '@acme', name: 'rocket-skates', version: '3.2.1' },
      },
    ])
  })

  it.each<[string, Record<string, unknown>, string[]]>([
    ['an SPDX identifier', { license: 'MIT' }, ['MIT']],
    ['an SPDX expression', { license: '(ISC OR GPL-3.0)' }, ['(ISC OR GPL-3.0)']],
    ['SEE LICENSE IN', { license: 'SEE LICENSE IN LICENSE.txt' }, ['SEE LICENSE IN LICENSE.txt']],
    ['UNLICENSED', { license: 'UNLICENSED' }, ['UNLICENSED']],
    ['the legacy object', { license: { type: 'ISC', url: 'https://opensource.org/licenses/ISC' } }, ['ISC']],
    ['the legacy array of objects', { licenses: [{ type: 'MIT', url: 'x' }, { type: 'Apache-2.0', url: 'y' }] }, ['MIT', 'Apache-2.0']],
    ['the legacy array of strings', { licenses: ['BSD-2-Clause'] }, ['BSD-2-Clause']],
    ['both, deduplicated', { license: 'MIT', licenses: [{ type: 'MIT' }, 'BSD-3-Clause'] }, ['MIT', 'BSD-3-Clause']],
    ['junk', { license: 42, licenses: [null, {}, { type: '' }, '  '] }, []],
    ['nothing', {}, []],
  ])('licences: %s', (_, fields, expected) => {
    expect(npmLicenses(fields)).toEqual(expected)
    const [pkg] = parseNpmPackageJson('/n/node_modules/x/package.json', json({ name: 'x', version: '1.0.0', ...fields }))
    expect(pkg?.licenses).toEqual(expected.length === 0 ? undefined : expected)
  })

  it.each([
    ['a private package without a version', { name: 'workspace-root', private: true }],
    ['a package without a name', { version: '1.0.0' }],
    ['an empty version', { name: 'x', version: '' }],
    ['a non-string version', { name: 'x', version: 1 }],
  ])('skips %s', (_, manifest) => {
    expect(parseNpmPackageJson('/n/node_modules/x/package.json', json(manifest))).toEqual([])
  })

  it('keeps a private package that has a version', () => {
    expect(parseNpmPackageJson('/n/node_modules/x/package.json', json({ name: 'internal', version: '0.1.0', private: true }))).toHaveLength(1)
  })

  it.each([
    ['invalid JSON', Buffer.from('{"name": "x",')],
    ['an array', Buffer.from('[]')],
    ['a string', Buffer.from('"x"')],
  ])('throws PACKAGE_METADATA_INVALID on %s', (_, content) => {
    expect(() => parseNpmPackageJson('/n/node_modules/x/package.json', content)).toThrow(PackageMetadataError)
    try {
      parseNpmPackageJson('/n/node_modules/x/package.json', content)
    } catch (error) {
      expect((error as PackageMetadataError).code).toBe('PACKAGE_METADATA_INVALID')
      expect((error as Error).message).toContain('/n/node_modules/x/package.json')
    }
  })
})
