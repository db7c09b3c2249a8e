/**
 * Debian's licence short names (the machine-readable copyright format, DEP-5) in SPDX terms:
 * `GPL-2+` is `GPL-2.0-or-later`, `LGPL-2.1` is `LGPL-2.1-only`, `Expat` is `MIT`, and
 * `GPL-3+ with Bison-2.2 exception` is `GPL-3.0-or-later WITH Bison-exception-2.2`.
 *
 * Only names whose SPDX meaning is certain are translated. A name without a version
 * (`GPL`, `BSD`), Debian's `Artistic` (the Perl variant or the original?), `public-domain`
 * and any exception not in {@link EXCEPTIONS} stay as Debian wrote them, and the SBOM
 * exporters carry them as licence names.
 *
 * @see https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/#license-short-name
 * @module
 */

/** Families whose Debian names carry a version and a `+` for "or later". */
const VERSIONED = /^(agpl|gpl|lgpl|gfdl)-(\d+(?:\.\d+)?)(\+?)$/i

/** The versions SPDX knows for each family, as SPDX writes them. */
const VERSIONS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  agpl: { '3': '3.0', '3.0': '3.0' },
  gpl: { '1': '1.0', '1.0': '1.0', '2': '2.0', '2.0': '2.0', '3': '3.0', '3.0': '3.0' },
  lgpl: { '2': '2.0', '2.0': '2.0', '2.1': '2.1', '3': '3.0', '3.0': '3.0' },
  gfdl: { '1.1': '1.1', '1.2': '1.2', '1.3': '1.3' },
}

/** Names that differ in spelling only, or that Debian names otherwise. */
const RENAMED: Readonly<Record<string, string>> = {
  expat: 'MIT',
  'psf-2': 'PSF-2.0',
  'zope-2.1': 'ZPL-2.1',
  'bsd-2-clause': 'BSD-2-Clause',
  'bsd-3-clause': 'BSD-3-Clause',
  'bsd-4-clause': 'BSD-4-Clause',
}

/** `<licence> with <name> exception`: the exceptions whose SPDX identifier is certain. */
const EXCEPTIONS: Readonly<Record<string, string>> = {
  'bison-2.2': 'Bison-exception-2.2',
  'gcc-3.1': 'GCC-exception-3.1',
  'gcc-2.0': 'GCC-exception-2.0',
  'autoconf-3.0': 'Autoconf-exception-3.0',
  'autoconf-2.0': 'Autoconf-exception-2.0',
  classpath: 'Classpath-exception-2.0',
  libtool: 'Libtool-exception',
}

const WITH_EXCEPTION = /^(.+?)\s+with\s+(\S+)\s+exception$/i

/**
 * The SPDX identifier or expression a Debian licence short name stands for, or undefined
 * when it has none that is certain (the name is then kept as it is).
 *
 * @example
 * debianLicenseToSpdx('GPL-2+') // 'GPL-2.0-or-later'
 * debianLicenseToSpdx('GPL-3+ with Bison-2.2 exception') // 'GPL-3.0-or-later WITH Bison-exception-2.2'
 * debianLicenseToSpdx('public-domain') // undefined
 */
export function debianLicenseToSpdx(name: string): string | undefined {
  const text = name.trim()
  const exception = WITH_EXCEPTION.exec(text)
  if (exception) {
    const license = licenseId(exception[1]!)
    const id = EXCEPTIONS[exception[2]!.toLowerCase()]
    return license !== undefined && id !== undefined ? `${license} WITH ${id}` : undefined
  }
  return licenseId(text)
}

function licenseId(name: string): string | undefined {
  const renamed = RENAMED[name.toLowerCase()]
  if (renamed !== undefined) return renamed
  const versioned = VERSIONED.exec(name)
  if (!versioned) return undefined
  const family = versioned[1]!.toLowerCase()
  const version = VERSIONS[family]?.[versioned[2]!]
  if (version === undefined) return undefined
  return `${family.toUpperCase()}-${version}-${versioned[3] === '+' ? 'or-later' : 'only'}`
}
