// Albums, artists and playlists from the library: GET /v1/search for each type (Spotify's
// simplified shapes and paging, its filters per type) and GET /v1/albums/{id}, /albums/{id}/tracks
// and /artists/{id}, under Spotify's ids and the synthetic ones of id-less exports.
import t from 'tap'
import { foldText } from '../../src/library/search-query.js'
import { ask, BASE, body, checkSchema, openDemo, openReal, spotifyErr } from './fixtures/libraries.js'

const dir = t.testdir()
const demo = (await openDemo(t, dir)).store
const real = (await openReal(t, dir)).store

const names = (page: { items: Array<{ name: string }> }): string[] => page.items.map(x => x.name)
const search = (store: typeof demo, type: string, q: string, extra = ''): any => body(store, `/v1/search?type=${type}&q=${encodeURIComponent(q)}${extra}`)[`${type}s`]
/** The demo's Night Grid: an export without album or artist ids, so its ids are synthetic. */
const GRID_RUNNER = '456TLP2AylMogQEbXWp18z'
const nightGrid = body(demo, `/v1/tracks/${GRID_RUNNER}`).album

t.test('type=album: the albums of the matching tracks, each once, as SimplifiedAlbumObjects', async t => {
  const r = search(demo, 'album', 'grid')
  t.match(r, { href: `${BASE}/search?offset=0&limit=5&query=grid&type=album`, total: 1, next: null, previous: null })
  t.same(names(r), ['Night Grid'])
  t.equal(r.items[0].id, nightGrid.id, 'the id the album has in track answers')
  t.match(r.items[0], { album_type: 'album', release_date: '2022-10-07', release_date_precision: 'day', artists: [{ name: 'Neon Cartographers' }], external_urls: {} })
  checkSchema(t, 'PagingSimplifiedAlbumObject', r)

  t.same(names(search(demo, 'album', 'artist:"Neon Cartographers"')), ['Night Grid'], 'artist:')
  t.same(names(search(demo, 'album', 'album:"night grid"')), ['Night Grid'], 'album:')
  t.same(names(search(demo, 'album', 'grid year:2022')), ['Night Grid'], 'year:')
  t.same(names(search(demo, 'album', 'grid year:2023')), [], 'year: out of range')
  t.same(names(search(demo, 'album', 'runner')), [], 'free text reaches album and artist names, not track names')
  t.same(names(search(demo, 'album', 'isrc:SEN7A2200151')), [], 'isrc: is for tracks only, as on Spotify')

  const real20 = search(real, 'album', 'love', '&limit=20')
  t.equal(new Set(real20.items.map((a: { id: string }) => a.id)).size, real20.items.length, 'each album once')
  // The 2015 exporter wrote no release dates (and Spotify's answers were not cached here).
  checkSchema(t, 'PagingSimplifiedAlbumObject', real20, ['no-release-date'])
  const spotifyAlbum = real20.items.find((a: { name: string }) => a.name === 'Let\'s Talk About Love')
  t.match(spotifyAlbum, { id: '1JDlLoZugxdneiaTnGyaKr', external_urls: { spotify: 'https://open.spotify.com/album/1JDlLoZugxdneiaTnGyaKr' }, release_date: '1985' })
})

t.test('type=album: paging', async t => {
  const p1 = search(real, 'album', 'love', '&limit=10')
  t.equal(p1.total, 17)
  t.equal(p1.next, `${BASE}/search?offset=10&limit=10&query=love&type=album`)
  const p2 = body(real, p1.next.slice(BASE.length - '/v1'.length)).albums
  t.same([p2.offset, p2.next, p2.previous], [10, null, `${BASE}/search?offset=0&limit=10&query=love&type=album`])
  t.same([...names(p1), ...names(p2)], names(search(real, 'album', 'love', '&limit=50')), 'the pages are the whole list, in order')
  const deep = search(real, 'album', 'a', '&limit=50&offset=200')
  t.ok(deep.total >= deep.offset + deep.items.length && deep.items.length > 0, 'a page deep in a common word')
})

t.test('type=artist: artists named as asked, as ArtistObjects (genres by id only)', async t => {
  const r = search(demo, 'artist', 'neon')
  t.same(names(r), ['Neon Cartographers'])
  t.match(r.items[0], { genres: [], followers: { href: null, total: 0 }, popularity: 0, images: [], type: 'artist', external_urls: {} })
  t.equal(r.items[0].id, nightGrid.artists[0].id, 'the id the artist has in track answers')
  checkSchema(t, 'PagingArtistObject', r)
  t.same(names(search(demo, 'artist', 'year:2022', '&limit=10')), ['Neon Cartographers', 'Mira Okafor'], 'year: the artists of that year\'s tracks')
  t.same(names(search(demo, 'artist', 'artist:"Mira Okafor"')), ['Mira Okafor'], 'a featured artist is found by name alone')
  t.same(names(search(demo, 'artist', 'cartographers ne')), ['Neon Cartographers'], 'words in any order, the last one a prefix')
  t.same(names(search(demo, 'artist', 'carto neon')), [], 'earlier words are whole words')
  t.same(names(search(demo, 'artist', 'grid')), [], 'album names are not artist names')

  const a = search(real, 'artist', 'a', '&limit=10')
  t.equal(new Set(a.items.map((x: { id: string }) => x.id)).size, 10, 'each artist once')
  checkSchema(t, 'PagingArtistObject', a)
  const next = body(real, a.next.slice(BASE.length - '/v1'.length)).artists
  t.same(names(next), names(search(real, 'artist', 'a', '&limit=20')).slice(10), 'the next link gives the next page')
})

