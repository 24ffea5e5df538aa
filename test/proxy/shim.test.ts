// The 2026 shim through the proxy, against a double that plays Spotify's development-mode API:
// /tracks served through /items, several tracks fanned out, own playlists through /me, refusals
// remembered across requests and restarts, paging links kept on the proxy.
import t from 'tap'
import { buildApp } from '../../src/http/app.js'
import { loadConfig } from '../../src/config.js'
import { behave, type Behaviour, type RecordedRequest } from '../helpers/upstream-double.js'
import { ALICE, DEMO_TRACK, proxyRig, type ProxyRig } from '../helpers/proxy.js'

const P = '5Rrf7mqN8uus2AaQQQNdc1'
const SIZE = 120
const PUBLIC = 'http://127.0.0.1:8888'
const FORBIDDEN = behave.status(403, { error: { status: 403, message: 'Forbidden' } })
const json = (body: unknown): Behaviour => behave.status(200, body, { 'content-type': 'application/json; charset=utf-8' })
const trackId = (n: number): string => `tr${String(n).padStart(20, '0')}`
const track = (id: string, base: string): Record<string, unknown> => ({ id, type: 'track', name: `Song ${id}`, href: `${base}/v1/tracks/${id}`, album: { id: 'al000000000000000000000', name: 'Album' }, artists: [{ id: 'ar000000000000000000000', name: 'Artist' }] })

/** Development-mode Spotify: /items for playlists (≤ 50), single tracks, 403 on the closed endpoints. */
function devMode (base: string, opts: { playlistItems?: 'ok' | 'forbidden' } = {}) {
  return (req: RecordedRequest): Behaviour => {
    const url = new URL(req.url, 'http://x')
    const path = url.pathname
    if (path === '/v1/me' || path === '/v1/me/playlists') return behave.ok()
    if (/^\/v1\/tracks\/[^/]+$/.test(path)) {
      const id = path.split('/')[3]!
      return id.startsWith('unknown') ? behave.status(404, { error: { status: 404, message: 'Resource not found' } }) : json(track(id, base))
    }
    if (path === `/v1/playlists/${P}/items`) {
      if (opts.playlistItems === 'forbidden') return FORBIDDEN
      const limit = Number(url.searchParams.get('limit') ?? 20)
      const offset = Number(url.searchParams.get('offset') ?? 0)
      if (limit > 50) return behave.status(400, { error: { status: 400, message: 'Invalid limit' } })
      const items = Array.from({ length: Math.max(0, Math.min(limit, SIZE - offset)) }, (_, i) => ({ added_at: '2026-01-01T00:00:00Z', item: track(trackId(offset + i), base) }))
      return json({ href: `${base}/v1/playlists/${P}/items?offset=${offset}&limit=${limit}`, items, limit, offset, total: SIZE, next: offset + limit < SIZE ? `${base}/v1/playlists/${P}/items?offset=${offset + limit}&limit=${limit}` : null, previous: null })
    }
    return FORBIDDEN
  }
}

async function rig (t: Parameters<typeof proxyRig>[0], env: Record<string, string> = {}, opts = {}): Promise<ProxyRig> {
  const r = await proxyRig(t, { SPOTIFY_PROXY_PUBLIC_URL: PUBLIC, ...env })
  r.double.set(devMode(r.double.url, opts))
  await r.get('/v1/me')
  return r
}

const asked = (r: ProxyRig, from: number): string[] => r.double.requests.slice(from).map(q => `${q.method} ${q.url}`)

