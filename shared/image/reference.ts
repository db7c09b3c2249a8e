/**
 * Image references (`nginx`, `ghcr.io/org/app:1.2`, `127.0.0.1:5000/team/app@sha256:…`):
 * the distribution reference grammar and Docker's normalisation rules.
 *
 * ```
 * reference      := name [ ":" tag ] [ "@" digest ]
 * name           := [domain '/'] remote-name
 * domain         := host [':' port-number]
 * remote-name    := path-component ['/' path-component]*
 * path-component := alpha-numeric [separator alpha-numeric]*
 * separator      := /[_.]|__|[-]+/
 * tag            := /[\w][\w.-]{0,127}/
 * ```
 *
 * Normalisation: a first path component is a registry host only when it contains `.` or
 * `:`, is `localhost`, or has upper-case letters; otherwise the registry is Docker Hub
 * (`docker.io`, whose API host is `registry-1.docker.io`; `index.docker.io` is an alias),
 * and a one-component Docker Hub name gets `library/`. Without tag or digest, the tag is
 * `latest`. When both a tag and a digest are given the digest is what gets fetched.
 *
 * @see https://github.com/distribution/reference/blob/main/reference.go
 * @module
 */
import { ErrorCode, InputError } from '../errors.js'
import { parseDigest, type Digest } from './digest.js'

export const DOCKER_HUB = 'docker.io'
export const DOCKER_HUB_API_HOST = 'registry-1.docker.io'
const DOCKER_HUB_ALIASES = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io', 'registry.hub.docker.com'])
export const OFFICIAL_NAMESPACE = 'library'
export const DEFAULT_TAG = 'latest'
export const MAX_NAME_LENGTH = 255

export interface ImageRef {
  /** Normalised registry: `docker.io` for Docker Hub, otherwise `host[:port]` in lower case. */
  registry: string
  /** Repository path inside the registry, e.g. `library/nginx`. */
  repository: string
  /** The tag, when one was given or defaulted. */
  tag?: string
  /** The digest, when one was given; it wins over the tag for fetching. */
  digest?: Digest
}

const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])'
const IPV6 = '\\[(?:[a-fA-F0-9:]+)\\]'
const HOST = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|${IPV6})`
const DOMAIN_PATTERN = new RegExp(`^${HOST}(?::[0-9]+)?$`)
const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*'
const REMOTE_NAME_PATTERN = new RegExp(`^${PATH_COMPONENT}(?:/${PATH_COMPONENT})*$`)
const TAG_PATTERN = /^[\w][\w.-]{0,127}$/
const HEX64 = /^[a-f0-9]{64}$/

function invalid(input: string, why: string): InputError {
  return new InputError(ErrorCode.ReferenceInvalid, `invalid image reference "${input}": ${why}`)
}

/**
 * Parses and normalises an image reference.
 *
 * @example parseReference('nginx') // { registry: 'docker.io', repository: 'library/nginx', tag: 'latest' }
 * @example parseReference('localhost:5000/app@sha256:…') // { registry: 'localhost:5000', repository: 'app', digest: 'sha256:…' }
 */
export function parseReference(input: string): ImageRef {
  if (input.length === 0) throw invalid(input, 'empty')
  if (input !== input.trim()) throw invalid(input, 'surrounding whitespace')
  if (HEX64.test(input)) throw invalid(input, 'a bare 64-character hex string is an image ID, not a name')

  let rest = input
  let digest: Digest | undefined
  const at = rest.indexOf('@')
  if (at !== -1) {
    try {
      digest = parseDigest(rest.slice(at + 1))
    } catch (error) {
      throw invalid(input, (error as Error).message)
    }
    rest = rest.slice(0, at)
  }

  let tag: string | undefined
  const colon = rest.lastIndexOf(':')
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1)
    rest = rest.slice(0, colon)
    if (!TAG_PATTERN.test(tag)) throw invalid(input, `tag "${tag}" is not valid`)
  }

  const { registry, repository } = splitName(rest, input)
  if (registry.length + 1 + repository.length > MAX_NAME_LENGTH) {
    throw invalid(input, `name is longer than ${MAX_NAME_LENGTH} characters`)
  }
  const ref: ImageRef = { registry, repository }
  if (tag !== undefined) ref.tag = tag
  if (digest !== undefined) ref.digest = digest
  if (tag === undefined && digest === undefined) ref.tag = DEFAULT_TAG
  return ref
}

function splitName(name: string, input: string): { registry: string; repository: string } {
  if (name.length === 0) throw invalid(input, 'empty name')
  const slash = name.indexOf('/')
  const first = slash === -1 ? '' : name.slice(0, slash)
  const isDomain =
    slash !== -1 && (first.includes('.') || first.includes(':') || first === 'localhost' || first !== first.toLowerCase())
  let registry = DOCKER_HUB
  let repository = name
  if (isDomain) {
    if (!DOMAIN_PATTERN.test(first)) throw invalid(input, `registry "${first}" is not a valid host[:port]`)
    registry = normaliseRegistry(first)
    repository = name.slice(slash + 1)
  }
  if (repository !== repository.toLowerCase()) throw invalid(input, 'repository name must be lower case')
  if (!REMOTE_NAME_PATTERN.test(repository)) throw invalid(input, `repository "${repository}" is not valid`)
  if (registry === DOCKER_HUB && !repository.includes('/')) repository = `${OFFICIAL_NAMESPACE}/${repository}`
  return { registry, repository }
}

/** Lower-cases a registry host and folds Docker Hub's aliases into `docker.io`. */
export function normaliseRegistry(registry: string): string {
  const lower = registry.toLowerCase()
  return DOCKER_HUB_ALIASES.has(lower) ? DOCKER_HUB : lower
}

/** The host the registry API answers on (`docker.io` → `registry-1.docker.io`). */
export function registryApiHost(registry: string): string {
  return registry === DOCKER_HUB ? DOCKER_HUB_API_HOST : registry
}

/** What to put after `/manifests/`: the digest when there is one, else the tag. */
export function manifestReference(ref: ImageRef): string {
  return ref.digest ?? ref.tag ?? DEFAULT_TAG
}

/** The fully qualified form: `docker.io/library/nginx:latest`, `host:5000/app@sha256:…`. */
export function formatReference(ref: ImageRef): string {
  let out = `${ref.registry}/${ref.repository}`
  if (ref.tag) out += `:${ref.tag}`
  if (ref.digest) out += `@${ref.digest}`
  return out
}
