/**
 * Baseline configuration checks: who the container runs as.
 *
 * @module
 */
import type { ImageAnalyzer } from '../analyzer.js'
import { defineRule, findingOf } from '../rule.js'

export const configRootUser = defineRule({
  id: 'config-root-user',
  category: 'config',
  severity: 'low',
  title: 'The container runs as root',
  description:
    'The config sets no USER, or sets root (0). A process that escapes or is compromised then has root inside the container, and on the host too when user namespaces are off.',
  remediation: 'Create an unprivileged user in the image and add `USER <name>` (or a numeric UID) to the Dockerfile.',
})

/** True for an empty user, `root`, uid 0 in any spelling (`0`, `00`, `+0`), with or without a group. */
export function isRootUser(user: string | undefined): boolean {
  const name = (user ?? '').trim().split(':')[0] ?? ''
  if (/^\+?\d+$/.test(name)) return Number(name) === 0
  return name === '' || name === 'root'
}

export const configAnalyzer: ImageAnalyzer = {
  kind: 'image',
  id: 'config',
  version: 1,
  analyze({ config }) {
    if (!isRootUser(config.config.user)) return {}
    return { findings: [findingOf(configRootUser, {}, `User=${JSON.stringify(config.config.user ?? '')}`)] }
  },
}
