/**
 * Pushing built images to a registry through the distribution upload API, for tests. This is
 * deliberately independent of the product's registry client.
 *
 * @see https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pushing-blobs
 * @module
 */
import { Agent, request, type Dispatcher } from 'undici'
import { blobsOf, type BuiltImage, type BuiltIndex } from './image-builder.js'
import { authorizationFor, parseChallenge, type RegistryCredentials } from './registry-auth.js'

/** Where to push. */
export interface PushTarget extends RegistryCredentials {
  /** `http://127.0.0.1:PORT` */
  url: string
}

interface Answer {
  status: number
  headers: Record<string, string | string[] | undefined>
  text: string
}

function header(headers: Answer['headers'], name: string): string | undefined {
  const value = headers[name]
  return Array.isArray(value) ? value[0] : value
}

/** Sends requests, answering one 401 challenge per request and reusing the answer afterwards. */
class PushSession {
  #authorization: string | undefined
  readonly #dispatcher: Dispatcher
  readonly #credentials: RegistryCredentials
  readonly #scopes: string[]

  constructor(dispatcher: Dispatcher, credentials: RegistryCredentials, repository: string) {
    this.#dispatcher = dispatcher
    this.#credentials = credentials
    this.#scopes = [`repository:${repository}:pull,push`]
  }

  async send(method: Dispatcher.HttpMethod, url: URL, headers: Record<string, string> = {}, body?: Buffer): Promise<Answer> {
    let answer = await this.#once(method, url, headers, body)
    if (answer.status === 401) {
      const challenge = parseChallenge(answer.headers['www-authenticate'])
      if (!challenge) return answer
      this.#authorization = await authorizationFor(challenge, this.#credentials, this.#scopes, this.#dispatcher)
      answer = await this.#once(method, url, headers, body)
    }
    return answer
  }

  async #once(method: Dispatcher.HttpMethod, url: URL, headers: Record<string, string>, body?: Buffer): Promise<Answer> {
    const response = await request(url, {
      method,
      dispatcher: this.#dispatcher,
      headers: { ...headers, ...(this.#authorization ? { authorization: this.#authorization } : {}) },
      ...(body ? { body } : {}),
    })
    const text = await response.body.text()
    return { status: response.statusCode, headers: response.headers, text }
  }
}

function expect(answer: Answer, statuses: number[], what: string): void {
  if (!statuses.includes(answer.status)) throw new Error(`${what}: HTTP ${answer.status} ${answer.text.slice(0, 500)}`)
}

async function pushBlob(session: PushSession, base: URL, name: string, blob: { digest: string; bytes: Buffer }): Promise<void> {
  const head = await session.send('HEAD', new URL(`/v2/${name}/blobs/${blob.digest}`, base))
  if (head.status === 200) return
  const started = await session.send('POST', new URL(`/v2/${name}/blobs/uploads/`, base), { 'content-length': '0' })
  expect(started, [202], `start upload of ${blob.digest}`)
  const location = header(started.headers, 'location')
  if (!location) throw new Error(`start upload of ${blob.digest}: no Location header`)
  const target = new URL(location, base)
  target.searchParams.append('digest', blob.digest)
  const finished = await session.send(
    'PUT',
    target,
    { 'content-type': 'application/octet-stream', 'content-length': String(blob.bytes.length) },
    blob.bytes,
  )
  expect(finished, [201], `upload of ${blob.digest}`)
}

async function putManifest(session: PushSession, base: URL, name: string, reference: string, manifest: { mediaType: string; digest: string; bytes: Buffer }): Promise<void> {
  const answer = await session.send('PUT', new URL(`/v2/${name}/manifests/${reference}`, base), { 'content-type': manifest.mediaType }, manifest.bytes)
  expect(answer, [201], `put manifest ${name}:${reference}`)
  const digest = header(answer.headers, 'docker-content-digest')
  if (digest !== undefined && digest !== manifest.digest) throw new Error(`registry stored ${name}:${reference} as ${digest}, expected ${manifest.digest}`)
}

/**
 * Pushes an image or an index (with its children and attestations) to `repository` and tags
 * the root with each of `tags` (with no tags it is pushed by digest only). Blobs the registry
 * already has are skipped. Handles Basic and Bearer challenges.
 */
export async function pushImage(registry: PushTarget, repository: string, image: BuiltImage | BuiltIndex, tags: readonly string[]): Promise<{ digest: string }> {
  const base = new URL(registry.url)
  const dispatcher = new Agent({ connections: 4 })
  try {
    const session = new PushSession(dispatcher, registry, repository)
    const contents = blobsOf(image)
    for (const blob of contents.blobs.values()) await pushBlob(session, base, repository, blob)
    for (const manifest of contents.manifests.values()) {
      if (manifest === contents.root) continue
      await putManifest(session, base, repository, manifest.digest, manifest)
    }
    const references = tags.length > 0 ? tags : [contents.root.digest]
    for (const reference of references) await putManifest(session, base, repository, reference, contents.root)
    return { digest: contents.root.digest }
  } finally {
    await dispatcher.close()
  }
}