t.test('/tracks goes upstream as /items: a page of 100 is two pages of 50, stitched', async t => {
  const r = await rig(t)
  const before = r.upstreamCount()
  const res = await r.get(`/v1/playlists/${P}/tracks?limit=100&offset=0`)
  t.equal(res.statusCode, 200)
  t.equal(res.headers['x-proxy-source'], 'upstream')
  t.same(asked(r, before), [`GET /v1/playlists/${P}/items?limit=50&offset=0`, `GET /v1/playlists/${P}/items?limit=50&offset=50`])
  const body = res.json()
  t.equal(body.items.length, 100)
  t.same(body.items.map((e: { track: { id: string } }) => e.track.id), Array.from({ length: 100 }, (_, i) => trackId(i)), 'in order, under `track`')
  t.same(body.items[7].item, body.items[7].track, 'and under `item`')
  t.same([body.limit, body.offset, body.total], [100, 0, SIZE])
  t.equal(body.next, `${PUBLIC}/v1/playlists/${P}/tracks?limit=100&offset=100`, 'next stays on the proxy, on /tracks')
  t.equal(body.items[0].track.href, `${PUBLIC}/v1/tracks/${trackId(0)}`, 'hrefs inside are rewritten too')

  const last = await r.get(`/v1/playlists/${P}/tracks?limit=100&offset=100`)
  t.equal(last.json().items.length, 20)
  t.equal(last.json().next, null)
  t.same(asked(r, before).slice(2), [`GET /v1/playlists/${P}/items?limit=50&offset=100`], 'a short page ends it: no third request')
  const again = await r.get(`/v1/playlists/${P}/tracks?limit=100&offset=0`)
  t.equal(again.headers['x-proxy-source'], 'cache')
  t.equal(again.body, res.body)
})

t.test('/tracks: its own limits, the fields filter on old names, writes translated', async t => {
  const r = await rig(t)
  const before = r.upstreamCount()
  const bad = await r.get(`/v1/playlists/${P}/tracks?limit=101`)
  t.same([bad.statusCode, bad.json()], [400, { error: { status: 400, message: 'Invalid limit' } }])
  t.equal(r.upstreamCount(), before, 'a bad limit never goes upstream')
  const filtered = await r.get(`/v1/playlists/${P}/tracks?limit=2&fields=total,items(track(name))`)
  t.same(filtered.json(), { total: SIZE, items: [{ track: { name: `Song ${trackId(0)}` } }, { track: { name: `Song ${trackId(1)}` } }] })
  t.same(asked(r, before), [`GET /v1/playlists/${P}/items?limit=2&offset=0`], 'fields applied here, not upstream')

  r.double.set(behave.status(201, { snapshot_id: 's2' }, { 'content-type': 'application/json' }))
  const add = await r.app.inject({ method: 'POST', url: `/v1/playlists/${P}/tracks?position=0`, headers: { authorization: `Bearer ${ALICE}`, 'content-type': 'application/json' }, payload: '{"uris":["spotify:track:4uLU6hMCjMI75M1A2tKUQC"]}' })
  t.equal(add.statusCode, 201)
  const post = r.double.requests.at(-1)!
  t.same([post.method, post.url, post.body.toString()], ['POST', `/v1/playlists/${P}/items?position=0`, '{"uris":["spotify:track:4uLU6hMCjMI75M1A2tKUQC"]}'])
  await r.app.inject({ method: 'DELETE', url: `/v1/playlists/${P}/tracks`, headers: { authorization: `Bearer ${ALICE}`, 'content-type': 'application/json' }, payload: '{"tracks":[{"uri":"spotify:track:4uLU6hMCjMI75M1A2tKUQC"}]}' })
  const del = r.double.requests.at(-1)!
  t.same([del.method, del.url, JSON.parse(del.body.toString())], ['DELETE', `/v1/playlists/${P}/items`, { items: [{ uri: 'spotify:track:4uLU6hMCjMI75M1A2tKUQC' }] }])
})

t.test('/items refused (not the user\'s playlist): /tracks is tried once, then remembered', async t => {
  const r = await rig(t, {}, { playlistItems: 'forbidden' })
  const before = r.upstreamCount()
  const first = await r.get(`/v1/playlists/${P}/tracks?limit=10`)
  t.equal(first.statusCode, 403)
  t.same(asked(r, before), [`GET /v1/playlists/${P}/items?limit=10&offset=0`, `GET /v1/playlists/${P}/tracks?limit=10`])
  await r.get(`/v1/playlists/${P}/tracks?limit=10&offset=10`)
  t.same(asked(r, before).slice(2), [`GET /v1/playlists/${P}/items?limit=10&offset=10`], '/tracks is not asked again')
})

