// The 2026 development-mode Spotify double itself (test/helpers/spotify-2026.ts), asked directly:
// its answers follow the OpenAPI spec, hold the demo CSVs' data, and refuse what Spotify refuses.
import t from 'tap'
import { loadOpenApi } from '../helpers/openapi.js'
import { ALICE, BOB } from '../helpers/proxy.js'
import { CAFE_CLASSICS, DEEP_FOCUS, LIKED, OWNER, PICKS, spotify2026, TRACKS } from '../helpers/spotify-2026.js'
import { startUpstreamDouble } from '../helpers/upstream-double.js'

const api = loadOpenApi()
// Fields the spec lists that a development-mode app no longer gets (docs/spotify-api.md §5),
// or that Spotify sends only with a market or a scope.
const NOT_SENT = new Set(['popularity', 'preview_url', 'available_markets', 'linked_from', 'restrictions', 'is_playable', 'country', 'email', 'explicit_content', 'followers', 'product', 'ean', 'upc'])

t.test('the double answers as Spotify does for a development-mode app in 2026', async t => {
  const double = await startUpstreamDouble()
  t.teardown(async () => await double.close())
  double.set(spotify2026(double.url))
  const get = async (path: string, token: string | null = ALICE, method = 'GET'): Promise<{ status: number, body: Record<string, unknown> }> => {
    const res = await fetch(`${double.url}${path}`, { method, headers: token === null ? {} : { authorization: `Bearer ${token}` } })
    return { status: res.status, body: await res.json() as Record<string, unknown> }
  }
  const valid = (schema: string, value: unknown, what: string): void => {
    t.same(api.validateAgainst(schema, value), [], `${what}: a valid ${schema}`)
    t.same(api.missingProperties(schema, value, NOT_SENT), [], `${what}: every property a development-mode app gets`)
  }

  const me = await get('/v1/me')
  valid('PrivateUserObject', me.body, '/v1/me')
  t.same([me.body.id, me.body.display_name, me.body.country], [OWNER.id, 'Alice', undefined], 'Alice; no country for a development-mode app')
  t.equal((await get('/v1/me', BOB)).body.id, 'bob', 'per token')
  t.same(await get('/v1/me', 'tok-unknown'), { status: 401, body: { error: { status: 401, message: 'Invalid access token' } } })
  t.equal((await get('/v1/me', null)).status, 401)

  const track = await get(`/v1/tracks/${PICKS.saudade.id}`)
  valid('TrackObject', track.body, '/v1/tracks/{id}')
  const artists = (track.body.artists as Array<{ name: string }>).map(a => a.name)
  t.same([track.body.name, artists, (track.body.external_ids as { isrc: string }).isrc], [PICKS.saudade.name, PICKS.saudade.artists, PICKS.saudade.isrc], 'the CSV\'s name, artists, ISRC')
  t.equal(track.body.href, `${double.url}/v1/tracks/${PICKS.saudade.id}`, 'links on the double\'s origin')
  t.ok(Number(track.body.track_number) >= 1, 'a track number')
  t.equal((await get(`/v1/tracks/${PICKS.yoake.id}`)).body.name, '夜明けのプラットホーム', 'any track of the demo library')
  t.same((await get('/v1/tracks/0000000000000000000000')).status, 404)

  const playlist = await get(`/v1/playlists/${DEEP_FOCUS.id}`)
  valid('PlaylistObject', playlist.body, '/v1/playlists/{id}')
  for (const key of ['items', 'tracks']) {
    const page = playlist.body[key] as { total: number, items: Array<{ track: { id: string }, item: { id: string } }> }
    t.same([page.total, page.items.map(e => e.track.id), page.items.map(e => e.item.id)], [12, DEEP_FOCUS.entries.map(e => e.track.id), DEEP_FOCUS.entries.map(e => e.track.id)], `first page under \`${key}\``)
  }
  t.match(playlist.body.owner, { id: OWNER.id, display_name: 'Alice', type: 'user' }, 'owned by Alice')
  const bobs = await get(`/v1/playlists/${DEEP_FOCUS.id}`, BOB)
  t.same([bobs.status, bobs.body.name, bobs.body.items, bobs.body.tracks], [200, DEEP_FOCUS.name, undefined, undefined], 'someone else\'s playlist: metadata only')

  const items = await get(`/v1/playlists/${CAFE_CLASSICS.id}/items?limit=5&offset=10`)
  valid('PagingPlaylistTrackObject', items.body, '/v1/playlists/{id}/items')
  t.same((items.body.items as Array<{ track: { id: string }, item: { id: string }, added_at: string }>).map(e => [e.track.id, e.item.id, e.added_at]),
    CAFE_CLASSICS.entries.slice(10, 15).map(e => [e.track.id, e.track.id, e.addedAt]), 'entries under `item` and `track`, in playlist order')
  t.same([items.body.total, items.body.next, items.body.previous, items.body.href],
    [15, null, `${double.url}/v1/playlists/${CAFE_CLASSICS.id}/items?offset=5&limit=5`, `${double.url}/v1/playlists/${CAFE_CLASSICS.id}/items?offset=10&limit=5`], 'paging links, absolute')
  for (const limit of ['0', '51', 'x']) {
    t.same(await get(`/v1/playlists/${DEEP_FOCUS.id}/items?limit=${limit}`), { status: 400, body: { error: { status: 400, message: 'Invalid limit' } } }, `/items limit=${limit}`)
  }
  t.equal((await get(`/v1/playlists/${DEEP_FOCUS.id}/items?limit=50`)).status, 200, '/items limit=50')
  t.equal((await get(`/v1/playlists/${DEEP_FOCUS.id}/items`, BOB)).status, 403, '/items of someone else\'s playlist')

  const saved = await get('/v1/me/tracks?limit=50')
  valid('PagingSavedTrackObject', saved.body, '/v1/me/tracks')
  t.same((saved.body.items as Array<{ track: { id: string } }>).map(s => s.track.id), LIKED.map(e => e.track.id), 'Liked Songs, newest first')
  t.equal((await get('/v1/me/tracks?limit=51')).status, 400)

  const lists = await get('/v1/me/playlists')
  valid('PagingPlaylistObject', lists.body, '/v1/me/playlists')
  t.same((lists.body.items as Array<{ name: string, tracks: { total: number }, items: { total: number } }>).map(p => [p.name, p.tracks.total, p.items.total]), [['Deep Focus', 12, 12], ['Café Classics', 15, 15], ['Everything', 52, 52]])
  t.equal((await get('/v1/me/playlists', BOB)).body.total, 0, 'Bob owns none')

  const search = await get(`/v1/search?q=${encodeURIComponent('Greenhouse at Dawn')}&type=track`)
  const tracks = search.body.tracks as { limit: number, items: Array<{ id: string }>, href: string }
  valid('PagingTrackObject', tracks, '/v1/search')
  t.same([tracks.limit, tracks.items[0]?.id], [5, PICKS.greenhouse.id], 'default limit 5; the track first')
  t.match(tracks.href, /\/v1\/search\?offset=0&limit=5&query=Greenhouse/)
  t.equal((await get('/v1/search/?q=Grid&type=track&limit=10')).status, 200, 'a trailing slash is tolerated; limit 10')
  t.same(await get('/v1/search?q=Grid&type=track&limit=11'), { status: 400, body: { error: { status: 400, message: 'Invalid limit' } } }, 'search limit 11')
  const filtered = (await get('/v1/search?q=artist:%22Trio%20Fennec%22%20year:2023&type=track&limit=10')).body.tracks as { items: Array<{ id: string }> }
  t.same(filtered.items.map(x => x.id), [PICKS.saudade.id], 'field filters: artist:"Trio Fennec" year:2023')

  const forbidden = { status: 403, body: { error: { status: 403, message: 'Forbidden' } } }
  for (const [method, path] of [
    ['GET', `/v1/tracks?ids=${PICKS.greenhouse.id}`],
    ['GET', `/v1/audio-features/${PICKS.greenhouse.id}`],
    ['GET', `/v1/audio-features?ids=${PICKS.greenhouse.id}`],
    ['GET', `/v1/audio-analysis/${PICKS.greenhouse.id}`],
    ['GET', `/v1/playlists/${DEEP_FOCUS.id}/tracks?limit=5`],
    ['POST', `/v1/playlists/${DEEP_FOCUS.id}/tracks`],
    ['DELETE', `/v1/playlists/${DEEP_FOCUS.id}/tracks`],
    ['GET', `/v1/users/${OWNER.id}/playlists`],
    ['POST', `/v1/users/${OWNER.id}/playlists`]
  ] as const) {
    t.same(await get(path, ALICE, method), forbidden, `${method} ${path.split('?')[0]}: 403, removed for development-mode apps`)
  }
  t.same(await get('/v1/nowhere'), { status: 404, body: { error: { status: 404, message: 'Service not found' } } }, 'unknown path')
  t.equal(TRACKS.size, 52, 'the catalog: the demo library\'s 52 Spotify tracks')
})
