/**
 * Secrets in the image config rather than in files: `ENV` values, build arguments and
 * commands recorded in the history (`RUN |1 NPM_TOKEN=… /bin/sh -c …`, `ARG TOKEN=…`,
 * `curl -H "Authorization: Bearer …"`, `curl -u user:password`), and labels. Anyone who can
 * pull the image reads all of these with `docker inspect` and `docker history`, without
 * unpacking a single layer.
 *
 * A value is reported when a secret rule matches it, or when its name is secret-like
 * (`isSecretEnv`) and the value is random-looking: not a placeholder, a default, a path or a URL.
 *
 * @module
 */
import type { ImageAnalyzer } from '../analyzer.js'
import type { FindingLocation, Finding } from '../../report/model.js'
import { isSecretEnv, redact } from '../../report/redact.js'
import { defineRule, findingOf, type Rule } from '../rule.js'
import { isPlaceholder } from './allow-rules.js'
import { scanText, shannonEntropy } from './scan-text.js'
import { looksLikeSecretValue, secretRuleById } from './secret-rules.js'

export const imageEnvSecret = defineRule({
  id: 'secret-image-env-variable',
  category: 'secret',
  severity: 'high',
  title: 'A secret is set as an environment variable in the image config',
  description:
    'An ENV with a secret-like name (PASSWORD, TOKEN, API_KEY…) holds a random-looking literal value. The image config is readable by anyone who can pull the image (docker inspect), and every container started from it inherits the value.',
  remediation: 'Rotate the secret. Remove the ENV from the Dockerfile and set the variable when the container starts (orchestrator secrets, --env-file).',
})

export const imageBuildArgSecret = defineRule({
  id: 'secret-image-build-argument',
  category: 'secret',
  severity: 'high',
  title: 'A secret was passed as a build argument and is recorded in the image history',
  description:
    'A build argument (ARG, or the `|N NAME=value` prefix BuildKit and the classic builder record for RUN steps) has a secret-like name and a random-looking value. Build arguments are written into the image history in the clear: docker history shows them.',
  remediation: 'Rotate the secret. Pass it with a build secret (`RUN --mount=type=secret,id=…`) instead of --build-arg.',
})

export const imageLabelSecret = defineRule({
  id: 'secret-image-label',
  category: 'secret',
  severity: 'medium',
  title: 'A label holds a secret-looking value',
  description: 'A label with a secret-like name holds a random-looking value. Labels are public metadata of the image.',
  remediation: 'Rotate the secret and remove the label; labels are for public metadata only.',
})

/** The rules only the image-config scan reports (it reports the file rules too). */
export const CONFIG_SECRET_RULES: readonly Rule[] = Object.freeze([imageEnvSecret, imageBuildArgSecret, imageLabelSecret])

export interface ConfigSecretMatch {
  ruleId: string
  /** What held the secret. */
  source: 'env' | 'history' | 'label'
  /** Index in the config's `Env` or `history`. */
  index?: number
  /** The variable, build argument or label name. */
  name?: string
  /** `{history: index}` for history entries; `{}` for env and labels (the config has no finer location). */
  location: FindingLocation
  /** Redacted; never the secret. */
  evidence: string
}

/** Where scanned config values claim to come from (no path allow rule matches it). */
const CONFIG_PATH = '<image config>'
const NO_PATH_RULES = { pathAllowRules: [] }

/** A random-looking literal, not a placeholder, default, path or URL. */
function isSecretValue(value: string): boolean {
  return looksLikeSecretValue(value) && !isPlaceholder(value) && shannonEntropy(value) >= 3
}

function unquote(value: string): string {
  const quote = value[0]
  if ((quote === '"' || quote === "'") && value.length >= 2 && value.endsWith(quote)) return value.slice(1, -1)
  return value
}

interface Pair {
  name: string
  value: string
}

/** The secrets in one `name=value`: what the rules find, or the name-based rule. */
function checkPair({ name, value }: Pair, nameRule: Rule): Array<{ ruleId: string; evidence: string }> {
  if (value === '') return []
  const found = scanText(`${name}=${value}`, CONFIG_PATH, NO_PATH_RULES).map(({ ruleId, evidence }) => ({
    ruleId,
    evidence: evidence.startsWith(`${name}:`) ? evidence : `${name}: ${evidence}`,
  }))
  if (found.length > 0) return found
  if (isSecretEnv(name, value) && isSecretValue(value)) return [{ ruleId: nameRule.id, evidence: `${name}: ${redact(value)}` }]
  return []
}

function pairOf(text: string): Pair | undefined {
  const eq = text.indexOf('=')
  if (eq <= 0) return undefined
  return { name: text.slice(0, eq), value: unquote(text.slice(eq + 1).trim()) }
}