t.test('several tracks refused: fanned out to single tracks, then not asked as a batch again', async t => {
  const r = await rig(t)
  const ids = [trackId(1), trackId(2), 'unknown00000000000000a', trackId(1)]
  const before = r.upstreamCount()
  const res = await r.get(`/v1/tracks?ids=${ids.join(',')}`)
  t.equal(res.statusCode, 200)
  t.equal(res.headers['x-proxy-source'], 'upstream')
  t.same(res.json().tracks.map((x: { id: string } | null) => x?.id ?? null), [trackId(1), trackId(2), null, trackId(1)], 'order kept, duplicates kept, null for unknown')
  const seen = asked(r, before)
  t.equal(seen[0], `GET /v1/tracks?ids=${ids.join(',')}`)
  t.same(seen.slice(1).sort(), [`GET /v1/tracks/${trackId(1)}`, `GET /v1/tracks/${trackId(2)}`, 'GET /v1/tracks/unknown00000000000000a'], 'each distinct id once')

  const mid = r.upstreamCount()
  const next = await r.get(`/v1/tracks?ids=${trackId(2)},${trackId(3)}`)
  t.same(next.json().tracks.map((x: { id: string }) => x.id), [trackId(2), trackId(3)])
  t.same(asked(r, mid), [`GET /v1/tracks/${trackId(3)}`], 'the refused batch endpoint is skipped; the known id comes from the cache')

  // The refusal outlives a restart.
  await r.app.close()
  const again = await buildApp(loadConfig({}, { SPOTIFY_API_BASE_URL: r.double.url, SPOTIFY_PROXY_DB: r.dbFile, LOG_LEVEL: 'silent' }))
  t.teardown(async () => await again.close())
  const after = r.upstreamCount()
  await again.inject({ method: 'GET', url: `/v1/tracks?ids=${trackId(4)}`, headers: { authorization: `Bearer ${ALICE}` } })
  t.same(asked(r, after), [`GET /v1/tracks/${trackId(4)}`])
})

t.test('a fan-out during a cooldown: known ids from the cache and the library, the rest null and counted', async t => {
  const r = await rig(t)
  await r.get(`/v1/tracks?ids=${trackId(1)}`)
  r.double.set(behave.status(429, undefined, { 'retry-after': '30' }))
  await r.get(`/v1/tracks/${trackId(9)}`) // starts the cooldown
  const before = r.upstreamCount()
  const known = await r.get(`/v1/tracks?ids=${trackId(1)},${DEMO_TRACK}`)
  t.equal(known.statusCode, 200)
  t.same(known.json().tracks.map((x: { id: string }) => x.id), [trackId(1), DEMO_TRACK])
  t.equal(known.headers['x-proxy-source'], 'csv', 'the most degraded part names the answer')
  t.equal(known.headers['x-proxy-fallback-reason'], 'rate-limited')
  const partly = await r.get(`/v1/tracks?ids=${trackId(1)},${trackId(8)}`)
  t.equal(partly.statusCode, 200, 'Spotify\'s batch shape: null in place of what nothing holds')
  t.same(partly.json().tracks.map((x: { id: string } | null) => x?.id ?? null), [trackId(1), null])
  t.equal(partly.headers['x-proxy-missing'], '1', 'and the batch says how many are missing')
  t.equal(partly.headers['x-proxy-fallback-reason'], 'rate-limited,not-in-library')
  const none = await r.get(`/v1/tracks?ids=${trackId(7)},${trackId(8)}`)
  t.equal(none.statusCode, 503, 'a batch nothing at all can serve: a miss')
  t.equal(none.headers['x-proxy-fallback-reason'], 'rate-limited,not-in-library')
  t.equal(r.upstreamCount(), before, 'nothing went upstream during the cooldown')
})

t.test('audio features refused: each closed endpoint asked once, then answered from the library', async t => {
  const r = await rig(t)
  const first = await r.get(`/v1/audio-features/${DEMO_TRACK}`)
  t.same([first.statusCode, first.headers['x-proxy-source'], first.headers['x-proxy-fallback-reason']], [200, 'csv', 'endpoint-closed'])
  const before = r.upstreamCount()
  const again = await r.get(`/v1/audio-features/${DEMO_TRACK}?market=SE`)
  t.same([again.statusCode, again.headers['x-proxy-source'], again.headers['x-proxy-fallback-reason']], [200, 'csv', 'endpoint-closed'])
  t.equal(again.json().tempo, 150.011)
  t.equal(r.upstreamCount(), before, 'not asked again')
  const unknown = await r.get('/v1/audio-features/0000000000000000000000')
  t.same([unknown.statusCode, unknown.headers['x-proxy-source'], unknown.json()], [403, 'local', { error: { status: 403, message: 'Forbidden' } }], 'nothing holds it: Spotify\'s 403')
  t.equal(r.upstreamCount(), before)
})

