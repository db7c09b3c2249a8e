import { describe, expect, it } from 'vitest'
import type { ImageInput } from '../../../../shared/analyzers/analyzer.js'
import { checkConfig, configAnalyzer, configRootUser, isLatestReference, isRootUser } from '../../../../shared/analyzers/config/config-analyzer.js'
import type { ContainerConfig, ImageConfig } from '../../../../shared/image/config.js'

describe('isRootUser', () => {
  it.each<[string | undefined, boolean]>([
    [undefined, true],
    ['', true],
    ['   ', true],
    ['root', true],
    ['0', true],
    ['root:root', true],
    ['0:0', true],
    ['root:1000', true],
    ['0:app', true],
    [' root ', true],
    [':0', true],
    ['app', false],
    ['1000', false],
    ['1000:0', false],
    ['app:root', false],
    ['nobody', false],
    ['65534:65534', false],
    ['rootless', false],
    ['10', false],
  ])('%j → %s', (user, expected) => {
    expect(isRootUser(user)).toBe(expected)
  })
})

describe('configAnalyzer', () => {
  function inputWithUser(user: string | undefined): ImageInput {
    const config: ImageConfig = {
      architecture: 'amd64',
      os: 'linux',
      config: { env: [], exposedPorts: [], volumes: [], labels: {}, healthcheck: { test: ['CMD', 'true'] }, ...(user === undefined ? {} : { user }) },
      diffIds: [],
      history: [],
    }
    // the analyzer reads only the config and the manifest's annotations
    return { config, manifest: { kind: 'manifest', mediaType: '', config: {}, layers: [] } } as unknown as ImageInput
  }

  it.each<[string | undefined, string]>([
    [undefined, 'User=""'],
    ['', 'User=""'],
    ['root', 'User="root"'],
    ['0:0', 'User="0:0"'],
  ])('reports the root user %j with its evidence', async (user, evidence) => {
    // Act
    const analysis = await configAnalyzer.analyze(inputWithUser(user))
    // Assess
    expect(analysis.findings).toEqual([
      { ruleId: configRootUser.id, category: 'config', severity: configRootUser.severity, title: configRootUser.title, location: {}, evidence },
    ])
  })

  it.each(['app', '1000:1000'])('reports nothing for %j', async (user) => {
    await expect(Promise.resolve(configAnalyzer.analyze(inputWithUser(user)))).resolves.toEqual({})
  })
})

describe('checkConfig: volumes, ports, health check, base tag', () => {
  function input(config: Partial<ContainerConfig>, annotations?: Record<string, string>): Parameters<typeof checkConfig>[0] {
    return {
      config: { architecture: 'amd64', os: 'linux', config: { env: [], exposedPorts: [], volumes: [], labels: {}, user: 'app', healthcheck: { test: ['CMD', 'true'] }, ...config }, diffIds: [], history: [] },
      manifest: { kind: 'manifest', mediaType: 'application/vnd.oci.image.manifest.v1+json', config: { mediaType: '', digest: 'sha256:00' as never, size: 0 }, layers: [], ...(annotations ? { annotations } : {}) },
    }
  }
  const ids = (config: Partial<ContainerConfig>, annotations?: Record<string, string>) => checkConfig(input(config, annotations)).map((f) => [f.ruleId, f.severity, f.evidence])

  it.each(['/var/run/docker.sock', '/proc', '/sys/', '/dev', '/'])('reports VOLUME %s', (volume) => {
    expect(ids({ volumes: [volume] })).toEqual([['config-sensitive-volume', 'medium', `VOLUME ${volume}`]])
  })

  it('leaves ordinary volumes alone', () => {
    expect(ids({ volumes: ['/data', '/var/lib/postgresql/data', '/devices'] })).toEqual([])
  })

  it('reports port 22, not other ports', () => {
    expect(ids({ exposedPorts: ['22/tcp', '2222/tcp', '80/tcp'] })).toEqual([['config-ssh-port-exposed', 'medium', 'EXPOSE 22/tcp']])
  })

  it.each<[string, ContainerConfig['healthcheck'], string | undefined]>([
    ['no health check', undefined, 'no HEALTHCHECK'],
    ['a disabled one', { test: ['NONE'] }, 'HEALTHCHECK NONE'],
    ['one', { test: ['CMD-SHELL', 'curl -f http://localhost/ || exit 1'] }, undefined],
  ])('health check: %s', (_name, healthcheck, evidence) => {
    const config: Partial<ContainerConfig> = healthcheck === undefined ? { healthcheck: undefined } : { healthcheck }
    expect(ids(config)).toEqual(evidence ? [['config-no-healthcheck', 'info', evidence]] : [])
  })

  it('reports a base named by latest or no tag, from the annotation or the label', () => {
    const key = 'org.opencontainers.image.base.name'
    expect(ids({}, { [key]: 'docker.io/library/debian:latest' })).toEqual([['config-latest-base', 'low', `docker.io/library/debian:latest (annotation ${key})`]])
    expect(ids({ labels: { [key]: 'debian' } })).toEqual([['config-latest-base', 'low', `debian (label ${key})`]])
    expect(ids({}, { [key]: 'docker.io/library/debian:12.7' })).toEqual([])
  })

  it.each<[string, boolean]>([
    ['debian', true],
    ['debian:latest', true],
    ['localhost:5000/team/app', true],
    ['localhost:5000/team/app:1.2', false],
    ['debian@sha256:0123', false],
    ['debian:latest@sha256:0123', false],
  ])('isLatestReference(%s) → %s', (reference, expected) => {
    expect(isLatestReference(reference)).toBe(expected)
  })
})
