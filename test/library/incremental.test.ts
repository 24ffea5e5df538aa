// Re-imports: unchanged files are skipped, a touched-but-identical file is confirmed by hash,
// a changed file replaces its playlist, a removed file drops its playlist (and orphan tracks),
// and ids (synthetic or linked) stay the same across imports.
import fs from 'node:fs'
import path from 'node:path'
import t, { type Test } from 'tap'
import { openDatabase } from '../../src/db.js'
import { importLibrary } from '../../src/library/importer.js'
import { LibraryStore } from '../../src/library/store.js'

const HEADER = 'Track URI,Track Name,Album Name,Artist Name(s),Release Date,Duration (ms),Popularity,Explicit,Added By,Added At,Genres,Record Label,Danceability,Energy,Key,Loudness,Mode,Speechiness,Acousticness,Instrumentalness,Liveness,Valence,Tempo,Time Signature'
const id = (n: number): string => `T${String(n).padStart(21, '0')}`
const row = (n: number, name = `Song ${n}`): string =>
  `spotify:track:${id(n)},"${name}","Album ${n}","Artist ${n}",2020-01-01,200000,50,false,me,2024-01-01T00:00:${String(n % 60).padStart(2, '0')}Z,"pop","Label",0.5,0.5,5,-6,1,0.05,0.1,0,0.1,0.5,120,4`
const csv = (rows: string[]): string => `${HEADER}\n${rows.join('\n')}\n`

// Each call makes its own library folder and database, so one test can hold two libraries.
let libraries = 0
function setup (t: Test): { dir: string, db: ReturnType<typeof openDatabase>, store: LibraryStore } {
  const dir = path.join(t.testdirName, `library-${++libraries}`)
  fs.rmSync(dir, { recursive: true, force: true })
  for (const f of ['', '-wal', '-shm']) fs.rmSync(`${dir}.sqlite${f}`, { force: true })
  t.teardown(() => fs.rmSync(t.testdirName, { recursive: true, force: true }))
  fs.mkdirSync(path.join(dir, 'sub'), { recursive: true })
  fs.writeFileSync(path.join(dir, 'Road_Trip.csv'), csv([row(1), row(2), row(3)]))
  fs.writeFileSync(path.join(dir, 'sub/Gym.csv'), csv([row(3), row(4)]))
  fs.writeFileSync(path.join(dir, 'Liked_Songs.csv'), csv([row(5)]))
  const db = openDatabase(`${dir}.sqlite`)
  t.teardown(() => db.close())
  return { dir, db, store: new LibraryStore(db) }
}

t.test('an unchanged library is skipped file by file', async t => {
  const { dir, db } = setup(t)
  const first = await importLibrary(db, dir)
  t.same(first.files, { seen: 3, indexed: 3, unchanged: 0, removed: 0, skipped: 0 })
  t.equal(first.tracks, 5)
  const second = await importLibrary(db, dir)
  t.same(second.files, { seen: 3, indexed: 0, unchanged: 3, removed: 0, skipped: 0 })
  t.same(second.rows, { read: 0, rejected: 0 })
  t.equal(second.tracks, 5)
})

t.test('a touched file with the same bytes is confirmed by hash and not re-read', async t => {
  const { dir, db } = setup(t)
  await importLibrary(db, dir)
  const later = new Date(Date.now() + 60_000)
  fs.utimesSync(path.join(dir, 'Road_Trip.csv'), later, later)
  const again = await importLibrary(db, dir)
  t.same(again.files, { seen: 3, indexed: 0, unchanged: 3, removed: 0, skipped: 0 })
  const third = await importLibrary(db, dir)
  t.equal(third.files.unchanged, 3, 'the new mtime was recorded')
})