/** `A=1 B="x y" C=3` (also the legacy `NAME value` form of ENV) as pairs. */
function splitPairs(text: string): Pair[] {
  const trimmed = text.trim()
  if (!/^[A-Za-z_][A-Za-z0-9_.-]*=/.test(trimmed)) {
    const legacy = /^([A-Za-z_][A-Za-z0-9_.-]*)\s+(.*)$/s.exec(trimmed)
    return legacy ? [{ name: legacy[1]!, value: unquote(legacy[2]!.trim()) }] : []
  }
  return trimmed
    .split(/\s+(?=[A-Za-z_][A-Za-z0-9_.-]*=)/)
    .map(pairOf)
    .filter((pair): pair is Pair => pair !== undefined)
}

const BUILDER_PREFIX = /^(?:\/bin\/sh -c #\(nop\)\s+)?/
const ARG_OR_ENV = /^(?:\/bin\/sh -c #\(nop\)\s+)?(ARG|ENV)\s+([\s\S]*?)(?:\s+# buildkit)?$/
/** `RUN |2 A=1 B=2 /bin/sh -c …` (BuildKit) or `|2 A=1 B=2 /bin/sh -c …` (classic builder). */
const RUN_WITH_ARGS = /^(?:RUN\s+)?\|(\d+)\s+/
const ARG_PAIR = /([A-Za-z_][A-Za-z0-9_.-]*)=("(?:[^"\\]|\\.)*"|'[^']*'|\S*)\s*/y

/**
 * Secrets in the image config: `env` entries (`NAME=value`), history `createdBy` commands and
 * labels. Deterministic: env first, then history, then labels, each in order.
 */
export function scanImageConfig(env: readonly string[], history: ReadonlyArray<{ createdBy?: string }>, labels: Readonly<Record<string, string>>): ConfigSecretMatch[] {
  const matches: ConfigSecretMatch[] = []
  const envEntries = new Set(env)

  env.forEach((entry, index) => {
    const pair = pairOf(entry)
    if (pair === undefined) return
    for (const found of checkPair(pair, imageEnvSecret)) matches.push({ ...found, source: 'env', index, name: pair.name, location: {} })
  })

  history.forEach(({ createdBy }, index) => {
    if (createdBy === undefined || createdBy.trim() === '') return
    const location = { history: index }
    const argOrEnv = ARG_OR_ENV.exec(createdBy.trim())
    if (argOrEnv) {
      const isEnv = argOrEnv[1] === 'ENV'
      for (const pair of splitPairs(argOrEnv[2]!)) {
        // an ENV still in the final config is reported once, as an env finding
        if (isEnv && envEntries.has(`${pair.name}=${pair.value}`)) continue
        for (const found of checkPair(pair, isEnv ? imageEnvSecret : imageBuildArgSecret)) matches.push({ ...found, source: 'history', index, name: pair.name, location })
      }
      return
    }
    let command = createdBy.replace(BUILDER_PREFIX, '')
    const withArgs = RUN_WITH_ARGS.exec(command)
    if (withArgs) {
      let end = withArgs[0].length
      for (let n = Number(withArgs[1]); n > 0; n--) {
        ARG_PAIR.lastIndex = end
        const arg = ARG_PAIR.exec(command)
        if (!arg) break
        end = ARG_PAIR.lastIndex
        const pair = { name: arg[1]!, value: unquote(arg[2]!) }
        for (const found of checkPair(pair, imageBuildArgSecret)) matches.push({ ...found, source: 'history', index, name: pair.name, location })
      }
      command = command.slice(end)
    }
    for (const { ruleId, evidence } of scanText(command, CONFIG_PATH, NO_PATH_RULES)) matches.push({ ruleId, evidence, source: 'history', index, location })
  })

  for (const name of Object.keys(labels).sort()) {
    for (const found of checkPair({ name, value: labels[name] ?? '' }, imageLabelSecret)) matches.push({ ...found, source: 'label', name, location: {} })
  }
  return matches
}

/** The rule of a config match: a config rule or a file rule. */
function ruleOf(ruleId: string): Rule | undefined {
  return CONFIG_SECRET_RULES.find((rule) => rule.id === ruleId) ?? secretRuleById(ruleId)
}

/**
 * The image analyzer around {@link scanImageConfig}: findings located at the history entry
 * (and the layer it built, when it built one).
 */
export const secretsConfigAnalyzer: ImageAnalyzer = {
  kind: 'image',
  id: 'secrets-config',
  version: 1,
  analyze({ config, layers, historyForLayer }) {
    const findings: Finding[] = []
    const history = config.history
    for (const match of scanImageConfig(config.config.env, history, config.config.labels)) {
      const rule = ruleOf(match.ruleId)
      if (rule === undefined) continue
      const location: FindingLocation = { ...match.location }
      if (match.location.history !== undefined) {
        const layer = historyForLayer.indexOf(match.location.history)
        const diffId = layer >= 0 ? layers[layer]?.diffId : undefined
        if (diffId !== undefined) location.layer = diffId
      }
      const where = match.source === 'history' ? '' : `${match.source === 'env' ? 'ENV' : 'LABEL'} `
      findings.push(findingOf(rule, location, `${where}${match.evidence}`))
    }
    return findings.length === 0 ? {} : { findings }
  },
}
