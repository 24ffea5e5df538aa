// The soak, bounded: steady mixed traffic for a few seconds with a tiny cache bound. Everything
// is answered, the cache stays within its bound while it evicts, and memory does not run away.
// (The 10-minute run and its figures: RELIABILITY.md.)
import path from 'node:path'
import t from 'tap'
import { runSoak } from '../../bench/reliability/soak.js'

t.test('steady mixed traffic with a 1 MB cache bound', async t => {
  const r = await runSoak({ seconds: 8, rate: 150, dir: path.join(t.testdir(), 'soak'), cacheMaxMb: 1, sampleEverySeconds: 2 })
  t.ok(r.requests > 800, `${r.requests} requests`)
  t.equal(r.errors, 0, 'every request answered')
  for (const s of ['upstream', 'cache', 'csv']) t.ok((r.bySource[s] ?? 0) > 0, `answers from ${s}`)
  t.ok(r.samples.length >= 4, `${r.samples.length} samples`)
  const last = r.samples.at(-1)!
  t.ok(last.cacheMb <= 1, `cache within its bound (${last.cacheMb.toFixed(2)} MB)`)
  const warm = r.samples[1]!
  t.ok(last.rssMb < warm.rssMb * 1.5, `RSS ${warm.rssMb.toFixed(0)} → ${last.rssMb.toFixed(0)} MB`)
  t.ok(last.loopDelayP99Ms < 200, `event-loop delay p99 ${last.loopDelayP99Ms.toFixed(1)} ms`)
})
