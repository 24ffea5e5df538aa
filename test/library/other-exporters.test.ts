// TuneMyMusic, Soundiiz and spotify-backup exports (test/fixtures/other-exporters, made from each
// tool's documented format), each recognised by its header or lines, in one library with an
// Exportify CSV: a track several sources name is one track with what each knows.
import fs from 'node:fs'
import path from 'node:path'
import t from 'tap'
import { body } from '../answers/fixtures/libraries.js'
import { exportifyFile, importInto, trackCells, writeLibrary } from '../helpers/library.js'

const FIXTURE = path.resolve(import.meta.dirname, '../fixtures/other-exporters')
const T1901 = '6AaZ4Zf9wdkdqMHEW8LDDV'
const dir = t.testdir()
const mixed = path.join(dir, 'mixed')
fs.cpSync(FIXTURE, mixed, { recursive: true })
writeLibrary(mixed, { 'exportify/Road_Trip.csv': exportifyFile([trackCells(T1901, { name: '1901', album: 'Wolfgang Amadeus Phoenix', artists: ['Phoenix'] })]) })
const lib = await importInto(mixed, path.join(dir, 'mixed.sqlite'), t)
const { store } = lib

const dialects = (): Record<string, string | null> => Object.fromEntries((lib.db.prepare('SELECT path, coalesce(dialect, status) AS d FROM library_files ORDER BY path').all() as Array<{ path: string, d: string }>).map(r => [r.path, r.d]))

t.test('each file by its header or lines; a text file that is no export is no problem', async t => {
  t.same(lib.summary.problems, [])
  t.same(dialects(), {
    'My Spotify Library.csv': 'tunemymusic',
    'Soundiiz Road Trip.csv': 'soundiiz',
    'exportify/Road_Trip.csv': 'pavelkomarov-uri',
    'notes.txt': 'skipped',
    'playlists.txt': 'spotify-backup-txt',
    'soundiiz-comma.csv': 'soundiiz'
  })
})

t.test('TuneMyMusic: one file, a playlist per Playlist name; Favorite is Liked Songs; albums and artists are no tracks', async t => {
  const lists = store.listPlaylists({ limit: 50, offset: 0 }).items.filter(p => p.path.startsWith('My Spotify Library.csv')).map(p => [p.name, p.trackCount])
  t.same(lists, [['Chill', 1], ['Road Trip', 4]])
  const road = store.playlistsNamed('Road Trip').find(p => p.path.startsWith('My Spotify'))!
  const items = body(store, `/v1/playlists/${road.id}/items`).items
  t.same(items.map((i: any) => [i.track.name, i.track.id]), [['1901', T1901], ['Nightcall', '0U0ldCRmgCqhVvD6ksG63j'], ['Homemade Song', null], ['Midnight City', '1eyzqe2QqGZUmfcPZtrIyt']],
    'a track with no Spotify id is known by name, not taken for a local file')
  t.equal(store.getTrackByNameArtist('Discovery', 'Daft Punk'), null, 'the saved album is no track')
})

t.test('Liked Songs from TuneMyMusic\'s favourites and spotify-backup\'s "Liked Songs" are one list', async t => {
  t.same(body(store, '/v1/me/tracks').items.map((i: any) => i.track.name).sort(), ['Get Lucky', 'One More Time'])
})

t.test('Soundiiz: ; or , ; its durations and its Spotify links read', async t => {
  const s = store.playlistsNamed('Soundiiz Road Trip')[0]!
  const items = body(store, `/v1/playlists/${s.id}/items`).items
  t.same(items.map((i: any) => [i.track.name, i.track.id, i.track.duration_ms, i.added_at, i.added_by?.id]), [
    ['1901', T1901, 201000, '2024-04-30', 'someuser'], // one track with the Exportify row's, which merge.ts prefers
    ['Talk About It', null, 185000, '2024-05-01', 'someuser']
  ], 'a Deezer link is no Spotify id: the track is known by name')
  t.same(items[1].track.artists.map((a: any) => a.name), ['Someone', 'Other'])
  t.equal(body(store, '/v1/tracks/0U0ldCRmgCqhVvD6ksG63j').duration_ms, 258000, 'platform spotify: trackId is the id; a bare number is seconds')
})

t.test('spotify-backup: playlists by name line, release dates, local files; saved albums left out', async t => {
  const road = store.playlistsNamed('Road Trip').find(p => p.path.startsWith('playlists.txt'))!
  const items = body(store, `/v1/playlists/${road.id}/items`).items
  t.same(items.map((i: any) => [i.track.name, i.is_local]), [['1901', false], ['One More Time', false], ['First Take!', true]])
  t.same(body(store, '/v1/tracks/69kOkLUCkxIZYexIgSG8rq').artists.map((a: any) => a.name), ['Daft Punk', 'Pharrell Williams', 'Nile Rodgers'])
})

t.test('a track named by four sources is one track with what each knows', async t => {
  t.equal(lib.summary.tracks, 9)
  t.match(body(store, `/v1/tracks/${T1901}`), {
    name: '1901',
    external_ids: { isrc: 'FR6V80900001' }, // TuneMyMusic, Soundiiz
    popularity: 42 // Exportify
  })
})

t.test('bad lines: file and line, the rest loads; a playlist met again in a file stays one', async t => {
  const bad = writeLibrary(path.join(dir, 'bad'), {
    'backup.txt': 'Mix\r\nA\tB\tC\tspotify:track:0DiWol3AO6WpXZgp0goxAV\r\nbroken line\tonly two\r\nD\tE\tF\tspotify:track:nope\r\n',
    'tmm.csv': 'Track name,Artist name,Album,Playlist name,Type,ISRC,Spotify - id\n"A","X","Y","One","Playlist","",""\n"B","X","Y","Two","Playlist","",""\n"C","X","Y","One","Playlist","",""\n'
  })
  const b = await importInto(bad, path.join(dir, 'bad.sqlite'), t)
  t.same(b.summary.problems.map(p => [p.file, p.line]), [['backup.txt', 3], ['backup.txt', 4]])
  t.match(b.summary.problems[1]!.reason, /not a Spotify track/)
  t.same(b.store.listPlaylists({ limit: 50, offset: 0 }).items.map(p => [p.name, p.trackCount]), [['Mix', 1], ['One', 2], ['Two', 1]])
})
