import path from 'node:path'
import t from 'tap'
import { openDatabase } from '../../src/db.js'
import { CooldownStore, DEFAULT_RETRY_AFTER_S, isQuotaExceeded, retryAfterSeconds } from '../../src/policy/cooldown.js'

t.test('Retry-After: seconds, HTTP-date, missing or junk', async t => {
  const now = Date.parse('2026-11-24T12:00:00Z')
  t.equal(retryAfterSeconds('48925', now), 48925)
  t.equal(retryAfterSeconds(' 2 ', now), 2)
  t.equal(retryAfterSeconds('0', now), 1, 'never zero: a cooldown of nothing would retry at once')
  t.equal(retryAfterSeconds('Tue, 24 Nov 2026 12:00:30 GMT', now), 30)
  t.equal(retryAfterSeconds(undefined, now), DEFAULT_RETRY_AFTER_S)
  t.equal(retryAfterSeconds('soon', now), DEFAULT_RETRY_AFTER_S)
})

t.test('QUOTA_EXCEEDED is read from the error body', async t => {
  t.ok(isQuotaExceeded(Buffer.from('{"error":{"status":429,"message":"Too many requests","reason":"QUOTA_EXCEEDED"}}')))
  t.notOk(isQuotaExceeded(Buffer.from('{"error":{"status":429,"message":"API rate limit exceeded"}}')))
  t.notOk(isQuotaExceeded(Buffer.from('not json')))
})

t.test('a cooldown runs until its end, extends but never shortens, and survives a restart', async t => {
  const file = path.join(t.testdir(), 'db.sqlite')
  let clock = 1_000_000
  const db = openDatabase(file)
  const c = new CooldownStore(db, { now: () => clock })
  t.equal(c.active(), null)
  c.start(10, 'rate-limited')
  t.same(c.active(), { until: clock + 10_000, reason: 'rate-limited' })
  t.equal(c.secondsLeft(), 10)
  c.start(3, 'rate-limited')
  t.equal(c.active()?.until, clock + 10_000, 'a shorter Retry-After does not cut a running cooldown short')
  c.start(3600, 'quota-exceeded')
  t.same(c.active(), { until: clock + 3_600_000, reason: 'quota-exceeded' })
  db.close()

  const reopened = openDatabase(file)
  t.teardown(() => reopened.close())
  const again = new CooldownStore(reopened, { now: () => clock })
  t.same(again.active(), { until: clock + 3_600_000, reason: 'quota-exceeded' }, 'restored from SQLite')
  clock += 3_600_000
  t.equal(again.active(), null, 'over at its end')
  t.equal(again.secondsLeft(), 0)
})

t.test('a cooldown is capped (SPOTIFY_PROXY_COOLDOWN_MAX), also one stored before the cap', async t => {
  const file = path.join(t.testdir(), 'db.sqlite')
  const clock = 1_000_000
  const db = openDatabase(file)
  const c = new CooldownStore(db, { now: () => clock })
  c.start(10 * 86_400, 'quota-exceeded')
  t.equal(c.secondsLeft(), 86_400, 'a day at most by default')
  db.close()
  const again = openDatabase(file)
  t.teardown(() => again.close())
  t.equal(new CooldownStore(again, { now: () => clock, maxSeconds: 3600 }).secondsLeft(), 3600, 'a smaller cap cuts what was stored')
})

t.test('when a cooldown ends, exactly one request probes; the others wait for its answer', async t => {
  let clock = 1_000_000
  const db = openDatabase(path.join(t.testdir(), 'db.sqlite'))
  t.teardown(() => db.close())
  const c = new CooldownStore(db, { now: () => clock })
  t.same(c.gate(), { open: true, probe: false }, 'no cooldown: open')
  c.start(60, 'rate-limited')
  t.match(c.gate(), { open: false, cooldown: { reason: 'rate-limited' } })
  clock += 60_000
  t.equal(c.active(), null, 'over')
  t.same(c.gate(), { open: true, probe: true }, 'the first request after it is the probe')
  t.match(c.gate(), { open: false }, 'the next one waits for the probe')
  c.unsettled()
  t.same(c.gate(), { open: true, probe: true }, 'a probe that got no answer frees the slot')
  c.settle()
  t.same(c.gate(), { open: true, probe: false }, 'Spotify answered: everyone goes')
  c.start(5, 'rate-limited')
  clock += 5_000
  t.same(c.gate(), { open: true, probe: true })
  clock += 30_000
  t.same(c.gate(), { open: true, probe: true }, 'a probe that never reports stops holding the others after 30 s')
})
