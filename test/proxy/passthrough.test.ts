// Forwarding and caching with a healthy upstream.
import t from 'tap'
import { behave } from '../helpers/upstream-double.js'
import { ALICE, BOB, proxyRig } from '../helpers/proxy.js'

t.test('a GET goes upstream once, then comes from the cache', async t => {
  const r = await proxyRig(t)
  const first = await r.get('/v1/tracks/4uLU6hMCjMI75M1A2tKUQC?market=SE')
  t.equal(first.statusCode, 200)
  t.equal(first.headers['x-proxy-source'], 'upstream')
  t.match(first.headers.via, /1\.1 spotify-csv-proxy/)
  t.equal(first.json().id, '4uLU6hMCjMI75M1A2tKUQC')
  const seen = r.double.requests[0]!
  t.equal(seen.url, '/v1/tracks/4uLU6hMCjMI75M1A2tKUQC?market=SE', 'path and query as sent')
  t.equal(seen.headers.authorization, `Bearer ${ALICE}`, 'the token passes through')
  t.equal(seen.headers['accept-encoding'], 'identity')
  t.equal(seen.headers['x-forwarded-for'], undefined)

  const second = await r.get('/v1/tracks/4uLU6hMCjMI75M1A2tKUQC?market=SE')
  t.equal(second.statusCode, 200)
  t.equal(second.headers['x-proxy-source'], 'cache')
  t.match(second.headers.age, /^\d+$/)
  t.equal(second.body, first.body)
  t.equal(r.upstreamCount(), 1)
})

t.test('catalog answers are shared among trusted users; an untrusted token never reads the cache', async t => {
  const r = await proxyRig(t)
  await r.get('/v1/tracks/4uLU6hMCjMI75M1A2tKUQC')
  await r.get('/v1/me', BOB)
  const bob = await r.get('/v1/tracks/4uLU6hMCjMI75M1A2tKUQC', BOB)
  t.equal(bob.headers['x-proxy-source'], 'cache', 'Bob is trusted (Spotify accepted his token)')
  const before = r.upstreamCount()
  const stranger = await r.get('/v1/tracks/4uLU6hMCjMI75M1A2tKUQC', 'tok-never-seen')
  t.equal(stranger.headers['x-proxy-source'], 'upstream', 'an unknown token is asked about upstream')
  t.equal(r.upstreamCount(), before + 1)
})

t.test('/v1/me is cached per user and never crosses users', async t => {
  const r = await proxyRig(t)
  t.equal((await r.get('/v1/me', ALICE)).json().id, 'alice')
  t.equal((await r.get('/v1/me', BOB)).json().id, 'bob')
  const alice = await r.get('/v1/me', ALICE)
  const bob = await r.get('/v1/me', BOB)
  t.same([alice.headers['x-proxy-source'], alice.json().id], ['cache', 'alice'])
  t.same([bob.headers['x-proxy-source'], bob.json().id], ['cache', 'bob'])
  r.double.set(behave.status(503))
  t.equal((await r.get('/v1/me', BOB, { 'x-proxy-mode': 'offline' })).json().id, 'bob')
  const other = await r.get('/v1/me', 'tok-someone-else')
  t.equal(other.statusCode, 503, 'an unknown token gets upstream\'s own error, nothing cached')
  t.notMatch(other.body, /alice|bob/)
})

t.test('a write drops the cached answers it makes stale', async t => {
  const r = await proxyRig(t)
  await r.get('/v1/playlists/37i9dQZF1DX8NTLI2TtZa6/items?limit=50')
  t.equal((await r.get('/v1/playlists/37i9dQZF1DX8NTLI2TtZa6/items?limit=50')).headers['x-proxy-source'], 'cache')
  const post = await r.app.inject({ method: 'POST', url: '/v1/playlists/37i9dQZF1DX8NTLI2TtZa6/items', headers: { authorization: `Bearer ${ALICE}`, 'content-type': 'application/json' }, payload: '{"uris":["spotify:track:4uLU6hMCjMI75M1A2tKUQC"]}' })
  t.equal(post.statusCode, 200)
  const forwarded = r.double.requests.at(-1)!
  t.equal(forwarded.method, 'POST')
  t.equal(forwarded.body.toString(), '{"uris":["spotify:track:4uLU6hMCjMI75M1A2tKUQC"]}', 'the body is forwarded byte for byte')
  const after = await r.get('/v1/playlists/37i9dQZF1DX8NTLI2TtZa6/items?limit=50')
  t.equal(after.headers['x-proxy-source'], 'upstream', 'read-your-writes')
})

