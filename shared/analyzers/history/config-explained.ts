/**
 * Does the history explain the config? A builder that records ENV, CMD, ENTRYPOINT and USER
 * leaves one history entry per change, so an environment variable no ENV sets, or an
 * entrypoint, command or user other than the last one the history records, was put there
 * after the build: what `dockerscan trojanize` (LD_PRELOAD, REMOTE_ADDR) and its `modify
 * entrypoint` and `modify user` commands leave.
 *
 * Left alone: images whose builder records no config instruction at all (Bazel, ko, Jib,
 * Nix: nothing to compare), Docker's default `PATH` (BuildKit sets it without history), and a
 * root user with no USER in the history (that is the default, not a change).
 *
 * @module
 */
import type { ImageConfig } from '../../image/config.js'
import type { Finding, Severity } from '../../report/model.js'
import { isRootUser } from '../config/config-analyzer.js'
import { defineRule, findingOf } from '../rule.js'
import { envNames, instructionList, parseHistoryCommand, recordsConfigInstructions } from './instructions.js'

export const configUnexplained = defineRule({
  id: 'history-config-unexplained',
  category: 'history',
  severity: 'medium',
  title: 'The config sets something no history entry explains',
  description:
    'The builder recorded the config instructions (ENV, CMD, ENTRYPOINT, USER) in the history, yet the config holds an environment variable no ENV sets, or an entrypoint, command or user other than the last one the history records. Tools that change an image after it was built leave this: dockerscan sets LD_PRELOAD and REMOTE_ADDR, or replaces the entrypoint or the user, without a history entry. Low when only ordinary variables are unexplained (a base image built by another tool may set some), high for loader variables (LD_*) and callback addresses.',
  remediation: 'Rebuild the image from its Dockerfile and compare the configs; do not run an image whose config nobody can explain.',
})

/** The PATH Docker and BuildKit put in a config that sets none. */
const DEFAULT_PATHS = new Set(['/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'])
const ALARMING_ENV = /^(?:LD_\w+|REMOTE_(?:ADDR|HOST|PORT)|[LR](?:HOST|PORT))$/

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((item, i) => item === b[i])
}

function show(list: readonly string[] | undefined): string {
  const text = JSON.stringify(list ?? [])
  return text.length > 100 ? `${text.slice(0, 99)}…` : text
}

/** What the config holds that the history does not explain, each as a short phrase. */
export function unexplainedConfig(config: ImageConfig): { phrases: string[]; severity: Severity } | undefined {
  if (!recordsConfigInstructions(config.history)) return undefined
  const setByEnv = new Set<string>()
  const last: Record<'CMD' | 'ENTRYPOINT' | 'USER', string | undefined> = { CMD: undefined, ENTRYPOINT: undefined, USER: undefined }
  for (const entry of config.history) {
    const { instruction, args } = parseHistoryCommand(entry.createdBy ?? '')
    if (instruction === 'ENV') for (const name of envNames(args)) setByEnv.add(name)
    if (instruction === 'CMD' || instruction === 'ENTRYPOINT' || instruction === 'USER') last[instruction] = args
  }

  const phrases: string[] = []
  let severity: Severity = 'low'
  const raise = (to: Severity): void => {
    if (to === 'high' || (to === 'medium' && severity === 'low')) severity = to
  }
  const env = config.config.env.flatMap((entry) => {
    const eq = entry.indexOf('=')
    return eq <= 0 ? [] : [{ name: entry.slice(0, eq), value: entry.slice(eq + 1) }]
  })
  const names = env.filter(({ name, value }) => !setByEnv.has(name) && !(name === 'PATH' && DEFAULT_PATHS.has(value))).map((v) => v.name)
  if (names.length > 0) {
    phrases.push(`ENV ${names.join(', ')} set by no ENV entry`)
    raise(names.some((name) => ALARMING_ENV.test(name)) ? 'high' : 'low')
  }
  for (const key of ['ENTRYPOINT', 'CMD'] as const) {
    const actual = key === 'ENTRYPOINT' ? config.config.entrypoint : config.config.cmd
    if (!actual || actual.length === 0) continue
    const recorded = last[key]
    if (recorded === undefined) {
      phrases.push(`${key} ${show(actual)} but the history has no ${key}`)
      raise('medium')
      continue
    }
    const list = instructionList(recorded)
    if (list !== undefined && !sameList(list, actual)) {
      phrases.push(`${key} ${show(actual)} but the history's last ${key} is ${show(list)}`)
      raise('medium')
    }
  }
  const user = (config.config.user ?? '').trim()
  const recordedUser = last.USER?.replace(/^\[(.*)\]$/, '$1').trim()
  if (recordedUser === undefined ? user !== '' && !isRootUser(user) : recordedUser !== user) {
    phrases.push(recordedUser === undefined ? `USER ${JSON.stringify(user)} but the history has no USER` : `USER ${JSON.stringify(user)} but the history's last USER is ${JSON.stringify(recordedUser)}`)
    raise('medium')
  }
  return phrases.length === 0 ? undefined : { phrases, severity }
}

export function checkConfigExplained(config: ImageConfig): Finding[] {
  const result = unexplainedConfig(config)
  if (!result) return []
  return [findingOf(configUnexplained, {}, result.phrases.join('; '), result.severity)]
}
