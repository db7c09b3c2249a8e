import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { PackageMetadataError } from '../../../../shared/packages/lang/lang-package.js'
import { parseGemspec, rubyStringLiteral, wantsGem } from '../../../../shared/packages/lang/ruby.js'

const FIXTURES = new URL('../../../fixtures/packages/lang/ruby/', import.meta.url)
const GEMS = '/usr/local/bundle/specifications'

function fixture(name: string): Buffer {
  return readFileSync(new URL(name, FIXTURES))
}

describe('wantsGem', () => {
  it.each([
    ['/usr/local/bundle/specifications/rake-13.0.6.gemspec', true],
    ['/usr/lib/ruby/gems/3.2.0/specifications/default/json-2.6.3.gemspec', true],
    ['/app/vendor/bundle/ruby/3.2.0/specifications/nokogiri-1.15.4-x86_64-linux.gemspec', true],
    ['/app/myapp.gemspec', false],
    ['/usr/local/bundle/gems/rake-13.0.6/rake.gemspec', false],
    ['/usr/local/bundle/specifications/rake-13.0.6.gemspec.orig', false],
  ])('%s → %s', (path, expected) => {
    expect(wantsGem(path)).toBe(expected)
  })
})

describe('rubyStringLiteral', () => {
  it.each<[string, string | undefined]>([
    ['"plain"', 'plain'],
    ["'single'", 'single'],
    [String.raw`'it\'s'`, "it's"],
    [String.raw`"tab\there"`, 'tab\there'],
    [String.raw`"quote\"d"`, 'quote"d'],
    [String.raw`"\u00e9\x41"`, 'éA'],
    ['"#{interpolated}"', undefined],
    [String.raw`"escaped \#{not interpolated}"`, 'escaped #{not interpolated}'],
    ["'#{single quotes do not interpolate}'", '#{single quotes do not interpolate}'],
  ])('%s → %j', (literal, expected) => {
    expect(rubyStringLiteral(literal)).toBe(expected)
  })
})

describe('parseGemspec', () => {
  it('reads an installed specification', () => {
    const path = `${GEMS}/gadget-13.0.6.gemspec`
    expect(parseGemspec(path, fixture('gadget-13.0.6.gemspec'))).toEqual([
      { ecosystem: 'gem', name: 'gadget', version: '13.0.6', licenses: ['MIT', 'Ruby'], path, purl: { type: 'gem', name: 'gadget', version: '13.0.6' } },
    ])
  })

  it.each<[string, string, string, string, string[] | undefined]>([
    ['a platform gem, another block variable, single quotes, `license`', 'sparkle-1.15.4-x86_64-linux.gemspec', 'sparkle', '1.15.4', ['MIT']],
    ['a default gem', 'json-2.6.3.gemspec', 'json', '2.6.3', ['Ruby']],
    // never evaluated: the interpolated name and computed version fall back to the stub line, the computed licence list is dropped
    ['code where literals should be', 'evil-0.1.0.gemspec', 'evil', '0.1.0', undefined],
  ])('reads %s', (_, file, name, version, licenses) => {
    const [pkg] = parseGemspec(`${GEMS}/${file}`, fixture(file))
    expect(pkg).toMatchObject({ name, version })
    expect(pkg?.licenses).toEqual(licenses)
  })

  it('falls back to the file name', () => {
    const [pkg] = parseGemspec(`${GEMS}/net-http-0.4.1.gemspec`, Buffer.from('Gem::Specification.new do |s|\nend\n'))
    expect(pkg).toMatchObject({ name: 'net-http', version: '0.4.1' })
  })

  it('throws PACKAGE_METADATA_INVALID when nothing names the gem', () => {
    expect(() => parseGemspec(`${GEMS}/broken.gemspec`, Buffer.from('Gem::Specification.new do |s|\n  s.name = NAME\nend\n'))).toThrow(PackageMetadataError)
  })
})
