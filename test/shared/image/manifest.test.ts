import { describe, expect, it } from 'vitest'
import { ErrorCode } from '../../../shared/errors.js'
import { isAttestationManifest, parseDescriptor, parseManifest, type Descriptor } from '../../../shared/image/manifest.js'
import { MediaType } from '../../../shared/image/media-types.js'

const D1 = `sha256:${'1'.repeat(64)}`
const D2 = `sha256:${'2'.repeat(64)}`
const D3 = `sha256:${'3'.repeat(64)}`

function bytesOf(value: unknown): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(value))
}

function configDescriptor(mediaType: string = MediaType.OciConfig): Record<string, unknown> {
  return { mediaType, digest: D1, size: 123 }
}

function layerDescriptor(mediaType: string = MediaType.OciLayerGzip): Record<string, unknown> {
  return { mediaType, digest: D2, size: 456 }
}

function ociManifest(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { schemaVersion: 2, mediaType: MediaType.OciManifest, config: configDescriptor(), layers: [layerDescriptor()], ...extra }
}

function ociIndex(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    schemaVersion: 2,
    mediaType: MediaType.OciIndex,
    manifests: [{ mediaType: MediaType.OciManifest, digest: D3, size: 789, platform: { os: 'linux', architecture: 'amd64' } }],
    ...extra,
  }
}

const invalid = (message?: RegExp | string): unknown =>
  expect.objectContaining({
    name: 'ManifestError',
    code: ErrorCode.ManifestInvalid,
    ...(message === undefined ? {} : { message: typeof message === 'string' ? expect.stringContaining(message) : expect.stringMatching(message) }),
  })

describe('parseManifest: image manifests', () => {
  it('parses an OCI manifest with its config and layers', () => {
    // Act
    const manifest = parseManifest(bytesOf(ociManifest()), MediaType.OciManifest)
    // Assess
    expect(manifest).toEqual({
      kind: 'manifest',
      mediaType: MediaType.OciManifest,
      config: { mediaType: MediaType.OciConfig, digest: D1, size: 123 },
      layers: [{ mediaType: MediaType.OciLayerGzip, digest: D2, size: 456 }],
    })
  })

  it('parses a Docker v2 schema 2 manifest', () => {
    // Prepare
    const doc = {
      schemaVersion: 2,
      mediaType: MediaType.DockerManifest,
      config: configDescriptor(MediaType.DockerConfig),
      layers: [layerDescriptor(MediaType.DockerLayerGzip), { ...layerDescriptor(MediaType.DockerLayerForeignGzip), digest: D3, urls: ['https://example.com/layer'] }],
    }
    // Act
    const manifest = parseManifest(bytesOf(doc), MediaType.DockerManifest)
    // Assess
    expect(manifest.kind).toBe('manifest')
    expect(manifest.mediaType).toBe(MediaType.DockerManifest)
    if (manifest.kind !== 'manifest') throw new Error('not a manifest')
    expect(manifest.config.mediaType).toBe(MediaType.DockerConfig)
    expect(manifest.layers.map((l) => l.digest)).toEqual([D2, D3])
    expect(manifest.layers[1]?.urls).toEqual(['https://example.com/layer'])
  })

  it('keeps annotations, subject and artifactType', () => {
    // Prepare
    const doc = ociManifest({
      artifactType: 'application/vnd.example.sbom',
      annotations: { 'org.opencontainers.image.created': '2024-01-01T00:00:00Z' },
      subject: { mediaType: MediaType.OciManifest, digest: D3, size: 10 },
    })
    // Act
    const manifest = parseManifest(bytesOf(doc), MediaType.OciManifest)
    // Assess
    expect(manifest).toMatchObject({
      kind: 'manifest',
      artifactType: 'application/vnd.example.sbom',
      annotations: { 'org.opencontainers.image.created': '2024-01-01T00:00:00Z' },
      subject: { mediaType: MediaType.OciManifest, digest: D3, size: 10 },
    })
  })

  it('leaves optional fields out when the document has none', () => {
    const manifest = parseManifest(bytesOf(ociManifest()), MediaType.OciManifest)
    expect(Object.keys(manifest).sort()).toEqual(['config', 'kind', 'layers', 'mediaType'])
  })

  it.each([
    ['with parameters', `${MediaType.OciManifest}; charset=utf-8`],
    ['in upper case', MediaType.OciManifest.toUpperCase()],
    ['with spaces', `  ${MediaType.OciManifest}  `],
  ])('accepts a Content-Type %s that matches the document', (_label, contentType) => {
    expect(parseManifest(bytesOf(ociManifest()), contentType).mediaType).toBe(MediaType.OciManifest)
  })
})

