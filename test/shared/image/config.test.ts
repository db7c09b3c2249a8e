import { describe, expect, it } from 'vitest'
import { ErrorCode, LimitError } from '../../../shared/errors.js'
import { nonEmptyHistoryCount, pairHistoryWithLayers, parseImageConfig, type HistoryEntry } from '../../../shared/image/config.js'

const D1 = `sha256:${'1'.repeat(64)}`
const D2 = `sha256:${'2'.repeat(64)}`
const D3 = `sha256:${'3'.repeat(64)}`

function bytesOf(value: unknown): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(value))
}

function configJson(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [D1, D2] }, ...extra }
}

const configInvalid = (message: string): unknown =>
  expect.objectContaining({ name: 'ManifestError', code: ErrorCode.ConfigInvalid, message: expect.stringContaining(message) })

describe('parseImageConfig', () => {
  it('parses a minimal config with neither config nor history', () => {
    // Act
    const config = parseImageConfig(bytesOf(configJson()), 10)
    // Assess
    expect(config).toEqual({
      architecture: 'amd64',
      os: 'linux',
      config: { env: [], exposedPorts: [], volumes: [], labels: {} },
      diffIds: [D1, D2],
      history: [],
    })
  })

  it('parses a full Docker config', () => {
    // Prepare
    const json = configJson({
      variant: 'v8',
      'os.version': '10.0.20348.2340',
      created: '2024-05-01T10:00:00Z',
      author: 'someone@example.com',
      config: {
        User: 'app',
        Env: ['PATH=/usr/bin', 'LANG=C.UTF-8'],
        Entrypoint: ['/entrypoint.sh'],
        Cmd: ['serve', '--port', '80'],
        WorkingDir: '/srv',
        ExposedPorts: { '8080/tcp': {}, '443/tcp': {}, '53/udp': {} },
        Volumes: { '/var/lib/data': {}, '/cache': {} },
        Labels: { 'org.opencontainers.image.source': 'https://github.com/o/r', maintainer: 'me' },
        StopSignal: 'SIGQUIT',
        OnBuild: ['RUN make'],
        Shell: ['/bin/bash', '-c'],
      },
      history: [
        { created: '2024-05-01T09:00:00Z', created_by: '/bin/sh -c #(nop) ADD file:abc in /', author: 'a', comment: 'c' },
        { created_by: 'ENV LANG=C.UTF-8', empty_layer: true },
        { created_by: 'RUN make' },
      ],
    })
    // Act
    const config = parseImageConfig(bytesOf(json), 10)
    // Assess
    expect(config).toEqual({
      architecture: 'amd64',
      os: 'linux',
      variant: 'v8',
      osVersion: '10.0.20348.2340',
      created: '2024-05-01T10:00:00Z',
      author: 'someone@example.com',
      config: {
        user: 'app',
        env: ['PATH=/usr/bin', 'LANG=C.UTF-8'],
        entrypoint: ['/entrypoint.sh'],
        cmd: ['serve', '--port', '80'],
        workingDir: '/srv',
        exposedPorts: ['443/tcp', '53/udp', '8080/tcp'],
        volumes: ['/cache', '/var/lib/data'],
        labels: { 'org.opencontainers.image.source': 'https://github.com/o/r', maintainer: 'me' },
        stopSignal: 'SIGQUIT',
        onBuild: ['RUN make'],
        shell: ['/bin/bash', '-c'],
      },
      diffIds: [D1, D2],
      history: [
        { created: '2024-05-01T09:00:00Z', createdBy: '/bin/sh -c #(nop) ADD file:abc in /', author: 'a', comment: 'c', emptyLayer: false },
        { createdBy: 'ENV LANG=C.UTF-8', emptyLayer: true },
        { createdBy: 'RUN make', emptyLayer: false },
      ],
    })
  })

  it.each([
    ['a null config', { config: null }],
    ['a config that is a string', { config: 'nope' }],
    ['null history', { history: null }],
    ['null optional fields', { config: { User: null, Env: null, ExposedPorts: null, Labels: null, Healthcheck: null } }],
  ])('treats %s as empty', (_label, extra) => {
    const config = parseImageConfig(bytesOf(configJson(extra)), 10)
    expect({ config: config.config, history: config.history }).toEqual({ config: { env: [], exposedPorts: [], volumes: [], labels: {} }, history: [] })
  })

  it('defaults architecture and os to empty strings', () => {
    const config = parseImageConfig(bytesOf({ rootfs: { type: 'layers', diff_ids: [] } }), 10)
    expect([config.architecture, config.os, config.diffIds]).toEqual(['', '', []])
  })

  describe('healthcheck', () => {
    it('keeps the test and the durations in nanoseconds', () => {
      // Prepare
      const Healthcheck = { Test: ['CMD-SHELL', 'curl -f http://localhost/'], Interval: 30e9, Timeout: 5e9, StartPeriod: 60e9, StartInterval: 2e9, Retries: 3 }
      // Act
      const config = parseImageConfig(bytesOf(configJson({ config: { Healthcheck } })), 10)
      // Assess
      expect(config.config.healthcheck).toEqual({
        test: ['CMD-SHELL', 'curl -f http://localhost/'],
        intervalNs: 30_000_000_000,
        timeoutNs: 5_000_000_000,
        startPeriodNs: 60_000_000_000,
        startIntervalNs: 2_000_000_000,
        retries: 3,
      })
    })

    it.each([
      ['zero durations (Docker\'s "inherit")', { Test: ['NONE'], Interval: 0, Timeout: 0, Retries: 0 }, { test: ['NONE'] }],
      ['negative durations', { Test: ['CMD', 'true'], Interval: -1 }, { test: ['CMD', 'true'] }],
      ['durations as strings', { Test: ['CMD', 'true'], Interval: '30s' }, { test: ['CMD', 'true'] }],
      ['no test', { Interval: 1e9 }, { test: [], intervalNs: 1e9 }],
    ])('leaves out %s', (_label, Healthcheck, expected) => {
      expect(parseImageConfig(bytesOf(configJson({ config: { Healthcheck } })), 10).config.healthcheck).toEqual(expected)
    })

    it.each([
      ['a string', 'CMD true'],
      ['an array', ['CMD', 'true']],
    ])('ignores a Healthcheck that is %s, not an object', (_label, Healthcheck) => {
      expect(parseImageConfig(bytesOf(configJson({ config: { Healthcheck } })), 10).config).not.toHaveProperty('healthcheck')
    })

    it('refuses a Test that is not a string array', () => {
      expect(() => parseImageConfig(bytesOf(configJson({ config: { Healthcheck: { Test: 'CMD true' } } })), 10)).toThrow(
        configInvalid('config.config.Healthcheck.Test must be an array')
      )
    })
  })

  it.each([
    [1, 1],
    [3, 3],
    [3, 100],
    [0, 0],
  ])('accepts %i layers when maxLayers is %i', (count, maxLayers) => {
    const diffIds = Array.from({ length: count }, (_v, i) => `sha256:${String(i % 10).repeat(64)}`)
    expect(parseImageConfig(bytesOf(configJson({ rootfs: { type: 'layers', diff_ids: diffIds } })), maxLayers).diffIds).toHaveLength(count)
  })

  it.each([
    [2, 1],
    [4, 3],
    [1, 0],
  ])('refuses %i layers when maxLayers is %i, with TOO_MANY_LAYERS', (count, maxLayers) => {
    // Prepare
    const diffIds = Array.from({ length: count }, () => D3)
    // Act
    let thrown: unknown
    try {
      parseImageConfig(bytesOf(configJson({ rootfs: { type: 'layers', diff_ids: diffIds } })), maxLayers)
    } catch (error) {
      thrown = error
    }
    // Assess
    expect(thrown).toBeInstanceOf(LimitError)
    expect(thrown).toMatchObject({ code: ErrorCode.TooManyLayers, limit: 'maxLayers', value: count })
  })

  it('checks the layer limit before reading the diff_ids', () => {
    const json = configJson({ rootfs: { type: 'layers', diff_ids: ['not a digest', 'neither'] } })
    expect(() => parseImageConfig(bytesOf(json), 1)).toThrow(expect.objectContaining({ code: ErrorCode.TooManyLayers }))
  })

  it.each([
    ['invalid JSON', new TextEncoder().encode('{'), 'image config is not valid JSON'],
    ['invalid UTF-8', new Uint8Array([0x22, 0xc3, 0x28, 0x22]), 'image config is not valid UTF-8'],
    ['a JSON array', bytesOf([]), 'config must be an object'],
    ['no rootfs', bytesOf({ architecture: 'amd64', os: 'linux' }), 'config.rootfs must be an object'],
    ['diff_ids missing', bytesOf(configJson({ rootfs: { type: 'layers' } })), 'config.rootfs.diff_ids must be an array'],
    ['a diff_id that is not a digest', bytesOf(configJson({ rootfs: { type: 'layers', diff_ids: [D1, 'sha256:short'] } })), 'config.rootfs.diff_ids[1] is not a digest'],
    ['a diff_id with an unknown algorithm', bytesOf(configJson({ rootfs: { type: 'layers', diff_ids: [`md5:${'a'.repeat(32)}`] } })), 'config.rootfs.diff_ids[0] is not a digest'],
    ['a numeric diff_id', bytesOf(configJson({ rootfs: { type: 'layers', diff_ids: [7] } })), 'config.rootfs.diff_ids[0] must be a string'],
    ['history that is an object', bytesOf(configJson({ history: {} })), 'config.history must be an array'],
    ['a history entry that is a string', bytesOf(configJson({ history: ['RUN x'] })), 'config.history[0] must be an object'],
    ['a string empty_layer', bytesOf(configJson({ history: [{}, { empty_layer: 'true' }] })), 'config.history[1].empty_layer must be a boolean'],
    ['a numeric created_by', bytesOf(configJson({ history: [{ created_by: 1 }] })), 'config.history[0].created_by must be a string'],
    ['a numeric architecture', bytesOf(configJson({ architecture: 64 })), 'config.architecture must be a string'],
    ['a numeric os.version', bytesOf(configJson({ 'os.version': 10 })), 'config.os.version must be a string'],
    ['a numeric label', bytesOf(configJson({ config: { Labels: { version: 2 } } })), 'config.config.Labels.version must be a string'],
    ['a numeric Env entry', bytesOf(configJson({ config: { Env: ['A=1', 2] } })), 'config.config.Env[1] must be a string'],
    ['ExposedPorts as an array', bytesOf(configJson({ config: { ExposedPorts: ['80/tcp'] } })), 'config.config.ExposedPorts must be an object'],
    ['Volumes as a string', bytesOf(configJson({ config: { Volumes: '/data' } })), 'config.config.Volumes must be an object'],
    ['Cmd as a string', bytesOf(configJson({ config: { Cmd: 'serve' } })), 'config.config.Cmd must be an array'],
    ['a numeric User', bytesOf(configJson({ config: { User: 1000 } })), 'config.config.User must be a string'],
  ])('refuses %s with CONFIG_INVALID naming the field', (_label, bytes, message) => {
    expect(() => parseImageConfig(bytes, 10)).toThrow(configInvalid(message))
  })
})

