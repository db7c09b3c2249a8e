/**
 * The image's package inventory, assembled from what the package analyzers recorded per
 * layer and file:
 *
 * - Only databases and metadata files visible in the final filesystem count: a package whose
 *   `status` stanza or `package.json` a later layer deleted or replaced is not installed.
 * - A package's `layer` is the first layer from which its name and version are present to the
 *   end: walking back from the final database through every layer that rewrote it, as long as
 *   each rewrite still lists the same name and version. Reinstalling a package after removing
 *   it attributes it to the reinstalling layer; a `chown -R` that rewrites the database
 *   without changing it does not move anything.
 * - Files are owned when a visible dpkg `info/*.list`, the apk database or the rpm database
 *   lists them. Debian's merged `/usr` is honoured: a file listed as `/bin/ls` owns `/usr/bin/ls`.
 * - The result is sorted (type, name, version, path, purl): the same image gives the same list.
 *
 * @module
 */
import type { OsPackageFacts } from '../analyzers/packages/os-packages-analyzer.js'
import { OS_PACKAGES_ANALYZER_ID } from '../analyzers/packages/os-packages-analyzer.js'
import { LANG_PACKAGES_ANALYZER_ID } from '../analyzers/packages/lang-packages-analyzer.js'
import type { PackageView } from '../analyzers/analyzer.js'
import { EntryType, type LayerResult } from '../layers/layer-result.js'
import type { SquashedTree } from '../layers/squash.js'
import type { Package, ReportOs } from '../report/model.js'
import type { LangPackage } from './lang/lang-package.js'
import { apkPurl, debPurl, formatPurl, rpmPurl, type PurlDistro } from './purl.js'

/** Directories Debian and Fedora merged into `/usr`: `/bin/ls` and `/usr/bin/ls` are one file. */
const MERGED_USR = ['/bin/', '/sbin/', '/lib/', '/lib32/', '/lib64/', '/libx32/']

/** A package as one database file lists it, before attribution. */
interface Listed {
  key: string
  pkg: Omit<Package, 'layer'>
  /** dpkg: the candidate `info/*.list` paths of the package's file list, most specific first. */
  fileLists?: string[]
}

/** What the package analyzers recorded for one path in one layer. */
interface PathFacts {
  /** Package keys listed at this path in each layer that wrote it (`undefined`: wrote it, listed none). */
  byLayer: Map<number, Set<string> | undefined>
}

export interface Inventory {
  packages: Package[]
  view: PackageView
}

/** Builds the inventory from per-layer facts and the squashed tree. */
export function buildInventory(layers: readonly LayerResult[], tree: SquashedTree, os: ReportOs | null): Inventory {
  const distro: PurlDistro | undefined = os ? { id: os.family, versionId: os.version } : undefined
  const paths = new Map<string, PathFacts>()
  const listedAt = new Map<string, Map<number, Listed[]>>()
  const dpkgFiles = new Map<string, string[]>()
  const licences = new Map<string, string[]>()

  const record = (path: string, layer: number, listed: Listed[]): void => {
    let facts = paths.get(path)
    if (!facts) paths.set(path, (facts = { byLayer: new Map() }))
    facts.byLayer.set(layer, new Set(listed.map((l) => l.key)))
    let perLayer = listedAt.get(path)
    if (!perLayer) listedAt.set(path, (perLayer = new Map()))
    perLayer.set(layer, listed)
  }

  layers.forEach((layer, index) => {
    for (const fact of layer.analyses[OS_PACKAGES_ANALYZER_ID]?.facts ?? []) {
      const value = fact.value as unknown as OsPackageFacts
      switch (value.kind) {
        case 'dpkg':
          record(fact.path, index, value.packages.map((p) => listedDeb(p, distro)))
          break
        case 'apk':
          record(fact.path, index, value.packages.map((p) => listedApk(p, distro)))
          break
        case 'rpm':
          record(fact.path, index, value.packages.map((p) => listedRpm(p, distro)))
          break
        case 'dpkg-files':
          if (isVisible(tree, fact.path, index)) dpkgFiles.set(fact.path, value.files)
          break
        case 'dpkg-copyright':
          if (isVisible(tree, fact.path, index)) licences.set(fact.path, value.licenses)
          break
      }
    }
    for (const fact of layer.analyses[LANG_PACKAGES_ANALYZER_ID]?.facts ?? []) {
      const value = fact.value as unknown as { packages: LangPackage[] }
      record(fact.path, index, value.packages.map(listedLang))
    }
  })
  // A layer that rewrote or deleted a database path without a fact (unreadable, or gone) breaks the run.
  if (paths.size > 0) {
    layers.forEach((layer, index) => {
      for (const entry of layer.entries) {
        const facts = paths.get(entry.path)
        if (facts && !facts.byLayer.has(index)) facts.byLayer.set(index, undefined)
      }
    })
  }

  const packages: Package[] = []
  const seen = new Set<string>()
  const owned = new Set<string>()
  let tracksFiles = false
  for (const [path, perLayer] of listedAt) {
    const visible = tree.get(path)
    if (!visible || visible.record.type !== EntryType.File) continue
    const listed = perLayer.get(visible.layer)
    if (!listed) continue
    const history = [...paths.get(path)!.byLayer.entries()].sort(([a], [b]) => b - a)
    for (const { key, pkg, fileLists } of listed) {
      const unique = `${key}\u0000${pkg.path ?? ''}`
      if (seen.has(unique)) continue
      seen.add(unique)
      const first = firstLayer(history, visible.layer, key)
      const complete: Package = { ...pkg, layer: layers[first]!.diffId }
      if (fileLists) {
        const files = fileLists.map((list) => dpkgFiles.get(list)).find((found) => found !== undefined)
        if (files) complete.files = files
        const declared = licencesFor(tree, licences, pkg.name)
        if (declared) complete.licenses = declared
      }
      if (complete.files) {
        tracksFiles = true
        complete.files = complete.files.filter((file) => file !== '/.' && !tree.isDirectory(file))
        for (const file of complete.files) owned.add(file)
      }
      packages.push(complete)
    }
  }
  packages.sort(comparePackages)
  for (const pkg of packages) {
    if (pkg.files?.length === 0) delete pkg.files
  }

  return {
    packages,
    view: {
      list: packages,
      tracksFiles,
      owns(path) {
        if (owned.has(path)) return true
        if (path.startsWith('/usr/')) {
          const unmerged = path.slice(4)
          return MERGED_USR.some((prefix) => unmerged.startsWith(prefix)) && owned.has(unmerged)
        }
        return MERGED_USR.some((prefix) => path.startsWith(prefix)) && owned.has(`/usr${path}`)
      },
    },
  }
}