describe('parseManifest: indexes', () => {
  it('parses an OCI index with platforms', () => {
    // Prepare
    const doc = ociIndex({
      manifests: [
        { mediaType: MediaType.OciManifest, digest: D1, size: 1, platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
        { mediaType: MediaType.OciManifest, digest: D2, size: 2, platform: { os: 'windows', architecture: 'amd64', 'os.version': '10.0.17763.5696' } },
      ],
      annotations: { a: 'b' },
    })
    // Act
    const index = parseManifest(bytesOf(doc), MediaType.OciIndex)
    // Assess
    expect(index).toEqual({
      kind: 'index',
      mediaType: MediaType.OciIndex,
      annotations: { a: 'b' },
      manifests: [
        { mediaType: MediaType.OciManifest, digest: D1, size: 1, platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
        { mediaType: MediaType.OciManifest, digest: D2, size: 2, platform: { os: 'windows', architecture: 'amd64', osVersion: '10.0.17763.5696' } },
      ],
    })
  })

  it('parses a Docker manifest list', () => {
    // Prepare
    const doc = { schemaVersion: 2, mediaType: MediaType.DockerManifestList, manifests: [{ mediaType: MediaType.DockerManifest, digest: D1, size: 5 }] }
    // Act
    const index = parseManifest(bytesOf(doc), MediaType.DockerManifestList)
    // Assess
    expect(index.kind).toBe('index')
    expect(index.mediaType).toBe(MediaType.DockerManifestList)
    if (index.kind !== 'index') throw new Error('not an index')
    expect(index.manifests).toEqual([{ mediaType: MediaType.DockerManifest, digest: D1, size: 5 }])
  })

  it('keeps the subject of an index', () => {
    const index = parseManifest(bytesOf(ociIndex({ subject: { mediaType: MediaType.OciManifest, digest: D2, size: 3 } })), MediaType.OciIndex)
    expect(index.subject).toEqual({ mediaType: MediaType.OciManifest, digest: D2, size: 3 })
  })

  it('accepts an empty index', () => {
    const index = parseManifest(bytesOf(ociIndex({ manifests: [] })), MediaType.OciIndex)
    expect(index).toEqual({ kind: 'index', mediaType: MediaType.OciIndex, manifests: [] })
  })
})

describe('parseManifest: which media type', () => {
  it.each([
    ['an index, no Content-Type', ociIndex({ mediaType: undefined }), '', 'index', MediaType.OciIndex],
    ['an index, application/json', ociIndex({ mediaType: undefined }), 'application/json', 'index', MediaType.OciIndex],
    ['a manifest, application/octet-stream', ociManifest({ mediaType: undefined }), 'application/octet-stream', 'manifest', MediaType.OciManifest],
    ['a manifest, text/plain; charset=utf-8', ociManifest({ mediaType: undefined }), 'text/plain; charset=utf-8', 'manifest', MediaType.OciManifest],
  ])('infers the type of %s when both are silent', (_label, doc, contentType, kind, mediaType) => {
    const manifest = parseManifest(bytesOf(doc), contentType)
    expect({ kind: manifest.kind, mediaType: manifest.mediaType }).toEqual({ kind, mediaType })
  })

  it.each([
    ['a Docker manifest', ociManifest({ mediaType: undefined }), MediaType.DockerManifest, 'manifest'],
    ['a Docker manifest list', ociIndex({ mediaType: undefined }), MediaType.DockerManifestList, 'index'],
  ])('takes the Content-Type of %s when the document names no type', (_label, doc, contentType, kind) => {
    const manifest = parseManifest(bytesOf(doc), contentType)
    expect({ kind: manifest.kind, mediaType: manifest.mediaType }).toEqual({ kind, mediaType: contentType })
  })

  it.each([
    ['application/json', MediaType.DockerManifest],
    ['', MediaType.OciManifest],
  ])('trusts the document type when the Content-Type is generic (%j)', (contentType, ownType) => {
    expect(parseManifest(bytesOf(ociManifest({ mediaType: ownType })), contentType).mediaType).toBe(ownType)
  })

  it.each([
    ['an index sent as a manifest', ociIndex(), MediaType.OciManifest],
    ['an OCI manifest sent as a Docker manifest', ociManifest(), MediaType.DockerManifest],
    ['a manifest sent as an index', ociManifest(), MediaType.OciIndex],
  ])('refuses %s (mediaType and Content-Type disagree)', (_label, doc, contentType) => {
    expect(() => parseManifest(bytesOf(doc), contentType)).toThrow(invalid('does not match the Content-Type'))
  })

  it('refuses a document that is neither manifest nor index when nothing names its type', () => {
    expect(() => parseManifest(bytesOf({ schemaVersion: 2, layers: [] }), '')).toThrow(invalid('neither "manifests" nor "config" and "layers"'))
  })

  it.each([
    ['an artifact manifest in the document', ociManifest({ mediaType: 'application/vnd.oci.artifact.manifest.v1+json' }), ''],
    ['a Helm chart Content-Type', ociManifest({ mediaType: undefined }), 'application/vnd.cncf.helm.chart.content.v1.tar+gzip'],
    ['a config media type', ociManifest({ mediaType: MediaType.OciConfig }), MediaType.OciConfig],
  ])('refuses %s with MANIFEST_UNSUPPORTED', (_label, doc, contentType) => {
    expect(() => parseManifest(bytesOf(doc), contentType)).toThrow(
      expect.objectContaining({ name: 'ManifestError', code: ErrorCode.ManifestUnsupported, message: expect.stringContaining('unsupported manifest media type') })
    )
  })
})

describe('parseManifest: schema 1', () => {
  it.each([
    ['the schema 1 Content-Type', bytesOf({ schemaVersion: 1, name: 'x' }), MediaType.DockerSchema1],
    ['the signed schema 1 Content-Type, even with bytes that are not JSON', new TextEncoder().encode('not json'), MediaType.DockerSchema1Signed],
    ['schemaVersion 1 with a generic Content-Type', bytesOf({ schemaVersion: 1, name: 'x', fsLayers: [] }), 'application/json'],
    ['schemaVersion 1 with no Content-Type', bytesOf({ schemaVersion: 1 }), ''],
  ])('refuses a manifest by %s', (_label, bytes, contentType) => {
    expect(() => parseManifest(bytes, contentType)).toThrow(expect.objectContaining({ name: 'ManifestError', code: ErrorCode.ManifestSchema1 }))
  })
})

describe('parseManifest: malformed documents', () => {
  it.each([
    ['invalid JSON', new TextEncoder().encode('{"schemaVersion": 2,'), 'manifest is not valid JSON'],
    ['invalid UTF-8', new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]), 'manifest is not valid UTF-8'],
    ['a JSON array', bytesOf([ociManifest()]), 'manifest must be an object'],
    ['a JSON string', bytesOf('manifest'), 'manifest must be an object'],
    ['no schemaVersion', bytesOf(ociManifest({ schemaVersion: undefined })), 'manifest.schemaVersion must be an integer between 2 and 2'],
    ['schemaVersion 3', bytesOf(ociManifest({ schemaVersion: 3 })), 'manifest.schemaVersion'],
    ['schemaVersion "2"', bytesOf(ociManifest({ schemaVersion: '2' })), 'manifest.schemaVersion'],
    ['a non-string mediaType', bytesOf(ociManifest({ mediaType: 7 })), 'manifest.mediaType must be a string'],
    ['layers not an array', bytesOf(ociManifest({ layers: {} })), 'manifest.layers must be an array'],
    ['a missing config', bytesOf(ociManifest({ config: undefined })), 'manifest.config must be an object'],
    ['a numeric annotation value', bytesOf(ociManifest({ annotations: { a: 1 } })), 'manifest.annotations.a must be a string'],
    ['a non-string artifactType', bytesOf(ociManifest({ artifactType: 1 })), 'manifest.artifactType must be a string'],
    ['a null subject', bytesOf(ociManifest({ subject: null })), 'manifest.subject must be an object'],
    ['index manifests not an array', bytesOf(ociIndex({ manifests: 'x' })), 'index.manifests must be an array'],
    ['a bad index annotation', bytesOf(ociIndex({ annotations: [] })), 'index.annotations must be an object'],
  ])('refuses %s, naming what is wrong', (_label, bytes, message) => {
    expect(() => parseManifest(bytes, '')).toThrow(invalid(message))
  })

  it.each([
    ['a layer digest that is not a digest', { layers: [{ ...layerDescriptor(), digest: 'nope' }] }, 'manifest.layers[0].digest: invalid digest "nope"'],
    ['a short layer digest', { layers: [layerDescriptor(), { ...layerDescriptor(), digest: 'sha256:abc' }] }, 'manifest.layers[1].digest'],
    ['an unknown digest algorithm', { config: { ...configDescriptor(), digest: `md5:${'a'.repeat(32)}` } }, 'manifest.config.digest: unsupported digest algorithm "md5"'],
    ['an upper-case digest', { config: { ...configDescriptor(), digest: `sha256:${'A'.repeat(64)}` } }, 'manifest.config.digest'],
    ['a numeric digest', { config: { ...configDescriptor(), digest: 5 } }, 'manifest.config.digest must be a string'],
    ['a negative size', { layers: [{ ...layerDescriptor(), size: -1 }] }, 'manifest.layers[0].size must be an integer'],
    ['a fractional size', { layers: [{ ...layerDescriptor(), size: 1.5 }] }, 'manifest.layers[0].size must be an integer'],
    ['a string size', { config: { ...configDescriptor(), size: '12' } }, 'manifest.config.size must be an integer'],
    ['an unsafe size', { config: { ...configDescriptor(), size: 2 ** 60 } }, 'manifest.config.size must be an integer'],
    ['a missing size', { config: { mediaType: MediaType.OciConfig, digest: D1 } }, 'manifest.config.size'],
    ['a missing mediaType', { config: { digest: D1, size: 1 } }, 'manifest.config.mediaType must be a string'],
    ['a layer that is not an object', { layers: ['x'] }, 'manifest.layers[0] must be an object'],
  ])('refuses a manifest with %s', (_label, extra, message) => {
    expect(() => parseManifest(bytesOf(ociManifest(extra)), MediaType.OciManifest)).toThrow(invalid(message))
  })

  it('names the index entry with a bad digest', () => {
    const doc = ociIndex({ manifests: [{ mediaType: MediaType.OciManifest, digest: D1, size: 1 }, { mediaType: MediaType.OciManifest, digest: 'sha256:zz', size: 1 }] })
    expect(() => parseManifest(bytesOf(doc), MediaType.OciIndex)).toThrow(invalid('index.manifests[1].digest'))
  })
})

