/**
 * PHP packages installed by Composer, from `vendor/composer/installed.json`: Composer 1
 * writes a JSON array of package objects, Composer 2 an object `{ "packages": [...], "dev":
 * …, "dev-package-names": [...] }`. Each package has `name` (`vendor/package`), `version`
 * and `license` (an array of SPDX identifiers, sometimes a single string).
 *
 * Decisions: `version` is kept exactly as Composer wrote it (`v5.4.3`, `1.2.3`,
 * `dev-main`): it is what Packagist and its advisories call the release; the normalised
 * `version_normalized` (`5.4.3.0`) is not used. Development packages (`dev-package-names`)
 * are reported too: they are installed in the image. Entries without a name or a version
 * are skipped.
 *
 * @see https://getcomposer.org/doc/articles/vendor-binaries.md
 * @see https://getcomposer.org/doc/04-schema.md
 * @module
 */
import { isObject } from '../../shape.js'
import { langPackage, nonEmptyString, PackageMetadataError, parseJsonMetadata, type LangPackage } from './lang-package.js'

/** True for `…/composer/installed.json` (the `vendor` directory may be renamed). */
export function wantsComposer(path: string): boolean {
  return /(?:^|\/)composer\/installed\.json$/.test(path)
}

/**
 * The packages of a Composer `installed.json`, in file order.
 *
 * @throws PackageMetadataError when the file is neither an array nor an object with a `packages` array
 */
export function parseComposerInstalled(path: string, content: Buffer): LangPackage[] {
  const document = parseJsonMetadata(path, content)
  const list = Array.isArray(document) ? document : isObject(document) && Array.isArray(document['packages']) ? document['packages'] : undefined
  if (list === undefined) throw new PackageMetadataError(`${path}: neither a package array (Composer 1) nor an object with "packages" (Composer 2)`)
  const packages: LangPackage[] = []
  for (const item of list) {
    if (!isObject(item)) continue
    const name = nonEmptyString(item['name'])
    const version = nonEmptyString(item['version'])
    if (name === undefined || version === undefined) continue
    const slash = name.indexOf('/')
    const vendor = slash > 0 ? name.slice(0, slash) : undefined
    const license = item['license']
    const licenses = (Array.isArray(license) ? license : [license]).filter((value): value is string => typeof value === 'string')
    packages.push(
      langPackage({
        ecosystem: 'composer',
        name,
        version,
        namespace: vendor,
        licenses,
        path,
        purl: { namespace: vendor, name: slash > 0 ? name.slice(slash + 1) : name },
      })
    )
  }
  return packages
}
