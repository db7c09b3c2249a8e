import { describe, it, expect, beforeAll, inject } from 'vitest'
import { createHash } from 'node:crypto'
import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { request } from 'undici'
import { MediaType } from '../../shared/image/media-types.js'
import { buildImage, buildIndex, buildLayer, type BuiltImage, type BuiltIndex } from '../support/image-builder.js'
import { authorizationFor, parseChallenge } from '../support/registry-auth.js'
import { pushImage } from '../support/registry-push.js'
import { runCommand } from '../support/run-command.js'
import { makeTempDir, removeDir } from '../support/temp-dir.js'

const ACCEPT = [MediaType.OciIndex, MediaType.OciManifest, MediaType.DockerManifestList, MediaType.DockerManifest].join(', ')

interface Target {
  url: string
  host: string
  username?: string
  password?: string
}

const registries: Array<[string, Target]> = [
  ['no auth', inject('registryNoAuth')],
  ['htpasswd', inject('registryHtpasswd')],
  ['token', inject('registryToken')],
]

function sha256(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`
}

/** GET with plain undici, answering one auth challenge for pull on `repository`. */
async function get(registry: Target, repository: string, path: string, headers: Record<string, string> = {}) {
  const url = `${registry.url}/v2/${repository}/${path}`
  let response = await request(url, { headers })
  if (response.statusCode === 401) {
    await response.body.dump()
    const authorization = await authorizationFor(parseChallenge(response.headers['www-authenticate']), registry, [`repository:${repository}:pull`])
    response = await request(url, { headers: { ...headers, ...(authorization ? { authorization } : {}) } })
  }
  const body = Buffer.from(await response.body.arrayBuffer())
  return { status: response.statusCode, headers: response.headers, body }
}

let gzipImage: BuiltImage
let zstdImage: BuiltImage
let dockerImage: BuiltImage
let index: BuiltIndex

beforeAll(async () => {
  const [base, app, appZstd] = await Promise.all([
    buildLayer([{ name: 'etc/', type: 'directory' }, { name: 'etc/os-release', content: 'ID=selftest\n' }], { compression: 'gzip' }),
    buildLayer([{ name: 'app/', type: 'directory' }, { name: 'app/run.sh', content: '#!/bin/sh\n', mode: 0o755 }], { compression: 'gzip' }),
    buildLayer([{ name: 'app/', type: 'directory' }, { name: 'app/run.sh', content: '#!/bin/sh\n', mode: 0o755 }], { compression: 'zstd' }),
  ])
  gzipImage = buildImage({ layers: [base, app], format: 'oci', config: { Cmd: ['/app/run.sh'] } })
  zstdImage = buildImage({ layers: [base, appZstd], format: 'oci' })
  dockerImage = buildImage({ layers: [base, app], format: 'docker' })
  const arm64 = buildImage({ layers: [base], format: 'oci', platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } })
  index = buildIndex({ images: [gzipImage, arm64], format: 'oci', attestationFor: [gzipImage, arm64] })
})

describe.each(registries)('real registry (%s)', (label, registry) => {
  const repository = `selftest/${label.replace(/\s/g, '-')}`

  it.each([
    ['gzip', () => gzipImage],
    ['zstd', () => zstdImage],
    ['docker', () => dockerImage],
  ])('pushes a %s image and reads manifest and blobs back', async (kind, image) => {
    const built = image()
    const pushed = await pushImage(registry, repository, built, [kind, `${kind}-again`])
    expect(pushed.digest).toBe(built.manifest.digest)

    const manifest = await get(registry, repository, `manifests/${kind}`, { accept: ACCEPT })
    expect(manifest.status).toBe(200)
    expect(manifest.headers['content-type']).toBe(built.manifest.mediaType)
    expect(manifest.headers['docker-content-digest']).toBe(built.manifest.digest)
    expect(sha256(manifest.body)).toBe(built.manifest.digest)

    const layer = built.layers[built.layers.length - 1]
    const blob = await get(registry, repository, `blobs/${layer?.digest}`)
    expect(blob.status).toBe(200)
    expect(blob.headers['docker-content-digest']).toBe(layer?.digest)
    expect(sha256(blob.body)).toBe(layer?.digest)
    const config = await get(registry, repository, `blobs/${built.config.digest}`)
    expect(JSON.parse(config.body.toString())).toEqual(built.config.json)

    // pushing again skips every blob and only re-puts the manifest
    await expect(pushImage(registry, repository, built, [kind])).resolves.toEqual({ digest: built.manifest.digest })
  })

  it('pushes a two-platform index with attestations', async () => {
    await pushImage(registry, repository, index, ['multi'])
    const fetched = await get(registry, repository, 'manifests/multi', { accept: ACCEPT })
    expect(fetched.status).toBe(200)
    expect(fetched.headers['content-type']).toBe(MediaType.OciIndex)
    expect(fetched.headers['docker-content-digest']).toBe(index.manifest.digest)
    const manifests = (JSON.parse(fetched.body.toString()) as { manifests: Array<{ digest: string; platform: { architecture: string } }> }).manifests
    expect(manifests.map((descriptor) => descriptor.platform.architecture)).toEqual(['amd64', 'arm64', 'unknown', 'unknown'])
    for (const descriptor of manifests) {
      const child = await get(registry, repository, `manifests/${descriptor.digest}`, { accept: ACCEPT })
      expect(child.status).toBe(200)
      expect(sha256(child.body)).toBe(descriptor.digest)
    }
  })

  it('is readable by skopeo', async () => {
    await pushImage(registry, repository, index, ['skopeo'])
    const dir = await makeTempDir('skopeo')
    try {
      const creds = registry.username ? ['--src-creds', `${registry.username}:${registry.password}`] : []
      await runCommand('skopeo', [
        'copy', '--all', '--src-tls-verify=false', ...creds,
        `docker://${registry.host}/${repository}:skopeo`, `oci:${join(dir, 'layout')}:copy`,
      ], { env: { ...process.env, HOME: dir } })
      const blobs = await readdir(join(dir, 'layout/blobs/sha256'))
      expect(blobs).toContain(index.manifest.digest.slice('sha256:'.length))
    } finally {
      await removeDir(dir)
    }
  })

  // the no-auth registry has nothing to refuse: the test exists only for the other two
  if (label === 'no auth') return
  it('refuses anonymous and wrong-password pushes', async () => {
    const anonymous = await request(`${registry.url}/v2/${repository}/manifests/gzip`, { headers: { accept: ACCEPT } })
    await anonymous.body.dump()
    expect(anonymous.statusCode).toBe(401)
    await expect(pushImage({ url: registry.url, username: registry.username, password: 'wrong' }, repository, gzipImage, ['nope'])).rejects.toThrow(/401/)
  })
})
