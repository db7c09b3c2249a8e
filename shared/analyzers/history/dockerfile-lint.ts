/**
 * The Dockerfile checks that can be judged from an image's history (Dockle's CIS-DI and
 * DKL-DI checkpoints, Trivy's Dockerfile checks, dockerscan's heuristics), each written anew:
 * downloads piped to a shell, decoded payloads run, `sudo`, `apt-get update` alone,
 * `apt-get install` without `--no-install-recommends`, `dist-upgrade`, `ADD` from a URL,
 * `ADD` where `COPY` would do, and downloads from paste sites, tunnels, chat webhooks or
 * bare IP addresses.
 *
 * Plain `apt-get upgrade` is not reported: distributions and Docker's own guidance now
 * recommend it to pick up security fixes. Only `dist-upgrade`/`full-upgrade` are (they may
 * remove packages or move to a new release).
 *
 * @module
 */
import type { Finding, Severity } from '../../report/model.js'
import type { ImageInput } from '../analyzer.js'
import { historyLocation } from '../image-facts.js'
import { DECODED_PAYLOAD, DOWNLOAD_TO_SHELL, excerptOf } from '../malware/indicators.js'
import { defineRule, findingOf, type Rule } from '../rule.js'
import { parseHistoryCommand } from './instructions.js'

export const downloadPipedToShell = defineRule({
  id: 'history-download-piped-to-shell',
  category: 'history',
  severity: 'medium',
  title: 'A build step pipes a download into a shell',
  description:
    'A RUN step runs what curl or wget downloads without keeping or checking it (`curl … | sh`, `sh -c "$(curl …)"`). Whoever controls the server, the DNS or the network path at build time decides what runs in the build, and the image keeps no trace of what it was.',
  remediation: 'Download to a file, verify its checksum or signature, then run it; or install the tool from a package repository.',
})

export const decodedPayloadRun = defineRule({
  id: 'history-decoded-payload-run',
  category: 'history',
  severity: 'high',
  title: 'A build step runs a base64-decoded payload',
  description:
    'A RUN step decodes base64 text and runs it (`… | base64 -d | sh`, `eval "$(… base64 --decode)"`, `exec(base64.b64decode(…))`). Nobody reviewing the Dockerfile or the history can read what ran: the classic way to slip a dropper past review.',
  remediation: 'Replace the encoded command with the readable script it decodes to, reviewed and kept in the build context.',
})

export const sudoInBuild = defineRule({
  id: 'history-sudo',
  category: 'history',
  severity: 'medium',
  title: 'A build step uses sudo',
  description:
    'A RUN step calls sudo. Build steps already run as the Dockerfile USER; sudo in an image means it is installed and configured for some user, which turns any code execution as that user into root, and its prompts and TTY handling make builds unpredictable.',
  remediation: 'Run the step as root (USER root … USER app) instead of through sudo, and do not install sudo in the image.',
})

export const aptUpdateAlone = defineRule({
  id: 'history-apt-update-alone',
  category: 'history',
  severity: 'medium',
  title: 'A build step runs apt-get update on its own',
  description:
    'apt-get update runs in a RUN step without an install in the same step. The package lists are then cached in that layer, and a later RUN apt-get install, rebuilt from cache, installs whatever versions those stale lists name: old, possibly vulnerable packages, or none at all once the mirror dropped them.',
  remediation: 'Combine them: `RUN apt-get update && apt-get install -y --no-install-recommends … && rm -rf /var/lib/apt/lists/*`.',
})

export const aptInstallRecommends = defineRule({
  id: 'history-apt-install-recommends',
  category: 'history',
  severity: 'low',
  title: 'apt-get install also installs recommended packages',
  description:
    'A RUN step installs packages with apt without --no-install-recommends, so apt adds every package the requested ones merely recommend: more software, more vulnerabilities to patch and a larger attack surface for nothing the image needs.',
  remediation: 'Add --no-install-recommends to apt-get install, and add back explicitly the few recommended packages the image does need.',
})

export const aptDistUpgrade = defineRule({
  id: 'history-apt-dist-upgrade',
  category: 'history',
  severity: 'low',
  title: 'A build step runs apt-get dist-upgrade',
  description:
    'dist-upgrade (full-upgrade) may install new packages, remove others and, with a changed sources list, move the image to another release: the base image no longer says what the image is. (A plain apt-get upgrade, which only applies updates, is not reported.)',
  remediation: 'Use a newer base image, or apt-get upgrade; pin the release in the base image tag.',
})

