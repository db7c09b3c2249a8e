import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openOciArchive } from '../../../shared/archives/oci-archive.js'
import { openOciLayout } from '../../../shared/archives/oci-layout.js'
import { parseDigest } from '../../../shared/image/digest.js'
import type { Descriptor } from '../../../shared/image/manifest.js'
import type { ImageSource } from '../../../shared/ports/image-source.js'
import {
  buildLayer,
  layoutFiles,
  makeTemp,
  readAll,
  removeTemp,
  sha256,
  writeLayoutFiles,
  type BuiltLayer,
  type LayoutImage,
  type WrittenLayout,
} from './fixtures.js'

type Kind = 'oci' | 'oci-archive'

let dir: string
let counter = 0
let layerA: BuiltLayer
let layerB: BuiltLayer
let layerC: BuiltLayer

beforeAll(async () => {
  dir = await makeTemp('oci-layout')
  layerA = await buildLayer({ 'etc/os-release': 'ID=test\n', 'bin/sh': '#!/bin/true\n' })
  layerB = await buildLayer({ 'app/main.js': 'console.log(1)\n' })
  layerC = await buildLayer({ 'app/other.js': 'console.log(2)\n' }, false)
})

afterAll(async () => {
  await removeTemp(dir)
})

const openers: Record<Kind, (path: string, tag?: string) => Promise<ImageSource>> = {
  oci: openOciLayout,
  'oci-archive': openOciArchive,
}

/** Writes `files` as a layout of `kind` named `name` and returns its path. */
async function materialise(kind: Kind, files: ReadonlyMap<string, Buffer>, name = 'app'): Promise<string> {
  counter++
  const path = join(dir, `${counter}`, kind === 'oci' ? name : `${name}.tar`)
  await writeLayoutFiles(kind, path, files)
  return path
}

/** Opens, runs `use`, closes. */
async function withSource<T>(kind: Kind, path: string, tag: string | undefined, use: (source: ImageSource) => Promise<T>): Promise<T> {
  const source = await openers[kind](path, tag)
  try {
    return await use(source)
  } finally {
    await source.close()
  }
}

function descriptor(mediaType: string, bytes: Buffer, size = bytes.length): Descriptor {
  return { mediaType, digest: parseDigest(sha256(bytes)), size }
}

function blobKey(bytes: Buffer): string {
  return `blobs/sha256/${sha256(bytes).slice(7)}`
}

