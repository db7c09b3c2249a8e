/**
 * `pushscan scan` on images trojaned the way `dockerscan trojanize` does it, against a real
 * registry: a reverse-shell library (compiled here from harmless C, never loaded) added to
 * the last layer of a debootstrap Debian 12 image, LD_PRELOAD, REMOTE_ADDR and REMOTE_PORT
 * set in the config, the history left untouched. Once with the last layer rewritten (what
 * dockerscan does), once with the library in a layer appended after it; and the same image
 * without the trojan, which must give none of those findings.
 */
import { beforeAll, describe, expect, inject, it } from 'vitest'
import type { Finding, ImageReport } from '../../../shared/report/model.js'
import { compileC, TROJAN_LIBRARY_SOURCE } from '../../support/compile-c.js'
import { buildImage, buildLayer, type BuiltBlob, type BuiltImage } from '../../support/image-builder.js'
import { debianGzipLayer, layerBlob } from '../../support/layer-files.js'
import { pushImage } from '../../support/registry-push.js'
import { expectValidReport } from '../../support/report-schema.js'
import { pushscan } from '../../support/run-pushscan.js'

const REPO = 'e2e/trojanize'
const LIBRARY = '/usr/share/lib/reverse_shell.so'
const HISTORY = [
  { created_by: 'debootstrap --variant=minbase bookworm', created: '2024-01-01T00:00:00Z' },
  { created_by: 'CMD ["bash"]', created: '2024-01-01T00:00:00Z', empty_layer: true },
  { created_by: 'COPY app/ /app # buildkit', created: '2024-01-01T00:01:00Z' },
]
const CLEAN_ENV = ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin']
const TROJAN_ENV = [...CLEAN_ENV, `LD_PRELOAD=${LIBRARY}`, 'REMOTE_ADDR=203.0.113.9', 'REMOTE_PORT=2222']
const APP = [
  { name: 'app/', type: 'directory' as const },
  { name: 'app/server.js', content: 'require("http").createServer((q, s) => s.end("ok")).listen(8080)\n' },
]

let registry: ReturnType<typeof inject<'registryNoAuth'>>
let base: BuiltBlob
let clean: BuiltImage
let rewritten: BuiltImage
let appended: BuiltImage

async function scan(tag: string): Promise<ImageReport> {
  const result = await pushscan(['scan', `${registry.host}/${REPO}:${tag}`, '--insecure-registry', registry.host, '--format', 'json'])
  expect(result.stderr).toBe('')
  expect(result.code).toBe(0)
  const report = JSON.parse(result.stdout) as ImageReport
  expectValidReport(report)
  expect(report.errors).toEqual([])
  return report
}

/** The malware and history findings, as [rule, severity, path, layer index]. */
function signs(report: ImageReport): Array<[string, string, string | undefined, number]> {
  const index = (f: Finding): number => report.image.layers.findIndex((l) => l.diffId === f.location.layer)
  return report.findings.filter((f) => f.category === 'malware' || f.category === 'history').map((f) => [f.ruleId, f.severity, f.location.path, index(f)])
}

beforeAll(async () => {
  registry = inject('registryNoAuth')
  const library = await compileC(TROJAN_LIBRARY_SOURCE, 'shared')
  base = await layerBlob(await debianGzipLayer())
  const app = await buildLayer(APP, { compression: 'gzip' })
  // dockerscan rewrites the last layer: the same files plus the library
  const trojaned = await buildLayer([...APP, { name: 'usr/share/lib/', type: 'directory' as const }, { name: LIBRARY.slice(1), content: library }], { compression: 'gzip' })
  const extra = await buildLayer([{ name: LIBRARY.slice(1), content: library }], { compression: 'gzip' })
  clean = buildImage({ format: 'oci', layers: [base, app], history: HISTORY, config: { Env: CLEAN_ENV, Cmd: ['bash'] } })
  rewritten = buildImage({ format: 'oci', layers: [base, trojaned], history: HISTORY, config: { Env: TROJAN_ENV, Cmd: ['bash'] } })
  appended = buildImage({ format: 'oci', layers: [base, app, extra], history: HISTORY, config: { Env: TROJAN_ENV, Cmd: ['bash'] } })
  await pushImage(registry, REPO, clean, ['clean'])
  await pushImage(registry, REPO, rewritten, ['rewritten'])
  await pushImage(registry, REPO, appended, ['appended'])
}, 300_000)

