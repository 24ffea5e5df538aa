// SQLite refusing every write (a read-only volume, a full disk: made real with PRAGMA query_only on
// the proxy's own connection). Answers upstream gives still reach the client, only not kept, and
// what the cache already holds is still served; the failure is logged once, not per request.
import t from 'tap'
import { ALICE, proxyRig } from '../helpers/proxy.js'

t.test('with writes refused, upstream answers still reach the client; the cache serves what it holds', async t => {
  const r = await proxyRig(t, { SPOTIFY_CSV_CACHE_TTL: '3600' })
  const held = '/v1/albums/4aawyAB9vmqN3uQ7FjRGTy'
  t.equal((await r.get(held)).statusCode, 200)
  t.equal((await r.get(held)).headers['x-proxy-source'], 'cache')

  r.app.db.pragma('query_only = ON')
  t.teardown(() => { r.app.db.pragma('query_only = OFF') })
  t.throws(() => r.app.db.exec("INSERT INTO meta (key, value) VALUES ('x', 'y')"), /readonly|read-only|query_only/i, 'SQLite refuses writes')

  for (const id of ['0JQ5IMCbQBLupUHGhc1Rt5', '1vCWHaC5f2uS3yhpwWbIA6', '2noRn2Aes5aoNVsU6iWThc']) {
    const res = await r.get(`/v1/albums/${id}`)
    t.equal(res.statusCode, 200, `album ${id}: answered`)
    t.equal(res.headers['x-proxy-source'], 'upstream')
    t.ok(res.body.length > 0, 'with its body')
  }
  t.equal((await r.get(held)).headers['x-proxy-source'], 'cache', 'what was held is still served')
  const warnings = r.logs.filter(l => l.includes('cache unavailable'))
  t.ok(warnings.length >= 1 && warnings.length <= 3, `logged once per cache, not per request (${warnings.length})`)
  t.notOk(r.logs.join('').includes(ALICE), 'no token in the log')
})

t.test('with writes refused, a token never seen still gets upstream\'s answer (it is only not remembered)', async t => {
  const r = await proxyRig(t)
  r.app.db.pragma('query_only = ON')
  t.teardown(() => { r.app.db.pragma('query_only = OFF') })
  const res = await r.get('/v1/me/tracks?limit=5', ALICE)
  t.equal(res.statusCode, 200)
  t.equal(res.headers['x-proxy-source'], 'upstream')
  t.ok(r.logs.some(l => l.includes('unavailable: going on without it')), 'logged')
  t.notOk(r.logs.join('').includes(ALICE), 'no token in the log')
})
