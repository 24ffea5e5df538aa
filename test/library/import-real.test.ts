// The six real Exportify exports, imported through the real importer into a real SQLite file:
// row counts, specific tracks from each dialect, and Spotify shapes built from what was read.
import path from 'node:path'
import t from 'tap'
import { openDatabase } from '../../src/db.js'
import { importLibrary } from '../../src/library/importer.js'
import { shapePlaylistTrack, shapeSavedTrack, shapeTrack, shapeAudioFeatures } from '../../src/library/shapes.js'
import { LibraryStore } from '../../src/library/store.js'
import { stageRealExports } from '../helpers/fixtures.js'
import { loadOpenApi } from '../helpers/openapi.js'

const dir = stageRealExports(t.testdir())
const db = openDatabase(path.join(t.testdirName, 'library.sqlite'))
t.teardown(() => db.close())
const summary = await importLibrary(db, dir)
const store = new LibraryStore(db)
const all = { limit: 1000, offset: 0 }
const byName = new Map(store.listPlaylists(all).items.map(p => [p.name, p]))
const o = { apiBase: 'https://api.spotify.com/v1' }

t.test('every export is read, every row kept', async t => {
  t.same(summary.files, { seen: 6, indexed: 6, unchanged: 0, removed: 0, skipped: 0 })
  t.same(summary.rows, { read: 59 + 100 + 701 + 100 + 461 + 72, rejected: 0 })
  t.same(summary.problems, [])
  t.equal(summary.playlists, 4)
  const dialects = db.prepare('SELECT path, dialect, rows FROM library_files ORDER BY path').all()
  t.same(dialects, [
    { path: 'pavelkomarov-2022/lagos_jump_.csv', dialect: 'pavelkomarov-ids', rows: 59 },
    { path: 'pavelkomarov-2024/your_top_songs_2023.csv', dialect: 'pavelkomarov-track-id', rows: 100 },
    { path: 'pavelkomarov-2026/Liked_Songs.csv', dialect: 'pavelkomarov-uri', rows: 701 },
    { path: 'watsonbox-2018/your_top_songs_2018.csv', dialect: 'watsonbox-legacy', rows: 100 },
    { path: 'watsonbox-2025/utz_utz_utz.csv', dialect: 'watsonbox', rows: 72 },
    { path: 'watsonbox-2026/liked.csv', dialect: 'watsonbox', rows: 461 }
  ])
  t.same([...byName.keys()].sort(), ['lagos jump', 'utz utz utz', 'your top songs 2018', 'your top songs 2023'])
  t.same([...byName.values()].map(p => p.trackCount).sort((a, b) => a - b), [59, 72, 100, 100])
})

t.test('both Liked Songs files become one set of saved tracks, newest first', async t => {
  const liked = store.getLikedSongs({ limit: 2, offset: 0 })
  const distinct = db.prepare('SELECT count(DISTINCT i.track) FROM playlist_items i JOIN playlists p ON p.pk = i.playlist WHERE p.is_liked = 1').pluck().get()
  t.equal(liked.total, distinct)
  t.ok(liked.total < 461 + 701, 'tracks liked in both exports counted once')
  t.equal(liked.items[0]?.track.name, '福气马上来')
  t.equal(liked.items[0]?.entry.addedAt, '2026-03-10T13:44:11Z')
  t.equal(liked.items[1]?.entry.addedAt, '2026-03-09T11:29:31Z')
  t.notOk(byName.has('Liked Songs'), 'Liked Songs is not listed as a playlist')
  // In both exports: watsonbox knows its ISRC and album id, pavelkomarov its audio features.
  const both = store.getTrackById('6x6mbNnTIxWlnkn46PvDEm')
  t.match(both?.isrc, /^[A-Z0-9]{12}$/)
  t.match(both?.album.id, /^[0-9A-Za-z]{22}$/)
  t.type(both?.features?.danceability, 'number')
  t.ok(both!.genres.length > 0 || both!.album.label !== null, 'pavelkomarov-only fields kept')
})

