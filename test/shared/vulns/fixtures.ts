/** Loads the OSV records under test/fixtures/osv/. */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseOsvRecordJson, type OsvRecord } from '../../../shared/vulns/osv.js'

export const OSV_FIXTURES = new URL('../../fixtures/osv/', import.meta.url).pathname

/** Every fixture record, parsed, sorted by file name. */
export function loadOsvFixtures(): OsvRecord[] {
  return readdirSync(OSV_FIXTURES)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => parseOsvRecordJson(readFileSync(join(OSV_FIXTURES, name), 'utf8')))
}

/** One fixture record by id. */
export function osvFixture(id: string): OsvRecord {
  const record = loadOsvFixtures().find((r) => r.id === id)
  if (!record) throw new Error(`no fixture ${id}`)
  return record
}