t.test('identical GETs in flight share one upstream request', async t => {
  const r = await proxyRig(t)
  await r.get('/v1/me')
  r.double.set(behave.delay(150, behave.ok()))
  const before = r.upstreamCount()
  const answers = await Promise.all(Array.from({ length: 10 }, async () => await r.get('/v1/tracks/0VjIjW4GlUZAMYd2vXMi3b')))
  t.ok(answers.every(a => a.statusCode === 200 && a.json().id === '0VjIjW4GlUZAMYd2vXMi3b'))
  t.equal(r.upstreamCount() - before, 1)
})

t.test('an expired cache entry is revalidated with If-None-Match', async t => {
  const r = await proxyRig(t, { SPOTIFY_CSV_CACHE_TTL: '0' })
  await r.get('/v1/tracks/4uLU6hMCjMI75M1A2tKUQC')
  const again = await r.get('/v1/tracks/4uLU6hMCjMI75M1A2tKUQC')
  t.match(r.double.requests.at(-1)!.headers['if-none-match'], /^"[0-9a-f]+"$/)
  t.equal(again.statusCode, 200)
  t.equal(again.headers['x-proxy-source'], 'cache', 'a 304 serves what we hold')
  t.equal(again.json().id, '4uLU6hMCjMI75M1A2tKUQC')
})

t.test('no token goes into any log line', async t => {
  const r = await proxyRig(t)
  await r.get('/v1/me', ALICE)
  await r.get('/v1/tracks/4uLU6hMCjMI75M1A2tKUQC', BOB)
  r.double.set(behave.reset())
  await r.get('/v1/tracks/0000000000000000000001', ALICE)
  await r.get('/v1/me', 'tok-leaky-secret-xyz')
  t.ok(r.logs.length >= 4)
  for (const secret of [ALICE, BOB, 'tok-leaky-secret-xyz']) t.notOk(r.logs.some(l => l.includes(secret)), `${secret.slice(0, 7)}… not logged`)
  const line = JSON.parse(r.logs.find(l => l.includes('"request"') && l.includes('/v1/me'))!)
  t.match(line, { method: 'GET', path: '/v1/me', status: Number, source: String, ms: Number })
})

t.test('tracks are known one by one: a batch asks upstream only for the ids it lacks', async t => {
  const r = await proxyRig(t)
  const a = '4uLU6hMCjMI75M1A2tKUQC'
  const b = '0VjIjW4GlUZAMYd2vXMi3b'
  const c = '7ouMYWpwJ422jRcDASZB7P'
  await r.get(`/v1/tracks/${a}`)
  await r.get(`/v1/tracks/${b}`)
  const before = r.upstreamCount()
  const single = await r.get(`/v1/tracks/${a}?market=SE`)
  t.equal(single.headers['x-proxy-source'], 'upstream', 'another market is another answer')
  const known = await r.get(`/v1/tracks/${b}`)
  t.equal(known.headers['x-proxy-source'], 'cache')
  r.double.set(req => req.url.startsWith('/v1/tracks?')
    ? behave.status(200, { tracks: new URL(req.url, 'http://x').searchParams.get('ids')!.split(',').map(id => ({ id, type: 'track', name: `Track ${id}`, album: { id: 'x', name: 'A' }, artists: [] })) }, { 'content-type': 'application/json' })
    : behave.ok())
  const batch = await r.get(`/v1/tracks?ids=${b},${c},${a},${c}`)
  t.equal(batch.statusCode, 200)
  t.same(batch.json().tracks.map((x: { id: string }) => x.id), [b, c, a, c], 'request order, duplicates kept')
  const asked = r.double.requests.at(-1)!
  t.equal(asked.url, `/v1/tracks?ids=${c}`, 'only the missing id went upstream')
  t.equal(r.upstreamCount(), before + 2)
  const again = await r.get(`/v1/tracks?ids=${c},${a}`)
  t.equal(again.headers['x-proxy-source'], 'cache', 'all known now')
  t.equal(r.upstreamCount(), before + 2)
})

t.test('a daily sync re-reads only the playlists whose snapshot_id changed', async t => {
  const r = await proxyRig(t, { SPOTIFY_CSV_CACHE_TTL: '0' })
  const snapshots: Record<string, string> = { '37i9dQZF1DX8NTLI2TtZa6': 'snap-a1', '37i9dQZF1DX4WYpdgoIcn6': 'snap-b1' }
  r.double.set(req => {
    if (req.url.startsWith('/v1/me/playlists')) {
      return behave.status(200, { href: 'x', limit: 50, offset: 0, next: null, previous: null, total: 2, items: Object.entries(snapshots).map(([id, snapshot]) => ({ id, type: 'playlist', name: id, snapshot_id: snapshot })) }, { 'content-type': 'application/json' })
    }
    const page = /^\/v1\/playlists\/([^/]+)\/items/.exec(req.url)
    if (page) return behave.status(200, { items: [], total: 0, snapshot: snapshots[page[1]!] }, { 'content-type': 'application/json' })
    return behave.ok()
  })
  const sync = async (): Promise<number> => {
    const before = r.upstreamCount()
    await r.get('/v1/me/playlists?limit=50')
    for (const id of Object.keys(snapshots)) await r.get(`/v1/playlists/${id}/items?limit=50`)
    return r.upstreamCount() - before
  }
  t.equal(await sync(), 4, 'day 1: the list, whose token this is (asked once), and both playlists')
  t.equal(await sync(), 1, 'day 2, nothing changed: only the list (the TTL is 0, snapshots vouch for the pages)')
  snapshots['37i9dQZF1DX4WYpdgoIcn6'] = 'snap-b2'
  t.equal(await sync(), 2, 'day 3: the list and the one playlist that changed')
  const page = await r.get('/v1/playlists/37i9dQZF1DX4WYpdgoIcn6/items?limit=50')
  t.equal(page.json().snapshot, 'snap-b2')
})

