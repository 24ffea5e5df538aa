// /metrics and /admin/stats on a real app with a Spotify double: counts by source and reason,
// live gauges, the admin guard, and no token anywhere in either.
import t from 'tap'
import { behave } from '../helpers/upstream-double.js'
import { ALICE, DEMO_TRACK, proxyRig } from '../helpers/proxy.js'

const TRACK = '4uLU6hMCjMI75M1A2tKUQC'

t.test('/metrics counts answers by endpoint, source and reason, and reads the live state', async t => {
  const r = await proxyRig(t)
  await r.get('/v1/me')
  await r.get(`/v1/tracks/${TRACK}`)
  await r.get(`/v1/tracks/${TRACK}`)
  r.double.set(behave.status(429, undefined, { 'retry-after': '60' }))
  await r.get(`/v1/tracks/${DEMO_TRACK}`)
  const res = await r.app.inject({ method: 'GET', url: '/metrics' })
  t.equal(res.statusCode, 200)
  t.match(res.headers['content-type'], /^text\/plain/)
  const text = res.body
  t.match(text, 'spotify_proxy_requests_total{route="/v1/tracks/{id}",source="upstream",reason="",status="200"} 1')
  t.match(text, 'spotify_proxy_requests_total{route="/v1/tracks/{id}",source="cache",reason="",status="200"} 1')
  t.match(text, 'spotify_proxy_requests_total{route="/v1/tracks/{id}",source="csv",reason="rate-limited",status="200"} 1')
  t.match(text, 'spotify_proxy_requests_total{route="/v1/me",source="upstream",reason="",status="200"} 1')
  t.match(text, 'spotify_proxy_upstream_responses_total{status="429"} 1')
  t.match(text, /spotify_proxy_upstream_duration_seconds_count\{route="\/v1\/tracks\/\{id\}"\} 2/)
  t.match(text, 'spotify_proxy_cooldown_active 1')
  t.match(text, /spotify_proxy_cooldown_seconds_left (59|60)\n/)
  t.match(text, 'spotify_proxy_library_tracks 53')
  t.match(text, 'spotify_proxy_library_playlists 4')
  t.match(text, /spotify_proxy_cache_entries [1-9]/)
  t.match(text, 'spotify_proxy_cache_lookups_total{result="hit"} 1')
  t.match(text, 'spotify_proxy_breaker_state 0')
  t.notMatch(text, ALICE)
  t.notMatch(text, TRACK, 'no ids in labels')
})

t.test('/admin/stats: sources over the last hour, cooldown, refusals, recent fallbacks', async t => {
  const r = await proxyRig(t)
  await r.get('/v1/me')
  await r.get(`/v1/tracks/${TRACK}`)
  r.double.set(behave.status(403))
  await r.get(`/v1/audio-features/${DEMO_TRACK}`)
  r.double.set(behave.status(503))
  await r.get(`/v1/tracks/${DEMO_TRACK}`)
  const res = await r.app.inject({ method: 'GET', url: '/admin/stats' })
  t.equal(res.statusCode, 200)
  const s = res.json()
  t.same(s.traffic.totals, { upstream: 2, csv: 2 })
  t.equal(s.traffic.lastHour.length, 60)
  t.same(s.traffic.lastHour.at(-1).bySource, { upstream: 2, csv: 2 })
  t.same(s.traffic.recentFallbacks.map((e: { reason: string, route: string }) => [e.reason, e.route]), [['upstream-5xx', '/v1/tracks/{id}'], ['endpoint-closed', '/v1/audio-features/{id}']], 'newest first')
  t.same(s.upstream.refusedEndpoints.map((e: { endpoint: string }) => e.endpoint), ['GET /v1/audio-features/{id}'])
  t.equal(s.upstream.cooldown, null)
  t.equal(s.upstream.breaker, 'closed')
  t.same([s.library.tracks, s.library.playlists, s.library.likedSongs, s.library.demo], [53, 4, 30, true])
  t.ok(s.cache.entries >= 1)
  t.notMatch(res.body, ALICE)
})

t.test('/admin is loopback-only without an admin token, and needs the token when one is set', async t => {
  const open = await proxyRig(t)
  t.equal((await open.app.inject({ method: 'GET', url: '/admin/stats', remoteAddress: '127.0.0.1' })).statusCode, 200)
  const far = await open.app.inject({ method: 'GET', url: '/admin/stats', remoteAddress: '192.168.1.20' })
  t.equal(far.statusCode, 403)
  t.equal(far.json().error.status, 403, 'in Spotify\'s error shape')

  const locked = await proxyRig(t, { SPOTIFY_PROXY_ADMIN_TOKEN: 'admin-secret-123' })
  const ask = async (auth?: string, remoteAddress = '127.0.0.1'): Promise<number> =>
    (await locked.app.inject({ method: 'GET', url: '/admin/stats', remoteAddress, headers: auth === undefined ? {} : { authorization: auth } })).statusCode
  t.equal(await ask(), 401, 'even from loopback')
  t.equal(await ask('Bearer wrong'), 401)
  t.equal(await ask(`Bearer ${ALICE}`), 401, 'a Spotify token is not the admin token')
  t.equal(await ask('Bearer admin-secret-123', '10.0.0.7'), 200)
  t.notOk(locked.logs.join('').includes('admin-secret-123'), 'the admin token is not logged')
})
