/**
 * Files that should not be in an image, judged by name, type and mode on the final
 * filesystem (no content is read): world-writable files and directories, shell histories,
 * version control metadata, `.env` files, core dumps, cloud CLI configuration, copies of the
 * shadow file, and the files Dockle's DKL-LI-0003 calls unnecessary.
 *
 * Private keys and credential files are the secret scanner's: it reads their content and
 * reports what it finds there. Language package trees (`node_modules`, `site-packages`,
 * `vendor`…), documentation and test data are skipped: packages ship Dockerfiles, `.env`
 * examples and `.git` leftovers that say nothing about the image.
 *
 * @module
 */
import { EntryType } from '../../layers/layer-result.js'
import { baseName } from '../../layers/paths.js'
import type { Finding, Severity } from '../../report/model.js'
import type { ImageInput } from '../analyzer.js'
import { locationOf, visibleFactsOf } from '../image-facts.js'
import { ELF_ANALYZER_ID, type ElfFacts } from '../malware/elf-analyzer.js'
import { isDocumentationPath, isExecutableMode, isLanguageTreePath } from '../image-paths.js'
import { defineRule, findingOf, type Rule } from '../rule.js'

export const worldWritable = defineRule({
  id: 'fs-world-writable',
  category: 'filesystem',
  severity: 'medium',
  title: 'A file or directory is writable by every user',
  description:
    'Any process in the container, whatever its user, can change a world-writable file, or add, remove and replace files in a world-writable directory without the sticky bit. If root runs or reads any of them, every user can become root. Temporary directories with the sticky bit, symlinks and /proc, /sys and /dev are not reported. High for executables and for anything under /etc, /bin, /sbin, /lib and /usr. Reported once per world-writable directory, counting what is inside.',
  remediation: 'Remove the write bit for others (chmod o-w), or add the sticky bit to shared directories (chmod +t); chown what the application must write to its own user instead.',
})

export const shellHistory = defineRule({
  id: 'fs-shell-history',
  category: 'filesystem',
  severity: 'medium',
  title: 'A shell or REPL history file was left in the image',
  description:
    'A history file (.bash_history, .zsh_history, .python_history, .mysql_history, .psql_history…) records the commands someone typed while making the image, often with passwords and tokens given on the command line, and shows the image was built by hand.',
  remediation: 'Delete the history in the same step that created it, or build the image from a Dockerfile instead of docker commit.',
})

export const vcsMetadata = defineRule({
  id: 'fs-vcs-metadata',
  category: 'filesystem',
  severity: 'medium',
  title: 'Version control metadata was copied into the image',
  description:
    'A .git, .svn or .hg directory holds the whole history of the source tree: old versions of files, including secrets deleted long ago, unpublished branches, and remote URLs that may embed credentials (Dockle DKL-LI-0003).',
  remediation: 'Add .git (and .svn, .hg) to .dockerignore, or copy only build outputs from a build stage.',
})

export const dotenvFile = defineRule({
  id: 'fs-dotenv-file',
  category: 'filesystem',
  severity: 'low',
  title: 'A .env file is in the image',
  description:
    'A .env file holds an application\'s configuration, usually database passwords and API keys; in an image, everyone who can pull it reads them. The secret rules report the credentials they recognise in it; this rule reports the file (Dockle CIS-DI-0010).',
  remediation: 'Add .env to .dockerignore; pass configuration at run time (environment, mounted secrets).',
})

export const coreDump = defineRule({
  id: 'fs-core-dump',
  category: 'filesystem',
  severity: 'medium',
  title: 'A core dump was left in the image',
  description:
    'A core dump is the memory of a crashed process: whatever keys, passwords, tokens and data it held are in the file, readable by anyone who pulls the image.',
  remediation: 'Delete the core file and rebuild; disable core dumps in build steps (ulimit -c 0).',
})

export const cloudCliConfig = defineRule({
  id: 'fs-cloud-cli-config',
  category: 'filesystem',
  severity: 'low',
  title: 'A cloud or cluster CLI configuration directory is in the image',
  description:
    'A .aws, .azure, .config/gcloud, .kube or .docker directory holds the configuration of a cloud or cluster CLI and often its cached tokens and credentials. The secret rules report the credentials they recognise; this rule reports the directory (Dockle DKL-LI-0003).',
  remediation: 'Do not copy a home directory into the image; give credentials at run time through the platform\'s workload identity or mounted secrets.',
})

