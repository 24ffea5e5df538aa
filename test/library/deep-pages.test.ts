// A deep page costs what the first page costs: on a generated library of 30,000 liked songs (and
// a 10,000-track playlist), SQLite's own query plans show every page query reading by index,
// a range on the position for pages, never a scan of the table or a sort, and the pages hold
// the right entries.
import path from 'node:path'
import t, { type Test } from 'tap'
import { PAGE_QUERIES } from '../../src/library/store.js'
import { csvRow, EXPORTIFY_HEADER, importInto, randomTrackId, trackCells, writeLibrary } from '../helpers/library.js'

const LIKED = 30_000
const PLAYLIST = 10_000
const id = (i: number): string => randomTrackId(`deep-${i}`)
/** Liked at one second apart, oldest first in the file, as an unsorted export might list them. */
const addedAt = (i: number): string => new Date(Date.UTC(2015, 0, 1) + i * 1000).toISOString().replace('.000', '')

function file (count: number, from: number): string {
  const lines = [EXPORTIFY_HEADER.join(',')]
  for (let i = from; i < from + count; i++) {
    const cells = trackCells(id(i), { name: `Deep Song ${i}`, artists: [`Artist ${i % 500}`] })
    cells[9] = addedAt(i)
    lines.push(csvRow(cells))
  }
  return `${lines.join('\n')}\n`
}

const dir = t.testdir()
const lib = writeLibrary(path.join(dir, 'lib'), { 'Liked_Songs.csv': file(LIKED, 0), 'Big.csv': file(PLAYLIST, LIKED - PLAYLIST / 2) })
const { db, store, summary } = await importInto(lib, path.join(dir, 'deep.sqlite'), t)

/** SQLite's plan for a statement, one line per step. */
function plan (sql: string, ...params: unknown[]): string[] {
  return (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as Array<{ detail: string }>).map(r => r.detail)
}

function readsByIndexOnly (t: Test, steps: string[], what: string): void {
  // (A scan of the subquery's few rows, SCAN m, or of the full-text index's matches is not one.)
  t.same(steps.filter(s => /^SCAN (t|a|e|u|tracks|albums|artists|playlist_items|liked_songs|library_users)\b/.test(s)), [], `${what}: no table scanned`)
  t.same(steps.filter(s => s.includes('TEMP B-TREE')), [], `${what}: no sort`)
}

t.test('the library as generated', async t => {
  t.equal(summary.likedSongs, LIKED)
  t.equal(summary.tracks, LIKED + PLAYLIST / 2)
})

t.test('a deep page of saved tracks is a range read on the stored order', async t => {
  const steps = plan(PAGE_QUERIES.likedPage, 29_950, 30_000)
  t.comment(steps.join('\n'))
  readsByIndexOnly(t, steps, 'liked page')
  t.ok(steps.some(s => /^SEARCH e USING INTEGER PRIMARY KEY \(rowid>\? AND rowid<\?\)/.test(s)), 'liked_songs read by a position range')
  t.ok(steps.some(s => /^SEARCH t USING INTEGER PRIMARY KEY \(rowid=\?\)/.test(s)), 'each track by its key')
  t.ok(steps.some(s => /^SEARCH a USING INTEGER PRIMARY KEY \(rowid=\?\)/.test(s)), 'each album by its key')

  const page = store.getLikedSongs({ limit: 50, offset: 29_950 })
  t.equal(page.total, LIKED)
  // Most recently added first: the file's first rows are the oldest, so they come last.
  t.same(page.items.map(i => i.track.id), Array.from({ length: 50 }, (_, k) => id(49 - k)))
  t.same(page.items.map(i => i.entry.addedAt), Array.from({ length: 50 }, (_, k) => addedAt(49 - k)))
  t.same(store.getLikedSongs({ limit: 50, offset: 0 }).items[0]?.track.name, `Deep Song ${LIKED - 1}`)
})

