import { describe, expect, it } from 'vitest'
import { EntryType } from '../../../../shared/layers/layer-result.js'
import { analyzeImage, deleted, findingsOf } from '../../../support/analyzer-image.js'

const MiB = 1024 * 1024

describe('layer-wasted-space', () => {
  it('reports a large file added then deleted, with its bytes and layers', async () => {
    const report = await analyzeImage({ layers: [[{ path: '/etc/os-release', content: 'ID=x\n' }], [{ path: '/tmp/build.tar', content: Buffer.alloc(5 * MiB) }], [deleted('/tmp/build.tar')]] })
    expect(findingsOf(report, 'layer-wasted-space')).toEqual([
      expect.objectContaining({
        severity: 'low',
        location: { layer: report.image.layers[1]!.diffId, path: '/tmp/build.tar', history: 1 },
        evidence: `5242880 bytes (5.2 MB) in 2 layers (layer 1, layer 2); image efficiency ${report.efficiency!.score}`,
      }),
    ])
  })

  it('reports a directory chowned in a later layer, once per large file, and the image\'s low efficiency', async () => {
    const files = (uid: number) => ['a', 'b', 'c'].map((name) => ({ path: `/app/${name}.bin`, content: Buffer.alloc(4 * MiB), uid }))
    const report = await analyzeImage({ layers: [files(0), files(1000)] })
    expect(findingsOf(report, 'layer-wasted-space').map((f) => f.location.path)).toEqual(['/app/a.bin', '/app/b.bin', '/app/c.bin'])
    expect(findingsOf(report, 'layer-low-efficiency')).toEqual([
      expect.objectContaining({ severity: 'low', location: {}, evidence: 'efficiency 0.5, 25165824 bytes (25.2 MB) wasted, user-wasted 200 % (as Dive counts it)' }),
    ])
  })

  it('leaves small repeats (debconf\'s templates rewritten by apt) and unique files alone', async () => {
    const report = await analyzeImage({
      layers: [[{ path: '/var/cache/debconf/templates.dat', content: Buffer.alloc(760_000, 1) }, { path: '/big', content: Buffer.alloc(30 * MiB) }], [{ path: '/var/cache/debconf/templates.dat', content: Buffer.alloc(770_000, 2) }, { path: '/opaque', type: EntryType.Directory }]],
    })
    expect(findingsOf(report, ['layer-wasted-space', 'layer-low-efficiency'])).toEqual([])
  })
})
