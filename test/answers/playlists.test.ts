// GET /v1/playlists/{id}, its /tracks and /items pages (paging, links, fields), /v1/me/playlists
// and /v1/users/{id}/playlists, from the demo library and the real Exportify fixtures.
import t from 'tap'
import type { LibraryPlaylist } from '../../src/library/types.js'
import { ask, BASE, body, checkSchema, CTX, openDemo, openReal, spotifyErr } from './fixtures/libraries.js'

const dir = t.testdir()
const demoLib = await openDemo(t, dir)
const demo = demoLib.store
const real = (await openReal(t, dir)).store

const byName = (store: typeof demo, name: string): LibraryPlaylist =>
  store.listPlaylists({ limit: 50, offset: 0 }).items.find(p => p.name === name)!
const LATE = byName(demo, 'Late Night Drive') // 16 items, one of them a local file
const FOCUS = byName(demo, 'Deep Focus') // 12 items
const UTZ = byName(real, 'utz utz utz') // watsonbox W6 German: full ids, local files at 37 and 47
const TOP_2018 = byName(real, 'your top songs 2018') // watsonbox W1: no dates, Spotify-made
const UNKNOWN = '0000000000000000000000'
const notFound = spotifyErr(404, 'Resource not found')
const invalidLimit = spotifyErr(400, 'Invalid limit')
const invalidOffset = spotifyErr(400, 'Invalid offset')

const ids = (page: { items: Array<{ track: { id: string | null } }> }): Array<string | null> => page.items.map(i => i.track.id)

t.test('GET /v1/playlists/{id}: the first 100 items under both tracks and items', async t => {
  const p = body(demo, `/v1/playlists/${LATE.id}`)
  const href = `${BASE}/playlists/${LATE.id}`
  t.match(p, { id: LATE.id, name: 'Late Night Drive', type: 'playlist', href, uri: `spotify:playlist:${LATE.id}`, owner: { id: 'demo-user', display_name: 'Demo User' } })
  t.match(p.tracks, { href: `${href}/tracks?offset=0&limit=100`, limit: 100, offset: 0, total: 16, next: null, previous: null })
  t.match(p.items, { href: `${href}/items?offset=0&limit=100`, limit: 100, offset: 0, total: 16, next: null, previous: null })
  t.equal(p.tracks.items.length, 16)
  t.same(p.items.items, p.tracks.items, 'the same page under both names')
  t.same(ids(p.tracks).slice(0, 3), ['1ky0SVTfPLNS36YzXkoJUI', '456TLP2AylMogQEbXWp18z', '1698q3EOgQ4wjI1wzOKrTi'], 'file order')
  t.same(p.tracks.items[0].item, p.tracks.items[0].track, 'each entry carries both track and item')
  checkSchema(t, 'PlaylistObject', p, ['local-file'])
  checkSchema(t, 'PlaylistObject', body(demo, `/v1/playlists/${FOCUS.id}?market=SE&additional_types=track,episode`), [])
  t.same(body(demo, `/v1/playlists/${LATE.id}?limit=2&offset=5`), p, 'GET /playlists/{id} always embeds the first page')
})

t.test('GET /v1/playlists/{id}: errors', async t => {
  t.same(ask(demo, `/v1/playlists/${UNKNOWN}`), notFound)
  t.same(ask(demo, `/v1/playlists/${UNKNOWN}/tracks`), notFound)
  t.same(ask(demo, `/v1/playlists/${UNKNOWN}/items?fields=name`), notFound, 'fields does not touch errors')
  for (const bad of ['xxxxx', `${LATE.id}x`, `spotify:playlist:${LATE.id}`]) {
    t.same(ask(demo, `/v1/playlists/${bad}`), spotifyErr(400, 'Invalid base62 id'), bad)
    t.same(ask(demo, `/v1/playlists/${bad}/items`), spotifyErr(400, 'Invalid base62 id'))
  }
  const liked = demoLib.db.prepare('SELECT id FROM playlists WHERE is_liked = 1').pluck().get() as string
  t.same(ask(demo, `/v1/playlists/${liked}`), notFound, 'Liked Songs is not a playlist on Spotify')
  t.same(ask(demo, `/v1/playlists/${liked}/tracks`), notFound)
})