describe('parseDescriptor', () => {
  it('parses every field a descriptor may have', () => {
    // Prepare
    const value = {
      mediaType: MediaType.OciManifest,
      digest: `sha512:${'b'.repeat(128)}`,
      size: 0,
      urls: ['https://a.example/blob', 'https://b.example/blob'],
      annotations: { 'vnd.docker.reference.type': 'attestation-manifest' },
      platform: { os: 'linux', architecture: 'arm', variant: 'v7', 'os.version': '5.15' },
      artifactType: 'application/vnd.example',
    }
    // Act
    const descriptor = parseDescriptor(value, 'd')
    // Assess
    expect(descriptor).toEqual({
      mediaType: MediaType.OciManifest,
      digest: `sha512:${'b'.repeat(128)}`,
      size: 0,
      urls: ['https://a.example/blob', 'https://b.example/blob'],
      annotations: { 'vnd.docker.reference.type': 'attestation-manifest' },
      platform: { os: 'linux', architecture: 'arm', variant: 'v7', osVersion: '5.15' },
      artifactType: 'application/vnd.example',
    })
  })

  it.each([
    ['null', null, 'where must be an object'],
    ['an array', [], 'where must be an object'],
    ['non-string urls', { mediaType: 'm', digest: D1, size: 1, urls: [1] }, 'where.urls[0] must be a string'],
    ['urls not an array', { mediaType: 'm', digest: D1, size: 1, urls: 'u' }, 'where.urls must be an array'],
    ['a platform without os', { mediaType: 'm', digest: D1, size: 1, platform: { architecture: 'amd64' } }, 'where.platform.os must be a string'],
    ['a platform without architecture', { mediaType: 'm', digest: D1, size: 1, platform: { os: 'linux' } }, 'where.platform.architecture must be a string'],
    ['a numeric variant', { mediaType: 'm', digest: D1, size: 1, platform: { os: 'linux', architecture: 'arm', variant: 7 } }, 'where.platform.variant must be a string'],
    ['a numeric os.version', { mediaType: 'm', digest: D1, size: 1, platform: { os: 'windows', architecture: 'amd64', 'os.version': 10 } }, 'where.platform.os.version must be a string'],
    ['a platform that is a string', { mediaType: 'm', digest: D1, size: 1, platform: 'linux/amd64' }, 'where.platform must be an object'],
  ])('refuses %s, naming the field', (_label, value, message) => {
    expect(() => parseDescriptor(value, 'where')).toThrow(invalid(message))
  })

  it('reports a bad digest as MANIFEST_INVALID, not as a reference error', () => {
    expect(() => parseDescriptor({ mediaType: 'm', digest: 'sha256:x', size: 1 }, 'at')).toThrow(invalid(/^at\.digest: invalid sha256 digest/))
  })
})

