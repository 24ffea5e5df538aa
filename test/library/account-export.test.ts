// Spotify's account data export (test/fixtures/account-export, made from the documented formats):
// read as an unpacked folder and as the downloaded zip, mixed with an Exportify CSV, and its
// streaming history answering recently-played and top items in Spotify's shapes.
import fs from 'node:fs'
import path from 'node:path'
import t from 'tap'
import yazl from 'yazl'
import { api, ask, body, checkSchema, CTX, spotifyErr } from '../answers/fixtures/libraries.js'
import { exportifyFile, importInto, trackCells, writeLibrary } from '../helpers/library.js'
import { proxyRig } from '../helpers/proxy.js'

const FIXTURE = path.resolve(import.meta.dirname, '../fixtures/account-export/my_spotify_data')
const dir = t.testdir()
const lib = await importInto(FIXTURE, path.join(dir, 'account.sqlite'), t)
const { store } = lib

const ONE_MORE_TIME = '0DiWol3AO6WpXZgp0goxAV'
const T1901 = '6AaZ4Zf9wdkdqMHEW8LDDV'
const MIDNIGHT_CITY = '1eyzqe2QqGZUmfcPZtrIyt'

async function zipOf (folder: string, file: string): Promise<string> {
  const zip = new yazl.ZipFile()
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const abs = path.join(d, e.name)
      if (e.isDirectory()) walk(abs)
      else zip.addFile(abs, path.relative(folder, abs).split(path.sep).join('/'))
    }
  }
  walk(folder)
  zip.end()
  await new Promise<void>((resolve, reject) => { zip.outputStream.pipe(fs.createWriteStream(file)).on('close', resolve).on('error', reject) })
  return file
}

t.test('the library and playlists, recognised by content; other JSON files are no problem', async t => {
  t.same(lib.summary.problems, [])
  t.match(lib.summary, { tracks: 6, playlists: 3, likedSongs: 3, files: { indexed: 6, skipped: 2 } })
  const liked = body(store, '/v1/me/tracks?limit=50')
  t.same(liked.items.map((i: any) => [i.track.name, i.added_at]), [['One More Time', null], ['1901', null], ['Lisztomania', null]], 'YourLibrary.json: saved, in its order, no dates')
  const lists = body(store, '/v1/me/playlists?limit=50').items.map((p: any) => [p.name, p.tracks.total])
  t.same(lists, [['Chill', 1], ['Empty For Now', 0], ['Road Trip', 4]], 'one playlist each, from two files; an audiobook is no track')
  const road = store.playlistsNamed('Road Trip')[0]!
  const items = body(store, `/v1/playlists/${road.id}/items`).items
  t.same(items.map((i: any) => [i.track.type, i.track.name, i.added_at, i.is_local]), [
    ['track', '1901', '2024-04-30T00:00:00Z', false],
    ['track', 'First Take!', '2024-05-01T00:00:00Z', true],
    ['episode', 'Episode 12: Maps', '2024-05-01T00:00:00Z', false],
    ['track', 'Nightcall', '2024-05-01T00:00:00Z', false]
  ], 'tracks, a local file, an episode; the export\'s added days as their first second (Spotify\'s added_at is a moment)')
  checkSchema(t, 'PagingPlaylistTrackObject', body(store, `/v1/playlists/${road.id}/items`), ['local-file', 'no-added-by', 'no-release-date', 'episode-facts'])
  t.same(items[1].track.uri, 'spotify:local:The+Garage+Band:Demos:First+Take%21:201')
  t.same(items[1].track.artists.map((a: any) => a.name), ['The Garage Band'])
})

t.test('the downloaded zip reads as the folder does', async t => {
  const zipped = await importInto(await zipOf(path.dirname(FIXTURE), path.join(dir, 'my_spotify_data.zip')), path.join(dir, 'zip.sqlite'), t)
  t.same(zipped.summary.problems, [])
  t.match(zipped.summary, { tracks: 6, playlists: 3, likedSongs: 3 })
  t.same(body(zipped.store, '/v1/me/player/recently-played'), body(store, '/v1/me/player/recently-played'))
})

