/**
 * .NET applications' dependency manifests, `<app>.deps.json`, written by the SDK next to the
 * application: `libraries` maps `Name/Version` to `{ "type": "package" | "project" |
 * "reference" | …, "sha512", "path", … }`. Only `type: "package"` entries are NuGet packages;
 * the application's own projects, framework references and anything else are skipped (so is
 * `runtimepack`, the runtime a self-contained app bundles). Names keep their case, as NuGet
 * package IDs and their purls do.
 *
 * @see https://github.com/dotnet/cli/blob/v2.0.0/Documentation/specs/runtime-configuration-file.md
 * @module
 */
import { isObject } from '../../shape.js'
import { expectJsonObject, langPackage, parseJsonMetadata, type LangPackage } from './lang-package.js'

/** True for `….deps.json`. */
export function wantsDotnetDeps(path: string): boolean {
  return /(?:^|\/)[^/]+\.deps\.json$/.test(path)
}

/**
 * The NuGet packages of a `.deps.json` file, in file order.
 *
 * @throws PackageMetadataError when the file is not a JSON object
 */
export function parseDotnetDeps(path: string, content: Buffer): LangPackage[] {
  const document = expectJsonObject(path, parseJsonMetadata(path, content))
  const libraries = document['libraries']
  if (!isObject(libraries)) return []
  const packages: LangPackage[] = []
  for (const [key, library] of Object.entries(libraries)) {
    if (!isObject(library) || library['type'] !== 'package') continue
    const slash = key.indexOf('/')
    if (slash <= 0 || slash === key.length - 1) continue
    const name = key.slice(0, slash)
    const version = key.slice(slash + 1)
    packages.push(langPackage({ ecosystem: 'nuget', name, version, path, purl: { name } }))
  }
  return packages
}