export const shadowCopy = defineRule({
  id: 'fs-shadow-copy',
  category: 'filesystem',
  severity: 'medium',
  title: 'A copy of the shadow password file is in the image',
  description:
    'A file named like a backup of /etc/shadow or /etc/gshadow (shadow.bak, shadow.old, shadow~) outside the places the shadow tools keep theirs: password hashes, possibly with weaker permissions than the original, or collected by someone for cracking.',
  remediation: 'Delete the copy; if it was a backup taken during the build, take it outside the image.',
})

export const unnecessaryFile = defineRule({
  id: 'fs-unnecessary-file',
  category: 'filesystem',
  severity: 'info',
  title: 'A build or editor file was copied into the image',
  description:
    'A Dockerfile, docker-compose file, .DS_Store or an editor directory (.vscode, .idea) is in the image: the build context was copied wholesale, which tends to bring secrets and sources along too (Dockle DKL-LI-0003).',
  remediation: 'Add these files to .dockerignore, or COPY only what the image needs.',
})

export const HYGIENE_RULES: readonly Rule[] = [worldWritable, shellHistory, vcsMetadata, dotenvFile, coreDump, cloudCliConfig, shadowCopy, unnecessaryFile]

const PSEUDO_FILESYSTEMS = /^\/(?:proc|sys|dev)(?:\/|$)/
const SYSTEM_TREE = /^\/(?:etc|s?bin|lib\w*|usr)(?:\/|$)/
const HISTORY_FILES = new Set([
  '.bash_history', '.zsh_history', '.sh_history', '.ash_history', '.ksh_history', '.history', '.python_history', '.mysql_history',
  '.psql_history', '.sqlite_history', '.node_repl_history', '.rediscli_history', '.irb_history', '.lesshst', '.viminfo',
])
const VCS_DIRS = new Set(['.git', '.svn', '.hg', '.bzr'])
const DOTENV = /^\.env(?:\.[\w-]+)?$/
const DOTENV_EXAMPLE = /\.(?:example|sample|template|dist|defaults?|tpl|schema|test)$/i
const CLOUD_DIRS = /\/(?:\.aws|\.azure|\.config\/gcloud|\.kube|\.docker)(?=\/)/
const SHADOW_COPY = /^g?shadow(?:[-~]|\.(?:bak|old|orig|save|sav|backup|copy|\d+))$/
const SHADOW_TOOL_BACKUPS = new Set(['/etc/shadow-', '/etc/gshadow-'])
const UNNECESSARY_NAMES = /^(?:Dockerfile(?:\.[\w-]+)?|[\w-]*\.Dockerfile|docker-compose(?:\.[\w-]+)?\.ya?ml|compose\.ya?ml|\.DS_Store)$/
const EDITOR_DIRS = new Set(['.vscode', '.idea'])

function skipped(path: string): boolean {
  return isLanguageTreePath(path) || isDocumentationPath(path)
}

function mode(record: { mode: number }): string {
  return `mode ${(record.mode & 0o7777).toString(8).padStart(4, '0')}`
}

/** World-writable entries, one finding per topmost world-writable directory and per file outside one. */
export function checkWorldWritable(input: ImageInput): Finding[] {
  const findings: Finding[] = []
  let open: { path: string; finding: Finding; inside: number; severity: Severity } | undefined
  const close = (): void => {
    if (!open) return
    if (open.inside > 0) open.finding.evidence = `${open.finding.evidence}; ${open.inside} world-writable entr${open.inside === 1 ? 'y' : 'ies'} inside`
    open.finding.severity = open.severity
    open = undefined
  }
  // entries() is depth first in name order: what a directory holds follows it
  for (const { path, record, layer } of input.tree.entries()) {
    if (open && !path.startsWith(`${open.path}/`)) close()
    if (record.type !== EntryType.File && record.type !== EntryType.Directory) continue
    if ((record.mode & 0o002) === 0 || PSEUDO_FILESYSTEMS.test(path)) continue
    const isDirectory = record.type === EntryType.Directory
    if (isDirectory && (record.mode & 0o1000) !== 0) continue
    const severe = SYSTEM_TREE.test(path) || (!isDirectory && isExecutableMode(record.mode))
    const severity: Severity = severe ? 'high' : worldWritable.severity
    if (open) {
      open.inside++
      if (severity === 'high') open.severity = 'high'
      continue
    }
    const finding = findingOf(worldWritable, locationOf(input.layers, layer, path), `${isDirectory ? 'directory' : 'file'}, ${mode(record)}`, severity)
    findings.push(finding)
    if (isDirectory) open = { path, finding, inside: 0, severity }
  }
  close()
  return findings
}