t.test('pavelkomarov 2019–2024: Artist IDs pair with comma-joined names; the ragged row keeps its cells', async t => {
  const track = store.getTrackById('4J2FVm51cMZ4nV36otIyUI')
  t.same(track?.artists, [{ id: '36gl2NBJNRaQakdS4fTKGW', name: 'Ajebutter22' }, { id: '4qYpTEJThZ8FC8KzyFrSWW', name: 'Boj' }])
  t.equal(track?.album.name, 'Make E No Cause Fight')
  t.equal(track?.features?.tempo, 103.987)
  const ragged = store.getTrackById('5g8e0DVT296yBxSbL0EMpr') // line 54: 11 cells, no audio features
  t.equal(ragged?.name, 'Damiloun')
  t.equal(ragged?.features, null)
  t.equal(ragged?.popularity, 30)
  t.same(ragged?.artists.map(a => a.name), ['Show Dem Camp', 'Ajebutter22', 'Boj'])
  t.same(ragged?.genres, ['afro dancehall', 'afropop', 'alte', 'nigerian hip hop', 'nigerian pop', 'azonto'])
  const page = store.getPlaylistTracks(byName.get('lagos jump')!.id, { limit: 1, offset: 52 })
  t.equal(page?.items[0]?.track.id, '5g8e0DVT296yBxSbL0EMpr', 'file order kept: line 54 is position 52')
  t.equal(page?.items[0]?.entry.addedBy, 'seankmchenry')
})

t.test('pavelkomarov 2024 (TABs inside the header): audio features line up', async t => {
  const track = store.getTrackById('4D7q0QQi67dZS4oJTgcT1L')
  t.equal(track?.name, '7 Palms')
  t.equal(track?.album.label, 'Silver Wave Records')
  t.equal(track?.album.releaseDatePrecision, 'day')
  t.same(track?.features, { danceability: 0.359, energy: 0.154, key: 7, loudness: -19.505, mode: 1, speechiness: 0.0293, acousticness: 0.393, instrumentalness: 0.564, liveness: 0.187, valence: 0.132, tempo: 155.604, time_signature: 1 })
  const first = store.getPlaylistTracks(byName.get('your top songs 2023')!.id, { limit: 1, offset: 0 })
  t.equal(first?.items[0]?.entry.addedAt, '1970-01-01T00:00:00Z')
  t.equal(first?.items[0]?.entry.addedBy, null)
})

t.test('pavelkomarov 2025+: ";"-joined artists, unicode intact, localized genres', async t => {
  const track = store.getTrackById('2orh0fTsNokKCIxZ3c4OIN')
  t.same(track?.artists.map(a => a.name), ['Văn Mai Hương', 'Bùi Anh Tuấn'])
  t.equal(track?.name, 'Nghe Nói Anh Sắp Kết Hôn (feat. Bùi Anh Tuấn)')
  t.equal(track?.features?.instrumentalness, 0.0000337)
  t.equal(track?.explicit, false)
  const ksuke = store.getTrackById('2yuyPke3xjantGgapFPH3e')
  t.same(ksuke?.artists.map(a => a.name), ['KSUKE', 'Tyler Carter'])
})

t.test('watsonbox 2015–2020: two BOMs and unescaped quotes', async t => {
  const first = store.getPlaylistTracks(byName.get('your top songs 2018')!.id, { limit: 1, offset: 0 })
  t.equal(first?.items[0]?.track.uri, 'spotify:track:5e0vfjC19908HLerbfbEkv', 'the BOMs do not hide the first column')
  const rite = store.getTrackById('7uQekeEOVeXWtPEaL3IlCU')
  t.equal(rite?.name, 'The Rite of Spring, Pt. 1 "Adoration of the Earth": II. The Augurs of Spring - Dances of the Young Girls')
  t.same(rite?.artists.map(a => a.name), ['Igor Stravinsky', 'Park Avenue Chamber Symphony', 'David Bernard'])
  t.equal(rite?.discNumber, 1)
  t.equal(rite?.trackNumber, 2)
  t.equal(first?.items[0]?.entry.addedBy, null, 'the bare "spotify:user:" of generated playlists means nobody')
})

