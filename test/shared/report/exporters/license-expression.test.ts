import { describe, expect, it } from 'vitest'
import { classifyLicense, isLicenseExpression, joinWithAnd, KNOWN_EXCEPTION_IDS, KNOWN_LICENSE_IDS } from '../../../../shared/report/exporters/license-expression.js'
import { cycloneDxLicenseIds } from '../../../support/official-schemas.js'

describe('classifyLicense', () => {
  it.each([
    ['MIT', { kind: 'id', id: 'MIT' }],
    ['mit', { kind: 'id', id: 'MIT' }],
    ['  Apache-2.0 ', { kind: 'id', id: 'Apache-2.0' }],
    ['GPL-2.0+', { kind: 'id', id: 'GPL-2.0+' }],
    ['(MIT)', { kind: 'id', id: 'MIT' }],
    ['Apache-2.0+', { kind: 'expression', expression: 'Apache-2.0+' }],
    ['(MIT OR Apache-2.0)', { kind: 'expression', expression: 'MIT OR Apache-2.0' }],
    ['MIT  OR   apache-2.0', { kind: 'expression', expression: 'MIT OR Apache-2.0' }],
    ['(MIT OR Apache-2.0) AND BSD-3-Clause', { kind: 'expression', expression: '(MIT OR Apache-2.0) AND BSD-3-Clause' }],
    ['MIT OR (Apache-2.0 AND BSD-3-Clause)', { kind: 'expression', expression: 'MIT OR (Apache-2.0 AND BSD-3-Clause)' }],
    ['GPL-2.0-or-later WITH Classpath-exception-2.0', { kind: 'expression', expression: 'GPL-2.0-or-later WITH Classpath-exception-2.0' }],
    ['LicenseRef-acme-1.0', { kind: 'expression', expression: 'LicenseRef-acme-1.0' }],
    ['DocumentRef-other:LicenseRef-x OR MIT', { kind: 'expression', expression: 'DocumentRef-other:LicenseRef-x OR MIT' }],
    // Debian's shorthand, prose, and broken expressions stay text
    ['GPL-2+', { kind: 'text', text: 'GPL-2+' }],
    ['Apache 2.0', { kind: 'text', text: 'Apache 2.0' }],
    ['BSD-like', { kind: 'text', text: 'BSD-like' }],
    ['MIT OR', { kind: 'text', text: 'MIT OR' }],
    ['(MIT', { kind: 'text', text: '(MIT' }],
    ['MIT)', { kind: 'text', text: 'MIT)' }],
    ['MIT and Apache-2.0', { kind: 'text', text: 'MIT and Apache-2.0' }],
    ['MIT WITH Unknown-exception', { kind: 'text', text: 'MIT WITH Unknown-exception' }],
    ['Classpath-exception-2.0', { kind: 'text', text: 'Classpath-exception-2.0' }],
    ['', { kind: 'text', text: '' }],
  ])('%j → %j', (declared, expected) => {
    expect(classifyLicense(declared)).toEqual(expected)
  })

  it('does not parse prose longer than an expression can reasonably be', () => {
    const long = Array.from({ length: 200 }, () => 'MIT').join(' OR ')
    expect(isLicenseExpression(long)).toBe(false)
    expect(isLicenseExpression('MIT OR Apache-2.0')).toBe(true)
  })

  it('parenthesises compound terms when joining with AND', () => {
    expect(joinWithAnd(['MIT'])).toBe('MIT')
    expect(joinWithAnd(['MIT', 'GPL-2.0-only OR BSD-3-Clause', 'LicenseRef-x'])).toBe('MIT AND (GPL-2.0-only OR BSD-3-Clause) AND LicenseRef-x')
  })
})

describe('the known identifiers', () => {
  it('are all in the SPDX licence list the CycloneDX 1.6 schema enumerates, so license.id always validates', () => {
    expect(KNOWN_LICENSE_IDS.filter((id) => !cycloneDxLicenseIds.has(id))).toEqual([])
    expect(KNOWN_EXCEPTION_IDS.filter((id) => !cycloneDxLicenseIds.has(id))).toEqual([])
  })

  it('are unique ignoring case, since matching ignores case', () => {
    const lower = [...KNOWN_LICENSE_IDS, ...KNOWN_EXCEPTION_IDS].map((id) => id.toLowerCase())
    expect(new Set(lower).size).toBe(lower.length)
  })
})