t.test('an oversized request body is refused in Spotify\'s shape and not forwarded', async t => {
  const r = await proxyRig(t)
  const res = await r.app.inject({ method: 'PUT', url: '/v1/playlists/37i9dQZF1DX8NTLI2TtZa6/images', headers: { authorization: `Bearer ${ALICE}`, 'content-type': 'image/jpeg' }, payload: Buffer.alloc(2 * 1024 * 1024, 1) })
  t.equal(res.statusCode, 413)
  t.equal(res.json().error.status, 413)
  t.equal(res.headers['x-proxy-source'], 'local')
  t.equal(r.upstreamCount(), 0)
})

t.test('freshness per endpoint: SPOTIFY_PROXY_CACHE_TTLS and the player never fresh', async t => {
  const r = await proxyRig(t, { SPOTIFY_CSV_CACHE_TTL: '3600', SPOTIFY_PROXY_CACHE_TTLS: 'tracks=0' })
  await r.get('/v1/albums/4aawyAB9vmqN3uQ7FjRGTy')
  t.equal((await r.get('/v1/albums/4aawyAB9vmqN3uQ7FjRGTy')).headers['x-proxy-source'], 'cache', 'the global TTL')
  await r.get('/v1/tracks/4uLU6hMCjMI75M1A2tKUQC')
  await r.get('/v1/tracks/4uLU6hMCjMI75M1A2tKUQC')
  t.equal(r.upstreamCount(), 3, 'tracks=0: never fresh, so asked again')
  t.ok(r.double.requests[2]!.headers['if-none-match'], 'as a revalidation of what is held')
  await r.get('/v1/me/player')
  await r.get('/v1/me/player')
  t.same(r.double.requests.slice(3).map(q => q.url), ['/v1/me/player', '/v1/me', '/v1/me/player'], 'the player state is never fresh (and the token\'s user is asked once)')
  // Still kept for the fallback.
  r.double.set(behave.status(503))
  const down = await r.get('/v1/tracks/4uLU6hMCjMI75M1A2tKUQC')
  t.equal(down.headers['x-proxy-source'], 'stale')
  t.equal(down.headers['x-proxy-fallback-reason'], 'upstream-5xx')
})

t.test('Accept-Language is part of the key: localised answers stay with their language', async t => {
  const r = await proxyRig(t)
  const id = '4uLU6hMCjMI75M1A2tKUQC'
  await r.get(`/v1/tracks/${id}`, ALICE, { 'accept-language': 'ja' })
  t.equal(r.double.requests[0]!.headers['accept-language'], 'ja', 'forwarded')
  const same = await r.get(`/v1/tracks/${id}`, ALICE, { 'accept-language': 'JA' })
  t.equal(same.headers['x-proxy-source'], 'cache', 'case does not matter')
  const other = await r.get(`/v1/tracks/${id}`, ALICE, { 'accept-language': 'en-US,en;q=0.9' })
  t.equal(other.headers['x-proxy-source'], 'upstream', 'another language is another answer')
  const none = await r.get(`/v1/tracks/${id}`)
  t.equal(none.headers['x-proxy-source'], 'upstream', 'no language is another answer too')
  t.equal(r.upstreamCount(), 3)
  // Single entities too: a batch in Japanese is not answered from tracks fetched in English.
  r.double.set(req => req.url.startsWith('/v1/tracks?')
    ? behave.status(200, { tracks: [{ id, type: 'track', name: 'ローカライズ', album: { id: 'x', name: 'A' }, artists: [] }] }, { 'content-type': 'application/json' })
    : behave.ok())
  const batchJa = await r.get(`/v1/tracks?ids=${id}`, ALICE, { 'accept-language': 'ja' })
  t.equal(batchJa.headers['x-proxy-source'], 'cache', 'known in Japanese from the first request')
  const batchDe = await r.get(`/v1/tracks?ids=${id}`, ALICE, { 'accept-language': 'de' })
  t.equal(batchDe.headers['x-proxy-source'], 'upstream', 'never seen in German')
})