describe('isAttestationManifest', () => {
  const base: Descriptor = { mediaType: MediaType.OciManifest, digest: D1 as Descriptor['digest'], size: 1 }

  it.each<[string, Partial<Descriptor>, boolean]>([
    ['a BuildKit attestation (annotation and unknown/unknown)', { annotations: { 'vnd.docker.reference.type': 'attestation-manifest' }, platform: { os: 'unknown', architecture: 'unknown' } }, true],
    ['only the annotation', { annotations: { 'vnd.docker.reference.type': 'attestation-manifest' } }, true],
    ['only the unknown/unknown platform', { platform: { os: 'unknown', architecture: 'unknown' } }, true],
    ['a linux/amd64 image', { platform: { os: 'linux', architecture: 'amd64' } }, false],
    ['unknown os on a known architecture', { platform: { os: 'unknown', architecture: 'amd64' } }, false],
    ['another reference type', { annotations: { 'vnd.docker.reference.type': 'signature' } }, false],
    ['no platform and no annotations', {}, false],
  ])('%s → %s', (_label, extra, expected) => {
    expect(isAttestationManifest({ ...base, ...extra })).toBe(expected)
  })

  it('recognises the attestation entries of a parsed BuildKit index', () => {
    // Prepare
    const doc = ociIndex({
      manifests: [
        { mediaType: MediaType.OciManifest, digest: D1, size: 1, platform: { os: 'linux', architecture: 'amd64' } },
        {
          mediaType: MediaType.OciManifest,
          digest: D2,
          size: 2,
          platform: { os: 'unknown', architecture: 'unknown' },
          annotations: { 'vnd.docker.reference.digest': D1, 'vnd.docker.reference.type': 'attestation-manifest' },
        },
      ],
    })
    // Act
    const index = parseManifest(bytesOf(doc), MediaType.OciIndex)
    // Assess
    if (index.kind !== 'index') throw new Error('not an index')
    expect(index.manifests.map(isAttestationManifest)).toEqual([false, true])
  })
})
