// Album search reads each matching track's album row from an array the importer stores
// (track_albums, src/library/track-albums.ts) instead of looking the track up. The array must say
// what the tracks table says after every kind of import, and search must answer the same with it
// as from the tracks themselves (a database imported before the array existed).
import fs from 'node:fs'
import path from 'node:path'
import t from 'tap'
import type { Db } from '../../src/db.js'
import { importLibrary } from '../../src/library/importer.js'
import { LibraryStore } from '../../src/library/store.js'
import { NO_ALBUM, readTrackAlbums, scanTrackAlbums } from '../../src/library/track-albums.js'
import { stageRealExports } from '../helpers/fixtures.js'
import { exportifyFile, importInto, randomTrackId, trackCells, writeLibrary } from '../helpers/library.js'

/** Tracks whose entry in the stored array is not their album row (0 for local files and episodes). */
function disagreements (db: Db): Array<{ pk: number, kind: number, album: number, stored: number | undefined }> {
  const stored = readTrackAlbums(db)
  if (stored === null) throw new Error('no stored array')
  const rows = db.prepare('SELECT pk, kind, album FROM tracks').all() as Array<{ pk: number, kind: number, album: number }>
  return rows.map(r => ({ ...r, stored: stored[r.pk] })).filter(r => r.stored !== (r.kind === 0 ? r.album : NO_ALBUM))
}

const QUERIES = ['a', 'the', 'love', 'e', 'artist:a', 'o year:1990-2030', 'zz']

function searches (store: LibraryStore): unknown[] {
  return QUERIES.flatMap(q => [0, 5, 20].map(offset => store.searchAlbums(q, { limit: 5, offset })))
}

t.test('a first import stores every track\'s album row, none for local files', async t => {
  const dir = stageRealExports(path.join(t.testdir(), 'library'))
  const { db } = await importInto(dir, path.join(t.testdirName, 'lib.sqlite'), t)
  t.same(disagreements(db), [])
  const locals = db.prepare('SELECT pk FROM tracks WHERE kind <> 0').pluck().all() as number[]
  t.ok(locals.length > 0, `${locals.length} local files`)
  t.ok(locals.every(pk => readTrackAlbums(db)![pk] === NO_ALBUM), 'local files have no album to find')
  t.same([...readTrackAlbums(db)!], [...scanTrackAlbums(db)], 'the same as worked out from the tracks')
})

t.test('re-imports keep it in step: tracks added, changed to another album, dropped', async t => {
  const ids = Array.from({ length: 8 }, (_, i) => randomTrackId(`ta-${i}`))
  const dir = path.join(t.testdir(), 'library')
  writeLibrary(dir, {
    'one.csv': exportifyFile(ids.slice(0, 5).map(id => trackCells(id, { album: 'First Album' }))),
    'two.csv': exportifyFile([trackCells(ids[5]!, { album: 'Gone Album' })])
  })
  const { db } = await importInto(dir, path.join(t.testdirName, 'lib.sqlite'), t)
  t.same(disagreements(db), [])
  const albumOf = (id: string): number => db.prepare('SELECT album FROM tracks WHERE key = ?').pluck().get(id) as number
  const before = albumOf(ids[0]!)

  // The next export: one track on another album (a re-release), two new tracks, a file gone.
  fs.writeFileSync(path.join(dir, 'one.csv'), exportifyFile([
    trackCells(ids[0]!, { album: 'Second Album', artists: ['Someone Else'] }),
    ...ids.slice(1, 5).map(id => trackCells(id, { album: 'First Album' })),
    ...ids.slice(6, 8).map(id => trackCells(id, { album: 'New Album' }))
  ]))
  fs.rmSync(path.join(dir, 'two.csv'))
  const summary = await importLibrary(db, dir)
  t.equal(summary.files.indexed, 1)
  t.not(albumOf(ids[0]!), before, 'the changed track names another album row now')
  t.equal(db.prepare('SELECT count(*) FROM tracks WHERE key = ?').pluck().get(ids[5]), 0, 'the track of the file gone is gone')
  t.same(disagreements(db), [])
  const found = new LibraryStore(db).searchAlbums('album', { limit: 10, offset: 0 }).items.map(a => a.name).sort()
  t.same(found, ['First Album', 'New Album', 'Second Album'], 'search finds the albums the tracks name now, not the dropped one')
})

t.test('a database imported before the array existed gets it on its next import, and answers the same without it', async t => {
  const dir = stageRealExports(path.join(t.testdir(), 'library'))
  const { db, store } = await importInto(dir, path.join(t.testdirName, 'lib.sqlite'), t)
  const withArray = searches(store)
  t.ok(withArray.some(p => (p as { items: unknown[] }).items.length > 0), 'the searches find albums')

  db.exec('DELETE FROM track_albums')
  t.equal(readTrackAlbums(db), null)
  // Served before any import writes it: worked out from the tracks.
  t.same(searches(new LibraryStore(db)), withArray, 'the same answers from the tracks table')

  // An import with nothing to read still writes it down.
  const summary = await importLibrary(db, dir)
  t.equal(summary.files.indexed, 0, 'every file unchanged')
  t.same(disagreements(db), [])
  t.same(searches(new LibraryStore(db)), withArray)
})
