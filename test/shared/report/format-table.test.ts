import { describe, expect, it } from 'vitest'
import { ErrorCode } from '../../../shared/errors.js'
import { bytes, formatTable } from '../../../shared/report/format-table.js'
import type { Finding, ImageReport, IndexReport, Summary } from '../../../shared/report/model.js'

const MANIFEST = `sha256:${'a1'.repeat(32)}`
const INDEX = `sha256:${'b2'.repeat(32)}`
const LAYER0 = `sha256:${'c3'.repeat(32)}`
const LAYER1 = `sha256:${'d4'.repeat(32)}`
const DIFF0 = `sha256:${'e5'.repeat(32)}`
const DIFF1 = `sha256:${'f6'.repeat(32)}`
const ATTESTATION = `sha256:${'07'.repeat(32)}`

function summary(partial: Partial<Summary> = {}): Summary {
  return { critical: 0, high: 0, medium: 0, low: 0, info: 0, unknown: 0, ...partial }
}

function finding(partial: Partial<Finding> & Pick<Finding, 'ruleId' | 'severity'>): Finding {
  return { category: 'secret', title: `title of ${partial.ruleId}`, location: {}, ...partial }
}

function imageReport(overrides: Partial<ImageReport> = {}): ImageReport {
  return {
    schemaVersion: 1,
    kind: 'image',
    status: 'complete',
    scanner: { name: 'pushscan', version: '0.1.0', analyzers: {} },
    subject: { source: 'registry', registry: 'ghcr.io', repository: 'org/app', digest: MANIFEST, tags: ['v1', 'latest'], platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
    scannedAt: '2025-01-01T00:00:00.000Z',
    durationMs: 12_345,
    image: {
      os: { family: 'debian', version: '12', name: 'Debian GNU/Linux 12 (bookworm)' },
      created: '2024-12-31T23:00:00Z',
      configDigest: `sha256:${'99'.repeat(32)}`,
      config: null,
      history: [],
      layers: [
        { digest: LAYER0, diffId: DIFF0, mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', size: 29_150_000, uncompressedSize: 74_800_000, files: 8_421, createdBy: '# debian.sh --arch arm64 bookworm' },
        { digest: LAYER1, diffId: DIFF1, mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', size: 512, uncompressedSize: 2_048, files: 3, createdBy: `RUN   apt-get update &&\n\tapt-get install -y ${'x'.repeat(80)}` },
      ],
    },
    efficiency: { score: 0.98765, wastedBytes: 1_500_000, userWastedPercent: 12.345, topWasted: [] },
    packages: [],
    vulnerabilities: [],
    findings: [
      finding({ ruleId: 'secret-aws-key', severity: 'high', location: { layer: DIFF1, path: '/app/.env', line: 3 } }),
      finding({ ruleId: 'config-root-user', severity: 'low', category: 'config', title: 'The container runs as root', location: {} }),
      finding({ ruleId: 'history-secret', severity: 'medium', category: 'history', location: { layer: DIFF0 } }),
    ],
    provenance: { signatures: [], attestations: [], sboms: [], baseImage: null, source: {} },
    summary: summary({ high: 1, medium: 1, low: 1 }),
    errors: [{ code: ErrorCode.AnalyzerFailed, message: 'secrets analyzer crashed', analyzer: 'secrets' }],
    ...overrides,
  }
}

function failedReport(): ImageReport {
  return imageReport({
    status: 'failed',
    error: { code: ErrorCode.ManifestUnknown, message: 'manifest unknown: org/app:v9' },
    subject: { source: 'registry', registry: 'ghcr.io', repository: 'org/app', digest: '', tags: ['v9'] },
    durationMs: 250,
    image: { os: null, created: null, configDigest: null, config: null, history: [], layers: [] },
    efficiency: null,
    findings: [],
    summary: summary(),
    errors: [],
  })
}

function indexReport(overrides: Partial<IndexReport> = {}): IndexReport {
  const amd64 = imageReport({ subject: { ...imageReport().subject, platform: { os: 'linux', architecture: 'amd64' }, indexDigest: INDEX } })
  return {
    schemaVersion: 1,
    kind: 'index',
    status: 'complete',
    scanner: { name: 'pushscan', version: '0.1.0', analyzers: {} },
    subject: { source: 'registry', registry: 'docker.io', repository: 'library/app', digest: INDEX, tags: ['1.0'] },
    scannedAt: '2025-01-01T00:00:00.000Z',
    durationMs: 40_000,
    skipped: [
      { digest: ATTESTATION, platform: { os: 'unknown', architecture: 'unknown' }, reason: 'attestation' },
      { digest: LAYER0, reason: 'not-an-image' },
    ],
    manifests: [amd64],
    summary: summary({ high: 1, medium: 1, low: 1 }),
    ...overrides,
  }
}

describe('bytes', () => {
  it.each([
    [0, '0 B'],
    [1, '1 B'],
    [999, '999 B'],
    [1000, '1.0 kB'],
    [1024, '1.0 kB'],
    [1500, '1.5 kB'],
    [999_000, '999.0 kB'],
    [1_000_000, '1.0 MB'],
    [29_150_000, '29.1 MB'],
    [1_234_567_890, '1.2 GB'],
    [5e12, '5.0 TB'],
    [5e15, '5000.0 TB'],
  ])('%i → %s', (n, expected) => {
    expect(bytes(n)).toBe(expected)
  })
})

describe('formatTable: a complete image report', () => {
  const text = formatTable(imageReport())
  const lines = text.split('\n')

  it('ends with one newline', () => {
    expect(text.endsWith('\n')).toBe(true)
    expect(text.endsWith('\n\n')).toBe(false)
  })

  it.each([
    ['the subject with tags, digest and platform', `ghcr.io/org/app:v1,latest @ ${MANIFEST} (linux/arm64/v8)`],
    ['the status and duration', 'status: complete in 12.3 s'],
    ['the OS, creation time and user', 'os: Debian GNU/Linux 12 (bookworm)   created: 2024-12-31T23:00:00Z   user: root (default)'],
    ['the layer count', 'layers (2):'],
    ['the efficiency', 'efficiency: 98.77 %   wasted: 1.5 MB (12.35 % of the layers above the first)'],
    ['the severity counts, most severe first', 'findings: 1 high, 1 medium, 1 low'],
    ['the analyzer error', `error: ${ErrorCode.AnalyzerFailed}: secrets analyzer crashed`],
  ])('shows %s', (_label, line) => {
    expect(lines).toContain(line)
  })

  it('lists the layers with short diff ids, sizes, file counts and the command that built them', () => {
    // Prepare
    const header = lines.findIndex((l) => l.trim().startsWith('#  DIFF ID'))
    // Act
    const rows = lines.slice(header + 1, header + 3).map((l) => l.trim().split(/\s{2,}/))
    // Assess
    expect(lines[header]?.trim().split(/\s{2,}/)).toEqual(['#', 'DIFF ID', 'SIZE', 'UNPACKED', 'FILES', 'CREATED BY'])
    expect(rows[0]).toEqual(['0', DIFF0.slice(0, 19), '29.1 MB', '74.8 MB', '8421', '# debian.sh --arch arm64 bookworm'])
    expect(rows[1]?.slice(0, 5)).toEqual(['1', DIFF1.slice(0, 19), '512 B', '2.0 kB', '3'])
  })

  it('collapses whitespace in a long command and cuts it to 60 characters', () => {
    // Prepare
    const row = lines.find((l) => l.includes(DIFF1.slice(0, 19)))
    // Act
    const command = row?.slice(row.indexOf('RUN'))
    // Assess
    expect(command).toHaveLength(60)
    expect(command?.startsWith('RUN apt-get update && apt-get install -y xxx')).toBe(true)
    expect(command?.endsWith('…')).toBe(true)
  })

  it('lists the findings with where they are', () => {
    // Prepare
    const header = lines.findIndex((l) => l.trim().startsWith('SEVERITY'))
    // Act
    const rows = lines.slice(header + 1, header + 4).map((l) => l.trim().split(/\s{2,}/))
    // Assess
    expect(rows).toEqual([
      ['high', 'secret-aws-key', '/app/.env:3 layer 1', 'title of secret-aws-key'],
      ['low', 'config-root-user', 'image', 'The container runs as root'],
      ['medium', 'history-secret', 'layer 0', 'title of history-secret'],
    ])
  })

  it('says when the file of a finding was deleted or replaced by a later layer', () => {
    // Act
    const out = formatTable(imageReport({ findings: [finding({ ruleId: 'secret-aws-key', severity: 'high', location: { layer: DIFF0, path: '/app/.env', line: 3, removedIn: DIFF1 } })] }))
    // Assess
    const row = out.split('\n').find((l) => l.includes('secret-aws-key'))
    expect(row?.trim().split(/\s{2,}/)).toEqual(['high', 'secret-aws-key', '/app/.env:3 layer 0 (deleted or replaced in layer 1; its bytes are still in the image)', 'title of secret-aws-key'])
  })

  it('shows the configured user and "no history" layers', () => {
    // Prepare
    const base = imageReport()
    const report = imageReport({
      image: {
        ...base.image,
        os: { family: 'alpine', version: '3.20.0' },
        created: null,
        config: { user: 'app', env: [], entrypoint: null, cmd: null, workingDir: null, exposedPorts: [], volumes: [], labels: {}, stopSignal: null, healthcheck: null, shell: null, onBuild: [] },
        layers: [{ ...base.image.layers[0]!, createdBy: null }],
      },
    })
    // Act
    const out = formatTable(report).split('\n')
    // Assess
    expect(out).toContain('os: alpine 3.20.0   created: unknown   user: app')
    expect(out.find((l) => l.includes(DIFF0.slice(0, 19)))?.trim().endsWith('(no history)')).toBe(true)
  })

  it('says "none" and shows no findings table without findings, and no efficiency line without efficiency', () => {
    // Act
    const out = formatTable(imageReport({ findings: [], summary: summary(), efficiency: null, errors: [] }))
    // Assess
    expect(out.split('\n')).toContain('findings: none')
    expect(out).not.toContain('SEVERITY')
    expect(out).not.toContain('efficiency:')
    expect(out).not.toContain('error:')
  })

  it('shows at most 50 findings and says how many more there are', () => {
    // Prepare
    const findings = Array.from({ length: 53 }, (_v, i) => finding({ ruleId: `rule-${i}`, severity: 'info' }))
    // Act
    const out = formatTable(imageReport({ findings, summary: summary({ info: 53 }) }))
    // Assess
    expect(out).toContain('rule-49')
    expect(out).not.toContain('rule-50')
    expect(out.split('\n')).toContain('  … and 3 more (use --format json for all)')
    expect(out.split('\n')).toContain('findings: 53 info')
  })

  it('names an archive subject by its path', () => {
    const out = formatTable(imageReport({ subject: { source: 'docker-archive', registry: '', repository: 'app', digest: MANIFEST, tags: [], path: '/tmp/app.tar' } }))
    expect(out.split('\n')[0]).toBe(`docker-archive:/tmp/app.tar @ ${MANIFEST}`)
  })
})

describe('formatTable: a failed image report', () => {
  it('shows the subject and the error, and nothing else', () => {
    // Act
    const out = formatTable(failedReport())
    // Assess
    expect(out).toBe(`ghcr.io/org/app:v9 @ unknown digest\nstatus: FAILED ${ErrorCode.ManifestUnknown}: manifest unknown: org/app:v9\n`)
  })
})

describe('formatTable: an index report', () => {
  const text = formatTable(indexReport())
  const lines = text.split('\n')

  it.each([
    ['the index subject and image count', `docker.io/library/app:1.0 @ ${INDEX}  (index of 1 image)`],
    ['the index status', 'status: complete in 40.0 s'],
    ['the skipped attestation with its platform', `  skipped ${ATTESTATION.slice(0, 19)} unknown/unknown: attestation`],
    ['the skipped entry without a platform', `  skipped ${LAYER0.slice(0, 19)}: not-an-image`],
    ['each image under its platform', `ghcr.io/org/app:v1,latest @ ${MANIFEST} (linux/amd64)`],
    ['each image\'s findings', 'findings: 1 high, 1 medium, 1 low'],
  ])('shows %s', (_label, line) => {
    expect(lines).toContain(line)
  })

  it('puts a blank line before each image', () => {
    // Prepare
    const report = indexReport({ manifests: [indexReport().manifests[0]!, failedReport()] })
    // Act
    const out = formatTable(report).split('\n')
    // Assess
    expect(out[0]).toContain('(index of 2 images)')
    const starts = out.flatMap((l, i) => (l.startsWith('ghcr.io/org/app') ? [i] : []))
    expect(starts).toHaveLength(2)
    expect(starts.map((i) => out[i - 1])).toEqual(['', ''])
  })

  it('shows a failed index with its error', () => {
    // Act
    const out = formatTable(indexReport({ status: 'failed', error: { code: ErrorCode.TooManyPlatforms, message: 'index has 80 platforms' }, skipped: [], manifests: [] }))
    // Assess
    expect(out).toBe(`docker.io/library/app:1.0 @ ${INDEX}  (index of 0 images)\nstatus: FAILED ${ErrorCode.TooManyPlatforms}: index has 80 platforms\n`)
  })
})

describe('formatTable: vulnerabilities', () => {
  const vulnerability = (id: string, severity: 'critical' | 'low', fixedVersion?: string) => ({
    id,
    aliases: [],
    package: { type: 'deb', name: 'zlib1g', version: '1:1.2.13.dfsg-1', purl: 'pkg:deb/debian/zlib1g@1:1.2.13.dfsg-1' },
    ...(fixedVersion ? { fixedVersion } : {}),
    severity,
    layer: DIFF0,
  })

  it('says when there was no index to check against', () => {
    // Act
    const none = formatTable(imageReport({ vulnerabilityIndex: { status: 'none' } })).split('\n')
    const before = formatTable(imageReport()).split('\n')
    // Assess
    for (const out of [none, before]) expect(out).toContain('vulnerabilities: not checked: no vulnerability index (import one with pushscan vulndb import)')
  })

  it('lists the vulnerabilities with the package, the installed version and the fix', () => {
    // Prepare
    const report = imageReport({
      vulnerabilities: [vulnerability('CVE-2098-1', 'critical', '1:1.2.13.dfsg-2'), vulnerability('CVE-2098-2', 'low')],
      vulnerabilityIndex: { status: 'loaded', importedAt: '2098-01-01T00:00:00.000Z', records: 42, sources: { DEBIAN: 42 } },
    })
    // Act
    const out = formatTable(report).split('\n')
    const header = out.findIndex((l) => l.trim().startsWith('SEVERITY  ID'))
    // Assess
    expect(out).toContain('vulnerabilities: 2   (index imported 2098-01-01T00:00:00.000Z, 42 records)')
    expect(out[header]?.trim().split(/\s{2,}/)).toEqual(['SEVERITY', 'ID', 'PACKAGE', 'INSTALLED', 'FIXED IN'])
    expect(out.slice(header + 1, header + 3).map((l) => l.trim().split(/\s{2,}/))).toEqual([
      ['critical', 'CVE-2098-1', 'deb/zlib1g', '1:1.2.13.dfsg-1', '1:1.2.13.dfsg-2'],
      ['low', 'CVE-2098-2', 'deb/zlib1g', '1:1.2.13.dfsg-1', '(no fix)'],
    ])
  })
})
