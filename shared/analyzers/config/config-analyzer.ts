/**
 * Configuration checks: who the container runs as, what it mounts and exposes, whether it
 * can tell it is healthy, and what its base image is pinned to (Dockle CIS-DI-0001, 0006,
 * DKL-DI-0002, 0006; Trivy DS-0002, 0004, 0026).
 *
 * @module
 */
import type { Finding } from '../../report/model.js'
import type { ImageAnalyzer, ImageInput } from '../analyzer.js'
import { defineRule, findingOf, type Rule } from '../rule.js'

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

export const configSensitiveVolume = defineRule({
  id: 'config-sensitive-volume',
  category: 'config',
  severity: 'medium',
  title: 'The image declares a volume over a sensitive system path',
  description:
    'A VOLUME names /, /proc, /sys, /dev, /boot, /etc, /root, the Docker or containerd socket, or the container runtime\'s state directory. The image asks the engine to mount something there; with a bind mount from the host this is a container escape (the Docker socket is root on the host), and even as an anonymous volume it hides what the image put at that path.',
  remediation: 'Remove the VOLUME; mount what the container really needs at run time, read-only where possible.',
})

export const configSshPort = defineRule({
  id: 'config-ssh-port-exposed',
  category: 'config',
  severity: 'medium',
  title: 'The image exposes the SSH port',
  description:
    'EXPOSE 22: the image is meant to run an SSH server. Containers are entered with docker exec or kubectl exec; an SSH daemon adds keys and passwords to manage and a network service to attack, and is a favourite backdoor of trojaned images.',
  remediation: 'Remove the SSH server and the EXPOSE 22; use docker exec or kubectl exec to get a shell.',
})

export const configNoHealthcheck = defineRule({
  id: 'config-no-healthcheck',
  category: 'config',
  severity: 'info',
  title: 'The image declares no health check',
  description:
    'The config has no HEALTHCHECK (or disables it with NONE), so Docker and Compose cannot tell a hung service from a working one and restart it. (Kubernetes ignores HEALTHCHECK and uses its own probes, so this is only information.)',
  remediation: 'Add a HEALTHCHECK to the Dockerfile, or define liveness and readiness probes where the image is deployed.',
})

export const configLatestBase = defineRule({
  id: 'config-latest-base',
  category: 'config',
  severity: 'low',
  title: 'The image was built on a "latest" base image',
  description:
    'The base image annotation or label (org.opencontainers.image.base.name) names a base by the latest tag, or by no tag at all. Rebuilding the same Dockerfile then gives a different image whenever the base moves, and nobody can tell which base a running image has.',
  remediation: 'Pin the base image to a version tag, better to a digest (FROM debian:12.7@sha256:…), and update it deliberately.',
})

export const CONFIG_RULES: readonly Rule[] = [configRootUser, configSensitiveVolume, configSshPort, configNoHealthcheck, configLatestBase]

/** Paths a VOLUME should never cover; the sockets and state directories of container runtimes. */
const SENSITIVE_VOLUMES = new Set(['/', '/proc', '/sys', '/dev', '/boot', '/etc', '/root', '/lib/modules', '/var/run/docker.sock', '/run/docker.sock', '/var/lib/docker', '/run/containerd', '/run/containerd/containerd.sock', '/var/run/crio', '/run/crio/crio.sock', '/var/lib/kubelet'])

function normaliseVolume(path: string): string {
  const trimmed = path.trim().replace(/\/+$/, '')
  return trimmed === '' ? '/' : trimmed
}

/** The base image a config or manifest names, and where it says so. */
function baseName(input: Pick<ImageInput, 'manifest' | 'config'>): { name: string; source: string } | undefined {
  const key = 'org.opencontainers.image.base.name'
  const annotation = input.manifest.annotations?.[key]
  if (annotation) return { name: annotation, source: `annotation ${key}` }
  const label = input.config.config.labels[key]
  return label ? { name: label, source: `label ${key}` } : undefined
}

/** True for `debian`, `debian:latest`, `docker.io/library/debian:latest`; false when a digest pins it. */
export function isLatestReference(reference: string): boolean {
  if (reference.includes('@')) return false
  const last = reference.slice(reference.lastIndexOf('/') + 1)
  const colon = last.indexOf(':')
  return colon < 0 || last.slice(colon + 1) === 'latest'
}

export function checkConfig(input: Pick<ImageInput, 'manifest' | 'config'>): Finding[] {
  const { config } = input.config
  const findings: Finding[] = []
  if (isRootUser(config.user)) findings.push(findingOf(configRootUser, {}, `User=${JSON.stringify(config.user ?? '')}`))
  for (const volume of config.volumes) {
    if (SENSITIVE_VOLUMES.has(normaliseVolume(volume))) findings.push(findingOf(configSensitiveVolume, {}, `VOLUME ${volume}`))
  }
  for (const port of config.exposedPorts) {
    if (/^22(?:\/tcp)?$/.test(port)) findings.push(findingOf(configSshPort, {}, `EXPOSE ${port}`))
  }
  const test = config.healthcheck?.test ?? []
  if (test.length === 0 || test[0] === 'NONE') findings.push(findingOf(configNoHealthcheck, {}, test[0] === 'NONE' ? 'HEALTHCHECK NONE' : 'no HEALTHCHECK'))
  const base = baseName(input)
  if (base && isLatestReference(base.name)) findings.push(findingOf(configLatestBase, {}, `${base.name} (${base.source})`))
  return findings
}

export const configAnalyzer: ImageAnalyzer = {
  kind: 'image',
  id: 'config',
  version: 2,
  analyze(input) {
    const findings = checkConfig(input)
    return findings.length === 0 ? {} : { findings }
  },
}
