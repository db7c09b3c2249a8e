/**
 * The rpm database fixtures (made by test/fixtures/packages/os/rpm/make-fixtures.sh with
 * rpm 4.18, sqlite3 and db5.3_load) and rpm's own listing of them.
 *
 * @module
 */
import { readFileSync } from 'node:fs'
import { gunzipSync } from 'node:zlib'

const DIR = new URL('../../../../fixtures/packages/os/rpm/', import.meta.url)

/** A gzipped fixture, decompressed. */
export function rpmFixture(name: string): Uint8Array {
  return new Uint8Array(gunzipSync(readFileSync(new URL(`${name}.gz`, DIR))))
}

/** One package as `rpm -qa --qf` printed it. */
export interface RpmQaLine {
  name: string
  epoch?: number
  version: string
  release: string
  arch: string
  sourceRpm: string
  license: string
  vendor?: string
  size: number
  files: string[]
}

/** rpm-qa.tsv: what rpm itself lists in the fixture databases, sorted by name. */
export function rpmQa(): RpmQaLine[] {
  return readFileSync(new URL('rpm-qa.tsv', DIR), 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const [name, , epoch, version, release, arch, sourceRpm, license, vendor, size, files] = line.split('\t') as [
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
      ]
      const out: RpmQaLine = {
        name,
        version,
        release,
        arch,
        sourceRpm,
        license,
        size: Number(size),
        files: files.split('|').filter((file) => file !== ''),
      }
      if (epoch !== '(none)') out.epoch = Number(epoch)
      if (vendor !== '(none)') out.vendor = vendor
      return out
    })
    .sort((a, b) => (a.name < b.name ? -1 : 1))
}
