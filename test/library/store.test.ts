// LibraryStore's operations over the shipped demo library, indexed into a real SQLite file.
import path from 'node:path'
import t from 'tap'
import { DEMO_LIBRARY } from '../../src/config.js'
import { openDatabase } from '../../src/db.js'
import { importLibrary } from '../../src/library/importer.js'
import { LibraryStore, PlaylistLinkError } from '../../src/library/store.js'

const db = openDatabase(path.join(t.testdir(), 'library.sqlite'))
t.teardown(() => db.close())
const summary = await importLibrary(db, DEMO_LIBRARY)
const store = new LibraryStore(db)
const page = (limit: number, offset = 0): { limit: number, offset: number } => ({ limit, offset })

t.test('the demo library indexes cleanly', async t => {
  t.same(summary.problems, [])
  t.equal(summary.playlists, 4)
  t.equal(summary.likedSongs, 30)
  t.equal(summary.tracks, 53)
})

t.test('getTrackById, getTracksByIds, getTrackByIsrc', async t => {
  t.equal(store.getTrackById('456TLP2AylMogQEbXWp18z')?.name, 'Grid Runner')
  t.equal(store.getTrackById('0000000000000000000000'), null)
  const many = store.getTracksByIds(['456TLP2AylMogQEbXWp18z', 'nope', '1NzkCuszl939j2tb9xPmMQ', '456TLP2AylMogQEbXWp18z'])
  t.same(many.map(x => x?.name ?? null), ['Grid Runner', null, 'Greenhouse at Dawn', 'Grid Runner'], 'request order, null in place, duplicates kept')
  t.equal(store.getTrackByIsrc('sen7a2200151')?.id, '456TLP2AylMogQEbXWp18z', 'ISRC is case-insensitive')
  t.equal(store.getTrackByIsrc('XX0000000000'), null)
})

t.test('getTrackByNameArtist folds case, accents and punctuation', async t => {
  t.equal(store.getTrackByNameArtist('GRID   runner!', 'neon cartographers')?.id, '456TLP2AylMogQEbXWp18z')
  t.equal(store.getTrackByNameArtist('greenhouse at dawn', 'Lumen and the Tides'), null, '"and" is not "&"')
  t.equal(store.getTrackByNameArtist('Greenhouse at Dawn', 'LUMEN & THE TIDES')?.id, '1NzkCuszl939j2tb9xPmMQ')
  const cafe = store.getTrackByNameArtist('cafe au lait a minuit')
  t.equal(cafe?.name, 'Café au lait à minuit')
  t.equal(store.getTrackByNameArtist('Grid Runner', 'Somebody Else'), null)
})

t.test('playlists: listed by name, paged, ids stable', async t => {
  const first = store.listPlaylists(page(2))
  t.equal(first.total, 4)
  t.equal(first.items.length, 2)
  const rest = store.listPlaylists(page(10, 2))
  const names = [...first.items, ...rest.items].map(p => p.name)
  t.same(names, ['Café Classics', 'Deep Focus', 'Late Night Drive', 'Workout Sprint Mix'])
  for (const p of [...first.items, ...rest.items]) {
    t.match(p.id, /^[0-9A-Za-z]{22}$/)
    t.equal(p.idSource, 'synthetic')
    t.equal(p.ownerId, 'demo-user')
  }
  t.equal(store.getPlaylist('0000000000000000000000'), null)
})

t.test('getPlaylistTracks pages in file order; unknown playlist is null', async t => {
  const p = store.listPlaylists(page(10)).items.find(x => x.name === 'Late Night Drive')!
  const all = store.getPlaylistTracks(p.id, page(100))!
  t.equal(all.total, p.trackCount)
  t.equal(all.items.length, p.trackCount)
  t.same(all.items.map(i => i.entry.position), [...Array(p.trackCount).keys()])
  const second = store.getPlaylistTracks(p.id, page(5, 5))!
  t.same(second.items.map(i => i.track.key), all.items.slice(5, 10).map(i => i.track.key))
  t.same(store.getPlaylistTracks(p.id, page(5, 1000))?.items, [])
  t.equal(store.getPlaylistTracks('0000000000000000000000', page(5)), null)
  const local = all.items.find(i => i.track.kind === 'local')
  t.equal(local?.track.uri, 'spotify:local:Hollow+Pines:Basement+Tapes:Cassette+Hiss+Lullaby:215')
  // Pages show no audio features (AnsweredTrack); the track itself has none either.
  const stored = store.getAllTracks(page(1000)).items.find(x => x.uri === local?.track.uri)
  t.equal(stored?.features, null)
})

