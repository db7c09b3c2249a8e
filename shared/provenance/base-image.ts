/**
 * The base image: what the image says it was built `FROM`, whether its layers agree, and a
 * guess from the history when it says nothing.
 *
 * Evidence, strongest first:
 * - `annotation`: the manifest annotations `org.opencontainers.image.base.name` and
 *   `org.opencontainers.image.base.digest` (OCI image-spec pre-defined annotations; set by
 *   Docker's official images and by `docker buildx` with `--annotation`);
 * - `label`: the same keys as config labels (what many build pipelines set);
 * - `layers`: the base's diffIds are the first layers of the image ({@link compareWithBase});
 * - `history`: {@link guessBaseFromHistory}.
 *
 * @see https://github.com/opencontainers/image-spec/blob/main/annotations.md#pre-defined-annotation-keys
 * @module
 */
import type { HistoryEntry } from '../image/config.js'
import { isDigest, type Digest } from '../image/digest.js'

export const BASE_NAME_KEY = 'org.opencontainers.image.base.name'
export const BASE_DIGEST_KEY = 'org.opencontainers.image.base.digest'

/** A base image the image declares. */
export interface DeclaredBase {
  /** As declared, e.g. `docker.io/library/debian:bookworm-slim`. */
  name: string
  /** The base's manifest digest, when declared and well-formed. */
  digest?: Digest
  evidence: 'annotation' | 'label'
}

/**
 * The base image declared by the manifest annotations, else by the config labels. Name and
 * digest are read from the same source; a malformed digest is dropped (the base is then
 * resolved by name).
 *
 * @example declaredBase({ 'org.opencontainers.image.base.name': 'debian:12' }, {}) // { name: 'debian:12', evidence: 'annotation' }
 */
export function declaredBase(annotations: Readonly<Record<string, string>> | undefined, labels: Readonly<Record<string, string>> | undefined): DeclaredBase | undefined {
  for (const [source, evidence] of [
    [annotations, 'annotation'],
    [labels, 'label'],
  ] as const) {
    const name = source?.[BASE_NAME_KEY]?.trim()
    if (!name) continue
    const base: DeclaredBase = { name, evidence }
    const digest = source?.[BASE_DIGEST_KEY]?.trim()
    if (digest && isDigest(digest)) base.digest = digest
    return base
  }
  return undefined
}

export interface BaseComparison {
  /** True when every diffId of the base is, in order, one of the image's first layers. */
  confirmed: boolean
  /** The number of leading layers the two have in common. */
  sharedLayers: number
}

/**
 * Checks a base against the image: the image was built `FROM` the base only if the base's
 * diffIds are a prefix of the image's. A base without layers confirms nothing (`false`).
 *
 * @example compareWithBase(['a', 'b', 'c'], ['a', 'b']) // { confirmed: true, sharedLayers: 2 }
 */
export function compareWithBase(imageDiffIds: readonly string[], baseDiffIds: readonly string[]): BaseComparison {
  const sharedLayers = commonPrefixLength(imageDiffIds, baseDiffIds)
  return { confirmed: baseDiffIds.length > 0 && sharedLayers === baseDiffIds.length, sharedLayers }
}

/** The number of leading elements two lists share. */
export function commonPrefixLength(a: readonly string[], b: readonly string[]): number {
  let n = 0
  while (n < a.length && n < b.length && a[n] === b[n]) n++
  return n
}

const DOCKERFILE_INSTRUCTIONS = new Set([
  'ADD',
  'ARG',
  'CMD',
  'COPY',
  'ENTRYPOINT',
  'ENV',
  'EXPOSE',
  'HEALTHCHECK',
  'LABEL',
  'MAINTAINER',
  'ONBUILD',
  'RUN',
  'SHELL',
  'STOPSIGNAL',
  'USER',
  'VOLUME',
  'WORKDIR',
])

/**
 * The Dockerfile instruction a history entry's `created_by` records, as the classic builder
 * (`/bin/sh -c #(nop)  CMD ["bash"]`, `/bin/sh -c apt-get …` for RUN, `|2 A=1 B=2 /bin/sh -c …`
 * for RUN with build args, `cmd /S /C …` on Windows) and BuildKit (`CMD ["bash"]`,
 * `RUN /bin/sh -c … # buildkit`, `COPY . /app # buildkit`) write it; undefined for entries
 * written by other tools (`# debian.sh …`, `bazel build …`, `apko`).
 */
