// The 2026 bridges' pure parts (src/policy/exchanges/): which /items pages a /tracks request becomes, how they are stitched,
// write translation, own-playlists paths, link rewriting and the closed-endpoint names.
import t from 'tap'
import { closedName, requestTarget } from '../../src/endpoints.js'
import { planPlaylistTracks as planOf, stitchPlaylistPages, type PlaylistTracksPlan } from '../../src/policy/exchanges/playlist-tracks.js'
import { ownPlaylistsPath as ownPathOf, translatePlaylistWrite as playlistWriteOf, userPlaylistsOwner as listOwnerOf } from '../../src/policy/exchanges/playlists.js'
import { planLibraryContains as containsOf, translateLibraryWrite as libraryWriteOf } from '../../src/policy/exchanges/saved-items.js'
import { planSearch as searchOf } from '../../src/policy/exchanges/search-pages.js'
import { rewriteLinks } from '../../src/policy/links.js'

// The planners take the request target as the proxy parses it (src/endpoints.ts).
const T = (path: string, method = 'GET'): ReturnType<typeof requestTarget> => requestTarget(method, path)
const planPlaylistTracks = (path: string): ReturnType<typeof planOf> => planOf(T(path))
const planSearch = (path: string): ReturnType<typeof searchOf> => searchOf(T(path))
const planLibraryContains = (path: string): ReturnType<typeof containsOf> => containsOf(T(path))
const translateLibraryWrite = (method: string, path: string, body: Buffer | undefined): ReturnType<typeof libraryWriteOf> => libraryWriteOf(T(path, method), body)
const translatePlaylistWrite = (method: string, path: string, body: Buffer | undefined): ReturnType<typeof playlistWriteOf> => playlistWriteOf(T(path, method), body)
const userPlaylistsOwner = (path: string): string | null => listOwnerOf(T(path))
const ownPlaylistsPath = (path: string): string => ownPathOf(T(path))
const closedEndpoint = (method: string, path: string): string | null => closedName(T(path, method))

const P = '37i9dQZF1DXcBWIGoYBM5M'
const BASE = 'http://127.0.0.1:8888/v1'

function plan (path: string): PlaylistTracksPlan {
  const r = planPlaylistTracks(path)
  if (r === null || !r.ok) throw new Error(`no plan for ${path}`)
  return r.plan
}

t.test('a /tracks page becomes /items pages of at most 50', async t => {
  t.same(plan(`/v1/playlists/${P}/tracks`).pages, [`/v1/playlists/${P}/items?limit=20&offset=0`], 'Spotify\'s default of 20')
  t.same(plan(`/v1/playlists/${P}/tracks?limit=50&offset=7&market=SE`).pages, [`/v1/playlists/${P}/items?market=SE&limit=50&offset=7`])
  t.same(plan(`/v1/playlists/${P}/tracks?offset=100&limit=100&additional_types=track,episode&fields=items(track(name))`).pages, [
    `/v1/playlists/${P}/items?additional_types=track,episode&limit=50&offset=100`,
    `/v1/playlists/${P}/items?additional_types=track,episode&limit=50&offset=150`
  ], 'two pages; fields kept for the proxy')
  t.same(plan(`/v1/playlists/${P}/tracks?limit=73`).pages.map(p => new URL(p, 'http://x').searchParams.get('limit')), ['50', '23'])
  t.equal(plan(`/v1/playlists/${P}/tracks?fields=total`).fields, 'total')
  t.equal(planPlaylistTracks(`/v1/playlists/${P}/items?limit=50`), null, '/items is not translated')
  t.equal(planPlaylistTracks(`/v1/playlists/${P}`), null)
  t.same(planPlaylistTracks(`/v1/playlists/${P}/tracks?limit=101`), { ok: false, status: 400, message: 'Invalid limit' })
  t.same(planPlaylistTracks(`/v1/playlists/${P}/tracks?limit=0`), { ok: false, status: 400, message: 'Invalid limit' })
  t.same(planPlaylistTracks(`/v1/playlists/${P}/tracks?offset=-1`), { ok: false, status: 400, message: 'Invalid offset' })
})

