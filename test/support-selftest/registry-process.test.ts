import { describe, it, expect } from 'vitest'
import { access } from 'node:fs/promises'
import { createServer, type IncomingHttpHeaders } from 'node:http'
import { setTimeout as sleep } from 'node:timers/promises'
import { request } from 'undici'
import { buildImage, buildLayer } from '../support/image-builder.js'
import { listenLocal } from '../support/local-server.js'
import { pushImage } from '../support/registry-push.js'
import { startRegistry } from '../support/registry-process.js'

interface Delivery {
  headers: IncomingHttpHeaders
  body: { events: Array<{ action: string; target: { digest?: string; tag?: string; references?: unknown[] } }> }
}

describe('startRegistry', () => {
  it('delivers push notifications with the configured Authorization, and stop() cleans up', async () => {
    const deliveries: Delivery[] = []
    const sink = await listenLocal(
      createServer((req, res) => {
        const chunks: Buffer[] = []
        req.on('data', (chunk: Buffer) => chunks.push(chunk))
        req.on('end', () => {
          deliveries.push({ headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString() || '{"events":[]}') as Delivery['body'] })
          res.end('ok')
        })
      }),
    )
    const registry = await startRegistry({ auth: 'none', notificationsUrl: `${sink.url}/hook`, notificationsAuthorization: 'Bearer hook-secret' })
    try {
      const layer = await buildLayer([{ name: 'hello', content: 'hi' }], { compression: 'gzip' })
      const image = buildImage({ layers: [layer], format: 'oci' })
      await pushImage(registry, 'notify/app', image, ['v1'])
      const tagged = async () => deliveries.find((delivery) => delivery.body.events.some((event) => event.action === 'push' && event.target.tag === 'v1'))
      for (let i = 0; i < 100 && !(await tagged()); i += 1) await sleep(50)
      const delivery = await tagged()
      expect(delivery?.headers.authorization).toBe('Bearer hook-secret')
      expect(delivery?.headers['content-type']).toBe('application/vnd.docker.distribution.events.v1+json')
      const event = delivery?.body.events.find((candidate) => candidate.target.tag === 'v1')
      expect(event?.target.digest).toBe(image.manifest.digest)
      expect(event?.target.references).toHaveLength(2)
      expect(deliveries.flatMap((d) => d.body.events).every((e) => e.action !== 'pull')).toBe(true)
    } finally {
      await registry.stop()
      await sink.close()
    }
    await expect(access(registry.dataDir)).rejects.toThrow(/ENOENT/)
    await expect(request(`${registry.url}/v2/`)).rejects.toThrow()
  })
})
