import { describe, expect, it } from 'vitest'
import type { ImageInput } from '../../../../shared/analyzers/analyzer.js'
import { configAnalyzer, configRootUser, isRootUser } from '../../../../shared/analyzers/config/config-analyzer.js'
import type { ImageConfig } from '../../../../shared/image/config.js'

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
      config: { env: [], exposedPorts: [], volumes: [], labels: {}, ...(user === undefined ? {} : { user }) },
      diffIds: [],
      history: [],
    }
    // the analyzer reads only the config
    return { config } as unknown as ImageInput
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
