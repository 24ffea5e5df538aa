// Remembered refusals over a real SQLite file: persisted, expiring, cleared by a success.
import path from 'node:path'
import t from 'tap'
import { openDatabase } from '../../src/db.js'
import { RefusedEndpoints } from '../../src/policy/refusals.js'

t.test('a refusal is remembered across instances until it expires or the endpoint answers', async t => {
  const file = path.join(t.testdir(), 'proxy.sqlite')
  const db = openDatabase(file)
  t.teardown(() => db.close())
  const clock = { now: 1_000_000 }
  const r = new RefusedEndpoints(db, { now: () => clock.now, ttlMs: 60_000 })
  t.notOk(r.isRefused('GET /v1/tracks?ids'))
  t.notOk(r.isRefused(null))
  r.refuse('GET /v1/tracks?ids', 403)
  t.ok(r.isRefused('GET /v1/tracks?ids'))
  t.notOk(r.isRefused('GET /v1/audio-features?ids'), 'per endpoint')

  const db2 = openDatabase(file)
  t.teardown(() => db2.close())
  const reopened = new RefusedEndpoints(db2, { now: () => clock.now, ttlMs: 60_000 })
  t.ok(reopened.isRefused('GET /v1/tracks?ids'), 'survives a restart')
  clock.now += 60_000
  t.notOk(reopened.isRefused('GET /v1/tracks?ids'), 'asked again once expired')

  r.clear('GET /v1/tracks?ids')
  t.same(new RefusedEndpoints(db2).list(), [], 'a success clears it for good')
})
