// Secrets stay secret: after traffic with Spotify tokens, a local token and the admin token, no
// log line and no database row holds any of them in clear; /me data never crosses users.
import Database from 'better-sqlite3'
import t from 'tap'
import { behave } from '../helpers/upstream-double.js'
import { ALICE, BOB, DEMO_TRACK, proxyRig } from '../helpers/proxy.js'

const LOCAL = 'local-secret-token-4242'
const ADMIN = 'admin-secret-token-9999'
const STRANGER = 'tok-stranger-never-accepted'

t.test('no token in any log line or database row', async t => {
  const r = await proxyRig(t, { SPOTIFY_PROXY_LOCAL_TOKENS: LOCAL, SPOTIFY_PROXY_ADMIN_TOKEN: ADMIN })
  for (const tok of [ALICE, BOB]) {
    await r.get('/v1/me', tok)
    await r.get('/v1/me/tracks?limit=5', tok)
    await r.get(`/v1/tracks/${DEMO_TRACK}`, tok)
  }
  await r.get(`/v1/tracks/${DEMO_TRACK}`, LOCAL)
  await r.get('/v1/me', STRANGER)
  await r.app.inject({ method: 'GET', url: '/admin/stats', headers: { authorization: `Bearer ${ADMIN}` } })
  await r.app.inject({ method: 'GET', url: '/admin/stats', headers: { authorization: `Bearer ${ADMIN}x` } })
  r.double.set(behave.status(429, undefined, { 'retry-after': '60' }))
  await r.get(`/v1/tracks/${DEMO_TRACK}`, ALICE)
  await r.app.inject({ method: 'PUT', url: '/v1/me/tracks?ids=4uLU6hMCjMI75M1A2tKUQC', headers: { authorization: `Bearer ${BOB}` } })

  const secrets = [ALICE, BOB, LOCAL, ADMIN, STRANGER]
  const logs = r.logs.join('')
  t.ok(r.logs.length > 10, `${r.logs.length} log lines captured`)
  for (const s of secrets) t.notOk(logs.includes(s), `no log line holds ${s.slice(0, 8)}…`)

  await r.app.close()
  const db = new Database(r.dbFile, { readonly: true })
  t.teardown(() => db.close())
  const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '%fts%'").pluck().all() as string[]
  let cells = 0
  const found: string[] = []
  for (const table of tables) {
    for (const row of db.prepare(`SELECT * FROM "${table}"`).all() as Array<Record<string, unknown>>) {
      for (const v of Object.values(row)) {
        const text = Buffer.isBuffer(v) ? v.toString('latin1') : String(v)
        cells++
        for (const s of secrets) if (text.includes(s)) found.push(`${table}: ${s.slice(0, 8)}…`)
      }
    }
  }
  t.ok(tables.includes('trusted_tokens') && tables.includes('response_cache'), `scanned ${tables.length} tables`)
  t.ok(cells > 100, `${cells} cells scanned`)
  t.same(found, [], 'no token in clear in any row')
  const hashes = db.prepare('SELECT hash FROM trusted_tokens').pluck().all() as string[]
  t.equal(hashes.length, 2, 'Alice and Bob are remembered, the stranger is not')
  t.ok(hashes.every(h => /^[0-9a-f]{64}$/.test(h)), 'as salted SHA-256 hashes')
})

t.test('/me data never crosses users, from upstream, stale cache or CSV', async t => {
  const r = await proxyRig(t, { SPOTIFY_CSV_CACHE_TTL: '0' })
  const alice = await r.get('/v1/me', ALICE)
  const bob = await r.get('/v1/me', BOB)
  t.same([alice.json().id, bob.json().id], ['alice', 'bob'])
  r.double.set(behave.status(503))
  const aliceStale = await r.get('/v1/me', ALICE)
  const bobStale = await r.get('/v1/me', BOB)
  t.same([aliceStale.json().id, aliceStale.headers['x-proxy-source']], ['alice', 'stale'])
  t.same([bobStale.json().id, bobStale.headers['x-proxy-source']], ['bob', 'stale'])
  // Liked Songs from the CSV belong to the library's owner (Alice, the first /v1/me): Bob gets none.
  const aliceLiked = await r.get('/v1/me/tracks?limit=5', ALICE)
  const bobLiked = await r.get('/v1/me/tracks?limit=5', BOB)
  t.same([aliceLiked.statusCode, aliceLiked.headers['x-proxy-source']], [200, 'csv'])
  t.equal(aliceLiked.json().total, 30)
  t.not(bobLiked.headers['x-proxy-source'], 'csv', 'never the owner\'s library for Bob')
  t.not(bobLiked.statusCode, 200)
})
