import { describe, expect, it } from 'vitest'
import { cvssScore, cvssV2BaseScore, cvssV3BaseScore, cvssV4MacroVector, cvssV4Score, macroVectorScore, ratingOf, roundUpV31, tryCvssScore } from '../../../shared/vulns/cvss.js'

describe('CVSS v3.x base scores', () => {
  // vectors and scores of the CVSS v3.1 "Examples" document and well-known CVEs
  it.each<[string, number]>([
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 9.8], // CVE-2014-6271 (Shellshock)
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N', 7.5], // CVE-2014-0160 (Heartbleed)
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N', 6.1], // CVE-2013-1937 (phpMyAdmin XSS)
    ['CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:L/I:L/A:N', 6.4], // CVE-2013-0375 (MySQL)
    ['CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:N/A:N', 3.1], // CVE-2014-3566 (POODLE)
    ['CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:H/I:H/A:H', 9.9], // CVE-2012-1516 (VMware)
    ['CVSS:3.1/AV:L/AC:L/PR:H/UI:N/S:U/C:L/I:L/A:L', 4.2], // CVE-2009-0783 (Tomcat)
    ['CVSS:3.1/AV:L/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H', 7.8], // CVE-2015-1098 (iWork)
    ['CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:C/C:N/I:H/A:N', 6.8], // CVE-2008-1447 (DNS)
    ['CVSS:3.1/AV:P/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 6.8], // CVE-2014-2005 (Sophos)
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:L/I:N/A:N', 5.8], // CVE-2010-0467 (Joomla)
    ['CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:C/C:H/I:N/A:N', 6.8], // the OSV schema's GHSA example
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H', 10],
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N', 0],
    ['CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 9.8],
    ['CVSS:3.0/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N', 6.1],
    // metric order and temporal/environmental metrics do not change the base score
    ['CVSS:3.1/S:U/AV:N/AC:L/PR:N/UI:N/C:H/I:H/A:H', 9.8],
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:U/RL:O/RC:R/CR:L/MAV:P', 9.8],
  ])('%s scores %d', (vector, score) => {
    expect(cvssV3BaseScore(vector)).toBe(score)
  })

  it.each<[number, number]>([
    [4.0, 4.0],
    [4.02, 4.1],
    [4.000001, 4.0],
    [4.00001, 4.1],
    [0.1 + 0.2, 0.3], // the float error that v3.0's plain round-up turned into 0.4
  ])('v3.1 Roundup(%d) is %d', (input, output) => {
    expect(roundUpV31(input)).toBe(output)
  })
})

describe('CVSS v2 base scores', () => {
  // the CVSS v2 guide's §3.3 examples, and a common NVD vector
  it.each<[string, number]>([
    ['AV:N/AC:L/Au:N/C:N/I:N/A:C', 7.8], // CVE-2002-0392
    ['AV:N/AC:L/Au:N/C:C/I:C/A:C', 10], // CVE-2003-0818
    ['AV:L/AC:H/Au:N/C:C/I:C/A:C', 6.2], // CVE-2003-0062
    ['AV:N/AC:L/Au:N/C:P/I:P/A:P', 7.5],
    ['AV:N/AC:M/Au:N/C:N/I:P/A:N', 4.3],
    ['(AV:N/AC:L/Au:N/C:P/I:P/A:P)', 7.5],
    ['CVSS:2.0/AV:N/AC:L/Au:N/C:P/I:P/A:P', 7.5],
    ['AV:N/AC:L/Au:N/C:N/I:N/A:N', 0],
    ['AV:N/AC:L/Au:N/C:C/I:C/A:C/E:F/RL:OF/RC:C', 10],
  ])('%s scores %d', (vector, score) => {
    expect(cvssV2BaseScore(vector)).toBe(score)
  })
})

describe('CVSS v4.0 scores', () => {
  it.each<[string, string, number]>([
    ['CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', '000200', 9.3],
    ['CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H', '000100', 10],
    ['CVSS:4.0/AV:N/AC:L/AT:N/PR:L/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', '100200', 8.7],
    ['CVSS:4.0/AV:L/AC:L/AT:N/PR:L/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', '100200', 8.5], // FIRST v4.0 examples, CVE-2022-41741
    ['CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:H/SC:N/SI:N/SA:N', '001200', 8.7],
    ['CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:P/VC:N/VI:N/VA:N/SC:L/SI:L/SA:N', '102201', 5.3],
    ['CVSS:4.0/AV:N/AC:H/AT:N/PR:N/UI:N/VC:H/VI:N/VA:N/SC:N/SI:N/SA:N', '011200', 8.2],
    ['CVSS:4.0/AV:P/AC:H/AT:P/PR:H/UI:A/VC:L/VI:N/VA:N/SC:N/SI:N/SA:N', '212201', 1],
    // threat and environmental metrics take part (CVSS-BT, CVSS-BTE)
    ['CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:U', '000220', 8.1],
    ['CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:A', '000200', 9.3],
    ['CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:L/SC:N/SI:N/SA:N/E:A/MAV:A', '100200', 8.7],
    // supplemental metrics do not
    ['CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/S:P/AU:Y/R:A/V:C/RE:H/U:Red', '000200', 9.3],
    // no impact at all is 0
    ['CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N', '002201', 0],
  ])('%s is MacroVector %s and scores %d', (vector, macro, score) => {
    expect(cvssV4MacroVector(vector)).toBe(macro)
    expect(cvssV4Score(vector)).toBe(score)
  })

  it('has the 270 MacroVector scores of the specification', () => {
    let count = 0
    for (let n = 0; n < 1_000_000; n++) {
      const key = n.toString().padStart(6, '0')
      if (macroVectorScore(key) !== undefined) count++
    }
    expect(count).toBe(270)
    expect(macroVectorScore('000000')).toBe(10)
    expect(macroVectorScore('212221')).toBe(0.1)
    expect(macroVectorScore('002200')).toBeUndefined()
    expect(macroVectorScore('300000')).toBeUndefined()
  })

  it('scores every base vector within 0–10 and never above its MacroVector', () => {
    const values = { AV: ['N', 'A', 'L', 'P'], AC: ['L', 'H'], AT: ['N', 'P'], PR: ['N', 'L', 'H'], UI: ['N', 'P', 'A'], VC: ['H', 'L', 'N'], VI: ['H', 'L', 'N'], VA: ['H', 'L', 'N'], SC: ['H', 'L', 'N'], SI: ['H', 'L', 'N'], SA: ['H', 'L', 'N'] }
    const keys = Object.keys(values) as Array<keyof typeof values>
    let vectors = ['CVSS:4.0']
    for (const key of keys) vectors = vectors.flatMap((v) => values[key].map((value) => `${v}/${key}:${value}`))
    expect(vectors).toHaveLength(4 * 2 * 2 * 3 * 3 * 3 ** 6)
    const wrong = vectors.filter((vector) => {
      const score = cvssV4Score(vector)
      return !(score >= 0 && score <= macroVectorScore(cvssV4MacroVector(vector))!)
    })
    expect(wrong).toEqual([])
  })
})

describe('cvssScore', () => {
  it.each<[string, string, number, string]>([
    ['CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', '4.0', 9.3, 'critical'],
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N', '3.1', 7.5, 'high'],
    ['CVSS:3.0/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N', '3.0', 6.1, 'medium'],
    ['AV:N/AC:H/Au:N/C:P/I:N/A:N', '2.0', 2.6, 'low'],
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N', '3.1', 0, 'none'],
  ])('scores %s', (vector, version, score, rating) => {
    expect(cvssScore(vector)).toEqual({ version, score, rating })
  })

  it.each<[number, string]>([
    [0, 'none'],
    [0.1, 'low'],
    [3.9, 'low'],
    [4.0, 'medium'],
    [6.9, 'medium'],
    [7.0, 'high'],
    [8.9, 'high'],
    [9.0, 'critical'],
    [10, 'critical'],
  ])('rates %d as %s', (score, rating) => {
    expect(ratingOf(score)).toBe(rating)
  })

  it.each([
    '',
    'CVSS:3.1',
    'CVSS:3.2/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
    'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H',
    'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/A:L',
    'CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
    'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/ZZ:1',
    'CVSS:3.1/AV:N//AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
    'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N',
    'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:S/SA:N',
    'AV:N/AC:L/Au:N/C:P/I:P',
    'medium',
  ])('rejects %j', (vector) => {
    expect(() => cvssScore(vector)).toThrow(expect.objectContaining({ code: 'VULN_RECORD_INVALID' }))
    expect(tryCvssScore(vector)).toBeNull()
  })
})
