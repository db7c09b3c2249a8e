/**
 * Provenance end to end against the real registry: cosign-style signatures pushed the way
 * cosign pushes them (the `sha256-<hex>.sig` tag), a BuildKit attestation with SLSA
 * provenance, and base images declared by annotation, true and false.
 */
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import type { Finding, ImageReport, IndexReport } from '../../../shared/report/model.js'
import { assemble, buildImage, buildIndex, buildLayer, sha256, statementAbout, type BuiltBlob, type BuiltImage } from '../../support/image-builder.js'
import { pushImage } from '../../support/registry-push.js'
import { expectValidReport } from '../../support/report-schema.js'
import { pushscan } from '../../support/run-pushscan.js'

let registry: ReturnType<typeof inject<'registryNoAuth'>>
let work: string
let keyFile: string
let otherKeyFile: string
let privateKey: KeyObject
let base: BuiltBlob
let app: BuiltBlob

function keyPair(): { privateKey: KeyObject; publicPem: string } {
  const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  return { privateKey: pair.privateKey, publicPem: pair.publicKey.export({ type: 'spki', format: 'pem' }).toString() }
}

/** A cosign signature artifact for `digest`: the simple-signing payload as a layer, its signature in an annotation. */
function signature(options: { digest: string; reference: string; key: KeyObject; tamper?: boolean }): BuiltImage {
  const payload = Buffer.from(
    JSON.stringify({
      critical: { identity: { 'docker-reference': options.reference }, image: { 'docker-manifest-digest': options.digest }, type: 'cosign container image signature' },
      optional: null,
    })
  )
  const signatureBytes = sign('sha256', payload, options.key)
  if (options.tamper) signatureBytes[signatureBytes.length - 1]! ^= 0x01
  const layer: BuiltBlob = {
    mediaType: 'application/vnd.dev.cosign.simplesigning.v1+json',
    digest: sha256(payload),
    size: payload.length,
    bytes: payload,
    diffId: sha256(payload),
    annotations: { 'dev.cosignproject.cosign/signature': signatureBytes.toString('base64') },
  }
  return assemble('oci', [layer], { os: '', architecture: '' }, { architecture: '', os: '', config: {}, rootfs: { type: 'layers', diff_ids: [layer.diffId] } }, undefined)
}

const sigTag = (digest: string): string => `${digest.replace(':', '-')}.sig`

async function scan(ref: string, ...extra: string[]): Promise<ImageReport | IndexReport> {
  const result = await pushscan(['scan', `${registry.host}/${ref}`, '--insecure-registry', registry.host, ...extra])
  expect(result.stderr).toBe('')
  const report = JSON.parse(result.stdout) as ImageReport | IndexReport
  expectValidReport(report)
  return report
}

const provenanceFindings = (report: ImageReport): Array<[string, string]> =>
  report.findings.filter((f: Finding) => f.category === 'provenance').map((f) => [f.ruleId, f.severity])

beforeAll(async () => {
  registry = inject('registryNoAuth')
  work = await mkdtemp(join(tmpdir(), 'pushscan-provenance-'))
  const signer = keyPair()
  privateKey = signer.privateKey
  keyFile = join(work, 'cosign.pub')
  await writeFile(keyFile, signer.publicPem)
  otherKeyFile = join(work, 'other.pub')
  await writeFile(otherKeyFile, keyPair().publicPem)
  base = await buildLayer([{ name: 'etc/os-release', content: 'ID=alpine\nVERSION_ID=3.20.3\n' }, { name: 'bin/sh', content: 'sh' }], { compression: 'gzip' })
  app = await buildLayer([{ name: 'app/main', content: 'app' }], { compression: 'gzip' })
})

afterAll(async () => {
  await rm(work, { recursive: true, force: true })
})

describe('cosign signatures', () => {
  let signed: BuiltImage
  let other: BuiltImage

  beforeAll(async () => {
    signed = buildImage({ format: 'oci', layers: [base, app], config: { User: 'app' } })
    other = buildImage({ format: 'oci', layers: [base], config: { User: 'other' } })
    await pushImage(registry, 'prov/signed', signed, ['v1'])
    await pushImage(registry, 'prov/signed', signature({ digest: signed.manifest.digest, reference: `${registry.host}/prov/signed`, key: privateKey }), [sigTag(signed.manifest.digest)])
    await pushImage(registry, 'prov/tampered', signed, ['v1'])
    await pushImage(registry, 'prov/tampered', signature({ digest: signed.manifest.digest, reference: `${registry.host}/prov/tampered`, key: privateKey, tamper: true }), [sigTag(signed.manifest.digest)])
    await pushImage(registry, 'prov/misdirected', signed, ['v1'])
    // a genuine signature, but of another image, copied under this image's signature tag
    await pushImage(registry, 'prov/misdirected', signature({ digest: other.manifest.digest, reference: `${registry.host}/prov/misdirected`, key: privateKey }), [sigTag(signed.manifest.digest)])
    await pushImage(registry, 'prov/unsigned', signed, ['v1'])
  })

  it('verifies a signed image with its key', async () => {
    const report = (await scan('prov/signed:v1', '--verify-key', keyFile)) as ImageReport
    expect(report.provenance.signatures).toEqual([{ format: 'cosign', artifact: expect.stringMatching(/^sha256:/), via: 'tag', verified: true, signer: expect.any(String) }])
    expect(provenanceFindings(report)).toEqual([])
  })

  it('reports the signature, unverified, when no key is configured', async () => {
    const report = (await scan('prov/signed:v1')) as ImageReport
    expect(report.provenance.signatures).toEqual([expect.objectContaining({ format: 'cosign', via: 'tag', verified: null })])
    expect(provenanceFindings(report)).toEqual([])
  })

  it('fails a tampered signature', async () => {
    const report = (await scan('prov/tampered:v1', '--verify-key', keyFile)) as ImageReport
    expect(report.provenance.signatures).toEqual([expect.objectContaining({ verified: false })])
    expect(provenanceFindings(report)).toEqual([['provenance-signature-invalid', 'critical']])
  })

  it('fails a signature that names another digest', async () => {
    const report = (await scan('prov/misdirected:v1', '--verify-key', keyFile)) as ImageReport
    expect(report.provenance.signatures).toEqual([expect.objectContaining({ verified: false })])
    expect(provenanceFindings(report)).toEqual([['provenance-signature-invalid', 'critical']])
    expect(report.findings.find((f) => f.ruleId === 'provenance-signature-invalid')?.evidence).toMatch(/wrong-digest/)
  })

  it('fails a signature made with a key that is not trusted', async () => {
    const report = (await scan('prov/signed:v1', '--verify-key', otherKeyFile)) as ImageReport
    expect(report.provenance.signatures).toEqual([expect.objectContaining({ verified: false })])
    expect(provenanceFindings(report)).toEqual([['provenance-signature-invalid', 'critical']])
  })

  it('gives an unsigned image the "no signature" finding', async () => {
    const report = (await scan('prov/unsigned:v1', '--verify-key', keyFile)) as ImageReport
    expect(report.provenance.signatures).toEqual([])
    expect(provenanceFindings(report)).toEqual([['provenance-unsigned', 'low']])
  })
})

