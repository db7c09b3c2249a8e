/**
 * The image configuration (OCI config / Docker "container image v1"): what the image runs,
 * how its layers are identified (DiffIDs) and the history that built it.
 *
 * @see https://github.com/opencontainers/image-spec/blob/main/config.md
 * @module
 */
import { ErrorCode, LimitError, ManifestError } from '../errors.js'
import {
  expectArray,
  expectObject,
  expectString,
  isObject,
  optionalBoolean,
  optionalKeySet,
  optionalString,
  optionalStringArray,
  optionalStringMap,
  parseJsonBytes,
  type Fail,
} from '../shape.js'
import { parseDigest, type Digest } from './digest.js'

export interface Healthcheck {
  test: string[]
  intervalNs?: number
  timeoutNs?: number
  startPeriodNs?: number
  startIntervalNs?: number
  retries?: number
}

/** The runtime part of the config (`config` in OCI), with Docker's extensions. */
export interface ContainerConfig {
  user?: string
  env: string[]
  entrypoint?: string[]
  cmd?: string[]
  workingDir?: string
  exposedPorts: string[]
  volumes: string[]
  labels: Record<string, string>
  stopSignal?: string
  healthcheck?: Healthcheck
  onBuild?: string[]
  shell?: string[]
}

export interface HistoryEntry {
  created?: string
  createdBy?: string
  author?: string
  comment?: string
  emptyLayer: boolean
}

export interface ImageConfig {
  architecture: string
  os: string
  variant?: string
  osVersion?: string
  created?: string
  author?: string
  config: ContainerConfig
  diffIds: Digest[]
  history: HistoryEntry[]
}

const fail: Fail = (message) => {
  throw new ManifestError(ErrorCode.ConfigInvalid, message)
}

/** Parses config bytes; refuses configs that name more than `maxLayers` layers. */
export function parseImageConfig(bytes: Uint8Array, maxLayers: number): ImageConfig {
  const json = expectObject(parseJsonBytes(bytes, 'image config', fail), 'config', fail)
  const rootfs = expectObject(json.rootfs, 'config.rootfs', fail)
  const rawDiffIds = expectArray(rootfs.diff_ids, 'config.rootfs.diff_ids', fail)
  if (rawDiffIds.length > maxLayers) {
    throw new LimitError(ErrorCode.TooManyLayers, 'maxLayers', rawDiffIds.length, `image has ${rawDiffIds.length} layers, over the limit of ${maxLayers}`)
  }
  const diffIds = rawDiffIds.map((value, i) => {
    const text = expectString(value, `config.rootfs.diff_ids[${i}]`, fail)
    try {
      return parseDigest(text)
    } catch {
      return fail(`config.rootfs.diff_ids[${i}] is not a digest`)
    }
  })
  const history = (optionalArrayOf(json.history, 'config.history') ?? []).map((entry, i) => parseHistory(entry, i))
  const config: ImageConfig = {
    architecture: optionalString(json.architecture, 'config.architecture', fail) ?? '',
    os: optionalString(json.os, 'config.os', fail) ?? '',
    config: parseContainerConfig(json.config),
    diffIds,
    history,
  }
  setIf(config, 'variant', optionalString(json.variant, 'config.variant', fail))
  setIf(config, 'osVersion', optionalString(json['os.version'], 'config.os.version', fail))
  setIf(config, 'created', optionalString(json.created, 'config.created', fail))
  setIf(config, 'author', optionalString(json.author, 'config.author', fail))
  return config
}

function optionalArrayOf(value: unknown, at: string): unknown[] | undefined {
  if (value === undefined || value === null) return undefined
  return expectArray(value, at, fail)
}

function parseHistory(value: unknown, index: number): HistoryEntry {
  const at = `config.history[${index}]`
  const json = expectObject(value, at, fail)
  const entry: HistoryEntry = { emptyLayer: optionalBoolean(json.empty_layer, `${at}.empty_layer`, fail) ?? false }
  setIf(entry, 'created', optionalString(json.created, `${at}.created`, fail))
  setIf(entry, 'createdBy', optionalString(json.created_by, `${at}.created_by`, fail))
  setIf(entry, 'author', optionalString(json.author, `${at}.author`, fail))
  setIf(entry, 'comment', optionalString(json.comment, `${at}.comment`, fail))
  return entry
}

function parseContainerConfig(value: unknown): ContainerConfig {
  const json = isObject(value) ? value : {}
  const at = 'config.config'
  const config: ContainerConfig = {
    env: optionalStringArray(json.Env, `${at}.Env`, fail) ?? [],
    exposedPorts: (optionalKeySet(json.ExposedPorts, `${at}.ExposedPorts`, fail) ?? []).sort(),
    volumes: (optionalKeySet(json.Volumes, `${at}.Volumes`, fail) ?? []).sort(),
    labels: optionalStringMap(json.Labels, `${at}.Labels`, fail) ?? {},
  }
  setIf(config, 'user', optionalString(json.User, `${at}.User`, fail))
  setIf(config, 'entrypoint', optionalStringArray(json.Entrypoint, `${at}.Entrypoint`, fail))
  setIf(config, 'cmd', optionalStringArray(json.Cmd, `${at}.Cmd`, fail))
  setIf(config, 'workingDir', optionalString(json.WorkingDir, `${at}.WorkingDir`, fail))
  setIf(config, 'stopSignal', optionalString(json.StopSignal, `${at}.StopSignal`, fail))
  setIf(config, 'onBuild', optionalStringArray(json.OnBuild, `${at}.OnBuild`, fail))
  setIf(config, 'shell', optionalStringArray(json.Shell, `${at}.Shell`, fail))
  if (isObject(json.Healthcheck)) config.healthcheck = parseHealthcheck(json.Healthcheck, `${at}.Healthcheck`)
  return config
}

function parseHealthcheck(json: Record<string, unknown>, at: string): Healthcheck {
  const healthcheck: Healthcheck = { test: optionalStringArray(json.Test, `${at}.Test`, fail) ?? [] }
  const numbers = [
    ['Interval', 'intervalNs'],
    ['Timeout', 'timeoutNs'],
    ['StartPeriod', 'startPeriodNs'],
    ['StartInterval', 'startIntervalNs'],
    ['Retries', 'retries'],
  ] as const
  for (const [from, to] of numbers) {
    const n = json[from]
    if (typeof n === 'number' && Number.isFinite(n) && n > 0) healthcheck[to] = n
  }
  return healthcheck
}

function setIf<T extends object, K extends keyof T>(target: T, key: K, value: T[K] | undefined): void {
  if (value !== undefined) target[key] = value
}

/** The history entry that built each layer: skip `empty_layer` entries and zip the rest. */
export function pairHistoryWithLayers(history: HistoryEntry[], layerCount: number): Array<number | undefined> {
  const pairs: Array<number | undefined> = new Array<number | undefined>(layerCount).fill(undefined)
  let layer = 0
  history.forEach((entry, index) => {
    if (entry.emptyLayer) return
    if (layer < layerCount) pairs[layer] = index
    layer++
  })
  return pairs
}

/** Number of history entries that claim to have produced a layer. */
export function nonEmptyHistoryCount(history: HistoryEntry[]): number {
  return history.filter((entry) => !entry.emptyLayer).length
}
