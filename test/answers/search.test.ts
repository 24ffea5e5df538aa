// GET /v1/search from real libraries: tracks with Spotify's field filters, the 2026 limits,
// empty pages for shows, episodes and audiobooks, and Spotify's 400s.
import path from 'node:path'
import t from 'tap'
import { exportifyFile, importInto, randomTrackId, trackCells, writeLibrary } from '../helpers/library.js'
import { ask, BASE, body, checkSchema, openDemo, openReal, spotifyErr } from './fixtures/libraries.js'

const dir = t.testdir()
const demo = (await openDemo(t, dir)).store
const real = (await openReal(t, dir)).store

const names = (page: { items: Array<{ name: string }> }): string[] => page.items.map(x => x.name)
const invalidLimit = spotifyErr(400, 'Invalid limit')

t.test('type=track: a PagingTrackObject, 5 by default', async t => {
  const r = body(demo, '/v1/search?q=grid&type=track')
  t.same(Object.keys(r), ['tracks'], 'only the requested type')
  t.match(r.tracks, { href: `${BASE}/search?offset=0&limit=5&query=grid&type=track`, limit: 5, offset: 0, total: 4, next: null, previous: null })
  t.same(names(r.tracks), ['Afterglow Interchange', 'Grid Runner', 'Chrome Boulevard', 'Tunnel Vision (feat. Mira Okafor)'])
  checkSchema(t, 'PagingTrackObject', r.tracks, [])
  t.same(body(demo, '/v1/search?q=grid&type=track&market=NO&include_external=audio').tracks.items, r.tracks.items, 'market and include_external accepted')
})

t.test('field filters reach the library index', async t => {
  const q = (query: string): string[] => names(body(demo, `/v1/search?type=track&limit=10&q=${encodeURIComponent(query)}`).tracks)
  t.same(q('artist:"Neon Cartographers" year:2022'), ['Afterglow Interchange', 'Grid Runner', 'Chrome Boulevard', 'Tunnel Vision (feat. Mira Okafor)'])
  t.same(q('isrc:SEN7A2200151'), ['Grid Runner'])
  t.same(q('genre:synthwave track:runner'), ['Grid Runner'])
  t.same(q('zzzz'), [])
  t.same(q('tag:new'), [], 'album-only filters match no tracks')
  t.same(names(body(demo, '/v1/search?type=track&limit=10&q=grid+runner').tracks), ['Grid Runner'], '+ is a space')

  const full = body(real, '/v1/search?type=track&q=isrc:TBDK24012022')
  t.same(names(full.tracks), ['Tình Bạn Diệu Kỳ'])
  checkSchema(t, 'PagingTrackObject', full.tracks)
  checkSchema(t, 'PagingTrackObject', body(real, '/v1/search?type=track&q=love&limit=50').tracks, ['no-release-date'])
})

t.test('paging: links follow Spotify\'s `query=` spelling, and back', async t => {
  const p1 = body(real, '/v1/search?q=love&type=track&limit=10')
  t.equal(p1.tracks.total, 33)
  t.equal(p1.tracks.next, `${BASE}/search?offset=10&limit=10&query=love&type=track`)
  const p2 = body(real, p1.tracks.next.slice(BASE.length - '/v1'.length))
  t.same(names(p2.tracks), names(body(real, '/v1/search?q=love&type=track&limit=20').tracks).slice(10), 'the next link gives the next page')
  t.equal(p2.tracks.previous, `${BASE}/search?offset=0&limit=10&query=love&type=track`)
  const spaced = body(real, '/v1/search?q=cheri%20lady&type=track&market=DE')
  t.equal(spaced.tracks.href, `${BASE}/search?offset=0&limit=5&query=cheri+lady&type=track&market=DE`)
})