t.test('stitched pages answer as /tracks would: both entry names, its own paging and links', async t => {
  const entry = (n: number): Record<string, unknown> => ({ added_at: '2026-01-01T00:00:00Z', item: { id: `t${n}`, name: `Song ${n}`, type: 'track' } })
  const p = plan(`/v1/playlists/${P}/tracks?limit=100&offset=50&market=SE`)
  const body = stitchPlaylistPages(p, [
    { href: 'x', items: Array.from({ length: 50 }, (_, i) => entry(50 + i)), limit: 50, offset: 50, total: 180 },
    { href: 'y', items: Array.from({ length: 50 }, (_, i) => entry(100 + i)), limit: 50, offset: 100, total: 180 }
  ], BASE) as { items: Array<Record<string, { id: string }>>, [k: string]: unknown }
  t.equal(body.items.length, 100)
  t.equal(body.items[0]!.track!.id, 't50')
  t.equal(body.items[0]!.item, body.items[0]!.track, '`track` beside `item`')
  t.equal(body.items[99]!.track!.id, 't149')
  t.same({ limit: body.limit, offset: body.offset, total: body.total }, { limit: 100, offset: 50, total: 180 })
  t.equal(body.href, `${BASE}/playlists/${P}/tracks?limit=100&offset=50&market=SE`)
  t.equal(body.next, `${BASE}/playlists/${P}/tracks?limit=100&offset=150&market=SE`)
  t.equal(body.previous, `${BASE}/playlists/${P}/tracks?limit=100&offset=0&market=SE`)

  const last = stitchPlaylistPages(plan(`/v1/playlists/${P}/tracks?limit=100&offset=150`), [{ items: [entry(150)], total: 151 }], BASE)
  t.equal(last.next, null, 'no next past the end')
  const filtered = stitchPlaylistPages(plan(`/v1/playlists/${P}/tracks?fields=total,items(track(name))`), [{ items: [{ track: { id: 'a', name: 'A' } }], total: 1 }], BASE)
  t.same(filtered, { total: 1, items: [{ track: { name: 'A' } }] }, 'the client\'s fields filter, on the old names')
})

t.test('writes to /tracks go to /items; DELETE names its list items', async t => {
  t.same(translatePlaylistWrite('POST', `/v1/playlists/${P}/tracks?position=0`, Buffer.from('{"uris":["spotify:track:a"]}')), { path: `/v1/playlists/${P}/items?position=0`, body: Buffer.from('{"uris":["spotify:track:a"]}') })
  const del = translatePlaylistWrite('DELETE', `/v1/playlists/${P}/tracks`, Buffer.from('{"tracks":[{"uri":"spotify:track:a"}],"snapshot_id":"s1"}'))!
  t.equal(del.path, `/v1/playlists/${P}/items`)
  t.same(JSON.parse(del.body!.toString()), { items: [{ uri: 'spotify:track:a' }], snapshot_id: 's1' })
  t.same(translatePlaylistWrite('DELETE', `/v1/playlists/${P}/tracks`, Buffer.from('not json'))!.body, Buffer.from('not json'), 'a body that is not JSON goes as sent')
  t.equal(translatePlaylistWrite('GET', `/v1/playlists/${P}/tracks`, undefined), null)
  t.equal(translatePlaylistWrite('POST', `/v1/playlists/${P}/items`, undefined), null)
})

t.test('own playlists: /users/{id}/playlists → /me/playlists', async t => {
  t.equal(userPlaylistsOwner('/v1/users/alice/playlists?limit=50'), 'alice')
  t.equal(userPlaylistsOwner('/v1/users/a%20b/playlists'), 'a b')
  t.equal(userPlaylistsOwner('/v1/users/alice'), null)
  t.equal(ownPlaylistsPath('/v1/users/alice/playlists?limit=50&offset=50'), '/v1/me/playlists?limit=50&offset=50')
  t.equal(ownPlaylistsPath('/v1/users/alice/playlists'), '/v1/me/playlists')
})

t.test('links on Spotify\'s bases are rewritten, anything else is left alone', async t => {
  const json = {
    href: 'https://api.spotify.com/v1/me/tracks?offset=0&limit=20',
    next: 'http://127.0.0.1:4000/v1/me/tracks?offset=20&limit=20',
    previous: null,
    items: [{ track: { href: 'https://api.spotify.com/v1/tracks/abc', external_urls: { spotify: 'https://open.spotify.com/track/abc' }, name: 'https://api.spotify.com/v1/tracks/x' } }],
    other: { href: 'https://api.spotify.com/v10/x', next: 'https://api.spotify.com/v1' }
  }
  t.equal(rewriteLinks(json, ['http://127.0.0.1:4000/v1', 'https://api.spotify.com/v1'], BASE), 4)
  t.equal(json.href, `${BASE}/me/tracks?offset=0&limit=20`)
  t.equal(json.next, `${BASE}/me/tracks?offset=20&limit=20`)
  t.equal(json.items[0]!.track.href, `${BASE}/tracks/abc`)
  t.equal(json.items[0]!.track.external_urls.spotify, 'https://open.spotify.com/track/abc', 'not an API link')
  t.equal(json.items[0]!.track.name, 'https://api.spotify.com/v1/tracks/x', 'only href/next/previous')
  t.equal(json.other.href, 'https://api.spotify.com/v10/x', 'whole path segments only')
  t.equal(json.other.next, BASE)
  let deep: unknown = { href: 'https://api.spotify.com/v1/x' }
  for (let i = 0; i < 100_000; i++) deep = { a: deep }
  t.equal(rewriteLinks(deep, ['https://api.spotify.com/v1'], BASE), 1, 'a deep body cannot overflow the stack')
})

