import { describe, expect, it } from 'vitest'
import { debianLicenseToSpdx } from '../../../../shared/packages/os/debian-licenses.js'
import { classifyLicense } from '../../../../shared/report/exporters/license-expression.js'

describe('debianLicenseToSpdx', () => {
  it.each([
    ['GPL-1+', 'GPL-1.0-or-later'],
    ['GPL-1', 'GPL-1.0-only'],
    ['GPL-2', 'GPL-2.0-only'],
    ['GPL-2+', 'GPL-2.0-or-later'],
    ['GPL-2.0+', 'GPL-2.0-or-later'],
    ['gpl-3+', 'GPL-3.0-or-later'],
    ['GPL-3', 'GPL-3.0-only'],
    ['LGPL-2', 'LGPL-2.0-only'],
    ['LGPL-2+', 'LGPL-2.0-or-later'],
    ['LGPL-2.1', 'LGPL-2.1-only'],
    ['LGPL-2.1+', 'LGPL-2.1-or-later'],
    ['LGPL-3+', 'LGPL-3.0-or-later'],
    ['AGPL-3+', 'AGPL-3.0-or-later'],
    ['GFDL-1.2+', 'GFDL-1.2-or-later'],
    ['GFDL-1.3', 'GFDL-1.3-only'],
    ['Expat', 'MIT'],
    ['BSD-3-clause', 'BSD-3-Clause'],
    ['BSD-2-clause', 'BSD-2-Clause'],
    ['PSF-2', 'PSF-2.0'],
    ['Zope-2.1', 'ZPL-2.1'],
    ['GPL-3+ with Bison-2.2 exception', 'GPL-3.0-or-later WITH Bison-exception-2.2'],
    ['GPL-3+ with GCC-3.1 exception', 'GPL-3.0-or-later WITH GCC-exception-3.1'],
    ['GPL-2+ with Classpath exception', 'GPL-2.0-or-later WITH Classpath-exception-2.0'],
  ])('%s → %s, a valid SPDX id or expression', (debian, spdx) => {
    expect(debianLicenseToSpdx(debian)).toBe(spdx)
    expect(classifyLicense(spdx).kind).not.toBe('text')
  })

  it.each([
    // no version, or no certain SPDX meaning: kept as Debian wrote it
    'GPL',
    'LGPL',
    'BSD',
    'Artistic',
    'public-domain',
    'GPL-4+',
    'LGPL-2.2',
    'GFDL-NIV-1.2+',
    'GPL-2+ with OpenSSL exception',
    'GPL-2+ with Font exception',
    'GPL with Bison-2.2 exception',
    // already SPDX: nothing to translate
    'MIT',
    '',
  ])('%j is left as it is', (debian) => {
    expect(debianLicenseToSpdx(debian)).toBeUndefined()
  })
})
