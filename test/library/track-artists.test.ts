// An artist search filtered by year or genre reads each matching track's artist rows from arrays
// the importer stores (track_artists, src/library/track-artists.ts) instead of looking the track
// up. The arrays must say what the tracks table says after every kind of import, and search must
// answer the same with them as from the tracks themselves (a database imported before they existed).
import fs from 'node:fs'
import path from 'node:path'
import t from 'tap'
import type { Db } from '../../src/db.js'
import { importLibrary } from '../../src/library/importer.js'
import { LibraryStore } from '../../src/library/store.js'
import { artistPks } from '../../src/library/track-codec.js'
import { readTrackArtists, scanTrackArtists, type TrackArtists } from '../../src/library/track-artists.js'
import { stageRealExports } from '../helpers/fixtures.js'
import { exportifyFile, importInto, randomTrackId, trackCells, writeLibrary } from '../helpers/library.js'

const listOf = (a: TrackArtists, pk: number): number[] => [...a.refs.subarray(a.offsets[pk] ?? 0, a.offsets[pk + 1] ?? 0)]

/** Tracks whose stored artist rows are not their row's (none for local files and episodes). */
function disagreements (db: Db): Array<{ pk: number, kind: number, artists: string, stored: number[] }> {
  const stored = readTrackArtists(db)
  if (stored === null) throw new Error('no stored arrays')
  const rows = db.prepare('SELECT pk, kind, artists FROM tracks').all() as Array<{ pk: number, kind: number, artists: string }>
  return rows.map(r => ({ ...r, stored: listOf(stored, r.pk) }))
    .filter(r => JSON.stringify(r.stored) !== JSON.stringify(r.kind === 0 ? artistPks(r.artists) : []))
}

// Filters on the tracks (year, genre) take the walk through the tracks; the others are by name.
const QUERIES = ['a year:1900-2100', 'e year:1990-2030', 'the year:2000-2030', 'genre:pop', 'o genre:rock', 'zz year:2000']

function searches (store: LibraryStore): unknown[] {
  return QUERIES.flatMap(q => [0, 3, 20].map(offset => store.searchArtists(q, { limit: 5, offset })))
}

t.test('a first import stores every music track\'s artist rows, none for local files', async t => {
  const dir = stageRealExports(path.join(t.testdir(), 'library'))
  const { db } = await importInto(dir, path.join(t.testdirName, 'lib.sqlite'), t)
  t.same(disagreements(db), [])
  const stored = readTrackArtists(db)!
  const locals = db.prepare('SELECT pk FROM tracks WHERE kind <> 0').pluck().all() as number[]
  t.ok(locals.length > 0, `${locals.length} local files`)
  t.ok(locals.every(pk => listOf(stored, pk).length === 0), 'local files have no artists to find')
  const several = db.prepare("SELECT count(*) FROM tracks WHERE kind = 0 AND artists LIKE '%,%'").pluck().get() as number
  t.ok(several > 0, `${several} tracks with several artists`)
  t.same(stored, scanTrackArtists(db), 'the same as worked out from the tracks')
})

t.test('re-imports keep them in step: tracks added, given other artists, dropped', async t => {
  const ids = Array.from({ length: 8 }, (_, i) => randomTrackId(`tr-${i}`))
  const dir = path.join(t.testdir(), 'library')
  writeLibrary(dir, {
    'one.csv': exportifyFile(ids.slice(0, 5).map(id => trackCells(id, { artists: ['First Artist'] }))),
    'two.csv': exportifyFile([trackCells(ids[5]!, { artists: ['Gone Artist'] })])
  })
  const { db } = await importInto(dir, path.join(t.testdirName, 'lib.sqlite'), t)
  t.same(disagreements(db), [])
  const artistsOf = (id: string): string => db.prepare('SELECT artists FROM tracks WHERE key = ?').pluck().get(id) as string
  const before = artistsOf(ids[0]!)

  // The next export: one track credited to two others now, two new tracks, a file gone.
  fs.writeFileSync(path.join(dir, 'one.csv'), exportifyFile([
    trackCells(ids[0]!, { artists: ['Second Artist', 'Guest Artist'] }),
    ...ids.slice(1, 5).map(id => trackCells(id, { artists: ['First Artist'] })),
    ...ids.slice(6, 8).map(id => trackCells(id, { artists: ['New Artist'] }))
  ]))
  fs.rmSync(path.join(dir, 'two.csv'))
  const summary = await importLibrary(db, dir)
  t.equal(summary.files.indexed, 1)
  t.not(artistsOf(ids[0]!), before, 'the changed track names other artist rows now')
  t.equal(db.prepare('SELECT count(*) FROM tracks WHERE key = ?').pluck().get(ids[5]), 0, 'the track of the file gone is gone')
  t.same(disagreements(db), [])
  const found = new LibraryStore(db).searchArtists('artist year:1900-2100', { limit: 10, offset: 0 }).items.map(a => a.name).sort()
  t.same(found, ['First Artist', 'Guest Artist', 'New Artist', 'Second Artist'], 'search finds the artists the tracks name now, not the dropped one')
})

t.test('a database imported before the arrays existed gets them on its next import, and answers the same without them', async t => {
  const dir = stageRealExports(path.join(t.testdir(), 'library'))
  const { db, store } = await importInto(dir, path.join(t.testdirName, 'lib.sqlite'), t)
  const withArrays = searches(store)
  t.ok(withArrays.some(p => (p as { items: unknown[] }).items.length > 0), 'the searches find artists')

  db.exec('DELETE FROM track_artists')
  t.equal(readTrackArtists(db), null)
  // Served before any import writes them: worked out from the tracks.
  t.same(searches(new LibraryStore(db)), withArrays, 'the same answers from the tracks table')

  // An import with nothing to read still writes them down.
  const summary = await importLibrary(db, dir)
  t.equal(summary.files.indexed, 0, 'every file unchanged')
  t.same(disagreements(db), [])
  t.same(searches(new LibraryStore(db)), withArrays)
})