t.test('type=artist by name alone: the artist named exactly first, the rest by name, the same ids as by id', async t => {
  const page = search(real, 'artist', 'e', '&limit=50')
  t.ok(page.items.length >= 10, `${page.items.length} artists with a word starting with e`)
  t.equal(new Set(page.items.map((x: { id: string }) => x.id)).size, page.items.length, 'each artist once')
  const folded = names(page).map(foldText)
  t.same(folded, [...folded].sort(), 'by name (no artist is named just "e")')
  for (const a of page.items.slice(0, 8)) {
    const exact = search(real, 'artist', a.name, '&limit=50')
    t.equal(exact.items[0].id, a.id, `"${a.name}" first when asked by its name`)
    t.same(body(real, `/v1/artists/${a.id}`).name, a.name, 'and GET /v1/artists/{id} knows its id')
  }
})

t.test('type=playlist: the library\'s playlists by name', async t => {
  const r = search(demo, 'playlist', 'late')
  t.same(names(r), ['Late Night Drive'])
  t.same(r.items[0], body(demo, '/v1/me/playlists?limit=50').items.find((p: { name: string }) => p.name === 'Late Night Drive'), 'as /v1/me/playlists lists it')
  checkSchema(t, 'PagingPlaylistObject', r)
  t.same(names(search(demo, 'playlist', 'CAFE')), ['Café Classics'], 'case and accents folded')
  t.same(names(search(demo, 'playlist', 'liked')), [], 'Liked Songs is not a playlist')
  t.same(names(search(demo, 'playlist', 'artist:"Neon Cartographers"')), [], 'filters name no playlist field')
  const two = search(demo, 'playlist', 'd', '&limit=1')
  t.same([two.total, names(two), two.next], [2, ['Deep Focus'], `${BASE}/search?offset=1&limit=1&query=d&type=playlist`], 'by name, as /v1/me/playlists')
  t.same(names(search(demo, 'playlist', 'd', '&limit=1&offset=1')), ['Late Night Drive'])
})

t.test('several types at once: a page of each', async t => {
  const r = body(demo, '/v1/search?q=neon&type=track,album,artist,playlist,show&limit=2')
  t.same(Object.keys(r), ['tracks', 'albums', 'artists', 'playlists', 'shows'])
  t.same([r.tracks.total, r.albums.total, r.artists.total, r.playlists.total, r.shows.total], [5, 1, 1, 0, 0])
  t.same(ask(demo, '/v1/search?q=neon&type=album&limit=51'), spotifyErr(400, 'Invalid limit'))
})

t.test('GET /v1/albums/{id}: the album and the tracks of it the library holds', async t => {
  const a = body(demo, `/v1/albums/${nightGrid.id}`)
  t.match(a, { id: nightGrid.id, name: 'Night Grid', uri: `spotify:album:${nightGrid.id}`, href: `${BASE}/albums/${nightGrid.id}`, label: 'Nocturne Audio', total_tracks: 4 })
  // The export has no track numbers: by name.
  t.same(a.tracks.items.map((x: { name: string }) => x.name), ['Afterglow Interchange', 'Chrome Boulevard', 'Grid Runner', 'Tunnel Vision (feat. Mira Okafor)'])
  t.equal(a.tracks.href, `${BASE}/albums/${nightGrid.id}/tracks?offset=0&limit=50`)
  checkSchema(t, 'AlbumObject', a)

  const page = body(demo, `/v1/albums/${nightGrid.id}/tracks?limit=3`)
  t.same([page.total, page.items.length, page.next], [4, 3, `${BASE}/albums/${nightGrid.id}/tracks?offset=3&limit=3`])
  checkSchema(t, 'PagingSimplifiedTrackObject', page)
  t.same(body(demo, `/v1/albums/${nightGrid.id}/tracks?offset=3`).items.map((x: { id: string }) => x.id), [a.tracks.items[3].id])

  const spotify = body(real, '/v1/albums/1JDlLoZugxdneiaTnGyaKr')
  t.match(spotify, { id: '1JDlLoZugxdneiaTnGyaKr', name: 'Let\'s Talk About Love', external_urls: { spotify: 'https://open.spotify.com/album/1JDlLoZugxdneiaTnGyaKr' } })
  t.ok(spotify.tracks.items.length > 0)
  checkSchema(t, 'AlbumObject', spotify)

  t.same(ask(demo, '/v1/albums/0000000000000000000000'), spotifyErr(404, 'non existing id'), 'unknown: a miss (the proxy says not-in-library)')
  t.same(ask(demo, '/v1/albums/nope'), spotifyErr(400, 'invalid id'))
  t.same(ask(demo, `/v1/albums/${nightGrid.id}/tracks?limit=0`), spotifyErr(400, 'Invalid limit'))
})

t.test('GET /v1/artists/{id}', async t => {
  const neon = nightGrid.artists[0]
  const a = body(demo, `/v1/artists/${neon.id}`)
  t.same(a, { ...neon, followers: { href: null, total: 0 }, genres: ['synthwave', 'darksynth'], images: [], popularity: 0 })
  checkSchema(t, 'ArtistObject', a)
  const aimer = body(real, '/v1/artists/0bAsR2unSRpn6BQPEnNlZm')
  t.match(aimer, { name: 'Aimer', external_urls: { spotify: 'https://open.spotify.com/artist/0bAsR2unSRpn6BQPEnNlZm' } })
  checkSchema(t, 'ArtistObject', aimer)
  t.same(ask(demo, '/v1/artists/0000000000000000000000'), spotifyErr(404, 'non existing id'))
  t.same(ask(demo, '/v1/artists/spotify:artist:x'), spotifyErr(400, 'invalid id'))
})
