// kill -9 the serving proxy while it writes answers into its cache, at spread-out moments, again
// and again on the same SQLite file: every restart finds an intact database (integrity_check ok),
// cached answers that are whole, and the cooldown a 429 started just before a kill.
import path from 'node:path'
import Database from 'better-sqlite3'
import t from 'tap'
import { Pool } from 'undici'
import { startProxyChild } from '../../bench/reliability/child.js'
import { behave, startUpstreamDouble } from '../helpers/upstream-double.js'

const TOKEN = 'tok-crash-0001'
const KILLS = 4

t.test('SIGKILL during cache writes, then a restart: intact database, whole answers, cooldown kept', async t => {
  const double = await startUpstreamDouble({ users: { [TOKEN]: { id: 'crashuser', country: 'SE' } } })
  t.teardown(async () => await double.close())
  const dbFile = path.join(t.testdir(), 'crash.sqlite')
  const env = { SPOTIFY_API_BASE_URL: double.url, SPOTIFY_PROXY_DB: dbFile, SPOTIFY_PROXY_PACE_PER_30S: '0' }
  let n = 0
  for (let kill = 0; kill < KILLS; kill++) {
    const proxy = await startProxyChild(env)
    const pool = new Pool(proxy.origin, { connections: 20 })
    const me = await pool.request({ path: '/v1/me', method: 'GET', headers: { authorization: `Bearer ${TOKEN}` } })
    await me.body.dump()
    // 20 clients fetching never-seen tracks: every answer is a cache write (and entity writes).
    const run = { stop: false }
    const load = Array.from({ length: 20 }, async () => {
      while (!run.stop) {
        try {
          const res = await pool.request({ path: `/v1/tracks/crash${String(n++).padStart(17, '0')}`, method: 'GET', headers: { authorization: `Bearer ${TOKEN}` } })
          await res.body.dump()
        } catch {
          return // the proxy died under us: expected
        }
      }
    })
    await new Promise(resolve => setTimeout(resolve, 150 + kill * 120))
    proxy.process.kill('SIGKILL')
    run.stop = true
    await Promise.all(load)
    await pool.destroy()
    await proxy.stop()

    const db = new Database(dbFile, { readonly: true })
    t.equal(db.pragma('integrity_check', { simple: true }), 'ok', `kill ${kill + 1}: integrity_check ok`)
    const rows = db.prepare('SELECT body FROM response_cache').pluck().all() as Buffer[]
    const broken = rows.filter(b => { try { JSON.parse(b.toString('utf8')); return false } catch { return true } })
    t.equal(broken.length, 0, `kill ${kill + 1}: ${rows.length} cached answers, all whole`)
    db.close()
  }
  // A track whose answer a kill left in the cache (which ones made it before each kill depends on
  // the machine's speed: on a slow one, the first kill leaves one answer, not always the first asked).
  const probe = new Database(dbFile, { readonly: true })
  const held = probe.prepare("SELECT path FROM response_cache WHERE path LIKE '/v1/tracks/crash%' ORDER BY stored_at LIMIT 1").pluck().get() as string | undefined
  probe.close()
  t.ok(held !== undefined, `the kills left answers in the cache (${held})`)

  // A 429 starts a cooldown; the process dies right after answering it.
  const proxy = await startProxyChild(env)
  double.set(behave.status(429, undefined, { 'retry-after': '3600' }))
  const pool = new Pool(proxy.origin)
  const res = await pool.request({ path: '/v1/tracks/crashCooldown000000000', method: 'GET', headers: { authorization: `Bearer ${TOKEN}` } })
  await res.body.dump()
  t.equal(res.statusCode, 429, 'Spotify\'s 429 is relayed (nothing else knows the track)')
  proxy.process.kill('SIGKILL')
  await pool.destroy()
  await proxy.stop()
  double.set(behave.ok())
  const again = await startProxyChild(env)
  t.teardown(again.stop)
  const before = double.requests.length
  const after = await fetch(`${again.origin}/v1/tracks/crashAfter000000000000`, { headers: { authorization: `Bearer ${TOKEN}` } })
  t.equal(after.status, 503, 'the cooldown survived the kill: nothing holds the track, an honest miss')
  t.equal(after.headers.get('x-proxy-fallback-reason'), 'rate-limited,not-in-library')
  t.match(after.headers.get('x-proxy-upstream-retry-after'), /^3[0-9]{3}$/)
  t.equal(after.headers.get('retry-after'), null, 'an hour is no Retry-After')
  t.equal(double.requests.length, before, 'and nothing went upstream')
  const cached = await fetch(`${again.origin}${held!}`, { headers: { authorization: `Bearer ${TOKEN}` } })
  t.equal(cached.status, 200, 'answers cached before the kills are still served')
  t.equal(cached.headers.get('x-proxy-source'), 'cache')
})