describe.each<Kind>(['oci', 'oci-archive'])('%s', (kind) => {
  const twoImages = (): LayoutImage[] => [
    { layers: [layerA, layerB], refName: '1.0' },
    { layers: [layerA, layerC], refName: '2.0' },
  ]

  it('takes the only image as the root and names it after the layout and its tag', async () => {
    // Prepare
    const layout = layoutFiles([{ layers: [layerA, layerB], refName: '1.0' }])
    const path = await materialise(kind, layout.files)
    // Act
    const { root, subject } = await withSource(kind, path, undefined, async (source) => ({ root: await source.root(), subject: source.subject }))
    // Assess
    expect(root.digest).toBe(layout.images[0]!.manifestDigest)
    expect(Buffer.from(root.bytes)).toEqual(layout.images[0]!.manifest)
    expect(root.manifest).toMatchObject({ kind: 'manifest', layers: [{ digest: layerA.digest }, { digest: layerB.digest }] })
    expect(subject).toEqual({ type: kind, registry: 'local', repository: kind === 'oci' ? 'app' : 'app.tar', tags: ['1.0'], path })
  })

  it.each([
    ['1.0', 0],
    ['2.0', 1],
  ])('selects the image tagged %s', async (tag, position) => {
    // Prepare
    const layout = layoutFiles(twoImages())
    const path = await materialise(kind, layout.files)
    // Act
    const { root, subject } = await withSource(kind, path, tag, async (source) => ({ root: await source.root(), subject: source.subject }))
    // Assess
    expect(root.digest).toBe(layout.images[position]!.manifestDigest)
    expect(subject.tags).toEqual([tag])
  })

  it.each([
    ['docker.io/library/app:2', 'docker.io/library/app:2'],
    ['docker.io/library/app:2', 'app:2'],
    ['ghcr.io/org/tool:v3', 'ghcr.io/org/tool:v3'],
  ])('reads registry, repository and tag from a ref.name %s (asked as %s)', async (refName, asked) => {
    // Prepare
    const layout = layoutFiles([{ layers: [layerA], refName }, { layers: [layerB], refName: 'other' }])
    const path = await materialise(kind, layout.files)
    const expected = refName.startsWith('ghcr.io')
      ? { registry: 'ghcr.io', repository: 'org/tool', tags: ['v3'] }
      : { registry: 'docker.io', repository: 'library/app', tags: ['2'] }
    // Act
    const { root, subject } = await withSource(kind, path, asked, async (source) => ({ root: await source.root(), subject: source.subject }))
    // Assess
    expect(root.digest).toBe(layout.images[0]!.manifestDigest)
    expect(subject).toEqual({ type: kind, ...expected, path })
  })

  it('takes index.json itself as the root index when it lists several images and no tag is given', async () => {
    // Prepare
    const layout = layoutFiles(twoImages())
    const path = await materialise(kind, layout.files)
    // Act
    const result = await withSource(kind, path, undefined, async (source) => {
      const root = await source.root()
      const children = root.manifest.kind === 'index' ? root.manifest.manifests : []
      const manifests = []
      for (const child of children) manifests.push(await source.manifest(child))
      return { root, manifests, subject: source.subject }
    })
    // Assess
    const indexJson = layout.files.get('index.json')!
    expect(result.root.digest).toBe(sha256(indexJson))
    expect(Buffer.from(result.root.bytes)).toEqual(indexJson)
    expect(result.root.manifest.kind).toBe('index')
    expect(result.manifests.map((m) => m.digest)).toEqual(layout.images.map((image) => image.manifestDigest))
    expect(result.subject.tags).toEqual([])
  })

  it('lists the available tags when the tag is absent', async () => {
    // Prepare
    const path = await materialise(kind, layoutFiles(twoImages()).files)
    // Act, Assess
    await expect(openers[kind](path, '3.0')).rejects.toMatchObject({
      name: 'ArchiveError',
      code: 'ARCHIVE_INVALID',
      message: expect.stringMatching(/no image tagged "3\.0".*available tags: "1\.0", "2\.0"/),
    })
  })

  it('reads configs whole and streams layers, both verified', async () => {
    // Prepare
    const layout = layoutFiles([{ layers: [layerA, layerC] }])
    const path = await materialise(kind, layout.files)
    const config = layout.images[0]!.config
    // Act
    const result = await withSource(kind, path, undefined, async (source) => {
      const root = await source.root()
      if (root.manifest.kind !== 'manifest') throw new Error('expected a manifest')
      const configBytes = await source.blobBytes(root.manifest.config, 1024 * 1024)
      const layers = []
      for (const layer of root.manifest.layers) layers.push(await readAll(await source.openBlob(layer)))
      return { configBytes, layers }
    })
    // Assess
    expect(Buffer.from(result.configBytes)).toEqual(config)
    expect(result.layers).toEqual([layerA.blob, layerC.blob])
  })

  it('refuses a config over the size limit', async () => {
    // Prepare
    const layout = layoutFiles([{ layers: [layerA] }])
    const path = await materialise(kind, layout.files)
    const config = descriptor('application/vnd.oci.image.config.v1+json', layout.images[0]!.config)
    // Act, Assess
    await withSource(kind, path, undefined, async (source) => {
      await expect(source.blobBytes(config, 10)).rejects.toMatchObject({ code: 'BLOB_TOO_LARGE' })
    })
  })

  describe('detects tampering', () => {
    it('of a layer while streaming it', async () => {
      // Prepare: same size, one byte changed
      const layout = layoutFiles([{ layers: [layerA, layerB] }])
      const tampered = Buffer.from(layerB.blob)
      tampered[tampered.length - 9] = tampered[tampered.length - 9]! ^ 0x01
      layout.files.set(blobKey(layerB.blob), tampered)
      const path = await materialise(kind, layout.files)
      // Act, Assess
      await withSource(kind, path, undefined, async (source) => {
        const root = await source.root()
        if (root.manifest.kind !== 'manifest') throw new Error('expected a manifest')
        await expect(readAll(await source.openBlob(root.manifest.layers[0]!))).resolves.toEqual(layerA.blob)
        await expect(readAll(await source.openBlob(root.manifest.layers[1]!))).rejects.toMatchObject({ code: 'BLOB_DIGEST_MISMATCH' })
      })
    })

    it('of a layer whose size differs', async () => {
      // Prepare
      const layout = layoutFiles([{ layers: [layerA] }])
      layout.files.set(blobKey(layerA.blob), Buffer.concat([layerA.blob, Buffer.from('extra')]))
      const path = await materialise(kind, layout.files)
      const layer = descriptor(layerA.mediaType, layerA.blob)
      // Act, Assess
      await withSource(kind, path, undefined, async (source) => {
        await expect(readAll(await source.openBlob(layer))).rejects.toMatchObject({ code: 'BLOB_SIZE_MISMATCH' })
        await expect(source.blobBytes(layer, 1024 * 1024)).rejects.toMatchObject({ code: 'BLOB_SIZE_MISMATCH' })
      })
    })

    it('of a config', async () => {
      // Prepare
      const layout = layoutFiles([{ layers: [layerA] }])
      const config = layout.images[0]!.config
      layout.files.set(blobKey(config), Buffer.from(config.toString().replace('amd64', 'arm64')))
      const path = await materialise(kind, layout.files)
      // Act, Assess
      await withSource(kind, path, undefined, async (source) => {
        await expect(source.blobBytes(descriptor('application/vnd.oci.image.config.v1+json', config), 1024 * 1024)).rejects.toMatchObject({
          name: 'PushscanError',
          code: 'BLOB_DIGEST_MISMATCH',
        })
      })
    })

    it('of a manifest', async () => {
      // Prepare
      const layout = layoutFiles([{ layers: [layerA], refName: 'x' }])
      const manifest = layout.images[0]!.manifest
      layout.files.set(blobKey(manifest), Buffer.from(manifest.toString().replace('"schemaVersion":2', '"schemaVersion":2 ')))
      const path = await materialise(kind, layout.files)
      // Act, Assess: the tampered manifest is one byte longer than its descriptor says
      await withSource(kind, path, undefined, async (source) => {
        await expect(source.root()).rejects.toMatchObject({ name: 'ManifestError', code: 'MANIFEST_DIGEST_MISMATCH' })
      })
    })
  })

  it('closes the files of blobs destroyed before their end', async () => {
    // Prepare
    const big = await buildLayer({ 'big.bin': 'x'.repeat(1 << 20) }, false)
    const layout = layoutFiles([{ layers: [big] }])
    const path = await materialise(kind, layout.files)
    const openFiles = (): number => readdirSync('/proc/self/fd').length
    const before = openFiles()
    // Act
    await withSource(kind, path, undefined, async (source) => {
      for (let i = 0; i < 20; i++) {
        const stream = await source.openBlob(descriptor(big.mediaType, big.blob))
        await new Promise((resolve) => stream.once('data', resolve))
        stream.destroy()
      }
    })
    await new Promise((resolve) => setTimeout(resolve, 50))
    // Assess
    expect(openFiles()).toBe(before)
  })

  it('reports a missing blob', async () => {
    // Prepare
    const layout = layoutFiles([{ layers: [layerA, layerB] }])
    layout.files.delete(blobKey(layerB.blob))
    const path = await materialise(kind, layout.files)
    // Act, Assess
    await withSource(kind, path, undefined, async (source) => {
      await expect(source.openBlob(descriptor(layerB.mediaType, layerB.blob))).rejects.toMatchObject({ name: 'ArchiveError', code: 'BLOB_UNKNOWN' })
      await expect(source.blobBytes(descriptor(layerB.mediaType, layerB.blob), 1 << 20)).rejects.toMatchObject({ code: 'BLOB_UNKNOWN' })
    })
  })

  it.each<[string, (layout: WrittenLayout) => void, RegExp]>([
    ['no oci-layout file', (layout) => layout.files.delete('oci-layout'), /oci-layout" file is missing/],
    ['an unsupported layout version', (layout) => layout.files.set('oci-layout', Buffer.from('{"imageLayoutVersion":"2.0.0"}')), /unsupported imageLayoutVersion/],
    ['no index.json', (layout) => layout.files.delete('index.json'), /index\.json is missing/],
    ['an index.json that is a manifest', (layout) => layout.files.set('index.json', layout.images[0]!.manifest), /not an image index/],
    ['an index.json that is not JSON', (layout) => layout.files.set('index.json', Buffer.from('{')), /index\.json: .*not valid JSON/],
    ['an empty index.json', (layout) => layout.files.set('index.json', Buffer.from('{"schemaVersion":2,"manifests":[]}')), /lists no manifests/],
  ])('refuses a layout with %s', async (_what, spoil, message) => {
    // Prepare
    const layout = layoutFiles([{ layers: [layerA] }])
    spoil(layout)
    const path = await materialise(kind, layout.files)
    // Act, Assess
    await expect(openers[kind](path)).rejects.toMatchObject({ code: 'ARCHIVE_INVALID', message: expect.stringMatching(message) })
  })
})

describe('openOciArchive', () => {
  it('reads an archive whose members start with ./', async () => {
    // Prepare
    const layout = layoutFiles([{ layers: [layerA], refName: 'dot' }])
    const dotted = new Map([...layout.files].map(([name, bytes]) => [`./${name}`, bytes]))
    const path = await materialise('oci-archive', dotted)
    // Act
    const root = await withSource('oci-archive', path, 'dot', (source) => source.root())
    // Assess
    expect(root.digest).toBe(layout.images[0]!.manifestDigest)
  })
})
