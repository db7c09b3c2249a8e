/**
 * UndiciDownloader against a loopback HTTP server: bodies, redirects, status codes, size
 * limits; and an import from an http URL of an OSV-style all.zip.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { join } from 'node:path'
import { Agent } from 'undici'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FsObjectStore } from '../../../functions/local/store/fs-object-store.js'
import { UndiciDownloader } from '../../../functions/runtime/undici-downloader.js'
import { ErrorCode } from '../../../shared/errors.js'
import { fixedClock } from '../../../shared/ports/clock.js'
import { silentLogger } from '../../../shared/ports/logger.js'
import { importSources } from '../../../shared/vulns/import/import-sources.js'
import { ObjectVulnIndexStore } from '../../../shared/vulns/object-vuln-index-store.js'
import { lookup } from '../../../shared/vulns/vuln-index.js'
import { listenLocal, type LocalServer } from '../../support/local-server.js'
import { makeTempDir, removeDir } from '../../support/temp-dir.js'
import { buildZip } from '../../shared/zip/zip-writer.js'

const RECORD = {
  schema_version: '1.6.0',
  id: 'GHSA-2099-aaaa-bbbb',
  modified: '2099-01-01T00:00:00Z',
  aliases: ['CVE-2099-7001'],
  affected: [{ package: { ecosystem: 'npm', name: 'acme-url' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '1.4.2' }] }] }],
}
const ZIP = buildZip([{ name: `${RECORD.id}.json`, data: JSON.stringify(RECORD) }])

let server: LocalServer
let agent: Agent
const seen: string[] = []

function route(request: IncomingMessage, response: ServerResponse): void {
  seen.push(request.url ?? '')
  switch (request.url) {
    case '/npm/all.zip':
      response.writeHead(200, { 'content-type': 'application/zip', 'content-length': ZIP.length })
      response.end(ZIP)
      return
    case '/chunked.zip':
      // no Content-Length: the limit is enforced while the body streams
      response.writeHead(200, { 'content-type': 'application/zip' })
      response.write(ZIP.subarray(0, 10))
      response.end(ZIP.subarray(10))
      return
    case '/moved':
      response.writeHead(302, { location: '/npm/all.zip' })
      response.end()
      return
    case '/loop':
      response.writeHead(301, { location: '/loop' })
      response.end()
      return
    case '/gone':
      response.writeHead(410)
      response.end()
      return
    case '/busy':
      response.writeHead(503, { 'retry-after': '1' })
      response.end('try later')
      return
    case '/forbidden':
      response.writeHead(403)
      response.end()
      return
    case '/page':
      response.writeHead(200, { 'content-type': 'text/html' })
      response.end('<html>not a zip</html>')
      return
    default:
      response.writeHead(404)
      response.end()
  }
}

beforeAll(async () => {
  server = await listenLocal(createServer(route))
  agent = new Agent()
})

afterAll(async () => {
  await agent.close()
  await server.close()
})

describe('UndiciDownloader', () => {
  const downloader = () => new UndiciDownloader({ dispatcher: agent })

  it('returns the body, following redirects', async () => {
    await expect(downloader().download(`${server.url}/npm/all.zip`, { maxBytes: 1 << 20 })).resolves.toEqual(ZIP)
    await expect(downloader().download(`${server.url}/moved`, { maxBytes: 1 << 20 })).resolves.toEqual(ZIP)
  })

  it.each([
    ['/nothing', ErrorCode.VulnSourceNotFound, false],
    ['/gone', ErrorCode.VulnSourceNotFound, false],
    ['/busy', ErrorCode.VulnSourceUnavailable, true],
    ['/forbidden', ErrorCode.VulnSourceUnavailable, false],
    ['/loop', ErrorCode.VulnSourceUnavailable, false],
  ])('answers %s with %s (temporary: %s)', async (path, code, temporary) => {
    await expect(downloader().download(`${server.url}${path}`, { maxBytes: 1 << 20 })).rejects.toMatchObject({ name: 'VulnSourceError', code, temporary })
  })

  it('refuses a body over the limit, declared or streamed', async () => {
    await expect(downloader().download(`${server.url}/npm/all.zip`, { maxBytes: ZIP.length - 1 })).rejects.toMatchObject({ code: ErrorCode.VulnSourceTooLarge })
    await expect(downloader().download(`${server.url}/chunked.zip`, { maxBytes: ZIP.length - 1 })).rejects.toMatchObject({ code: ErrorCode.VulnSourceTooLarge })
    await expect(downloader().download(`${server.url}/chunked.zip`, { maxBytes: ZIP.length })).resolves.toEqual(ZIP)
  })

  it('reports an unreachable host as a temporary failure', async () => {
    const closed = await listenLocal(createServer(route))
    await closed.close()
    await expect(downloader().download(`${closed.url}/npm/all.zip`, { maxBytes: 1 << 20 })).rejects.toMatchObject({ code: ErrorCode.VulnSourceUnavailable, temporary: true })
  })
})

describe('importing from an http URL', () => {
  it('imports the records of an all.zip, and refuses an answer that is not a zip', async () => {
    // Prepare
    const dir = await makeTempDir('vulndb-url')
    try {
      const store = new ObjectVulnIndexStore(new FsObjectStore(join(dir, 'store')))
      const deps = { store, downloader: new UndiciDownloader({ dispatcher: agent }), clock: fixedClock('2099-03-01T00:00:00Z'), logger: silentLogger }
      // Act
      const result = await importSources([`${server.url}/npm/all.zip`], deps)
      const notZip = await importSources([`${server.url}/page`], deps).catch((e: unknown) => e)
      // Assess
      expect(result.sources).toEqual([{ source: `${server.url}/npm/all.zip`, records: 1, added: 1, updated: 0, unchanged: 0, invalid: 0 }])
      expect(lookup((await store.load())!.index, 'npm', null, 'acme-url').map((c) => c.id)).toEqual([RECORD.id])
      expect(notZip).toMatchObject({ code: ErrorCode.VulnSourceInvalid })
    } finally {
      await removeDir(dir)
    }
  })
})