describe('BuildKit attestations', () => {
  it('puts SLSA provenance from the attestation manifest in the report', async () => {
    const image = buildImage({ format: 'oci', layers: [base, app] })
    const revision = 'f1e2d3c4b5a697887766554433221100ffeeddcc'
    const index = buildIndex({
      format: 'oci',
      images: [image],
      attestationFor: [image],
      statementFor: (subject) =>
        statementAbout(subject, 'https://slsa.dev/provenance/v0.2', {
          builder: { id: 'https://github.com/moby/buildkit/blob/master/docs/attestations/slsa-definitions.md' },
          buildType: 'https://mobyproject.org/buildkit@v1',
          invocation: {
            configSource: { uri: 'https://github.com/acme/app.git#refs/heads/main', digest: { sha1: revision }, entryPoint: 'Dockerfile' },
            parameters: { frontend: 'dockerfile.v0' },
          },
          metadata: { 'https://mobyproject.org/buildkit@v1#metadata': { vcs: { source: 'https://github.com/acme/app', revision } } },
        }),
    })
    await pushImage(registry, 'prov/attested', index, ['v1'])
    const report = (await scan('prov/attested:v1')) as IndexReport
    expect(report.manifests).toHaveLength(1)
    expect(report.manifests[0]!.provenance.attestations).toEqual([
      {
        predicateType: 'https://slsa.dev/provenance/v0.2',
        artifact: index.attestations[0]!.manifest.digest,
        via: 'index',
        builder: 'https://github.com/moby/buildkit/blob/master/docs/attestations/slsa-definitions.md',
        sourceRepository: 'https://github.com/acme/app',
        sourceRevision: revision,
      },
    ])
    expect(report.manifests[0]!.provenance.source).toMatchObject({ repository: 'https://github.com/acme/app', revision })
  })
})

describe('declared base images', () => {
  it('confirms a base whose layers are the image first layers, and refutes one whose are not', async () => {
    // Prepare: the true base, an impostor base, and two images built on the true base
    const trueBase = buildImage({ format: 'oci', layers: [base] })
    const impostor = buildImage({ format: 'oci', layers: [await buildLayer([{ name: 'etc/os-release', content: 'ID=debian\n' }], { compression: 'gzip' })] })
    await pushImage(registry, 'prov/base', trueBase, ['3.20'])
    await pushImage(registry, 'prov/impostor', impostor, ['1'])
    const annotated = (name: string) => buildImage({ format: 'oci', layers: [base, app], annotations: { 'org.opencontainers.image.base.name': name } })
    await pushImage(registry, 'prov/honest', annotated(`${registry.host}/prov/base:3.20`), ['v1'])
    await pushImage(registry, 'prov/liar', annotated(`${registry.host}/prov/impostor:1`), ['v1'])
    // Act
    const honest = (await scan('prov/honest:v1')) as ImageReport
    const liar = (await scan('prov/liar:v1')) as ImageReport
    // Assess
    expect(honest.provenance.baseImage).toEqual({ name: `${registry.host}/prov/base:3.20`, digest: '', evidence: 'annotation', confirmed: true })
    expect(provenanceFindings(honest).filter(([id]) => id === 'provenance-base-mismatch')).toEqual([])
    expect(liar.provenance.baseImage).toEqual({ name: `${registry.host}/prov/impostor:1`, digest: '', evidence: 'annotation', confirmed: false })
    expect(liar.findings).toContainEqual(expect.objectContaining({ ruleId: 'provenance-base-mismatch', severity: 'high', location: { layer: base.diffId, history: 0 } }))
  })

  it('guesses the base from history when nothing is declared', async () => {
    const image = buildImage({
      format: 'oci',
      layers: [base, app],
      history: [
        { created_by: '/bin/sh -c #(nop) ADD file:abc in / ' },
        { created_by: '/bin/sh -c #(nop)  CMD ["/bin/sh"]', empty_layer: true },
        { created_by: 'COPY app /app # buildkit' },
      ],
    })
    await pushImage(registry, 'prov/guessed', image, ['v1'])
    const report = (await scan('prov/guessed:v1')) as ImageReport
    expect(report.provenance.baseImage).toEqual({ name: '', digest: '', evidence: 'history', confirmed: null, layers: 1 })
  })
})
