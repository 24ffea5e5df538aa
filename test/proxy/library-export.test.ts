// GET /library/v1/tracks on a real app over the demo library (owned by alice): who may read it,
// cursor pages in Spotify's shapes, NDJSON streamed whole, filters, and bad parameters.
import t from 'tap'
import { checkSchema } from '../answers/fixtures/libraries.js'
import { ALICE, BOB, proxyRig } from '../helpers/proxy.js'

const LOCAL = 'local-token-for-tests-0001'
const r = await proxyRig(t, { SPOTIFY_PROXY_LOCAL_TOKENS: LOCAL })
await r.get('/v1/me', ALICE) // verified by Spotify: alice, the library's owner
await r.get('/v1/me', BOB) // verified, but not the owner
const BASE = 'http://127.0.0.1:8888'

t.test('only the owner\'s tokens and local ones read it', async t => {
  const before = r.upstreamCount()
  const no = await r.get('/library/v1/tracks', null)
  t.same([no.statusCode, no.json()], [401, { error: { status: 401, message: 'No token provided' } }])
  const bob = await r.get('/library/v1/tracks', BOB)
  t.equal(bob.statusCode, 403)
  t.match(bob.json().error.message, /owner/)
  t.equal((await r.get('/library/v1/tracks', 'never-seen-by-spotify-123')).statusCode, 403, 'an unverified token')
  t.equal((await r.get('/library/v1/tracks', ALICE)).statusCode, 200)
  t.equal((await r.get('/library/v1/tracks', LOCAL)).statusCode, 200)
  t.equal(r.upstreamCount(), before, 'no call to Spotify')
})

t.test('cursor pages: every track once, in Spotify\'s TrackObject', async t => {
  const first = await r.get('/library/v1/tracks?limit=20', LOCAL)
  t.equal(first.headers['x-proxy-source'], 'csv')
  const page = first.json()
  t.match(page, { href: `${BASE}/library/v1/tracks?limit=20`, limit: 20, total: 53 })
  t.equal(page.items.length, 20)
  t.equal(page.cursors.after, page.next.split('after=')[1])
  const seen = page.items.map((i: any) => i.id)
  let next: string | null = page.next
  while (next !== null) {
    const p = (await r.get(next.slice(BASE.length), LOCAL)).json()
    seen.push(...p.items.map((i: any) => i.id))
    next = p.next
  }
  t.equal(seen.length, 53)
  t.equal(new Set(seen).size, 53, 'each track once')
  const all = (await r.get('/library/v1/tracks?limit=1000', ALICE)).json()
  t.same(all.items.map((i: any) => i.id), seen, 'the same order in one page of up to 1,000')
  t.same([all.next, all.cursors], [null, {}])
  checkSchema(t, 'CursorPagingObject', { ...page, items: [] })
  checkSchema(t, 'PagingTrackObject', { ...all, next: null, offset: 0, previous: null }, ['local-file'])
})

t.test('NDJSON: every item, one object a line, streamed', async t => {
  const res = await r.get('/library/v1/tracks', LOCAL, { accept: 'application/x-ndjson' })
  t.equal(res.statusCode, 200)
  t.match(res.headers['content-type'], /^application\/x-ndjson/)
  t.equal(res.headers['x-total-count'], '53')
  const lines = res.body.trimEnd().split('\n').map(l => JSON.parse(l))
  t.equal(lines.length, 53)
  const paged = (await r.get('/library/v1/tracks?limit=1000', LOCAL)).json()
  t.same(lines, paged.items)
  const after = paged.items.length > 10 ? (await r.get('/library/v1/tracks?limit=10', LOCAL)).json().cursors.after : null
  const rest = await r.get(`/library/v1/tracks?after=${after}`, LOCAL, { accept: 'application/json, application/x-ndjson;q=0.9' })
  t.equal(rest.body.trimEnd().split('\n').length, 43, 'from a cursor on')
})

t.test('filters: a playlist\'s entries, the saved tracks, added since', async t => {
  const lists = (await r.get('/v1/me/playlists?limit=50', LOCAL)).json()
  const focus = lists.items.find((p: any) => p.name === 'Deep Focus')
  const pl = (await r.get(`/library/v1/tracks?playlist=${focus.id}&limit=1000`, LOCAL)).json()
  const viaApi = (await r.get(`/v1/playlists/${focus.id}/tracks?limit=50`, LOCAL)).json()
  t.equal(pl.total, viaApi.total)
  t.same(pl.items, viaApi.items, 'the same PlaylistTrackObjects as the Web API answer')
  checkSchema(t, 'PagingPlaylistTrackObject', { ...pl, next: null, offset: 0, previous: null })

  const saved = (await r.get('/library/v1/tracks?saved=true&limit=1000', LOCAL)).json()
  t.equal(saved.total, 30)
  const viaMe = (await r.get('/v1/me/tracks?limit=50', LOCAL)).json()
  t.same(saved.items, viaMe.items, 'the Liked Songs in /v1/me/tracks order')
  checkSchema(t, 'PagingSavedTrackObject', { ...saved, next: null, offset: 0, previous: null })

  const recent = (await r.get('/library/v1/tracks?saved=true&added_since=2026-01-01', LOCAL)).json()
  t.ok(recent.total > 0 && recent.total < 30)
  t.ok(recent.items.every((i: any) => i.added_at >= '2026-01-01'))
  t.equal(recent.items.length, viaMe.items.filter((i: any) => i.added_at >= '2026-01-01').length)
  const ndjson = await r.get(`/library/v1/tracks?playlist=${focus.id}&added_since=2026-03-01T00:00:00Z`, LOCAL, { accept: 'application/x-ndjson' })
  const since = ndjson.body.split('\n').filter(l => l !== '').map(l => JSON.parse(l))
  t.same(since, pl.items.filter((i: any) => i.added_at >= '2026-03-01T00:00:00Z'))
})

t.test('bad parameters: Spotify\'s error shape', async t => {
  const focus = (await r.get('/v1/me/playlists?limit=50', LOCAL)).json().items.find((p: any) => p.name === 'Deep Focus')
  const err = async (q: string, status = 400): Promise<string> => {
    const res = await r.get(`/library/v1/tracks?${q}`, LOCAL)
    t.equal(res.statusCode, status, q)
    return res.json().error.message
  }
  for (const limit of ['0', '1001', 'x', '1.5']) t.equal(await err(`limit=${limit}`), 'Invalid limit')
  t.match(await err('after=-1'), /cursor/)
  t.match(await err('saved=yes'), /saved/)
  t.match(await err('added_since=yesterday'), /added_since/)
  t.match(await err('added_since=2026-01-01'), /playlist or the saved/)
  t.match(await err(`saved=true&playlist=${focus.id}`), /not both/)
  t.equal(await err('playlist=0000000000000000000000', 404), 'Playlist not in the library')
})