describe('pushscan scan of a trojanized Debian 12 image', () => {
  let report: ImageReport

  beforeAll(async () => {
    report = await scan('rewritten')
  }, 120_000)

  it('reports LD_PRELOAD as critical, naming the library, the layer that added it and the variable', () => {
    const layer = rewritten.layers[1]!.diffId
    expect(report.findings.filter((f) => f.ruleId === 'malware-ld-preload-env')).toEqual([
      {
        ruleId: 'malware-ld-preload-env',
        category: 'malware',
        severity: 'critical',
        title: 'The config preloads a library into every process (LD_PRELOAD)',
        location: { layer, path: LIBRARY, history: 2 },
        evidence: `LD_PRELOAD=${LIBRARY}; no history entry sets it; added in layer 1; it imports socket, connect, dup2, execve, a shell path; it is outside the library directories; no package installed it`,
      },
    ])
  })

  it('reports the library itself, the layer that does not match its history and the unexplained config', () => {
    expect(signs(report)).toEqual([
      ['malware-elf-network-shell', 'critical', LIBRARY, 1],
      ['malware-ld-preload-env', 'critical', LIBRARY, 1],
      ['history-config-unexplained', 'high', undefined, -1],
      ['history-layer-content-mismatch', 'high', LIBRARY, 1],
      ['malware-callback-address-env', 'high', undefined, -1],
      ['malware-callback-address-env', 'high', undefined, -1],
      ['malware-shared-object-outside-library-dirs', 'low', LIBRARY, 1],
    ])
    const byRule = new Map(report.findings.map((f) => [f.ruleId, f]))
    expect(byRule.get('malware-elf-network-shell')?.evidence).toMatch(/^imports socket, connect, dup2, execve, a shell path; shared library, \d+ constructors, 0 exported symbols, strings: .*\/bin\/sh.*; preloaded$/)
    expect(byRule.get('history-config-unexplained')?.evidence).toBe('ENV LD_PRELOAD, REMOTE_ADDR, REMOTE_PORT set by no ENV entry')
    expect(byRule.get('history-layer-content-mismatch')?.evidence).toBe(`layer 1 is paired with "COPY app/ /app # buildkit" yet adds ${LIBRARY} outside /app`)
  })

  it('fails a --fail-on critical gate', async () => {
    const result = await pushscan(['scan', `${registry.host}/${REPO}:rewritten`, '--insecure-registry', registry.host, '--fail-on', 'critical'])
    expect(result.code).toBe(1)
  }, 120_000)
})

describe('pushscan scan of the same image with the library in an appended layer', () => {
  it('reports the layer no history entry explains, and the trojan in it', async () => {
    const report = await scan('appended')
    expect(signs(report)).toEqual([
      ['malware-elf-network-shell', 'critical', LIBRARY, 2],
      ['malware-ld-preload-env', 'critical', LIBRARY, 2],
      ['history-config-unexplained', 'high', undefined, -1],
      ['history-layer-count-mismatch', 'high', undefined, 2],
      ['malware-callback-address-env', 'high', undefined, -1],
      ['malware-callback-address-env', 'high', undefined, -1],
      ['malware-shared-object-outside-library-dirs', 'low', LIBRARY, 2],
    ])
  }, 120_000)
})

describe('pushscan scan of the image without the trojan', () => {
  it('gives no malware or history finding, and nothing above low', async () => {
    const report = await scan('clean')
    expect(signs(report)).toEqual([])
    expect(report.findings.filter((f) => f.severity === 'critical' || f.severity === 'high')).toEqual([])
    const result = await pushscan(['scan', `${registry.host}/${REPO}:clean`, '--insecure-registry', registry.host, '--fail-on', 'high'])
    expect(result.code).toBe(0)
  }, 120_000)
})