t.test('a track in the account export and an Exportify CSV is one track, with what both know', async t => {
  const mixed = path.join(dir, 'mixed')
  fs.cpSync(FIXTURE, mixed, { recursive: true })
  writeLibrary(mixed, { 'Favourites.csv': exportifyFile([trackCells(T1901, { name: '1901', album: 'Wolfgang Amadeus Phoenix', artists: ['Phoenix'] })]) })
  const m = await importInto(mixed, path.join(dir, 'mixed.sqlite'), t)
  t.same(m.summary.problems, [])
  t.equal(m.summary.tracks, 6, 'no second 1901')
  const track = body(m.store, `/v1/tracks/${T1901}`)
  t.match(track, { name: '1901', duration_ms: 201000, popularity: 42, album: { release_date: '2021-03-04' } }, 'what the CSV knows')
  t.equal(m.store.playlistsNamed('Favourites').length, 1)
  t.equal(body(m.store, `/v1/playlists/${m.store.playlistsNamed('Road Trip')[0]!.id}/items`).items[0].track.duration_ms, 201000, 'the same track in the account playlist')
})

t.test('recently-played: counted plays, most recent first, each once, in Spotify\'s shape', async t => {
  const page = body(store, '/v1/me/player/recently-played')
  t.same(page.items.map((i: any) => [i.track.id, i.played_at]), [
    [T1901, '2024-06-30T09:20:00.000Z'],
    [MIDNIGHT_CITY, '2024-06-30T09:15:02.000Z'],
    [ONE_MORE_TIME, '2024-06-29T20:00:41.000Z'],
    [T1901, '2024-03-01T10:00:00.000Z'],
    [T1901, '2023-01-15T12:00:00.000Z']
  ], 'both histories\' play of One More Time once (with the seconds); no podcast, no 10 s skip, no unknown song')
  t.equal(page.items[2].track.album.name, 'Discovery', 'the name-only play is the library\'s track')
  t.match(page.items[1].track, { name: 'Midnight City', artists: [{ name: 'M83' }], album: { name: 'Hurry Up, We\'re Dreaming' } }, 'a track the library lacks: what the extended history says of it')
  t.same(page.cursors, { after: String(Date.parse('2024-06-30T09:20:00Z')), before: String(Date.parse('2023-01-15T12:00:00Z')) })
  t.equal(page.next, null)
  checkSchema(t, 'CursorPagingPlayHistoryObject', { ...page, next: '', items: page.items.map((i: any) => ({ ...i, context: {} })) }, ['no-release-date'])

  const first = body(store, '/v1/me/player/recently-played?limit=2')
  t.same(first.items.map((i: any) => i.track.id), [T1901, MIDNIGHT_CITY])
  t.equal(first.next, `${CTX.apiBase}/me/player/recently-played?before=${Date.parse('2024-06-30T09:15:02Z')}&limit=2`)
  const second = body(store, first.next.slice(CTX.apiBase.length - 3))
  t.same(second.items.map((i: any) => i.track.id), [ONE_MORE_TIME, T1901])
  const after = body(store, `/v1/me/player/recently-played?after=${Date.parse('2024-03-01T10:00:00Z')}&limit=2`)
  t.same(after.items.map((i: any) => i.played_at), ['2024-06-30T09:15:02.000Z', '2024-06-29T20:00:41.000Z'], 'the plays just after, most recent first')
  t.same(ask(store, '/v1/me/player/recently-played?after=1&before=2'), spotifyErr(400, 'Only one of before and after may be given'))
  t.same(ask(store, '/v1/me/player/recently-played?limit=51'), spotifyErr(400, 'Invalid limit'))
})

t.test('top tracks and artists over Spotify\'s time ranges, up to the history\'s last play', async t => {
  const top = (q: string): string[] => body(store, `/v1/me/top/tracks${q}`).items.map((i: any) => i.name)
  t.same(top('?time_range=short_term'), ['One More Time', 'Midnight City', '1901'], 'the last 4 weeks: one play each, longest first')
  t.same(top(''), ['1901', 'One More Time', 'Midnight City'], 'medium_term (the default): 1901 played in March too')
  t.same(top('?time_range=long_term'), ['1901', 'One More Time', 'Midnight City'], 'a year: the 2023 play is older than that')
  const page = body(store, '/v1/me/top/tracks?limit=2&offset=1')
  t.match(page, { total: 3, limit: 2, offset: 1, next: null, previous: `${CTX.apiBase}/me/top/tracks?offset=0&limit=2` })
  checkSchema(t, 'PagingTrackObject', page, ['no-release-date'])

  const artists = body(store, '/v1/me/top/artists?time_range=short_term')
  t.same(artists.items.map((a: any) => a.name), ['Daft Punk', 'M83', 'Nobody', 'Phoenix'])
  checkSchema(t, 'PagingArtistObject', artists)
  t.same(body(store, '/v1/me/top/artists?time_range=long_term').items.map((a: any) => a.name)[0], 'Phoenix')
  t.same(ask(store, '/v1/me/top/tracks?time_range=forever'), spotifyErr(400, 'Invalid time range'))
  t.same(api.validateAgainst('PagingArtistObject', { ...artists, items: [] }), [])
})

