import { Agent } from 'undici'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { hostGuard } from '../../../shared/policy/host-guard.js'
import { isAddressAllowed, isRegistryAllowed, isRestrictedAddress, parseRegistryPolicy } from '../../../shared/policy/registry-policy.js'
import { parseDigest } from '../../../shared/image/digest.js'
import { UndiciRegistryClient, readAll } from '../../../shared/registry/undici-registry-client.js'
import { startFaultRegistry, type FaultRegistry } from '../../support/fault-registry.js'
import { buildImage, buildLayer, type BuiltImage } from '../../support/image-builder.js'

describe('the allow-list', () => {
  const policy = parseRegistryPolicy('docker.io, ghcr.io ,*.dkr.ecr.eu-west-1.amazonaws.com,127.0.0.1:5000,registry.internal,10.20.0.0/16')

  it.each([
    ['docker.io', true],
    ['index.docker.io', true],
    ['ghcr.io', true],
    ['123456789012.dkr.ecr.eu-west-1.amazonaws.com', true],
    ['dkr.ecr.eu-west-1.amazonaws.com', false],
    ['123456789012.dkr.ecr.us-east-1.amazonaws.com', false],
    ['127.0.0.1:5000', true],
    ['127.0.0.1:5001', false],
    ['registry.internal:8443', true],
    ['evil.example.com', false],
    ['ghcr.io.evil.example.com', false],
  ])('%s allowed: %s', (registry, allowed) => {
    expect(isRegistryAllowed(policy, registry)).toBe(allowed)
  })

  it.each(['bad host!', 'a/b', '*.', '10.0.0.0/33', 'x:99999999'])('refuses the entry %j', (entry) => {
    expect(() => parseRegistryPolicy(entry)).toThrow()
  })
})

describe('addresses', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.9.9.9', true],
    ['10.0.0.1', true],
    ['172.16.5.4', true],
    ['172.32.0.1', false],
    ['192.168.1.1', true],
    ['169.254.169.254', true],
    ['100.64.0.1', true],
    ['0.0.0.0', true],
    ['224.0.0.1', true],
    ['8.8.8.8', false],
    ['52.95.110.1', false],
    ['::1', true],
    ['::', true],
    ['fe80::1', true],
    ['fd00::1', true],
    ['::ffff:127.0.0.1', true],
    ['::ffff:8.8.8.8', false],
    ['2a00:1450:4001:80b::200e', false],
    ['not-an-address', true],
  ])('%s is restricted: %s', (address, restricted) => {
    expect(isRestrictedAddress(address)).toBe(restricted)
  })

  it('allows a private address only for a host listed exactly, or inside a listed network', () => {
    const policy = parseRegistryPolicy('registry.internal,*.corp.example,10.20.0.0/16')
    expect(isAddressAllowed(policy, 'registry.internal', '10.1.1.1')).toBe(true)
    expect(isAddressAllowed(policy, 'git.corp.example', '10.1.1.1')).toBe(false)
    expect(isAddressAllowed(policy, 'git.corp.example', '10.20.3.4')).toBe(true)
    expect(isAddressAllowed(policy, 'git.corp.example', '93.184.216.34')).toBe(true)
    expect(isAddressAllowed(policy, 's3.amazonaws.com', '169.254.169.254')).toBe(false)
  })
})

describe('the host guard in the registry client', () => {
  let registry: FaultRegistry
  let image: BuiltImage
  let agent: Agent

  beforeAll(async () => {
    image = buildImage({ format: 'oci', layers: [await buildLayer([{ name: 'f', content: 'x' }], { compression: 'gzip' })] })
    registry = await startFaultRegistry()
    registry.serve('g/app', image, ['v1'])
    agent = new Agent()
  })

  afterAll(async () => {
    await agent.close()
    await registry.close()
  })

  it('refuses a redirect to a loopback host that is not the listed registry', async () => {
    // Prepare: the registry itself is listed; its blob host (another loopback port) is not
    const policy = parseRegistryPolicy(registry.host)
    const client = new UndiciRegistryClient({ dispatcher: agent, insecureRegistries: [registry.host], guard: hostGuard(policy) })
    const layer = image.layers[0]!
    registry.inject({ match: { path: `/blobs/${layer.digest}` }, fault: { redirectTo: 'blob-host' } })
    const repo = { registry: registry.host, repository: 'g/app' }
    // Act, Assess
    expect((await client.getManifest(repo, 'v1')).digest).toBe(image.manifest.digest)
    await expect(client.openBlob(repo, { mediaType: layer.mediaType, digest: parseDigest(layer.digest), size: layer.size })).rejects.toMatchObject({ code: 'REGISTRY_NOT_ALLOWED', temporary: false })
    expect(registry.requests.filter((r) => r.server === 'blob-host')).toEqual([])
  })

  it('refuses a registry on a private address that is only allowed through a wildcard', async () => {
    const guard = hostGuard(parseRegistryPolicy('*.example.test'), async () => ['10.0.0.7'])
    await expect(guard(new URL('https://registry.example.test/v2/'))).rejects.toMatchObject({ code: 'REGISTRY_NOT_ALLOWED' })
    const open = hostGuard(parseRegistryPolicy('*.example.test'), async () => ['203.0.113.7'])
    await expect(open(new URL('https://registry.example.test/v2/'))).resolves.toBeUndefined()
  })

  it('reads blobs from the listed registry itself', async () => {
    const client = new UndiciRegistryClient({ dispatcher: agent, insecureRegistries: [registry.host], guard: hostGuard(parseRegistryPolicy(registry.host)) })
    const layer = image.layers[0]!
    const bytes = await readAll(await client.openBlob({ registry: registry.host, repository: 'g/app' }, { mediaType: layer.mediaType, digest: parseDigest(layer.digest), size: layer.size }), 1_000_000, () => new Error('big'))
    expect(bytes.length).toBe(layer.size)
  })
})