export function instructionOf(createdBy: string | undefined): string | undefined {
  const text = createdBy?.trim() ?? ''
  const nop = text.indexOf('#(nop)')
  if (nop !== -1) {
    const word = /^[A-Za-z]+/.exec(text.slice(nop + 6).trim())?.[0]?.toUpperCase()
    return word && DOCKERFILE_INSTRUCTIONS.has(word) ? word : undefined
  }
  if (/^(?:\/bin\/sh -c |\|\d+ |cmd \/S \/C |powershell )/.test(text)) return 'RUN'
  const word = /^[A-Z]+(?=\s|$)/.exec(text)?.[0]
  return word && DOCKERFILE_INSTRUCTIONS.has(word) ? word : undefined
}

/** Where the history says the base ends. */
export interface HistoryBaseGuess {
  /** Index in the history of the base's last entry (its closing `CMD` or `ENTRYPOINT`). */
  lastBaseEntry: number
  /** How many layers the base contributes: the non-empty entries up to `lastBaseEntry`. */
  baseLayers: number
  instruction: 'CMD' | 'ENTRYPOINT'
}

/**
 * Guesses where the base image's history ends, with the heuristic Trivy uses to tell base
 * layers from the user's. A base image's Dockerfile almost always ends with metadata-only
 * instructions such as `CMD ["bash"]`, recorded as `empty_layer` entries, and the user's
 * Dockerfile then adds layers on top. So, walking the history from the newest entry:
 *
 * 1. skip the trailing `empty_layer` entries (the user's own closing `CMD`, `ENTRYPOINT`,
 *    `EXPOSE`…), which must be followed, going back, by at least one entry with a layer;
 * 2. from there, the first `empty_layer` entry whose instruction is `CMD` or `ENTRYPOINT` is
 *    the base's last entry;
 * 3. the base's layers are the non-empty entries up to and including it; there must be one.
 *
 * Undefined when there is no such entry: a `FROM scratch` image, a history with no empty
 * entries (flattened images, some non-Dockerfile builders), an image that adds no layer of
 * its own, or a base that ends without CMD/ENTRYPOINT. Multi-stage builds are handled,
 * since only the final stage's history is kept. It is wrong when the user's Dockerfile
 * itself has a `CMD`/`ENTRYPOINT` between two layer-creating instructions (the base then
 * appears to extend to it); hence the weakest evidence, `history`.
 *
 * @example guessBaseFromHistory([{createdBy:'# debian.sh …',emptyLayer:false},{createdBy:'CMD ["bash"]',emptyLayer:true},{createdBy:'RUN … # buildkit',emptyLayer:false}])
 *   // { lastBaseEntry: 1, baseLayers: 1, instruction: 'CMD' }
 */
export function guessBaseFromHistory(history: readonly HistoryEntry[]): HistoryBaseGuess | undefined {
  let i = history.length - 1
  while (i >= 0 && history[i]!.emptyLayer) i--
  for (i--; i >= 0; i--) {
    const entry = history[i]!
    if (!entry.emptyLayer) continue
    const instruction = instructionOf(entry.createdBy)
    if (instruction !== 'CMD' && instruction !== 'ENTRYPOINT') continue
    const baseLayers = history.slice(0, i + 1).filter((e) => !e.emptyLayer).length
    return baseLayers > 0 ? { lastBaseEntry: i, baseLayers, instruction } : undefined
  }
  return undefined
}

/**
 * The diffIds of the base's layers per {@link guessBaseFromHistory}; undefined when there is
 * no guess or the history claims more layers than the image has.
 */
export function baseLayersFromHistory(history: readonly HistoryEntry[], diffIds: readonly Digest[]): Digest[] | undefined {
  const guess = guessBaseFromHistory(history)
  if (!guess || guess.baseLayers > diffIds.length) return undefined
  return diffIds.slice(0, guess.baseLayers)
}