/** True when the file at `path` in the final image is the one `layer` wrote. */
function isVisible(tree: SquashedTree, path: string, layer: number): boolean {
  const entry = tree.get(path)
  return entry !== undefined && entry.layer === layer && entry.record.type === EntryType.File
}

/**
 * Walks back from the visible layer through each earlier layer that wrote the same path;
 * the package's layer is the earliest of the unbroken run that still lists it.
 */
function firstLayer(history: Array<[number, Set<string> | undefined]>, visibleLayer: number, key: string): number {
  let first = visibleLayer
  for (const [layer, keys] of history) {
    if (layer >= visibleLayer) continue
    if (!keys?.has(key)) break
    first = layer
  }
  return first
}

function listedDeb(
  p: Extract<OsPackageFacts, { kind: 'dpkg' }>['packages'][number],
  distro: PurlDistro | undefined
): Listed {
  const pkg: Omit<Package, 'layer'> = {
    type: 'deb',
    name: p.name,
    version: p.version,
    purl: debPurl(p, distro),
    source: p.source,
    ...(p.sourceVersion !== p.version ? { sourceVersion: p.sourceVersion } : {}),
  }
  // A Multi-Arch: same package may be installed once per architecture, each with its own list.
  const fileLists = [...(p.architecture ? [`/var/lib/dpkg/info/${p.name}:${p.architecture}.list`] : []), `/var/lib/dpkg/info/${p.name}.list`]
  return { key: `deb/${p.name}:${p.architecture ?? ''}@${p.version}`, pkg, fileLists }
}

function listedApk(p: Extract<OsPackageFacts, { kind: 'apk' }>['packages'][number], distro: PurlDistro | undefined): Listed {
  return {
    key: `apk/${p.name}:${p.architecture ?? ''}@${p.version}`,
    pkg: {
      type: 'apk',
      name: p.name,
      version: p.version,
      purl: apkPurl(p, distro),
      ...(p.origin ? { source: p.origin } : {}),
      ...(p.license ? { licenses: [p.license] } : {}),
      ...(p.files.length > 0 ? { files: p.files } : {}),
    },
  }
}

function listedRpm(p: Extract<OsPackageFacts, { kind: 'rpm' }>['packages'][number], distro: PurlDistro | undefined): Listed {
  const version = `${p.epoch ? `${p.epoch}:` : ''}${p.version}-${p.release}`
  const source = p.sourceRpm ? sourceRpmName(p.sourceRpm) : undefined
  return {
    key: `rpm/${p.name}:${p.arch ?? ''}@${version}`,
    pkg: {
      type: 'rpm',
      name: p.name,
      version,
      purl: rpmPurl(p, distro),
      ...(source ? { source } : {}),
      ...(p.license ? { licenses: [p.license] } : {}),
      ...(p.files.length > 0 ? { files: p.files } : {}),
    },
  }
}

/** `openssl-3.0.7-27.el9.src.rpm` → `openssl`: strip `.src.rpm`, then the release and the version. */
export function sourceRpmName(file: string): string | undefined {
  const stem = file.replace(/\.(src|nosrc)\.rpm$/, '')
  const parts = stem.split('-')
  return parts.length >= 3 ? parts.slice(0, -2).join('-') : undefined
}

function listedLang(p: LangPackage): Listed {
  return {
    key: `${p.ecosystem}/${p.namespace ?? ''}/${p.name}@${p.version}`,
    pkg: {
      type: p.ecosystem,
      name: p.namespace ? `${p.namespace}/${p.name}` : p.name,
      version: p.version,
      purl: formatPurl(p.purl),
      ...(p.licenses ? { licenses: p.licenses } : {}),
      path: p.path,
    },
  }
}

/** The licences in `/usr/share/doc/<name>/copyright`, following a symlinked doc directory. */
function licencesFor(tree: SquashedTree, licences: Map<string, string[]>, name: string): string[] | undefined {
  const path = `/usr/share/doc/${name}/copyright`
  const direct = licences.get(path)
  if (direct) return direct
  const resolved = tree.resolve(path)
  return resolved ? licences.get(resolved.path) : undefined
}

function comparePackages(a: Package, b: Package): number {
  return cmp(a.type, b.type) || cmp(a.name, b.name) || cmp(a.version, b.version) || cmp(a.path ?? '', b.path ?? '') || cmp(a.purl, b.purl)
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
