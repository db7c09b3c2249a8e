/**
 * OSV ecosystem strings (`Debian:12`, `Alpine:v3.19`, `Ubuntu:Pro:22.04:LTS`, `PyPI`, …): their
 * parts, the key under which records of one release are matched, the ecosystem string of an
 * image's distribution, and package-name normalisation.
 *
 * @see https://ossf.github.io/osv-schema/#affectedpackage-field ("Defined ecosystems")
 * @module
 */

/** An OSV ecosystem string taken apart. */
export interface OsvEcosystem {
  /** The ecosystem name, e.g. `Debian`, `Ubuntu`, `PyPI`. */
  ecosystem: string
  /** Everything after the first `:` as written (`12`, `22.04:LTS`, `Pro:18.04:LTS`), or null. */
  release: string | null
  /**
   * The normalised string records are matched under: `Ubuntu:22.04` for both `Ubuntu:22.04`
   * and `Ubuntu:22.04:LTS` (the `:LTS` marker does not change the release), `Ubuntu:Pro:18.04`
   * for Ubuntu Pro (ESM) records, `Alpine:v3.19` for `Alpine:3.19` too.
   */
  key: string
}

/** Parses an OSV ecosystem string, or returns null when it is empty or has an empty part. */
export function parseEcosystem(value: string): OsvEcosystem | null {
  const colon = value.indexOf(':')
  const ecosystem = (colon === -1 ? value : value.slice(0, colon)).trim()
  const release = colon === -1 ? null : value.slice(colon + 1).trim()
  if (ecosystem === '' || release === '') return null
  return { ecosystem, release, key: release === null ? ecosystem : `${ecosystem}:${releaseKey(ecosystem, release)}` }
}

function releaseKey(ecosystem: string, release: string): string {
  switch (ecosystem) {
    case 'Ubuntu':
      return release
        .split(':')
        .filter((part) => part.toUpperCase() !== 'LTS')
        .join(':')
    case 'Alpine':
      return /^[0-9]/.test(release) ? `v${release}` : release
    default:
      return release
  }
}

/** The match key of an ecosystem string (see {@link OsvEcosystem.key}); the input when it does not parse. */
export function ecosystemKey(value: string): string {
  return parseEcosystem(value)?.key ?? value
}

function majorMinor(version: string): [string, string | undefined] | null {
  const m = /^([0-9]+)(?:\.([0-9]+))?/.exec(version.trim())
  return m ? [m[1]!, m[2]] : null
}

/**
 * The OSV ecosystem string for an image's distribution, from os-release `ID` and `VERSION_ID`:
 * `debian 12.5` → `Debian:12`, `ubuntu 22.04` → `Ubuntu:22.04` (which matches the
 * `Ubuntu:22.04:LTS` records), `alpine 3.19.1` → `Alpine:v3.19`, `rocky 9.3` →
 * `Rocky Linux:9`, `almalinux 9.3` → `AlmaLinux:9`, `wolfi`/`chainguard` → `Wolfi`/`Chainguard`
 * (rolling, no release), `mageia 9` → `Mageia:9`, `photon 5.0` → `Photon OS:5.0`.
 *
 * Null when the family is not one of these (Red Hat, SUSE and openSUSE name product streams
 * that os-release alone does not give), or when the release is unknown (Debian testing,
 * Alpine edge).
 */
export function osvEcosystemForDistro(family: string, version: string): string | null {
  const id = family.trim().toLowerCase()
  const mm = majorMinor(version)
  switch (id) {
    case 'debian':
      return mm ? `Debian:${mm[0]}` : null
    case 'ubuntu':
      return mm && mm[1] !== undefined ? `Ubuntu:${mm[0]}.${mm[1].padStart(2, '0')}` : null
    case 'alpine':
      return mm && mm[1] !== undefined ? `Alpine:v${mm[0]}.${mm[1]}` : null
    case 'rocky':
      return mm ? `Rocky Linux:${mm[0]}` : null
    case 'almalinux':
      return mm ? `AlmaLinux:${mm[0]}` : null
    case 'mageia':
      return mm ? `Mageia:${mm[0]}` : null
    case 'photon':
      return mm ? `Photon OS:${mm[0]}.${mm[1] ?? '0'}` : null
    case 'wolfi':
      return 'Wolfi'
    case 'chainguard':
      return 'Chainguard'
    default:
      return null
  }
}

/** PEP 503 normalised name: lower case, runs of `-`, `_` and `.` become one `-`. */
export function normalisePypiName(name: string): string {
  return name.trim().toLowerCase().replace(/[-_.]+/g, '-')
}

/**
 * The form of a package name that records and installed packages are compared in:
 * PEP 503 for PyPI; lower case for the case-insensitive registries (NuGet, Packagist,
 * crates.io); unchanged elsewhere (Maven, Go, RubyGems and distributions are case-sensitive).
 */
export function normalisePackageName(ecosystem: string, name: string): string {
  const eco = parseEcosystem(ecosystem)?.ecosystem ?? ecosystem
  switch (eco) {
    case 'PyPI':
      return normalisePypiName(name)
    case 'NuGet':
    case 'Packagist':
    case 'crates.io':
      return name.trim().toLowerCase()
    default:
      return name.trim()
  }
}