t.test('a changed file replaces its playlist and keeps its id', async t => {
  const { dir, db, store } = setup(t)
  await importLibrary(db, dir)
  const before = store.listPlaylists({ limit: 10, offset: 0 }).items.find(p => p.name === 'Road Trip')!
  fs.writeFileSync(path.join(dir, 'Road_Trip.csv'), csv([row(2, 'Song 2 (Remastered)'), row(6)]))
  const r = await importLibrary(db, dir)
  t.same(r.files, { seen: 3, indexed: 1, unchanged: 2, removed: 0, skipped: 0 })
  const after = store.getPlaylistTracks(before.id, { limit: 10, offset: 0 })!
  t.same(after.items.map(i => i.track.id), [id(2), id(6)])
  t.equal(after.total, 2)
  t.equal(store.getTrackById(id(2))?.name, 'Song 2 (Remastered)', 'the newer export wins')
  t.equal(store.getTrackById(id(1)), null, 'a track in no playlist any more is dropped')
  t.equal(store.getTrackById(id(3))?.name, 'Song 3', 'a track still in another playlist stays')
  t.equal(store.searchTracks('track:"Song 1"', { limit: 5, offset: 0 }).total, 0, 'the search index follows')
  t.equal(store.searchTracks('remastered', { limit: 5, offset: 0 }).total, 1)
})

t.test('a removed file drops its playlist; a new file adds one', async t => {
  const { dir, db, store } = setup(t)
  await importLibrary(db, dir)
  fs.rmSync(path.join(dir, 'sub/Gym.csv'))
  fs.writeFileSync(path.join(dir, 'New.csv'), csv([row(7)]))
  const r = await importLibrary(db, dir)
  t.same(r.files, { seen: 3, indexed: 1, unchanged: 2, removed: 1, skipped: 0 })
  t.same(store.listPlaylists({ limit: 10, offset: 0 }).items.map(p => p.name), ['New', 'Road Trip'])
  t.equal(store.getTrackById(id(4)), null)
  t.equal(db.prepare('SELECT count(*) FROM playlist_items WHERE playlist NOT IN (SELECT pk FROM playlists) OR track NOT IN (SELECT pk FROM tracks)').pluck().get(), 0, 'no dangling items')
  t.equal(db.prepare("SELECT count(*) FROM tracks_fts WHERE tracks_fts MATCH 'song'").pluck().get(), r.tracks, 'FTS holds exactly the tracks')
})

t.test('synthetic ids are the same on every import; links survive changes and re-imports', async t => {
  const a = setup(t)
  await importLibrary(a.db, a.dir)
  const ids = a.store.listPlaylists({ limit: 10, offset: 0 }).items.map(p => p.id)
  const b = setup(t)
  await importLibrary(b.db, b.dir)
  t.same(b.store.listPlaylists({ limit: 10, offset: 0 }).items.map(p => p.id), ids, 'derived from the relative path only')

  const gym = a.store.listPlaylists({ limit: 10, offset: 0 }).items.find(p => p.name === 'Gym')!
  a.store.linkPlaylist(gym.path, '3cEYpjA9oz9GiPac4AsH4n', 'learned')
  fs.writeFileSync(path.join(a.dir, 'sub/Gym.csv'), csv([row(4), row(8)]))
  await importLibrary(a.db, a.dir)
  const relinked = a.store.getPlaylist('3cEYpjA9oz9GiPac4AsH4n')
  t.equal(relinked?.idSource, 'learned')
  t.equal(relinked?.trackCount, 2)
})

t.test('the id in an exportify-cli file name is used', async t => {
  const dir = t.testdir({ 'Chill [37i9dQZF1DX4WYpdgoIcn6].csv': csv([row(1)]), 'Liked Songs [liked_songs].csv': csv([row(2)]) })
  const db = openDatabase(path.join(dir, 'db.sqlite'))
  t.teardown(() => db.close())
  const r = await importLibrary(db, dir)
  const store = new LibraryStore(db)
  t.equal(r.likedSongs, 1)
  t.same(store.listPlaylists({ limit: 5, offset: 0 }).items.map(p => [p.name, p.id, p.idSource]), [['Chill', '37i9dQZF1DX4WYpdgoIcn6', 'filename']])
})

t.test('a single CSV file can be the library', async t => {
  const dir = t.testdir({ 'One_List.csv': csv([row(1), row(2)]) })
  const db = openDatabase(path.join(dir, 'db.sqlite'))
  t.teardown(() => db.close())
  const r = await importLibrary(db, path.join(dir, 'One_List.csv'))
  t.equal(r.playlists, 1)
  t.equal(r.tracks, 2)
})
