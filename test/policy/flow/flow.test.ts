// The whole skeleton over the fakes: fresh hit → coalesce → entities → gate → exchange →
// classify → learn → reply or fall back, with Spotify as a list of answers (no HTTP).
import t from 'tap'
import { createProxyFlow } from '../../../src/policy/flow/flow.js'
import { UpstreamFailure } from '../../../src/upstream/types.js'
import { cached, ctxOf, fakes, json, NOW, request } from './fakes.js'

const TRACK = '/v1/tracks/4uLU6hMCjMI75M1A2tKUQC'

t.test('a hit asks nothing; a miss asks once, keeps the answer, and the next is a hit', async t => {
  const f = fakes()
  const flow = createProxyFlow(f.deps)
  f.upstream.answers.push(json(200, { id: '4uLU6hMCjMI75M1A2tKUQC', href: 'https://api.spotify.com/v1/tracks/4uLU6hMCjMI75M1A2tKUQC' }))
  const first = await flow.handle(request(TRACK, 'owner'))
  t.same([first.status, first.source], [200, 'upstream'])
  t.equal(JSON.parse(first.body.toString()).href, 'http://127.0.0.1:8888/v1/tracks/4uLU6hMCjMI75M1A2tKUQC', 'links rewritten to the proxy')
  const second = await flow.handle(request(TRACK, 'owner'))
  t.same([second.status, second.source], [200, 'cache'])
  t.same(f.upstream.sent, [`GET ${TRACK}`])
})

t.test('no token: a local 401, nothing sent', async t => {
  const f = fakes()
  const r = await createProxyFlow(f.deps).handle(request(TRACK, 'anonymous'))
  t.same([r.status, r.source, JSON.parse(r.body.toString())], [401, 'local', { error: { status: 401, message: 'No token provided' } }])
  t.same(f.upstream.sent, [])
})

t.test('a 429 for the owner: cooldown started, the stale answer served', async t => {
  const f = fakes()
  const ctx = ctxOf(f, TRACK, 'owner')
  f.cache.rows.set(ctx.key!, cached({ id: 'old' }, 7200))
  f.upstream.answers.push(json(429, { error: { status: 429, message: 'Too many requests', reason: 'QUOTA_EXCEEDED' } }, { 'retry-after': '46800' }))
  const r = await createProxyFlow(f.deps).handle(request(TRACK, 'owner'))
  t.same([r.status, r.source, r.reason, r.upstreamStatus], [200, 'stale', 'quota-exceeded', 429])
  t.same(f.cooldown.started, [{ seconds: 46800, reason: 'quota-exceeded' }])
})

t.test('unreachable: the transport failure is a 502 miss when nothing is held', async t => {
  const f = fakes()
  f.upstream.answers.push(new UpstreamFailure('unreachable', 'down'))
  const r = await createProxyFlow(f.deps).handle(request(TRACK, 'owner'))
  t.same([r.status, r.headers['x-proxy-fallback-reason']], [502, 'upstream-unreachable,not-in-library'])
})

t.test('a batch with some entities known asks Spotify only for the rest', async t => {
  const f = fakes()
  f.entities.tracks.set('4uLU6hMCjMI75M1A2tKUQC', { id: '4uLU6hMCjMI75M1A2tKUQC' })
  f.upstream.answers.push(json(200, { tracks: [{ id: '1301WleyT98MSxVHPZCA6M' }] }))
  const r = await createProxyFlow(f.deps).handle(request('/v1/tracks?ids=4uLU6hMCjMI75M1A2tKUQC,1301WleyT98MSxVHPZCA6M', 'owner'))
  t.same(JSON.parse(r.body.toString()).tracks.map((x: { id: string }) => x.id), ['4uLU6hMCjMI75M1A2tKUQC', '1301WleyT98MSxVHPZCA6M'])
  t.same(f.upstream.sent, ['GET /v1/tracks?ids=1301WleyT98MSxVHPZCA6M'])
})

t.test('a refused batch of tracks is asked one by one', async t => {
  const f = fakes()
  f.refusals.refuse('GET /v1/tracks?ids')
  f.upstream.answers.push(json(200, { id: '4uLU6hMCjMI75M1A2tKUQC' }), json(404, { error: { status: 404, message: 'Resource not found' } }))
  const r = await createProxyFlow(f.deps).handle(request('/v1/tracks?ids=4uLU6hMCjMI75M1A2tKUQC,0000000000000000000000', 'owner'))
  t.same(JSON.parse(r.body.toString()), { tracks: [{ id: '4uLU6hMCjMI75M1A2tKUQC' }, null] })
  t.equal(f.upstream.sent.length, 2)
})

t.test('a /tracks page goes upstream as /items pages, stitched', async t => {
  const f = fakes()
  const entry = (n: number): unknown => ({ item: { id: `t${n}` } })
  f.upstream.answers.push(json(200, { items: Array.from({ length: 50 }, (_, i) => entry(i)), total: 60 }), json(200, { items: Array.from({ length: 10 }, (_, i) => entry(50 + i)), total: 60 }))
  const r = await createProxyFlow(f.deps).handle(request('/v1/playlists/37i9dQZF1DXcBWIGoYBM5M/tracks?limit=100', 'owner'))
  const body = JSON.parse(r.body.toString())
  t.same([body.items.length, body.total, body.items[55].track.id], [60, 60, 't55'])
  t.same(f.upstream.sent, ['GET /v1/playlists/37i9dQZF1DXcBWIGoYBM5M/items?limit=50&offset=0', 'GET /v1/playlists/37i9dQZF1DXcBWIGoYBM5M/items?limit=50&offset=50'])
})

t.test('online mode during a cooldown: a 429 like Spotify\'s, nothing sent', async t => {
  const f = fakes()
  f.cooldown.current = { until: NOW + 600_000, reason: 'quota-exceeded' }
  const r = await createProxyFlow(f.deps).handle(request(TRACK, 'owner', { mode: 'online' }))
  t.same([r.status, r.headers['retry-after'], r.headers['x-proxy-upstream-retry-after']], [429, '60', '600'])
  t.equal(JSON.parse(r.body.toString()).error.reason, 'QUOTA_EXCEEDED')
  t.same(f.upstream.sent, [])
})
