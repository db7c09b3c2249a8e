/**
 * The progress line on stderr while a scan runs on a terminal: layer, bytes, rate.
 *
 * @module
 */
import type { Writable } from 'node:stream'
import type { ScanProgressEvent } from '../../shared/scan/progress.js'
import { bytes } from '../../shared/report/format-table.js'

const REDRAW_MS = 100

export function progressLine(stream: Writable & { columns?: number }, now: () => number = Date.now): { onProgress: (event: ScanProgressEvent) => void; done: () => void } {
  let layer = ''
  let received = 0
  let size = 0
  let started = now()
  let lastDraw = 0
  let drawn = false
  const draw = (force: boolean): void => {
    const t = now()
    if (!force && t - lastDraw < REDRAW_MS) return
    lastDraw = t
    const seconds = Math.max(0.001, (t - started) / 1000)
    const text = `${layer} ${bytes(received)}/${bytes(size)} ${bytes(received / seconds)}/s`
    const width = Math.max(20, (stream.columns ?? 80) - 1)
    stream.write(`\r${text.slice(0, width).padEnd(width)}`)
    drawn = true
  }
  return {
    onProgress(event) {
      if (event.type === 'layer-start') {
        layer = `layer ${event.index + 1}/${event.total} ${event.digest.slice(7, 19)}`
        received = 0
        size = event.size
        started = now()
        draw(true)
      } else if (event.type === 'layer-bytes') {
        received += event.bytes
        draw(false)
      } else {
        draw(true)
      }
    },
    done() {
      if (drawn) stream.write(`\r${' '.repeat(Math.max(20, (stream.columns ?? 80) - 1))}\r`)
    },
  }
}
