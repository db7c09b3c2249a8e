/**
 * Child process of the crash test (run with `node --import tsx crash-child.ts DIR COUNT PAUSE_MS`):
 * opens the queue in DIR and enqueues COUNT requests one by one, printing each request's
 * `requestId` on its own line once its `enqueue` has resolved, pausing PAUSE_MS between them.
 * The test SIGKILLs it part-way. (Stdout is a pipe: writes are synchronous on Linux, so a
 * printed line has left the process before the next enqueue starts.)
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { DurableQueue } from '../../../../functions/local/queue/durable-queue.js'
import { createScanRequest, ScanSource } from '../../../../shared/scan/scan-request.js'

const [dir, countText = '50', pauseText = '10'] = process.argv.slice(2)
if (!dir) throw new Error('usage: crash-child.ts DIR [COUNT] [PAUSE_MS]')

const queue = await DurableQueue.open(dir)
for (let n = 0; n < Number(countText); n++) {
  const requestId = `crash-${n}`
  await queue.enqueue([
    createScanRequest({
      registry: 'registry.example.com',
      repository: 'crash/test',
      tag: `t${n}`,
      source: ScanSource.Manual,
      receivedAt: new Date().toISOString(),
      requestId,
    }),
  ])
  process.stdout.write(`${requestId}\n`)
  await sleep(Number(pauseText))
}
await queue.close()
process.stdout.write('done\n')
