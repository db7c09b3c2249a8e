import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { parseDotnetDeps, wantsDotnetDeps } from '../../../../shared/packages/lang/dotnet.js'
import { PackageMetadataError } from '../../../../shared/packages/lang/lang-package.js'

const FIXTURES = new URL('../../../fixtures/packages/lang/dotnet/', import.meta.url)

describe('wantsDotnetDeps', () => {
  it.each([
    ['/app/Acme.Web.deps.json', true],
    ['/usr/share/dotnet/shared/Microsoft.NETCore.App/8.0.4/Microsoft.NETCore.App.deps.json', true],
    ['/app/Acme.Web.runtimeconfig.json', false],
    ['/app/deps.json.bak', false],
  ])('%s → %s', (path, expected) => {
    expect(wantsDotnetDeps(path)).toBe(expected)
  })
})

describe('parseDotnetDeps', () => {
  it('reports type "package" libraries only, names in their own case', () => {
    const path = '/app/Acme.Web.deps.json'
    const packages = parseDotnetDeps(path, readFileSync(new URL('Acme.Web.deps.json', FIXTURES)))
    expect(packages).toEqual([
      { ecosystem: 'nuget', name: 'Newtonsoft.Json', version: '13.0.3', path, purl: { type: 'nuget', name: 'Newtonsoft.Json', version: '13.0.3' } },
      { ecosystem: 'nuget', name: 'Serilog.AspNetCore', version: '8.0.1', path, purl: { type: 'nuget', name: 'Serilog.AspNetCore', version: '8.0.1' } },
      { ecosystem: 'nuget', name: 'Serilog', version: '3.1.1', path, purl: { type: 'nuget', name: 'Serilog', version: '3.1.1' } },
    ])
  })

  it.each([
    ['no libraries', '{"targets": {}}', []],
    ['a key without a version', '{"libraries": {"Foo": {"type": "package"}, "Bar/": {"type": "package"}}}', []],
    ['a BOM', '\ufeff{"libraries": {"Foo/1.0.0": {"type": "package"}}}', ['Foo']],
  ])('handles %s', (_, text, names) => {
    expect(parseDotnetDeps('/a.deps.json', Buffer.from(text)).map((p) => p.name)).toEqual(names)
  })

  it('throws PACKAGE_METADATA_INVALID on a non-object', () => {
    expect(() => parseDotnetDeps('/a.deps.json', Buffer.from('[1]'))).toThrow(PackageMetadataError)
  })
})