export const addRemoteUrl = defineRule({
  id: 'history-add-remote-url',
  category: 'history',
  severity: 'medium',
  title: 'ADD downloads a file from a URL',
  description:
    'ADD <url> fetches a file at build time with no integrity check unless --checksum is given: the image holds whatever the server sent that day. Low when a checksum pins the content.',
  remediation: 'Use ADD --checksum=sha256:… or download in a RUN step and verify the checksum or signature.',
})

export const addInsteadOfCopy = defineRule({
  id: 'history-add-instead-of-copy',
  category: 'history',
  severity: 'info',
  title: 'ADD is used where COPY would do',
  description:
    'ADD also unpacks archives and fetches URLs, so it can do more than the Dockerfile author meant (CIS Docker Benchmark 4.9). The base image\'s root filesystem, added to /, is not reported.',
  remediation: 'Use COPY for local files; keep ADD for archives that must be unpacked.',
})

export const suspiciousDownload = defineRule({
  id: 'history-download-from-suspicious-host',
  category: 'history',
  severity: 'medium',
  title: 'A build step downloads from a paste site, tunnel, chat webhook or bare IP address',
  description:
    'A build step fetches a URL on a paste site (pastebin), a file drop (transfer.sh), a tunnel (ngrok), a Tor hidden service, a chat API (Telegram bots, Discord webhooks), or a bare public IP address: places malware is staged and data exfiltrated to, not where software is published. Low for private IP addresses and for scripts pulled from a moving GitHub branch (main or master).',
  remediation: 'Download software from its publisher or a package repository, pinned to a version and verified by checksum or signature.',
})

export const DOCKERFILE_LINT_RULES: readonly Rule[] = [
  downloadPipedToShell, decodedPayloadRun, sudoInBuild, aptUpdateAlone, aptInstallRecommends, aptDistUpgrade, addRemoteUrl, addInsteadOfCopy, suspiciousDownload,
]

