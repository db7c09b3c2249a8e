import { afterEach, describe, expect, it } from 'vitest'
import { FsObjectStore } from '../../../functions/local/store/fs-object-store.js'
import type { ObjectStore } from '../../../shared/ports/object-store.js'
import type { Report } from '../../../shared/report/model.js'
import { MAX_REPORT_HISTORY, reportHistoryKey, reportHistoryPrefix, ReportStore } from '../../../shared/report/report-store.js'
import { MemoryObjectStore } from '../../support/memory-stores.js'
import { makeTempDir, removeDir } from '../../support/temp-dir.js'

const DIGEST = `sha256:${'ab'.repeat(32)}`
const dirs: string[] = []

afterEach(async () => {
  await Promise.all(dirs.splice(0).map(removeDir))
})

/** Only what the store reads of a report: its digest; `generation` tells versions apart. */
function report(generation: number): Report {
  return { kind: 'image', subject: { digest: DIGEST }, generation } as unknown as Report
}

const stores: Array<[string, () => Promise<ObjectStore>]> = [
  ['in memory', async () => new MemoryObjectStore()],
  [
    'on the filesystem',
    async () => {
      const dir = await makeTempDir('report-store')
      dirs.push(dir)
      return new FsObjectStore(dir)
    },
  ],
]

describe.each(stores)('ReportStore %s', (_name, makeStore) => {
  it(`keeps the newest ${MAX_REPORT_HISTORY} earlier versions of a report and deletes the older ones`, async () => {
    const objects = await makeStore()
    const reports = new ReportStore(objects)
    await reports.putReport(report(0))
    const total = MAX_REPORT_HISTORY + 3
    const times: string[] = []
    for (let generation = 1; generation <= total; generation++) {
      const current = (await reports.getVersionedReport(DIGEST))!
      const at = new Date(Date.UTC(2026, 0, 1) + generation * 86_400_000).toISOString()
      times.push(at)
      expect(await reports.replaceReport(report(generation), current, { keepPreviousAt: at })).toBe(true)
    }
    const kept = await reports.historyKeys(DIGEST)
    expect(kept).toEqual(times.slice(-MAX_REPORT_HISTORY).map((at) => reportHistoryKey(DIGEST, at)))
    // the newest copy is the version the last replace overwrote; the oldest kept is generation 3
    const newest = await objects.get(kept.at(-1)!)
    expect(JSON.parse(newest!.bytes.toString('utf8'))).toMatchObject({ generation: total - 1 })
    const oldest = await objects.get(kept[0]!)
    expect(JSON.parse(oldest!.bytes.toString('utf8'))).toMatchObject({ generation: total - MAX_REPORT_HISTORY })
    expect(await reports.getReport(DIGEST)).toMatchObject({ generation: total })
    // nothing else under the report's history prefix
    const listed: string[] = []
    for await (const key of objects.list(reportHistoryPrefix(DIGEST))) listed.push(key)
    expect(listed.sort()).toEqual(kept)
  })

  it('writes no history copy, and deletes nothing, when not asked to keep the previous version', async () => {
    const objects = await makeStore()
    const reports = new ReportStore(objects)
    await reports.putReport(report(0))
    expect(await reports.replaceReport(report(1), (await reports.getVersionedReport(DIGEST))!)).toBe(true)
    expect(await reports.historyKeys(DIGEST)).toEqual([])
    expect(await reports.getReport(DIGEST)).toMatchObject({ generation: 1 })
  })
})