t.test('getLikedSongs: most recently added first', async t => {
  const liked = store.getLikedSongs(page(50))
  t.equal(liked.total, 30)
  const dates = liked.items.map(i => i.entry.addedAt!)
  t.same(dates, [...dates].sort().reverse())
  t.same(store.getLikedSongs(page(10, 10)).items.map(i => i.track.key), liked.items.slice(10, 20).map(i => i.track.key))
})

t.test('getAllTracks and iterateTracks: each track once', async t => {
  const a = store.getAllTracks(page(20))
  const b = store.getAllTracks(page(100, 20))
  t.equal(a.total, 53)
  const keys = [...a.items, ...b.items].map(x => x.key)
  t.equal(new Set(keys).size, 53)
  t.same([...store.iterateTracks()].map(x => x.key), keys)
})

t.test('getAudioFeatures', async t => {
  const f = store.getAudioFeatures('456TLP2AylMogQEbXWp18z')
  t.equal(f?.features.tempo, 150.011)
  t.equal(f?.track.name, 'Grid Runner')
  t.equal(store.getAudioFeatures('spotify:local:Hollow+Pines:Basement+Tapes:Cassette+Hiss+Lullaby:215'), null)
  t.equal(store.getAudioFeatures('0000000000000000000000'), null)
})

t.test('searchTracks with Spotify query syntax', async t => {
  const names = (q: string, limit = 50): string[] => store.searchTracks(q, page(limit)).items.map(x => x.name).sort()
  t.same(names('grid runner'), ['Grid Runner'])
  t.same(names('grid run'), ['Grid Runner'], 'the last word matches as a prefix')
  t.same(names('track:"Greenhouse at Dawn"'), ['Greenhouse at Dawn'])
  t.same(names('artist:"Lumen & the Tides" album:glasshouse track:condensation'), ['Condensation'])
  t.ok(names('artist:"Neon Cartographers"').includes('Afterglow Interchange'))
  t.same(names('isrc:SEN7A2200151'), ['Grid Runner'])
  t.ok(names('genre:synthwave').length >= 2)
  t.ok(names('year:2012').includes('Greenhouse at Dawn'))
  t.notOk(names('year:2013-2030').includes('Greenhouse at Dawn'))
  t.same(names('track:cafe track:minuit'), ['Café au lait à minuit'], 'accent-folded')
  t.ok(names('cafe minuit').length >= 1, 'free text matches any column')
  t.same(names('zzzz nothing'), [])
  for (const hostile of ['NOT', '"', 'a OR b', 'name:x', '*', ')(', 'artist:', 'year:abc']) {
    t.doesNotThrow(() => store.searchTracks(hostile, page(5)), hostile)
  }
  const paged = store.searchTracks('genre:synthwave', page(1, 1))
  t.equal(paged.items.length, 1)
  t.ok(paged.total >= 2)
  t.same(store.searchTracks('tag:new grid', page(5)).unsupported, ['tag:new'])
})

t.test('linkPlaylist gives a playlist its real id, and refuses an id already taken', async t => {
  const p = store.listPlaylists(page(10)).items.find(x => x.name === 'Deep Focus')!
  const linked = store.linkPlaylist(p.path, '37i9dQZF1DX8NTLI2TtZa6', 'linked')
  t.equal(linked?.id, '37i9dQZF1DX8NTLI2TtZa6')
  t.equal(store.getPlaylistTracks('37i9dQZF1DX8NTLI2TtZa6', page(100))?.total, p.trackCount)
  t.equal(store.getPlaylist(p.id), null, 'the synthetic id is gone')
  const other = store.listPlaylists(page(10)).items.find(x => x.name === 'Café Classics')!
  t.throws(() => store.linkPlaylist(other.path, '37i9dQZF1DX8NTLI2TtZa6', 'linked'), PlaylistLinkError)
  // A re-import of an unchanged library keeps the link.
  await importLibrary(db, DEMO_LIBRARY)
  t.equal(store.getPlaylist('37i9dQZF1DX8NTLI2TtZa6')?.idSource, 'linked')
})