t.test('/tracks and /items: paging and links', async t => {
  const first = body(demo, `/v1/playlists/${LATE.id}/tracks`)
  t.match(first, { href: `${BASE}/playlists/${LATE.id}/tracks?offset=0&limit=20`, limit: 20, offset: 0, total: 16, next: null, previous: null })
  t.equal(first.items.length, 16, 'default limit 20')
  checkSchema(t, 'PagingPlaylistTrackObject', first, ['local-file'])

  const p2 = body(demo, `/v1/playlists/${LATE.id}/items?offset=5&limit=5&market=US`)
  const base = `${BASE}/playlists/${LATE.id}/items`
  t.strictSame([p2.href, p2.next, p2.previous, p2.total, p2.limit, p2.offset],
    [`${base}?offset=5&limit=5&market=US`, `${base}?offset=10&limit=5&market=US`, `${base}?offset=0&limit=5&market=US`, 16, 5, 5],
    'href, next and previous on the proxy, other parameters kept')
  t.same(ids(p2), ids(first).slice(5, 10))
  const last = body(demo, `/v1/playlists/${LATE.id}/items?offset=15&limit=5`)
  t.same([last.items.length, last.next, last.previous], [1, null, `${base}?offset=10&limit=5`])
  const past = body(demo, `/v1/playlists/${LATE.id}/items?offset=40&limit=5`)
  t.same([past.items, past.next, past.previous, past.total], [[], null, `${base}?offset=35&limit=5`, 16], 'past the end: an empty page')
  const previousClamped = body(demo, `/v1/playlists/${LATE.id}/items?offset=2&limit=5`)
  t.equal(previousClamped.previous, `${base}?offset=0&limit=5`)
})

t.test('/tracks and /items: limit and offset ranges', async t => {
  const at = (kind: string, q: string): unknown => ask(demo, `/v1/playlists/${LATE.id}/${kind}?${q}`)
  t.equal(body(demo, `/v1/playlists/${LATE.id}/tracks?limit=100`).limit, 100, '/tracks takes up to 100')
  t.same(at('tracks', 'limit=101'), invalidLimit)
  t.equal(body(demo, `/v1/playlists/${LATE.id}/items?limit=50`).limit, 50, '/items takes up to 50')
  t.same(at('items', 'limit=51'), invalidLimit)
  t.equal(body(demo, `/v1/playlists/${LATE.id}/items?limit=`).limit, 20, 'an empty limit is the default')
  for (const kind of ['tracks', 'items']) {
    for (const bad of ['0', '-1', 'abc', '1.5', '+5', ' 5', '1e2', '99999999999']) t.same(at(kind, `limit=${encodeURIComponent(bad)}`), invalidLimit, `${kind} limit=${bad}`)
    for (const bad of ['-1', 'abc', '2.0', '99999999999']) t.same(at(kind, `offset=${encodeURIComponent(bad)}`), invalidOffset, `${kind} offset=${bad}`)
  }
  t.equal(body(demo, `/v1/playlists/${LATE.id}/items?limit=05&offset=007`).offset, 7, 'leading zeros are digits')
  t.equal(body(demo, `/v1/playlists/${LATE.id}/items?offset=1000000`).total, 16, 'no maximum offset on playlist items')
})

t.test('/items from real exports: valid, apart from what the export lacks', async t => {
  const full = body(real, `/v1/playlists/${UTZ.id}/items?limit=37`)
  t.equal(full.items.length, 37)
  t.match(full.items[0], { added_at: '2019-04-02T14:13:24Z', added_by: { id: 'sebastianelisapfeifer' }, track: { name: 'Bonfire', id: '0QIYINh2AwmOmdu8CRYvlw' } })
  checkSchema(t, 'PagingPlaylistTrackObject', full)
  checkSchema(t, 'PagingPlaylistTrackObject', body(real, `/v1/playlists/${UTZ.id}/tracks?limit=100`), ['local-file'])
  const local = body(real, `/v1/playlists/${UTZ.id}/items?offset=37&limit=1`).items[0]
  t.match(local, { is_local: true, track: { is_local: true, id: null, uri: /^spotify:local:/ } })
  checkSchema(t, 'PagingPlaylistTrackObject', body(real, `/v1/playlists/${TOP_2018.id}/tracks?limit=100`), ['no-release-date', 'no-added-by'])
  checkSchema(t, 'PlaylistObject', body(real, `/v1/playlists/${UTZ.id}`), ['local-file'])
})