const APT = String.raw`\b(?:apt-get|apt|aptitude)\s+(?:-\S+\s+)*`
const APT_UPDATE = new RegExp(`${APT}update\\b`)
const APT_CHANGE = new RegExp(`${APT}(?:install|upgrade|dist-upgrade|full-upgrade|build-dep|source|reinstall)\\b`)
const APT_INSTALL = new RegExp(`${APT}install\\b`)
const NO_RECOMMENDS = /--no-install-recommends\b|APT::Install-Recommends\s*=\s*["']?(?:false|0)\b|--without-recommends\b/
const DIST_UPGRADE = new RegExp(`${APT}(?:dist-upgrade|full-upgrade)\\b`)
/** sudo as a command: at the start, or after a separator, `then`, `do` or `else`. */
const SUDO = /(?:^|[;&|(`]\s*|\$\(\s*|\b(?:then|do|else)\s+)sudo\s/
const URL = /\b(?:https?|ftp):\/\/[^\s"'`<>|;)\\]+/gi
const ARCHIVE = /\.(?:tar|tgz|tbz2?|txz|tzst)$|\.tar\.(?:gz|bz2|xz|zst|lz4?)$/

/** Hosts where malware is staged or data sent, by domain (every subdomain counts). */
const SUSPICIOUS_HOSTS: ReadonlyArray<readonly [string, string]> = [
  ['pastebin.com', 'paste site'], ['paste.ee', 'paste site'], ['hastebin.com', 'paste site'], ['ghostbin.com', 'paste site'], ['rentry.co', 'paste site'],
  ['transfer.sh', 'file drop'], ['file.io', 'file drop'], ['temp.sh', 'file drop'],
  ['ngrok.io', 'tunnel'], ['ngrok.app', 'tunnel'], ['ngrok-free.app', 'tunnel'], ['trycloudflare.com', 'tunnel'], ['serveo.net', 'tunnel'],
  ['api.telegram.org', 'chat bot API'], ['discord.com', 'chat webhook'], ['discordapp.com', 'chat webhook'],
]

function hostOf(url: string): { host: string; rest: string } {
  const match = /^[a-z]+:\/\/(?:[^@/]*@)?(\[[^\]]*\]|[^/:?#]+)(?::\d+)?([^\s]*)$/i.exec(url)
  return { host: (match?.[1] ?? '').toLowerCase(), rest: match?.[2] ?? '' }
}

function isPrivateIpv4(parts: number[]): boolean {
  const [a, b] = parts as [number, number]
  return a === 10 || a === 127 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 169 && b === 254) || a === 0
}

/** Why a URL is suspicious and how much, or undefined. */
export function suspiciousUrl(url: string): { reason: string; severity: Severity } | undefined {
  const { host, rest } = hostOf(url)
  if (host === '') return undefined
  if (host.endsWith('.onion')) return { reason: 'Tor hidden service', severity: 'medium' }
  const ipv4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host)
  if (ipv4) {
    const parts = ipv4.slice(1).map(Number)
    if (parts.some((p) => p > 255)) return undefined
    return isPrivateIpv4(parts) ? { reason: 'private IP address', severity: 'low' } : { reason: 'bare public IP address', severity: 'medium' }
  }
  for (const [domain, reason] of SUSPICIOUS_HOSTS) {
    if (host !== domain && !host.endsWith(`.${domain}`)) continue
    if ((domain === 'discord.com' || domain === 'discordapp.com') && !rest.startsWith('/api/webhooks')) continue
    return { reason, severity: 'medium' }
  }
  if (host === 'raw.githubusercontent.com' && /^\/[^/]+\/[^/]+\/(?:refs\/heads\/)?(?:main|master)\//.test(rest)) return { reason: 'script from a moving branch', severity: 'low' }
  return undefined
}

function cut(text: string): string {
  return excerptOf(text)
}

/** The history checks of one entry. */
function lintEntry(input: ImageInput, index: number, firstLayerEntry: boolean): Finding[] {
  const createdBy = input.config.history[index]?.createdBy ?? ''
  const { instruction, args } = parseHistoryCommand(createdBy)
  const location = historyLocation(input, index)
  const findings: Finding[] = []
  const excerpt = (pattern: RegExp): string => {
    const match = pattern.exec(args)
    return excerptOf(args, match?.index ?? 0)
  }
  if (instruction === 'RUN') {
    if (DOWNLOAD_TO_SHELL.test(args)) findings.push(findingOf(downloadPipedToShell, location, excerpt(DOWNLOAD_TO_SHELL)))
    if (DECODED_PAYLOAD.test(args)) findings.push(findingOf(decodedPayloadRun, location, excerpt(DECODED_PAYLOAD)))
    if (SUDO.test(args)) findings.push(findingOf(sudoInBuild, location, excerpt(SUDO)))
    if (APT_UPDATE.test(args) && !APT_CHANGE.test(args)) findings.push(findingOf(aptUpdateAlone, location, excerpt(APT_UPDATE)))
    if (APT_INSTALL.test(args) && !NO_RECOMMENDS.test(args)) findings.push(findingOf(aptInstallRecommends, location, excerpt(APT_INSTALL)))
    if (DIST_UPGRADE.test(args)) findings.push(findingOf(aptDistUpgrade, location, excerpt(DIST_UPGRADE)))
  }
  if (instruction === 'ADD') {
    const urls = args.match(URL) ?? []
    if (urls.length > 0) {
      findings.push(findingOf(addRemoteUrl, location, cut(args), /--checksum=/.test(args) ? 'low' : addRemoteUrl.severity))
    } else if (!firstLayerEntry) {
      const words = args.split(/\s+/).filter((word) => word !== '' && !word.startsWith('--'))
      const destination = words[words.length - 1] ?? ''
      const sources = words.slice(0, -1).filter((word) => word !== 'in')
      if (destination !== '/' && !sources.some((source) => ARCHIVE.test(source))) findings.push(findingOf(addInsteadOfCopy, location, cut(args)))
    }
  }
  if (instruction === 'RUN' || instruction === 'ADD') {
    const seen = new Set<string>()
    for (const url of args.match(URL) ?? []) {
      const suspicious = suspiciousUrl(url)
      if (!suspicious || seen.has(suspicious.reason)) continue
      seen.add(suspicious.reason)
      findings.push(findingOf(suspiciousDownload, location, `${suspicious.reason}: ${excerptOf(url)}`, suspicious.severity))
    }
  }
  return findings
}

export function checkDockerfileLint(input: ImageInput): Finding[] {
  const firstLayerEntry = input.historyForLayer[0]
  return input.config.history.flatMap((_, index) => lintEntry(input, index, index === firstLayerEntry))
}