t.test('/users/{id}/playlists for the token\'s own user goes to /me/playlists', async t => {
  const r = await rig(t)
  const before = r.upstreamCount()
  const own = await r.get('/v1/users/alice/playlists?limit=5')
  t.equal(own.statusCode, 200)
  t.same(asked(r, before), ['GET /v1/me/playlists?limit=5'])
  const other = await r.get('/v1/users/bob/playlists')
  t.same(asked(r, before).slice(1), ['GET /v1/users/bob/playlists'], 'another user\'s list is asked as is')
  // Refused; the library knows only its owner's playlists, so it answers with none, and says so.
  t.same([other.statusCode, other.headers['x-proxy-source'], other.headers['x-proxy-fallback-reason'], other.json().total], [200, 'csv', 'endpoint-closed', 0])
})

t.test('/users/{id}/playlists before the proxy knows the user: asks /me once, then /me/playlists', async t => {
  const r = await proxyRig(t, { SPOTIFY_PROXY_PUBLIC_URL: PUBLIC })
  r.double.set(devMode(r.double.url))
  const res = await r.get('/v1/users/alice/playlists')
  t.equal(res.statusCode, 200)
  t.same(asked(r, 0), ['GET /v1/users/alice/playlists', 'GET /v1/me', 'GET /v1/me/playlists'])
})

t.test('link rewriting can be switched off; a new public base drops answers holding old links', async t => {
  const r = await rig(t, { SPOTIFY_PROXY_REWRITE_LINKS: 'false' })
  const res = await r.get(`/v1/tracks/${trackId(5)}`)
  t.equal(res.json().href, `${r.double.url}/v1/tracks/${trackId(5)}`, 'as upstream sent it')
  t.equal((await r.get(`/v1/tracks/${trackId(5)}`)).headers['x-proxy-source'], 'cache')
  await r.app.close()
  const again = await buildApp(loadConfig({}, { SPOTIFY_API_BASE_URL: r.double.url, SPOTIFY_PROXY_DB: r.dbFile, SPOTIFY_PROXY_PUBLIC_URL: 'http://localhost:9999', LOG_LEVEL: 'silent' }))
  t.teardown(async () => await again.close())
  const fresh = await again.inject({ method: 'GET', url: `/v1/tracks/${trackId(5)}`, headers: { authorization: `Bearer ${ALICE}` } })
  t.equal(fresh.headers['x-proxy-source'], 'upstream', 'the stored answer with the old links was dropped')
  t.equal(fresh.json().href, `http://localhost:9999/v1/tracks/${trackId(5)}`)
})

// Search since February 2026: limit 1-10 (docs/spotify-api.md §3.11). 37 tracks and 12 artists
// match `q=song`; links name the query `query`, as Spotify's do.
const FOUND = { tracks: 37, artists: 12 }
function searchDouble (base: string, maxLimit: number) {
  return (req: RecordedRequest): Behaviour => {
    const url = new URL(req.url, 'http://x')
    if (url.pathname === '/v1/me') return behave.ok()
    if (url.pathname !== '/v1/search') return FORBIDDEN
    const q = url.searchParams
    const limit = Number(q.get('limit') ?? 5)
    const offset = Number(q.get('offset') ?? 0)
    if (!(limit >= 1 && limit <= maxLimit)) return behave.status(400, { error: { status: 400, message: 'Invalid limit' } })
    if (q.get('q') !== 'song') return behave.status(400, { error: { status: 400, message: 'No search query' } })
    const body: Record<string, unknown> = {}
    for (const type of (q.get('type') ?? '').split(',')) {
      const total = FOUND[`${type}s` as keyof typeof FOUND] ?? 0
      const link = (o: number): string => `${base}/v1/search?offset=${o}&limit=${limit}&query=song&type=${q.get('type')}`
      const items = Array.from({ length: Math.max(0, Math.min(limit, total - offset)) }, (_, i) => (type === 'track' ? track(trackId(offset + i), base) : { id: `artist${offset + i}`, type: 'artist', name: `Artist ${offset + i}` }))
      body[`${type}s`] = { href: link(offset), items, limit, offset, total, next: offset + limit < total ? link(offset + limit) : null, previous: offset > 0 ? link(Math.max(0, offset - limit)) : null }
    }
    return json(body)
  }
}

