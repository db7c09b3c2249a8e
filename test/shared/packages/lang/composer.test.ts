import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { parseComposerInstalled, wantsComposer } from '../../../../shared/packages/lang/composer.js'
import { PackageMetadataError } from '../../../../shared/packages/lang/lang-package.js'

const FIXTURES = new URL('../../../fixtures/packages/lang/composer/', import.meta.url)

describe('wantsComposer', () => {
  it.each([
    ['/var/www/vendor/composer/installed.json', true],
    ['/app/lib/composer/installed.json', true],
    ['vendor/composer/installed.json', true],
    ['/var/www/composer.json', false],
    ['/var/www/composer.lock', false],
    ['/var/www/vendor/composer/installed.php', false],
    ['/var/www/vendor/mycomposer/installed.json', false],
  ])('%s → %s', (path, expected) => {
    expect(wantsComposer(path)).toBe(expected)
  })
})

describe('parseComposerInstalled', () => {
  it('reads Composer 1 (an array); versions kept as written; entries without a version skipped', () => {
    const path = '/var/www/vendor/composer/installed.json'
    expect(parseComposerInstalled(path, readFileSync(new URL('installed-v1.json', FIXTURES)))).toEqual([
      {
        ecosystem: 'composer',
        name: 'acme/http-client',
        namespace: 'acme',
        version: 'v5.4.3',
        licenses: ['MIT'],
        path,
        purl: { type: 'composer', namespace: 'acme', name: 'http-client', version: 'v5.4.3' },
      },
      {
        ecosystem: 'composer',
        name: 'beta/logger',
        namespace: 'beta',
        version: '1.1.4',
        licenses: ['BSD-3-Clause'],
        path,
        purl: { type: 'composer', namespace: 'beta', name: 'logger', version: '1.1.4' },
      },
    ])
  })

  it('reads Composer 2 ({ packages }), development packages included', () => {
    const packages = parseComposerInstalled('/v/composer/installed.json', readFileSync(new URL('installed-v2.json', FIXTURES)))
    expect(packages.map((p) => [p.name, p.version, p.licenses])).toEqual([
      ['acme/console', 'v6.3.0', ['MIT', 'GPL-2.0-or-later']],
      ['gamma/test-kit', 'dev-main', undefined],
    ])
  })

  it('reads an empty Composer 1 file', () => {
    expect(parseComposerInstalled('/v/composer/installed.json', Buffer.from('[]'))).toEqual([])
  })

  it.each([
    ['invalid JSON', '{'],
    ['an object without packages', '{"dev": true}'],
    ['a number', '3'],
  ])('throws PACKAGE_METADATA_INVALID on %s', (_, text) => {
    expect(() => parseComposerInstalled('/v/composer/installed.json', Buffer.from(text))).toThrow(PackageMetadataError)
  })
})
