/**
 * Validators for the official CycloneDX 1.6, SPDX 2.3 and SARIF 2.1.0 JSON Schemas kept in
 * test/fixtures/schemas/ (see the README there for sources and the Ajv settings).
 */
import { readFileSync } from 'node:fs'
import Ajv, { type ValidateFunction } from 'ajv'
import addFormats from 'ajv-formats'
import { expect } from 'vitest'

const SCHEMAS = new URL('../fixtures/schemas/', import.meta.url)

function load(file: string): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(file, SCHEMAS), 'utf8')) as Record<string, unknown>
}

/** The SPDX licence ids the CycloneDX schema accepts as `license.id`. */
export const cycloneDxLicenseIds: ReadonlySet<string> = new Set(load('spdx.schema.json')['enum'] as string[])

function cycloneDxValidator(): ValidateFunction {
  // iri-reference and idn-email are not in ajv-formats: any string is accepted for them
  const ajv = new Ajv.default({ strict: false, allErrors: true, formats: { 'iri-reference': true, 'idn-email': true } })
  addFormats.default(ajv)
  ajv.addSchema(load('spdx.schema.json'))
  ajv.addSchema(load('jsf-0.82.schema.json'))
  return ajv.compile(load('bom-1.6.schema.json'))
}

function spdxValidator(): ValidateFunction {
  const ajv = new Ajv.default({ strict: false, allErrors: true })
  addFormats.default(ajv)
  return ajv.compile(load('spdx-schema-2.3.json'))
}

function sarifValidator(): ValidateFunction {
  // the SARIF schema is draft-04: its ids are `id`, and Ajv's draft-07 `id` keyword must go
  const ajv = new Ajv.default({ strict: false, allErrors: true, schemaId: 'id', validateSchema: false })
  ajv.removeKeyword('id')
  addFormats.default(ajv)
  return ajv.compile(load('sarif-schema-2.1.0.json'))
}

const validators = { cyclonedx: cycloneDxValidator(), spdx: spdxValidator(), sarif: sarifValidator() }

/** The schema errors of `document` in `format` (empty when it is valid). */
export function schemaErrors(format: keyof typeof validators, document: unknown): unknown[] {
  const validate = validators[format]
  return validate(document) ? [] : [...(validate.errors ?? [])]
}

/** Fails the test with the schema errors when `document` is not valid `format`. */
export function expectValidExport(format: keyof typeof validators, document: unknown): void {
  expect(schemaErrors(format, document)).toEqual([])
}