/**
 * The path up to the first segment in `names` (`/app/.git/objects/x` → `/app/.git`); every
 * name in `names` starts with a dot.
 */
function prefixNamed(path: string, names: ReadonlySet<string>): string | undefined {
  // most paths hold no hidden segment at all
  if (!path.includes('/.')) return undefined
  let prefix = ''
  for (const segment of path.split('/')) {
    if (segment === '') continue
    prefix = `${prefix}/${segment}`
    if (names.has(segment)) return prefix
  }
  return undefined
}

interface Tally {
  layer: number
  files: number
  bytes: number
}

function tally(groups: Map<string, Tally>, key: string, layer: number, size: number): void {
  const group = groups.get(key)
  if (group) {
    group.files++
    group.bytes += size
    group.layer = Math.min(group.layer, layer)
  } else {
    groups.set(key, { layer, files: 1, bytes: size })
  }
}

/** Files left behind, by name. */
export function checkLeftovers(input: ImageInput): Finding[] {
  const findings: Finding[] = []
  const vcs = new Map<string, Tally>()
  const cloud = new Map<string, Tally>()
  const editors = new Map<string, Tally>()
  for (const { path, record, layer } of input.tree.entries()) {
    if (record.type !== EntryType.File || skipped(path)) continue
    const name = baseName(path)
    if (HISTORY_FILES.has(name) && record.size > 0) findings.push(findingOf(shellHistory, locationOf(input.layers, layer, path), `${record.size} bytes`))
    if (DOTENV.test(name) && !DOTENV_EXAMPLE.test(name) && record.size > 0) findings.push(findingOf(dotenvFile, locationOf(input.layers, layer, path), `${record.size} bytes`))
    if (SHADOW_COPY.test(name) && !SHADOW_TOOL_BACKUPS.has(path)) findings.push(findingOf(shadowCopy, locationOf(input.layers, layer, path), `${record.size} bytes, ${mode(record)}`))
    if (UNNECESSARY_NAMES.test(name)) findings.push(findingOf(unnecessaryFile, locationOf(input.layers, layer, path), name))
    const repository = prefixNamed(path, VCS_DIRS)
    if (repository) tally(vcs, repository, layer, record.size)
    const cloudDir = CLOUD_DIRS.exec(path)
    if (cloudDir) tally(cloud, path.slice(0, cloudDir.index + cloudDir[0].length), layer, record.size)
    const editor = prefixNamed(path, EDITOR_DIRS)
    if (editor) tally(editors, editor, layer, record.size)
  }
  const report = (groups: Map<string, Tally>, rule: Rule, what: (path: string) => string): void => {
    const roots = [...groups.keys()].sort()
    for (const path of roots) {
      // a repository inside another one (a submodule, a vendored checkout) is part of the outer one's finding
      if (roots.some((other) => other !== path && path.startsWith(`${other}/`))) continue
      const group = groups.get(path)!
      findings.push(findingOf(rule, locationOf(input.layers, group.layer, path), `${what(path)}: ${group.files} file${group.files === 1 ? '' : 's'}, ${group.bytes} bytes`))
    }
  }
  report(vcs, vcsMetadata, (path) => `${baseName(path).slice(1)} metadata`)
  report(cloud, cloudCliConfig, (path) => `${path.slice(path.lastIndexOf('/.') + 2)} configuration`)
  report(editors, unnecessaryFile, (path) => `${baseName(path)} directory`)
  for (const { path, layer, value } of visibleFactsOf<ElfFacts>(input, ELF_ANALYZER_ID)) {
    if (value.type === 'CORE' && !skipped(path)) findings.push(findingOf(coreDump, locationOf(input.layers, layer, path), `ELF core file, ${input.tree.get(path)?.record.size ?? 0} bytes`))
  }
  return findings
}
