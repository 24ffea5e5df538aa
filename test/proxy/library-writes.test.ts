// Saving, removing and checking saved tracks and albums: development-mode apps lost the old calls
// in 2026 (PUT/DELETE /v1/me/tracks, /v1/me/tracks/contains, the same for albums…), which now go
// to /v1/me/library with URIs, at most 40 a request. Through the proxy, against the 2026 double.
import t from 'tap'
import { ALICE, proxyRig, type ProxyRig } from '../helpers/proxy.js'
import { LIKED, TRACKS, spotify2026 } from '../helpers/spotify-2026.js'

const NOT_LIKED = [...TRACKS.keys()].filter(id => !LIKED.some(e => e.track.id === id))
const ALBUM = '4aawyAB9vmqN3uQ7FjRGTy'

async function rig (t: Parameters<typeof proxyRig>[0]): Promise<ProxyRig> {
  const r = await proxyRig(t, { SPOTIFY_CSV_CACHE_TTL: '3600' })
  r.double.set(spotify2026(r.double.url))
  await r.get('/v1/me')
  return r
}

const send = async (r: ProxyRig, method: 'PUT' | 'DELETE', url: string, payload?: unknown): Promise<{ statusCode: number, body: string }> =>
  await r.app.inject({ method, url, headers: { authorization: `Bearer ${ALICE}`, ...(payload === undefined ? {} : { 'content-type': 'application/json' }) }, ...(payload === undefined ? {} : { payload: JSON.stringify(payload) }) })
const asked = (r: ProxyRig, from: number): string[] => r.double.requests.slice(from).map(q => `${q.method} ${decodeURIComponent(q.url)}`)

t.test('PUT /v1/me/tracks?ids= goes to /v1/me/library; the saved list read afterwards shows it', async t => {
  const r = await rig(t)
  const before = await r.get('/v1/me/tracks?limit=50')
  t.equal(before.json().total, LIKED.length)
  t.equal((await r.get('/v1/me/tracks?limit=50')).headers['x-proxy-source'], 'cache', 'held for an hour…')

  let from = r.upstreamCount()
  const saved = await send(r, 'PUT', `/v1/me/tracks?ids=${NOT_LIKED[0]},${NOT_LIKED[1]}`)
  t.equal(saved.statusCode, 200)
  t.same(asked(r, from), [`PUT /v1/me/library?uris=spotify:track:${NOT_LIKED[0]},spotify:track:${NOT_LIKED[1]}`])

  const after = await r.get('/v1/me/tracks?limit=50')
  t.equal(after.headers['x-proxy-source'], 'upstream', '…until the write: then read again')
  t.equal(after.json().total, LIKED.length + 2)
  t.same(after.json().items.slice(0, 2).map((e: { track: { id: string } }) => e.track.id).sort(), [NOT_LIKED[0], NOT_LIKED[1]].sort())

  from = r.upstreamCount()
  const contains = await r.get(`/v1/me/tracks/contains?ids=${NOT_LIKED[0]},${NOT_LIKED[2]},${LIKED[0]!.track.id}`)
  t.equal(contains.statusCode, 200)
  t.same(contains.json(), [true, false, true], 'in the order asked')
  t.same(asked(r, from), [`GET /v1/me/library/contains?uris=spotify:track:${NOT_LIKED[0]},spotify:track:${NOT_LIKED[2]},spotify:track:${LIKED[0]!.track.id}`])

  from = r.upstreamCount()
  t.equal((await send(r, 'DELETE', '/v1/me/tracks', { ids: [NOT_LIKED[0]] })).statusCode, 200, 'ids in the body')
  t.same(asked(r, from), [`DELETE /v1/me/library?uris=spotify:track:${NOT_LIKED[0]}`])
  t.same((await r.get(`/v1/me/tracks/contains?ids=${NOT_LIKED[0]},${NOT_LIKED[1]}`)).json(), [false, true], 'contains asked again after the write')
})

t.test('more than 40 ids: several /v1/me/library requests, and contains answers in one list', async t => {
  const r = await rig(t)
  const ids = [...TRACKS.keys()].slice(0, 45)
  let from = r.upstreamCount()
  t.equal((await send(r, 'PUT', '/v1/me/tracks', { timestamped_ids: ids.map(id => ({ id, added_at: '2026-01-01T00:00:00Z' })) })).statusCode, 200)
  t.same(asked(r, from).map(x => x.split('uris=')[1]!.split(',').length), [40, 5], 'timestamped_ids: 40, then 5')
  from = r.upstreamCount()
  const contains = await r.get(`/v1/me/tracks/contains?ids=${[...ids, NOT_LIKED.at(-1)].join(',')}`)
  t.same(contains.json(), [...ids.map(() => true), false])
  t.equal(r.upstreamCount() - from, 2)
})

t.test('albums too; a refusal upstream is the client\'s answer', async t => {
  const r = await rig(t)
  const from = r.upstreamCount()
  t.equal((await send(r, 'PUT', `/v1/me/albums?ids=${ALBUM}`)).statusCode, 200)
  t.same(asked(r, from), [`PUT /v1/me/library?uris=spotify:album:${ALBUM}`])
  t.same((await r.get(`/v1/me/albums/contains?ids=${ALBUM}`)).json(), [true])
  const bad = await send(r, 'PUT', '/v1/me/tracks?ids=not-an-id')
  t.equal(bad.statusCode, 400)
  t.same(JSON.parse(bad.body), { error: { status: 400, message: 'Invalid URI' } }, 'upstream\'s own 400')
  const none = await send(r, 'PUT', '/v1/me/tracks')
  t.equal(none.statusCode, 403, 'no ids anywhere: sent as it is, and refused as Spotify refuses it')
})