t.test('search past 10 results: refused upstream, asked again in pages of 10 and stitched; then asked in pages at once', async t => {
  const r = await proxyRig(t, { SPOTIFY_PROXY_PUBLIC_URL: PUBLIC })
  r.double.set(searchDouble(r.double.url, 10))
  await r.get('/v1/me')
  let before = r.upstreamCount()
  const res = await r.get('/v1/search?q=song&type=track,artist&limit=25')
  t.equal(res.statusCode, 200)
  t.same(asked(r, before), [
    'GET /v1/search?q=song&type=track,artist&limit=25',
    'GET /v1/search?q=song&type=track,artist&limit=10&offset=0',
    'GET /v1/search?q=song&type=track,artist&limit=10&offset=10',
    'GET /v1/search?q=song&type=track,artist&limit=5&offset=20'
  ])
  const body = res.json()
  t.same(body.tracks.items.map((x: { id: string }) => x.id), Array.from({ length: 25 }, (_, i) => trackId(i)), '25 tracks in order')
  t.same([body.tracks.limit, body.tracks.offset, body.tracks.total], [25, 0, 37])
  t.equal(body.tracks.next, `${PUBLIC}/v1/search?q=song&type=track,artist&limit=25&offset=25`, 'the next page of 25, on the proxy')
  t.equal(body.tracks.previous, null)
  t.same(body.artists.items.map((x: { id: string }) => x.id), Array.from({ length: 12 }, (_, i) => `artist${i}`), 'each type stitched: the 12 artists')
  t.equal(body.artists.next, null)

  // The refusal is remembered: the next page is asked in pages straight away, and stops at the end.
  before = r.upstreamCount()
  const next = await r.get(new URL(body.tracks.next).pathname + new URL(body.tracks.next).search)
  t.same(asked(r, before), ['GET /v1/search?q=song&type=track,artist&limit=10&offset=25', 'GET /v1/search?q=song&type=track,artist&limit=10&offset=35'], 'a short page of every type ends it')
  const page2 = next.json()
  t.same(page2.tracks.items.map((x: { id: string }) => x.id), Array.from({ length: 12 }, (_, i) => trackId(25 + i)))
  t.same([page2.tracks.offset, page2.tracks.limit, page2.tracks.next], [25, 25, null])
  t.equal(page2.tracks.previous, `${PUBLIC}/v1/search?q=song&type=track,artist&limit=25&offset=0`)
  t.equal(page2.artists.items.length, 0)

  before = r.upstreamCount()
  t.same((await r.get('/v1/search?q=song&type=track&limit=7')).json().tracks.items.length, 7, 'a limit of 10 or less is asked as it is')
  t.same(asked(r, before), ['GET /v1/search?q=song&type=track&limit=7'])
})

t.test('a search refused for another reason is not taken for the limit cut', async t => {
  const r = await proxyRig(t)
  r.double.set(searchDouble(r.double.url, 10))
  await r.get('/v1/me')
  let before = r.upstreamCount()
  const bad = await r.get('/v1/search?q=nonsense&type=track&limit=30')
  t.equal(bad.statusCode, 400)
  t.same(bad.json(), { error: { status: 400, message: 'No search query' } }, 'upstream\'s own 400')
  t.equal(r.upstreamCount() - before, 2, 'asked as it was, then the first page of 10')
  before = r.upstreamCount()
  await r.get('/v1/search?q=song&type=track&limit=20')
  t.equal(asked(r, before)[0], 'GET /v1/search?q=song&type=track&limit=20', 'not remembered: the next search is asked as it is first')
})

t.test('an app whose search still takes 50 (extended quota) is asked once', async t => {
  const r = await proxyRig(t)
  r.double.set(searchDouble(r.double.url, 50))
  await r.get('/v1/me')
  const before = r.upstreamCount()
  const res = await r.get('/v1/search?q=song&type=track&limit=30')
  t.equal(res.json().tracks.items.length, 30)
  t.same(asked(r, before), ['GET /v1/search?q=song&type=track&limit=30'])
})