t.test('fields on the playlist endpoints', async t => {
  const page = body(demo, `/v1/playlists/${LATE.id}/items?limit=3&fields=${encodeURIComponent('items(track(name)),next,total')}`)
  t.strictSame(page, {
    items: [{ track: { name: '夜明けのプラットホーム' } }, { track: { name: 'Grid Runner' } }, { track: { name: body(demo, '/v1/tracks/1698q3EOgQ4wjI1wzOKrTi').name } }],
    next: `${BASE}/playlists/${LATE.id}/items?offset=3&limit=3&fields=items(track(name))%2Cnext%2Ctotal`,
    total: 16
  }, 'next keeps the filter')
  t.strictSame(body(demo, `/v1/playlists/${LATE.id}/items?limit=1&fields=items(item(id))`), { items: [{ item: { id: '1ky0SVTfPLNS36YzXkoJUI' } }] }, 'the February 2026 names')

  t.strictSame(body(demo, `/v1/playlists/${LATE.id}?fields=name,tracks.total,items.total`), { name: 'Late Night Drive', items: { total: 16 }, tracks: { total: 16 } })
  // The demo's Night Grid has no album id in its export: it answers under its synthetic one.
  const nightGrid: string = body(demo, '/v1/tracks/456TLP2AylMogQEbXWp18z').album.id
  t.match(nightGrid, /^[0-9A-Za-z]{22}$/)
  const spec = body(demo, `/v1/playlists/${LATE.id}?fields=${encodeURIComponent('items(added_by.id,track(name,href,album(name,href)))')}`)
  t.equal(spec.items.items.length, 16, 'the spec\'s example selects inside the embedded page')
  t.strictSame(spec.items.items[1], {
    added_by: { id: 'demo-user' },
    track: { album: { href: `${BASE}/albums/${nightGrid}`, name: 'Night Grid' }, href: `${BASE}/tracks/456TLP2AylMogQEbXWp18z`, name: 'Grid Runner' }
  })
  const old = body(demo, `/v1/playlists/${LATE.id}?fields=${encodeURIComponent('tracks.items(track(name,album(!artists,!available_markets,!external_urls,!images,name)))')}`)
  t.strictSame(old.tracks.items[1], {
    track: {
      album: { album_type: 'album', href: `${BASE}/albums/${nightGrid}`, id: nightGrid, uri: `spotify:album:${nightGrid}`, name: 'Night Grid', release_date: '2022-10-07', release_date_precision: 'day', total_tracks: 0, type: 'album' },
      name: 'Grid Runner'
    }
  }, 'exclusions inside the old path keep everything else')
  t.same(Object.keys(body(demo, `/v1/playlists/${LATE.id}?fields=!tracks,!items`)).includes('tracks'), false)
})

t.test('GET /v1/me/playlists', async t => {
  const all = body(demo, '/v1/me/playlists')
  t.match(all, { href: `${BASE}/me/playlists?offset=0&limit=20`, limit: 20, offset: 0, total: 4, next: null, previous: null })
  t.same(all.items.map((p: any) => p.name), ['Café Classics', 'Deep Focus', 'Late Night Drive', 'Workout Sprint Mix'])
  const late = all.items.find((p: any) => p.id === LATE.id)
  t.strictSame(late.tracks, { href: `${BASE}/playlists/${LATE.id}/tracks`, total: 16 })
  t.strictSame(late.items, { href: `${BASE}/playlists/${LATE.id}/items`, total: 16 })
  t.match(late.owner, { id: 'demo-user', display_name: 'Demo User', type: 'user', uri: 'spotify:user:demo-user', href: `${BASE}/users/demo-user` })
  checkSchema(t, 'PagingPlaylistObject', all)

  const first = body(demo, '/v1/me/playlists?limit=2&foo=bar')
  t.same([first.items.length, first.next, first.previous], [2, `${BASE}/me/playlists?offset=2&limit=2&foo=bar`, null])
  const second = body(demo, '/v1/me/playlists?offset=2&limit=2')
  t.same([second.items.map((p: any) => p.name), second.next, second.previous], [['Late Night Drive', 'Workout Sprint Mix'], null, `${BASE}/me/playlists?offset=0&limit=2`])

  t.equal(body(demo, '/v1/me/playlists?limit=50').limit, 50)
  t.same(ask(demo, '/v1/me/playlists?limit=51'), invalidLimit)
  t.same(ask(demo, '/v1/me/playlists?limit=0'), invalidLimit)
  t.equal(body(demo, '/v1/me/playlists?offset=100000').items.length, 0, 'offset up to 100,000')
  t.same(ask(demo, '/v1/me/playlists?offset=100001'), invalidOffset)
  t.same(ask(demo, '/v1/me/playlists?offset=-1'), invalidOffset)
  checkSchema(t, 'PagingPlaylistObject', body(real, '/v1/me/playlists'))
})

t.test('GET /v1/users/{id}/playlists', async t => {
  const mine = body(demo, '/v1/users/demo-user/playlists?limit=3')
  t.same(mine.items, body(demo, '/v1/me/playlists?limit=3').items, 'the owner\'s: the library\'s playlists')
  t.match(mine, { href: `${BASE}/users/demo-user/playlists?offset=0&limit=3`, next: `${BASE}/users/demo-user/playlists?offset=3&limit=3`, total: 4 })
  checkSchema(t, 'PagingPlaylistObject', mine)

  const theirs = body(demo, '/v1/users/someone%20else/playlists')
  t.strictSame(theirs, { href: `${BASE}/users/someone%20else/playlists?offset=0&limit=20`, items: [], limit: 20, next: null, offset: 0, previous: null, total: 0 }, 'another user: an empty page')
  checkSchema(t, 'PagingPlaylistObject', theirs)
  t.same(ask(demo, '/v1/users/someone/playlists?limit=51'), invalidLimit)
  t.same(body(demo, '/v1/users/owner/playlists', { ...CTX, owner: { id: 'owner', displayName: null } }).total, 4, 'whoever owns the library')
})