function history(...flags: Array<'layer' | 'empty'>): HistoryEntry[] {
  return flags.map((flag, i) => ({ createdBy: `step ${i}`, emptyLayer: flag === 'empty' }))
}

describe('pairHistoryWithLayers', () => {
  it.each<[string, HistoryEntry[], number, Array<number | undefined>]>([
    ['one entry per layer', history('layer', 'layer', 'layer'), 3, [0, 1, 2]],
    ['empty_layer entries skipped', history('layer', 'empty', 'empty', 'layer', 'empty', 'layer'), 3, [0, 3, 5]],
    ['empty entries first', history('empty', 'layer', 'layer'), 2, [1, 2]],
    ['fewer history entries than layers', history('layer', 'empty'), 3, [0, undefined, undefined]],
    ['no history at all', [], 2, [undefined, undefined]],
    ['more history entries than layers', history('layer', 'layer', 'layer', 'layer'), 2, [0, 1]],
    ['only empty entries', history('empty', 'empty'), 1, [undefined]],
    ['no layers', history('layer'), 0, []],
  ])('pairs %s', (_label, entries, layerCount, expected) => {
    expect(pairHistoryWithLayers(entries, layerCount)).toEqual(expected)
  })
})

describe('nonEmptyHistoryCount', () => {
  it.each<[HistoryEntry[], number]>([
    [[], 0],
    [history('empty', 'empty'), 0],
    [history('layer', 'empty', 'layer'), 2],
    [history('layer', 'layer', 'layer'), 3],
  ])('counts the entries that built a layer (%#)', (entries, expected) => {
    expect(nonEmptyHistoryCount(entries)).toBe(expected)
  })

  it('agrees with a parsed config', () => {
    // Prepare
    const json = configJson({ history: [{ created_by: 'a' }, { created_by: 'b', empty_layer: true }, { created_by: 'c', empty_layer: false }] })
    // Act
    const config = parseImageConfig(bytesOf(json), 10)
    // Assess
    expect(nonEmptyHistoryCount(config.history)).toBe(2)
    expect(pairHistoryWithLayers(config.history, config.diffIds.length)).toEqual([0, 2])
  })
})