t.test('no history imported: the library has no answer (a miss, never an empty list)', async t => {
  const csvOnly = await importInto(writeLibrary(path.join(dir, 'csv-only'), { 'a.csv': exportifyFile([trackCells(T1901)]) }), path.join(dir, 'csv-only.sqlite'), t)
  t.equal(ask(csvOnly.store, '/v1/me/player/recently-played'), null)
  t.equal(ask(csvOnly.store, '/v1/me/top/tracks'), null)
})

t.test('a broken JSON file: its readable items load, the rest is a problem with file and item', async t => {
  const broken = path.join(dir, 'broken')
  writeLibrary(broken, {
    'StreamingHistory_music_0.json': '[{"endTime":"2024-06-29 20:00","artistName":"Daft Punk","trackName":"One More Time","msPlayed":320000},\n{"endTime":"bad","msPlayed":1},\n{"endTime":"2024-06-29 20:10","artist',
    'Playlist1.json': '{"playlists":[{"name":"X","items":[{"track":{"trackName":"Y","artistName":"Z","albumName":"W","trackUri":"spotify:track:nope"}},{"track":{"trackName":"Ok","artistName":"Z","albumName":"W","trackUri":"spotify:track:0U0ldCRmgCqhVvD6ksG63j"}}]}]}'
  })
  const b = await importInto(broken, path.join(dir, 'broken.sqlite'), t)
  t.same(b.summary.problems.map(p => [p.file, p.line, p.reason.replace(/ \(.*/, '')]), [
    ['Playlist1.json', 1, '"spotify:track:nope" is not a Spotify track, episode or local-file URI'],
    ['StreamingHistory_music_0.json', 2, 'not a play: no end time, track or time played'],
    ['StreamingHistory_music_0.json', 3, 'the JSON breaks off or is malformed after item 2']
  ])
  t.equal(b.summary.tracks, 1)
  t.equal(b.store.history.latest(), Date.parse('2024-06-29T20:00:00Z') / 1000)
})

t.test('through the proxy: offline, the owner\'s history answers with the library\'s headers', async t => {
  const r = await proxyRig(t, { SPOTIFY_CSV_BACKUP_PATH: FIXTURE, SPOTIFY_PROXY_MODE: 'offline', SPOTIFY_PROXY_LOCAL_TOKENS: 'local-test-token-1' })
  const res = await r.get('/v1/me/top/tracks?time_range=short_term', 'local-test-token-1')
  t.equal(res.statusCode, 200)
  t.equal(res.headers['x-proxy-source'], 'csv')
  t.same(res.json().items.map((i: any) => i.name), ['One More Time', 'Midnight City', '1901'])
  const recent = await r.get('/v1/me/player/recently-played?limit=1', 'local-test-token-1')
  t.equal(recent.json().items[0].track.id, T1901)
  t.equal(r.upstreamCount(), 0)
})

t.test('a new download replaces the playlists of its file; history files gone, the history goes', async t => {
  const again = path.join(dir, 'again')
  fs.cpSync(FIXTURE, again, { recursive: true })
  const data = path.join(again, 'Spotify Account Data')
  const db = path.join(dir, 'again.sqlite')
  const first = await importInto(again, db, t)
  t.equal(first.summary.playlists, 3)
  const road = first.store.playlistsNamed('Road Trip')[0]!.id
  const p1 = JSON.parse(fs.readFileSync(path.join(data, 'Playlist1.json'), 'utf8'))
  p1.playlists = p1.playlists.slice(0, 1)
  p1.playlists[0].items = p1.playlists[0].items.slice(0, 1)
  fs.writeFileSync(path.join(data, 'Playlist1.json'), JSON.stringify(p1))
  for (const f of fs.readdirSync(data).filter(f => f.startsWith('Streaming'))) fs.rmSync(path.join(data, f))
  const second = await importInto(again, db, t)
  t.same(second.summary.problems, [])
  t.same(second.store.listPlaylists({ limit: 50, offset: 0 }).items.map(p => [p.name, p.trackCount]), [['Chill', 1], ['Road Trip', 1]])
  t.equal(second.store.playlistsNamed('Road Trip')[0]!.id, road, 'the same playlist id')
  t.equal(second.store.history.latest(), null)
  t.equal(ask(second.store, '/v1/me/player/recently-played'), null)
})