t.test('watsonbox 2022+ English: URIs, ISRC, images and \\, escapes', async t => {
  const track = store.getTrackById('3AK7BhcFM7pyRo5ggu8ido')
  t.same(track?.artists, [
    { id: '4jQZaxfgwiUJFQagCyZNV4', name: 'Ricky Star' },
    { id: '2aQnC3DbZB9GbauvhAw7ve', name: 'AMEE' },
    { id: '0EOMdQwzUG6CKh9oWvcANr', name: 'Lăng LD' }
  ])
  t.equal(track?.album.id, '5nguViugbVFvI9y562zEC9')
  t.equal(track?.isrc, 'TBDK24012022')
  t.equal(track?.album.imageUrl, 'https://i.scdn.co/image/ab67616d0000b2738f68dab43ed8b4a2da7f6490')
  t.same(store.getTrackById('46pG1Hzlo2QKIRFKSXCk15')?.artists, [{ id: '1Z2YFJigkcWUWfSmS3H0a1', name: 'KITAKORE(cv. Daisuke Ono,Daisuke Kishio)' }])
  t.same(store.getTrackById('6WEIRgrkksL71XJ892pov4')?.artists.map(a => a.name), ['KiLLER KiNG(cv. Kotaro Nishiyama,Taku Yashiro,Shoya Chiba,Takuya Eguchi )'])
})

t.test('watsonbox 2024+ German headers, with local files', async t => {
  const bonfire = store.getTrackByIsrc('GBAHT1200225')
  t.equal(bonfire?.name, 'Bonfire')
  t.equal(bonfire?.album.releaseDate, '2012')
  t.equal(bonfire?.album.releaseDatePrecision, 'year')
  const local = store.getTrackById('spotify:local:Turbo:Eurobeat:Gimme%21+Gimme%21+Gimme%21+Eurobeat+Remix:241')
  t.equal(local?.kind, 'local')
  t.equal(local?.name, 'Gimme! Gimme! Gimme! Eurobeat Remix')
  t.same(local?.artists, [{ id: null, name: 'Turbo' }])
  const page = store.getPlaylistTracks(byName.get('utz utz utz')!.id, { limit: 1, offset: 37 })
  t.equal(page?.items[0]?.track.kind, 'local', 'line 39 is a local file, in its place')
  t.equal(page?.items[0]?.entry.addedBy, 'sebastianelisapfeifer')
})

t.test('no BOM and no stray TAB survives in any name', async t => {
  const bad = [...store.iterateTracks()].filter(tr => /[\uFEFF\t]/.test(tr.name + tr.album.name + tr.artists.map(a => a.name).join('')))
  t.same(bad, [])
  t.equal([...store.iterateTracks()].length, summary.tracks, 'iterateTracks yields each track once')
})

t.test('shapes built from imported rows validate against the Spotify OpenAPI schemas', async t => {
  const api = loadOpenApi()
  // The English watsonbox export has every id Spotify would send: full validation for every row.
  const liked = store.getPlaylistTracks(db.prepare("SELECT id FROM playlists WHERE path = 'watsonbox-2026/liked.csv'").pluck().get() as string, { limit: 500, offset: 0 })
  t.equal(liked?.items.length, 461)
  let invalid = 0
  for (const pt of liked!.items) {
    const errors = [
      ...api.validateAgainst('TrackObject', shapeTrack(pt.track, o)),
      ...api.validateAgainst('SavedTrackObject', shapeSavedTrack(pt, o))
    ]
    if (errors.length > 0 && invalid++ < 3) t.fail(`${pt.track.id}: ${errors.join('; ')}`)
  }
  t.equal(invalid, 0)
  // Rows with audio features (pavelkomarov) give valid AudioFeaturesObjects.
  const features = [...store.iterateTracks()].filter(tr => tr.features !== null && tr.features.time_signature >= 3)
  t.ok(features.length > 600, `${features.length} tracks with features`)
  t.same(features.flatMap(tr => api.validateAgainst('AudioFeaturesObject', shapeAudioFeatures(tr, o))), [])
  // Local files validate as PlaylistTrackObject items except where Spotify itself sends null ids.
  const local = store.getPlaylistTracks(byName.get('utz utz utz')!.id, { limit: 1, offset: 37 })!.items[0]!
  const item = shapePlaylistTrack(local, o)
  t.equal(item.is_local, true)
  t.equal(item.track, item.item)
  const errors = api.validateAgainst('TrackObject', item.track)
  t.ok(errors.length > 0)
  t.ok(errors.every(e => /\/(href|id|uri|album_type|release_date|release_date_precision)\b|required property 'total_tracks'|equal to one of the allowed values/.test(e)), errors.join('; '))
})
