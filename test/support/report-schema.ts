/**
 * Validates reports against the published JSON Schema (shared/report/report.schema.json).
 */
import { readFileSync } from 'node:fs'
import Ajv2020 from 'ajv/dist/2020.js'
import addFormats from 'ajv-formats'
import { expect } from 'vitest'

const schema = JSON.parse(readFileSync(new URL('../../shared/report/report.schema.json', import.meta.url), 'utf8')) as object
const ajv = new Ajv2020.default({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true })
addFormats.default(ajv)
const validate = ajv.compile(schema)

/** Fails the test with the schema errors when `report` does not validate. */
export function expectValidReport(report: unknown): void {
  const valid = validate(report)
  expect(valid ? [] : validate.errors).toEqual([])
}
