import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { localTransport, openLocalImage, parseLocalImageSpec } from '../../../shared/archives/index.js'
import { buildLayer, layoutFiles, makeTemp, removeTemp, writeLayoutFiles, writeTar, type WrittenLayout } from './fixtures.js'

let dir: string
let layout: WrittenLayout

beforeAll(async () => {
  dir = await makeTemp('index')
  const layer = await buildLayer({ 'hello.txt': 'hello\n' })
  layout = layoutFiles([{ layers: [layer], refName: '1.0' }])
  await writeLayoutFiles('oci', join(dir, 'layout'), layout.files)
  await writeLayoutFiles('oci-archive', join(dir, 'layout.tar'), layout.files)
  await writeLayoutFiles('oci-archive', join(dir, 'we:ird.tar'), layout.files)
  const config = layout.images[0]!.config
  await writeTar(join(dir, 'docker.tar'), [
    { name: 'config.json', data: config },
    { name: 'layer.tar', data: layer.blob },
    { name: 'manifest.json', data: JSON.stringify([{ Config: 'config.json', RepoTags: ['app:1'], Layers: ['layer.tar'] }]) },
  ])
  await mkdir(join(dir, 'empty-dir'))
  await writeFile(join(dir, 'plain-file'), 'x')
})

afterAll(async () => {
  await removeTemp(dir)
})

describe('localTransport', () => {
  it.each([
    ['docker-archive:x.tar', 'docker-archive'],
    ['oci-archive:x.tar:1', 'oci-archive'],
    ['oci:dir', 'oci'],
    ['nginx', undefined],
    ['ghcr.io/org/app:1', undefined],
    ['localhost:5000/app', undefined],
    ['docker://nginx', undefined],
    ['ocifoo:bar', undefined],
  ])('reads %s as %s', (spec, expected) => {
    // Prepare, Act
    const transport = localTransport(spec)
    // Assess
    expect(transport).toBe(expected)
  })
})

describe('parseLocalImageSpec', () => {
  it.each([
    ['docker-archive:{dir}/docker.tar', 'docker-archive', 'docker.tar', undefined],
    ['docker-archive:{dir}/docker.tar:app:1', 'docker-archive', 'docker.tar', 'app:1'],
    ['docker-archive:{dir}/docker.tar:@0', 'docker-archive', 'docker.tar', '@0'],
    ['oci:{dir}/layout', 'oci', 'layout', undefined],
    ['oci:{dir}/layout:1.0', 'oci', 'layout', '1.0'],
    ['oci-archive:{dir}/we:ird.tar', 'oci-archive', 'we:ird.tar', undefined],
    ['oci-archive:{dir}/we:ird.tar:v2', 'oci-archive', 'we:ird.tar', 'v2'],
  ])('splits %s', async (spec, transport, file, tag) => {
    // Prepare
    const input = spec.replace('{dir}', dir)
    // Act
    const parsed = await parseLocalImageSpec(input)
    // Assess
    expect(parsed).toEqual({ transport, path: join(dir, file), ...(tag === undefined ? {} : { tag }) })
  })

  it('returns undefined for a registry reference', async () => {
    // Prepare, Act, Assess
    await expect(parseLocalImageSpec('docker.io/library/nginx:1')).resolves.toBeUndefined()
  })

  it('refuses a spec without a path', async () => {
    // Prepare, Act, Assess
    await expect(parseLocalImageSpec('oci:')).rejects.toMatchObject({ code: 'USAGE' })
  })
})

describe('openLocalImage', () => {
  it.each([
    ['docker-archive:{dir}/docker.tar', 'docker-archive'],
    ['docker-archive:{dir}/docker.tar:docker.io/library/app:1', 'docker-archive'],
    ['oci-archive:{dir}/layout.tar', 'oci-archive'],
    ['oci-archive:{dir}/layout.tar:1.0', 'oci-archive'],
    ['oci:{dir}/layout', 'oci'],
    ['oci:{dir}/layout:1.0', 'oci'],
  ])('opens %s', async (spec, type) => {
    // Prepare
    const input = spec.replace('{dir}', dir)
    // Act
    const source = await openLocalImage(input)
    try {
      const root = await source?.root()
      // Assess
      expect(source?.subject.type).toBe(type)
      expect(root?.manifest.kind).toBe('manifest')
    } finally {
      await source?.close()
    }
  })

  it.each(['nginx', 'ghcr.io/org/app:1', 'localhost:5000/app@sha256:' + 'a'.repeat(64)])('returns undefined for %s', async (spec) => {
    // Prepare, Act, Assess
    await expect(openLocalImage(spec)).resolves.toBeUndefined()
  })

  it.each(['docker-archive:{dir}/missing.tar', 'oci-archive:{dir}/missing.tar:1', 'oci:{dir}/missing'])('reports %s as not found', async (spec) => {
    // Prepare
    const input = spec.replace('{dir}', dir)
    // Act, Assess
    await expect(openLocalImage(input)).rejects.toMatchObject({ name: 'ArchiveError', code: 'ARCHIVE_NOT_FOUND' })
  })

  it.each([
    ['oci:{dir}/plain-file', /not a directory/],
    ['docker-archive:{dir}/empty-dir', /not a file.*use oci:/],
    ['oci-archive:{dir}/layout', /not a file/],
  ])('refuses %s', async (spec, message) => {
    // Prepare
    const input = spec.replace('{dir}', dir)
    // Act, Assess
    await expect(openLocalImage(input)).rejects.toMatchObject({ code: 'ARCHIVE_INVALID', message: expect.stringMatching(message) })
  })
})