t.test('a deep page of a playlist is a range read on (playlist, position)', async t => {
  const steps = plan(PAGE_QUERIES.playlistPage, 1, 9_900, 10_000)
  t.comment(steps.join('\n'))
  readsByIndexOnly(t, steps, 'playlist page')
  t.ok(steps.some(s => /^SEARCH e USING PRIMARY KEY \(playlist=\? AND position>\? AND position<\?\)/.test(s)), 'playlist_items read by a position range')
  t.ok(steps.some(s => /^SEARCH t USING INTEGER PRIMARY KEY \(rowid=\?\)/.test(s)), 'each track by its key')

  const big = store.listPlaylists({ limit: 10, offset: 0 }).items.find(p => p.name === 'Big')!
  const page = store.getPlaylistTracks(big.id, { limit: 100, offset: 9_900 })!
  t.equal(page.total, PLAYLIST)
  t.same(page.items.map(i => i.entry.position), Array.from({ length: 100 }, (_, k) => 9_900 + k))
  t.same(page.items.map(i => i.track.id), Array.from({ length: 100 }, (_, k) => id(LIKED - PLAYLIST / 2 + 9_900 + k)))
  t.same(store.getPlaylistTracks(big.id, { limit: 100, offset: PLAYLIST })?.items, [], 'past the end: empty')
})

t.test('search: the full-text index gives the page in order; tracks by key', async t => {
  const steps = plan(PAGE_QUERIES.search, '"deep"', 1050)
  t.comment(steps.join('\n'))
  readsByIndexOnly(t, steps, 'search')
  t.ok(steps.some(s => /^SCAN tracks_fts VIRTUAL TABLE INDEX/.test(s)), 'matches come from the full-text index, in its order')
  const fetch = plan(PAGE_QUERIES.tracksByPks, '[1, 2]')
  readsByIndexOnly(t, fetch, 'the page\'s tracks')
  t.ok(fetch.some(s => /^SEARCH t USING INTEGER PRIMARY KEY \(rowid=\?\)/.test(s)), 'the page\'s tracks by key')
  const found = store.searchTracks('deep song', { limit: 10, offset: 990 })
  t.equal(found.items.length, 10)
  t.equal(found.total, 1050, 'counted up to the furthest page a client can ask')
  t.equal(store.searchTracks('track:"Deep Song 12345"', { limit: 10, offset: 0 }).total, 1)
})

t.test('several tracks by id: one query, by the key index', async t => {
  // With their audio features (GET /v1/audio-features?ids=) and without (GET /v1/tracks?ids=).
  for (const sql of [PAGE_QUERIES.tracksByKeys, PAGE_QUERIES.answeredByKeys]) {
    const steps = plan(sql, JSON.stringify([id(1), id(2)]))
    t.comment(steps.join('\n'))
    t.ok(steps.some(s => /^SEARCH t USING INDEX tracks_key \(key=\?\)/.test(s)), 'tracks by key')
    t.same(steps.filter(s => /^SCAN t\b/.test(s)), [], 'no scan of the tracks')
  }
  const ids = [id(7), 'nope', id(29_999), id(7)]
  t.same(store.getTracksByIds(ids).map(x => x?.id ?? null), [id(7), null, id(29_999), id(7)])
  t.same(store.getAnsweredTracksByIds(ids).map(x => x?.id ?? null), [id(7), null, id(29_999), id(7)])
})

t.test('album search: a walk that stops early counts matches only as far as the total needs', async t => {
  // Every track's artist is "Artist N": all 35,000 tracks match, far more than a walk reads.
  for (const offset of [0, 500, 990]) {
    const page = store.searchAlbums('artist', { limit: 10, offset })
    t.equal(page.items.length, 10, `offset ${offset}: a full page`)
    t.equal(page.total, 1050, `offset ${offset}: the estimate reaches the cap`)
  }
  // One artist's 70 tracks: the walk reads them all, and the total is exact.
  const albums = new Set<string>()
  for (let i = 7; i < LIKED + PLAYLIST / 2; i += 500) albums.add(`Album ${id(i).slice(0, 4)}`)
  const one = store.searchAlbums('artist:"Artist 7"', { limit: 50, offset: 0 })
  t.equal(one.total, albums.size, `every album of the artist's tracks counted (${albums.size})`)
  t.equal(one.items.length, 50, 'a full page')
  t.equal(new Set(one.items.map(a => a.name)).size, 50, 'each album once')
  t.ok(one.items.every(a => albums.has(a.name)), 'only albums of the artist\'s tracks')
  // The walk's query is ended each time (an open one would make the next use of it throw).
  t.same(store.searchAlbums('artist', { limit: 10, offset: 500 }), store.searchAlbums('artist', { limit: 10, offset: 500 }), 'the same search again, the same page')
  const artists = store.searchArtists('artist:"Artist 7" year:1900-2100', { limit: 5, offset: 0 })
  t.same(store.searchArtists('artist:"Artist 7" year:1900-2100', { limit: 5, offset: 0 }), artists, 'an artist search walking the tracks, twice')
})
