// Access tokens last an hour, so a daily sync comes with a new token every time. Private answers
// are keyed by user, and a token's user is asked (GET /v1/me) once, when its first private answer
// arrives: the new token finds the pages the last one stored, while their snapshot_id holds.
import t from 'tap'
import { behave, type Behaviour, type RecordedRequest } from '../helpers/upstream-double.js'
import { proxyRig, type ProxyRig } from '../helpers/proxy.js'

const HOUR_1 = 'tok-alice-hour-1-aaaaaa'
const HOUR_2 = 'tok-alice-hour-2-bbbbbb'
const APP = 'tok-client-credentials-appcc1'
const P = '37i9dQZF1DX8NTLI2TtZa6'
const json = (body: unknown): Behaviour => behave.status(200, body, { 'content-type': 'application/json; charset=utf-8' })

/** Spotify for Alice's two tokens, and an app token (client credentials: no user). */
function spotify (req: RecordedRequest): Behaviour {
  const token = String(req.headers.authorization ?? '').replace(/^Bearer /, '')
  const path = req.url.split('?')[0]
  if (![HOUR_1, HOUR_2, APP].includes(token)) return behave.status(401, { error: { status: 401, message: 'Invalid access token' } })
  if (path === '/v1/me') {
    return token === APP ? behave.status(401, { error: { status: 401, message: 'This request requires user authentication.' } }) : json({ id: 'alice', display_name: 'Alice', type: 'user', country: 'SE' })
  }
  if (path === '/v1/me/playlists') return json({ href: 'x', items: [{ id: P, name: 'Focus', type: 'playlist', snapshot_id: 'snap-1', owner: { id: 'alice' }, tracks: { total: 2 } }], limit: 50, offset: 0, total: 1, next: null, previous: null })
  if (path === `/v1/playlists/${P}/items`) return json({ href: 'x', items: [{ item: { id: 'a', type: 'track' } }, { item: { id: 'b', type: 'track' } }], limit: 50, offset: 0, total: 2, next: null, previous: null })
  if (path === `/v1/playlists/${P}`) return json({ id: P, name: 'Focus', type: 'playlist', snapshot_id: 'snap-1' })
  return behave.status(404, { error: { status: 404, message: 'Resource not found' } })
}

const asked = (r: ProxyRig, from: number): string[] => r.double.requests.slice(from).map(q => `${q.url.split('?')[0]} ${String(q.headers.authorization).slice(-6)}`)

t.test('the next hour\'s token of the same user finds the playlist pages the last one stored', async t => {
  // No TTL freshness: pages stay valid only while their playlist's snapshot_id holds, as for a daily sync.
  const r = await proxyRig(t, { SPOTIFY_CSV_CACHE_TTL: '0' })
  r.double.set(spotify)
  const items = `/v1/playlists/${P}/items?limit=50`

  let from = r.upstreamCount()
  t.equal((await r.get('/v1/me/playlists?limit=50', HOUR_1)).statusCode, 200)
  t.same(asked(r, from), ['/v1/me/playlists aaaaaa', '/v1/me aaaaaa'], 'a new token\'s first private answer: its user asked once')
  t.equal((await r.get(items, HOUR_1)).headers['x-proxy-source'], 'upstream')

  from = r.upstreamCount()
  const list = await r.get('/v1/me/playlists?limit=50', HOUR_2)
  t.equal(list.headers['x-proxy-source'], 'upstream', 'a token never seen goes to Spotify first')
  t.same(asked(r, from), ['/v1/me/playlists bbbbbb', '/v1/me bbbbbb'])
  from = r.upstreamCount()
  const page = await r.get(items, HOUR_2)
  t.equal(page.headers['x-proxy-source'], 'cache', 'the page stored under the first token: the snapshot_id did not change')
  t.same(page.json().items.length, 2)
  t.same(asked(r, from), [], 'nothing asked')
  t.equal((await r.get(items, HOUR_2)).headers['x-proxy-source'], 'cache')
  t.same(asked(r, from), [], 'and the user is not asked again')
})

t.test('an app token (no user) is asked once, and its answers stay its own', async t => {
  const r = await proxyRig(t, { SPOTIFY_CSV_CACHE_TTL: '0' })
  r.double.set(spotify)
  let from = r.upstreamCount()
  t.equal((await r.get(`/v1/playlists/${P}`, APP)).statusCode, 200)
  t.same(asked(r, from), [`/v1/playlists/${P} appcc1`, '/v1/me appcc1'])
  from = r.upstreamCount()
  t.equal((await r.get(`/v1/playlists/${P}/items?limit=50`, APP)).statusCode, 200)
  t.same(asked(r, from), [`/v1/playlists/${P}/items appcc1`], 'its 401 on /v1/me is final: not asked again')
  // Alice's token does not get what the app token fetched: different principals.
  from = r.upstreamCount()
  t.equal((await r.get(`/v1/playlists/${P}/items?limit=50`, HOUR_1)).headers['x-proxy-source'], 'upstream')
})

t.test('a lookup Spotify could not answer is tried again with the next private answer', async t => {
  const r = await proxyRig(t, { SPOTIFY_CSV_CACHE_TTL: '0' })
  let meDown = true
  r.double.set(req => (req.url.startsWith('/v1/me?') || req.url === '/v1/me') && meDown ? behave.status(503) : spotify(req))
  let from = r.upstreamCount()
  t.equal((await r.get('/v1/me/playlists?limit=50', HOUR_1)).statusCode, 200, 'the answer does not depend on the lookup')
  t.same(asked(r, from), ['/v1/me/playlists aaaaaa', '/v1/me aaaaaa'])
  meDown = false
  from = r.upstreamCount()
  await r.get(`/v1/playlists/${P}/items?limit=50`, HOUR_1)
  t.same(asked(r, from), [`/v1/playlists/${P}/items aaaaaa`, '/v1/me aaaaaa'], 'asked again')
  from = r.upstreamCount()
  await r.get(`/v1/playlists/${P}/items?limit=20`, HOUR_1)
  t.same(asked(r, from), [`/v1/playlists/${P}/items aaaaaa`], 'known now')
})

t.test('the lookup does not carry the client\'s validators: they were for its own request', async t => {
  const r = await proxyRig(t, { SPOTIFY_CSV_CACHE_TTL: '0' })
  r.double.set(spotify)
  await r.get('/v1/me/playlists?limit=50', HOUR_1, { 'if-none-match': '"client-etag"' })
  const me = r.double.requests.find(q => q.url === '/v1/me')
  t.ok(me, 'the user was asked')
  t.equal(me!.headers['if-none-match'], undefined)
  t.equal(r.double.requests[0]!.headers['if-none-match'], '"client-etag"', 'the client\'s own request kept it')
})