t.test('limit 1-10 as Spotify takes it in 2026, and up to 50 from older clients', async t => {
  for (const limit of [1, 10, 20, 50]) t.equal(body(real, `/v1/search?q=a&type=track&limit=${limit}`).tracks.items.length, limit, `limit=${limit}`)
  for (const bad of ['0', '51', '-1', 'ten', '2.5']) t.same(ask(real, `/v1/search?q=a&type=track&limit=${bad}`), invalidLimit, `limit=${bad}`)
  t.equal(body(real, '/v1/search?q=a&type=track&offset=1000').tracks.offset, 1000, 'offset up to 1,000')
  t.same(ask(real, '/v1/search?q=a&type=track&offset=1001'), spotifyErr(400, 'Invalid offset'))
})

t.test('no next link past offset 1,000', async t => {
  const rows = Array.from({ length: 1006 }, (_, i) => trackCells(randomTrackId(`search-${i}`), { artists: ['Same Artist'] }))
  const lib = writeLibrary(path.join(dir, 'big'), { 'Big.csv': exportifyFile(rows) })
  const big = (await importInto(lib, path.join(dir, 'big.sqlite'), t)).store
  const near = body(big, '/v1/search?q=artist:%22Same%20Artist%22&type=track&offset=995&limit=5')
  t.same([near.tracks.total, near.tracks.next], [1006, `${BASE}/search?offset=1000&limit=5&query=artist%3A%22Same+Artist%22&type=track`])
  const edge = body(big, '/v1/search?q=artist:%22Same%20Artist%22&type=track&offset=1000&limit=5')
  t.same([edge.tracks.items.length, edge.tracks.next], [5, null], 'offset 1,005 would be refused, so there is no next')
})

// Albums, artists and playlists: test/answers/catalog.test.ts.
t.test('shows, episodes and audiobooks: empty pages of their own kind', async t => {
  const r = body(demo, '/v1/search?q=grid&type=album,artist,playlist,show,episode,audiobook,track&limit=3')
  t.same(Object.keys(r).sort(), ['albums', 'artists', 'audiobooks', 'episodes', 'playlists', 'shows', 'tracks'])
  const schemas: Record<string, string> = {
    shows: 'PagingSimplifiedShowObject',
    episodes: 'PagingSimplifiedEpisodeObject',
    audiobooks: 'PagingSimplifiedAudiobookObject'
  }
  for (const [key, schema] of Object.entries(schemas)) {
    const type = key === 'audiobooks' ? 'audiobook' : key.slice(0, -1)
    t.strictSame(r[key], { href: `${BASE}/search?offset=0&limit=3&query=grid&type=${type}`, items: [], limit: 3, next: null, offset: 0, previous: null, total: 0 }, key)
    checkSchema(t, schema, r[key])
  }
  t.same([r.tracks.total, r.albums.total, r.artists.total, r.playlists.total], [4, 1, 0, 0])
  t.same(Object.keys(body(demo, '/v1/search?q=grid&type=album,album')), ['albums'], 'a repeated type answers once')
})

t.test('Spotify\'s 400s', async t => {
  t.same(ask(demo, '/v1/search?type=track'), spotifyErr(400, 'No search query'))
  t.same(ask(demo, '/v1/search?q=&type=track'), spotifyErr(400, 'No search query'))
  t.same(ask(demo, '/v1/search?q=grid'), spotifyErr(400, 'Missing parameter type'))
  t.same(ask(demo, '/v1/search?q=grid&type='), spotifyErr(400, 'Missing parameter type'))
  t.same(ask(demo, '/v1/search?q=grid&type=test'), spotifyErr(400, 'Bad search type field test'))
  t.same(ask(demo, '/v1/search?q=grid&type=track,tracks'), spotifyErr(400, 'Bad search type field tracks'))
  t.same(ask(demo, '/v1/search?q=grid&type=Track'), spotifyErr(400, 'Bad search type field Track'))
  t.same(ask(demo, '/v1/search?type=test'), spotifyErr(400, 'No search query'), 'the query is checked first')
  t.same(ask(demo, '/v1/search?q=grid&type=track&limit=51&offset=5000'), invalidLimit, 'limit before offset')
})