t.test('closed endpoints are named by their template', async t => {
  t.equal(closedEndpoint('GET', '/v1/tracks?ids=a,b'), 'GET /v1/tracks?ids')
  t.equal(closedEndpoint('GET', '/v1/tracks/abc'), null, 'single tracks are live')
  t.equal(closedEndpoint('GET', '/v1/audio-features/abc'), 'GET /v1/audio-features/{id}')
  t.equal(closedEndpoint('GET', '/v1/audio-features?ids=a'), 'GET /v1/audio-features?ids')
  t.equal(closedEndpoint('GET', `/v1/playlists/${P}/tracks?limit=5`), 'GET /v1/playlists/{id}/tracks')
  t.equal(closedEndpoint('GET', `/v1/playlists/${P}/items`), null)
  t.equal(closedEndpoint('GET', '/v1/users/bob/playlists'), 'GET /v1/users/{id}/playlists')
  t.equal(closedEndpoint('POST', '/v1/users/bob/playlists'), null)
  t.equal(closedEndpoint('GET', '/v1/me/playlists'), null)
})

t.test('planSearch: pages of 10 only for limits over 10 that were valid before the cut', async t => {
  t.equal(planSearch('/v1/search?q=a&type=track'), null, 'no limit: upstream\'s default')
  t.equal(planSearch('/v1/search?q=a&type=track&limit=10'), null, '10 or less: asked as it is')
  t.equal(planSearch('/v1/search?q=a&type=track&limit=51'), null, 'over 50 was always refused: upstream says so')
  t.equal(planSearch('/v1/search?q=a&type=track&limit=20&offset=1001'), null, 'an offset past 1000 too')
  t.equal(planSearch('/v1/tracks?limit=20'), null)
  t.same(planSearch('/v1/search/?q=a%20b&type=track,artist&limit=21&offset=5')?.pages, [
    '/v1/search?q=a+b&type=track,artist&limit=10&offset=5',
    '/v1/search?q=a+b&type=track,artist&limit=10&offset=15',
    '/v1/search?q=a+b&type=track,artist&limit=1&offset=25'
  ], 'a trailing slash as spotify-web-api-node sends it')
  t.same(planSearch('/v1/search?q=a&type=track&limit=50&offset=980')?.pages, [
    '/v1/search?q=a&type=track&limit=10&offset=980',
    '/v1/search?q=a&type=track&limit=10&offset=990',
    '/v1/search?q=a&type=track&limit=10&offset=1000'
  ], 'no page past offset 1000, the most upstream serves')
})

t.test('translateLibraryWrite / planLibraryContains: the old save calls as /v1/me/library requests of 40', async t => {
  const A = '4iV5W9uYEdYUVa79Axb7Rh'
  const B = '1301WleyT98MSxVHPZCA6M'
  t.same(translateLibraryWrite('PUT', `/v1/me/tracks?ids=${A},${B}`, undefined), [`/v1/me/library?uris=spotify:track:${A},spotify:track:${B}`])
  t.same(translateLibraryWrite('DELETE', '/v1/me/albums', Buffer.from(JSON.stringify({ ids: [A] }))), [`/v1/me/library?uris=spotify:album:${A}`])
  t.same(translateLibraryWrite('PUT', '/v1/me/tracks', Buffer.from(JSON.stringify([A, B]))), [`/v1/me/library?uris=spotify:track:${A},spotify:track:${B}`], 'a bare array (the TS SDK)')
  t.same(translateLibraryWrite('PUT', '/v1/me/tracks', Buffer.from(JSON.stringify({ timestamped_ids: [{ id: A, added_at: '2020-01-01T00:00:00Z' }] }))), [`/v1/me/library?uris=spotify:track:${A}`])
  t.same(translateLibraryWrite('PUT', '/v1/me/shows?ids=a%2Cb', undefined), ['/v1/me/library?uris=spotify:show:a,spotify:show:b'], 'ids decoded from the query')
  const many = Array.from({ length: 45 }, (_, i) => `id${i}`)
  t.same(translateLibraryWrite('PUT', `/v1/me/tracks?ids=${many.join(',')}`, undefined)!.map(p => p.split(',').length), [40, 5])
  t.equal(translateLibraryWrite('PUT', '/v1/me/tracks', Buffer.from('{not json')), null, 'unreadable: sent as it is')
  t.equal(translateLibraryWrite('PUT', '/v1/me/tracks', Buffer.from(JSON.stringify({ ids: [1, 2] }))), null)
  t.equal(translateLibraryWrite('GET', `/v1/me/tracks?ids=${A}`, undefined), null, 'reading the saved list is unchanged')
  t.equal(translateLibraryWrite('PUT', '/v1/me/following?type=artist&ids=x', undefined), null, 'following has no /me/library equivalent for artists')
  t.same(planLibraryContains(`/v1/me/tracks/contains?ids=${A}`), [`/v1/me/library/contains?uris=spotify:track:${A}`])
  t.equal(planLibraryContains('/v1/me/tracks/contains'), null)
  t.equal(planLibraryContains('/v1/me/tracks'), null)
})
