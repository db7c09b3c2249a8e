import { describe, it, expect } from 'vitest'
import { createHash } from 'node:crypto'
import { createServer } from 'node:http'
import { basicAuthorization } from '../support/basic-auth.js'
import { buildImage, buildLayer } from '../support/image-builder.js'
import { listenLocal } from '../support/local-server.js'
import { pushImage } from '../support/registry-push.js'

interface Seen {
  method: string
  url: string
  authorization?: string
  contentType?: string
}

describe('pushImage against a minimal upload server', () => {
  it('follows relative Locations with their query, skips known blobs and answers a Basic challenge', async () => {
    const layer = await buildLayer([{ name: 'f', content: 'f' }], { compression: 'gzip' })
    const image = buildImage({ layers: [layer], format: 'oci' })
    const seen: Seen[] = []
    const stored = new Map<string, Buffer>([[layer.digest, layer.bytes]]) // the layer is already there
    const expected = basicAuthorization('u', 'p')
    const sink = await listenLocal(
      createServer((req, res) => {
        const chunks: Buffer[] = []
        req.on('data', (chunk: Buffer) => chunks.push(chunk))
        req.on('end', () => {
          const url = new URL(req.url ?? '/', 'http://x')
          seen.push({ method: req.method ?? '', url: req.url ?? '', authorization: req.headers.authorization, contentType: req.headers['content-type'] })
          if (req.headers.authorization !== expected) {
            res.writeHead(401, { 'www-authenticate': 'Basic realm="test"' }).end('{"errors":[]}')
            return
          }
          const blob = /^\/v2\/r\/blobs\/(.+)$/.exec(url.pathname)
          if (req.method === 'HEAD' && blob?.[1]) {
            res.writeHead(stored.has(blob[1]) ? 200 : 404).end()
          } else if (req.method === 'POST' && url.pathname === '/v2/r/blobs/uploads/') {
            res.writeHead(202, { location: '/upload/session-1?state=abc' }).end()
          } else if (req.method === 'PUT' && url.pathname === '/upload/session-1') {
            const body = Buffer.concat(chunks)
            const digest = `sha256:${createHash('sha256').update(body).digest('hex')}`
            const ok = url.searchParams.get('state') === 'abc' && url.searchParams.get('digest') === digest
            if (ok) stored.set(digest, body)
            res.writeHead(ok ? 201 : 400).end()
          } else if (req.method === 'PUT' && url.pathname.startsWith('/v2/r/manifests/')) {
            const digest = `sha256:${createHash('sha256').update(Buffer.concat(chunks)).digest('hex')}`
            res.writeHead(201, { 'docker-content-digest': digest }).end()
          } else {
            res.writeHead(404).end()
          }
        })
      }),
    )
    try {
      await expect(pushImage({ url: sink.url, username: 'u', password: 'p' }, 'r', image, ['a', 'b'])).resolves.toEqual({ digest: image.manifest.digest })
    } finally {
      await sink.close()
    }
    expect(stored.has(image.config.digest)).toBe(true)
    const authorized = seen.filter((entry) => entry.authorization === expected)
    expect(authorized.map((entry) => `${entry.method} ${entry.url.replace(/\?.*/, '')}`)).toEqual([
      `HEAD /v2/r/blobs/${image.config.digest}`,
      'POST /v2/r/blobs/uploads/',
      'PUT /upload/session-1',
      `HEAD /v2/r/blobs/${layer.digest}`,
      'PUT /v2/r/manifests/a',
      'PUT /v2/r/manifests/b',
    ])
    expect(authorized.filter((entry) => entry.url.startsWith('/v2/r/manifests/')).map((entry) => entry.contentType)).toEqual([image.manifest.mediaType, image.manifest.mediaType])
  })
})
