// The id an album answers under is worked out once, at import (albums.answer_id): Spotify's id,
// or the synthetic id of the album's name and first artist. Search, lookups by id and the albums
// inside track answers must all give the same one, for exports with album ids and without.
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { openDatabase } from '../../src/db.js'
import { importLibrary } from '../../src/library/importer.js'
import { albumIdOf } from '../../src/library/shapes.js'
import { LibraryStore } from '../../src/library/store.js'
import { syntheticAlbumId } from '../../src/library/synthetic-ids.js'

const REAL = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'exportify-real')

t.test('every album row answers under its Spotify id or the synthetic id of its name and first artist', async t => {
  const work = t.testdir()
  const dir = path.join(work, 'library')
  fs.mkdirSync(dir)
  for (const f of fs.readdirSync(REAL)) fs.copyFileSync(path.join(REAL, f), path.join(dir, f))
  const db = openDatabase(path.join(work, 'lib.sqlite'))
  t.teardown(() => db.close())
  await importLibrary(db, dir)
  const rows = db.prepare(`SELECT a.pk, a.spotify_id, a.name, coalesce(ar.name, '') AS first, a.answer_id
    FROM albums a LEFT JOIN artists ar ON ar.pk = CAST(a.artists AS INTEGER)`).all() as Array<{ pk: number, spotify_id: string | null, name: string, first: string, answer_id: string }>
  const synthetic = rows.filter(r => r.spotify_id === null)
  t.ok(synthetic.length > 10 && rows.length - synthetic.length > 10, `albums with ids (${rows.length - synthetic.length}) and without (${synthetic.length})`)
  t.same(rows.filter(r => r.answer_id !== (r.spotify_id ?? syntheticAlbumId(r.name, r.first))), [], 'answer_id: Spotify\'s, else the synthetic id')

  const store = new LibraryStore(db)
  const byRow = new Map(rows.map(r => [r.pk, r.answer_id]))
  // The albums inside track answers (shapes.ts works the id out from the names) say the same.
  const tracks = store.getAllTracks({ limit: 1000, offset: 0 }).items
  t.ok(tracks.length > 100, `${tracks.length} tracks`)
  const stored = new Map((db.prepare('SELECT key, album FROM tracks').raw().all() as Array<[string, number]>))
  t.same(tracks.filter(tr => albumIdOf(tr.album).id !== byRow.get(stored.get(tr.key)!)), [], 'track answers name the stored id')
  // Every id answers a lookup, and search finds albums under the same ids.
  const ids = [...new Set(rows.map(r => r.answer_id))]
  t.same(ids.filter(id => store.getAlbum(id)?.album.id !== id), [], `each of ${ids.length} ids finds its album`)
  t.ok(synthetic.every(r => store.isOwnId('album', r.answer_id)), 'synthetic ids are the library\'s own')
  t.notOk(rows.filter(r => r.spotify_id !== null).some(r => store.isOwnId('album', r.answer_id)), 'Spotify\'s ids are not')
  // A lookup by id is an index search, not a scan of every album (nor a map built from one).
  const plan = (db.prepare('EXPLAIN QUERY PLAN SELECT pk FROM albums WHERE answer_id = ? ORDER BY pk').all('x') as Array<{ detail: string }>).map(r => r.detail).join('; ')
  t.match(plan, /SEARCH albums USING (COVERING )?INDEX albums_answer \(answer_id=\?\)/, plan)
  t.notMatch(plan, /SCAN|TEMP B-TREE/, 'no scan, no sort')
  const found = store.searchAlbums('a', { limit: 50, offset: 0 }).items
  t.ok(found.length > 0, `search found ${found.length} albums`)
  t.same(found.filter(a => !ids.includes(a.id) || a.synthetic !== !rows.some(r => r.spotify_id === a.id)), [], 'search gives the stored ids, synthetic where the export had none')
})
