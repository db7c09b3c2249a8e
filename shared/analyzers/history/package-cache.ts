/**
 * Package manager caches left in the final image (Dockle DKL-DI-0004/0005, Trivy's
 * `yum clean`/`dnf clean`/`zypper clean`/`apk --no-cache` checks), judged on the files rather
 * than on the commands: the cache is what costs space and carries stale package lists, and a
 * command-only check cannot see that a later step cleaned it. The evidence names the layer
 * that left most of it and the command that built that layer.
 *
 * @module
 */
import { EntryType } from '../../layers/layer-result.js'
import type { Finding } from '../../report/model.js'
import { bytes } from '../../report/format-table.js'
import type { ImageInput } from '../analyzer.js'
import { layerName, locationOf } from '../image-facts.js'
import { defineRule, findingOf } from '../rule.js'
import { parseHistoryCommand } from './instructions.js'

export const packageCacheLeft = defineRule({
  id: 'history-package-cache-left',
  category: 'history',
  severity: 'low',
  title: 'A package manager cache is left in the image',
  description:
    'The final image still holds package lists or downloaded packages (apt lists and archives, the apk, yum, dnf and zypper caches, pip, npm and yarn caches, the Go build cache). They make the image larger, and stale package lists make a later install in a derived image pick old versions.',
  remediation: 'Clean in the same RUN step that installs: `rm -rf /var/lib/apt/lists/*`, `apk add --no-cache`, `yum clean all`, `pip install --no-cache-dir`, `npm cache clean --force`; or use a cache mount (`RUN --mount=type=cache`).',
})

interface Cache {
  name: string
  directory: string
  /** Files that are part of the directory's skeleton, not cache (`lock`, `partial/`). */
  skeleton?: RegExp
}

const CACHES: readonly Cache[] = [
  { name: 'apt package lists', directory: '/var/lib/apt/lists', skeleton: /^(?:lock|partial\/.*|auxfiles\/.*)$/ },
  { name: 'apt package cache', directory: '/var/cache/apt', skeleton: /^(?:archives\/lock|archives\/partial\/.*)$/ },
  { name: 'apk cache', directory: '/var/cache/apk' },
  { name: 'yum cache', directory: '/var/cache/yum' },
  { name: 'dnf cache', directory: '/var/cache/dnf' },
  { name: 'zypper cache', directory: '/var/cache/zypp' },
  { name: 'pip cache', directory: '/root/.cache/pip' },
  { name: 'npm cache', directory: '/root/.npm/_cacache' },
  { name: 'yarn cache', directory: '/usr/local/share/.cache/yarn' },
  { name: 'yarn cache', directory: '/root/.cache/yarn' },
  { name: 'Go build cache', directory: '/root/.cache/go-build' },
]

/** The top directories the caches live under: most files are under none of them. */
const CACHE_ROOTS = ['/var/', '/root/', '/usr/local/share/']

/** Less than this is a stray file, not a cache. */
const MIN_CACHE_BYTES = 16 * 1024

export function checkPackageCaches(input: Pick<ImageInput, 'tree' | 'layers' | 'historyForLayer' | 'config'>): Finding[] {
  const totals = CACHES.map(() => ({ files: 0, bytes: 0, byLayer: new Map<number, number>() }))
  for (const { path, record, layer } of input.tree.entries()) {
    if (record.type !== EntryType.File || !CACHE_ROOTS.some((root) => path.startsWith(root))) continue
    const index = CACHES.findIndex((cache) => path.startsWith(cache.directory) && path[cache.directory.length] === '/')
    if (index < 0) continue
    const cache = CACHES[index]!
    if (cache.skeleton?.test(path.slice(cache.directory.length + 1))) continue
    const total = totals[index]!
    total.files++
    total.bytes += record.size
    total.byLayer.set(layer, (total.byLayer.get(layer) ?? 0) + record.size)
  }
  const findings: Finding[] = []
  CACHES.forEach((cache, index) => {
    const total = totals[index]!
    if (total.bytes < MIN_CACHE_BYTES) return
    const [layer] = [...total.byLayer].sort(([la, a], [lb, b]) => b - a || la - lb)[0]!
    const history = input.historyForLayer[layer]
    const createdBy = history === undefined ? undefined : input.config.history[history]?.createdBy
    const parsed = createdBy === undefined ? undefined : parseHistoryCommand(createdBy)
    const text = parsed === undefined ? '' : parsed.instruction === 'OTHER' ? parsed.args : `${parsed.instruction} ${parsed.args}`
    const command = text === '' ? '' : ` (${text.length > 100 ? `${text.slice(0, 99)}…` : text})`
    findings.push(
      findingOf(packageCacheLeft, locationOf(input.layers, layer, cache.directory), `${cache.name}: ${total.files} files, ${total.bytes} bytes (${bytes(total.bytes)}), mostly from ${layerName(layer)}${command}`)
    )
  })
  return findings
}
