// The stored form of a track gives back exactly the track: encoded and decoded alone, and through
// a real SQLite file (its album and artists as rows of their own), for hand-made tracks covering
// every field and for every track of the six real exports.
import fs from 'node:fs'
import path from 'node:path'
import t from 'tap'
import { DEMO_LIBRARY } from '../../src/config.js'
import { readExportFile } from '../../src/library/file-reader.js'
import { KeyTable } from '../../src/library/key-table.js'
import { decodeAddedAt, encodeAddedAt } from '../../src/library/added-at.js'
import { syntheticAlbumId } from '../../src/library/synthetic-ids.js'
import { decodeEncoded, encodeTrack, ftsRowid } from '../../src/library/track-codec.js'
import type { LibraryTrack } from '../../src/library/types.js'
import { REAL, REAL_EXPORTS } from '../helpers/fixtures.js'
import { exportifyFile, importInto, writeLibrary } from '../helpers/library.js'

const FEATURES = { danceability: 0.583, energy: 0.862, key: 1, loudness: -4.912, mode: 0, speechiness: 0.0412, acousticness: 0.00214, instrumentalness: 0.812, liveness: 0.186, valence: 0.402, tempo: 150.011, time_signature: 4 }

/** A track whose key is `id` (each case its own, so they never merge). */
function track (id: string, over: Partial<LibraryTrack>): LibraryTrack {
  return {
    key: id,
    kind: 'track',
    id,
    uri: `spotify:track:${id}`,
    name: 'Grid Runner',
    artists: [{ id: '0OdUWJ0sBjDrqHygGUXeCF', name: 'Neon Cartographers' }, { id: null, name: 'Mira, Okafor' }],
    album: { id: '2noRn2Aes5aoNVsU6iWThc', name: 'Night Lines', releaseDate: '2022-03-04', releaseDatePrecision: 'day', imageUrl: 'https://i.scdn.co/image/ab67616d0000b273aa', artists: [{ id: '0OdUWJ0sBjDrqHygGUXeCF', name: 'Neon Cartographers' }], albumType: 'album', totalTracks: 12, label: 'Label "X"' },
    discNumber: 1,
    trackNumber: 3,
    durationMs: 255000,
    explicit: false,
    popularity: 42,
    isrc: 'SEN7A2200151',
    previewUrl: 'https://p.scdn.co/mp3-preview/x',
    genres: ['synthwave', 'dance, pop'],
    features: FEATURES,
    extra: {},
    ...over
  }
}

const EMPTY_ALBUM = { id: null, name: '', releaseDate: null, releaseDatePrecision: null, imageUrl: null, artists: [], albumType: null, totalTracks: null, label: null }
const CASES: Record<string, LibraryTrack> = {
  'a full track': track('456TLP2AylMogQEbXWp18z', {}),
  'nothing known but the name': track('1NzkCuszl939j2tb9xPmMQ', { discNumber: null, trackNumber: null, durationMs: null, explicit: null, popularity: null, isrc: null, previewUrl: null, genres: [], features: null, artists: [], album: EMPTY_ALBUM }),
  'explicit, year precision': track('2noRn2Aes5aoNVsU6iWThd', { explicit: true, album: { ...track('x', {}).album, releaseDate: '1999', releaseDatePrecision: 'year' } }),
  'a local file': track('y', { key: 'spotify:local:Hollow+Pines:Basement+Tapes:Lullaby:215', kind: 'local', id: null, uri: 'spotify:local:Hollow+Pines:Basement+Tapes:Lullaby:215', features: null }),
  'an episode': track('5Xt5DXGzch68nYYamXrNxZ', { kind: 'episode', uri: 'spotify:episode:5Xt5DXGzch68nYYamXrNxZ' }),
  'known by name only': track('y', { key: 'name:grid runner|neon cartographers', id: null, uri: null }),
  'unknown columns kept': track('6x6mbNnTIxWlnkn46PvDEm', { extra: { Mood: 'dark', 'Key Name': 'C♯' } }),
  'an id and URI that do not follow from the key': track('7x6mbNnTIxWlnkn46PvDEm', { id: null, uri: 'spotify:track:0000000000000000000000' }),
  'odd numbers': track('8x6mbNnTIxWlnkn46PvDEm', { features: { ...FEATURES, loudness: -60, tempo: 1e-7, key: -1 }, popularity: 0, durationMs: 0 })
}

/**
 * The track as read back: its album also says the id it answers under (albums.answer_id), which
 * only a stored album has: Spotify's, or the synthetic one of its name and first artist.
 */
function withAnswerId (tr: LibraryTrack, stored: boolean): LibraryTrack {
  const answerId = stored ? tr.album.id ?? syntheticAlbumId(tr.album.name, tr.album.artists[0]?.name ?? '') : null
  return { ...tr, album: { ...tr.album, answerId } }
}

t.test('encode then decode gives the track back', async t => {
  for (const [name, tr] of Object.entries(CASES)) t.strictSame(decodeEncoded(tr.key, encodeTrack(tr)), withAnswerId(tr, false), name)
})

t.test('through a SQLite file: every field back, albums and artists stored once', async t => {
  const dir = t.testdir()
  const imp = await importInto(writeLibrary(path.join(dir, 'lib'), { 'empty.csv': exportifyFile([]) }), path.join(dir, 'codec.sqlite'), t)
  // The importer's own writer, fed encoded tracks as the file reader sends them.
  const { libraryWriter } = await import('../../src/library/writer.js')
  const db = imp.db
  db.exec('BEGIN')
  const w = libraryWriter(db)
  const meta = { size: 0, mtimeMs: 0, sha256: '' }
  w.apply({ t: 'begin', rel: 'codec.csv', meta, dialect: 'test', encoding: 'utf-8' }, false)
  const tracks = Object.values(CASES)
  w.apply({ t: 'rows', rel: 'codec.csv', rows: tracks.map((tr, i) => [i + 2, tr.key, null, null, encodeTrack(tr), true, null]) }, false)
  w.apply({ t: 'end', rel: 'codec.csv' }, false)
  w.finish()
  db.exec('COMMIT')
  const stored = imp.store.getAllTracks({ limit: 100, offset: 0 }).items
  for (const [name, tr] of Object.entries(CASES)) t.strictSame(stored.find(x => x.key === tr.key), withAnswerId(tr, true), name)
  t.equal(db.prepare('SELECT count(*) FROM artists').pluck().get(), 2, 'each artist once (the album artist is a track artist)')
  t.equal(db.prepare('SELECT count(*) FROM albums').pluck().get(), 3, 'each distinct album once')
})

t.test('every track of the real exports and the demo library comes back as its file said', async t => {
  const files = [
    ...Object.keys(REAL_EXPORTS).map(f => path.join(REAL, f)),
    ...fs.readdirSync(DEMO_LIBRARY).filter(f => f.endsWith('.csv')).map(f => path.join(DEMO_LIBRARY, f))
  ]
  let checked = 0
  for (const file of files) {
    const dir = t.testdir()
    fs.copyFileSync(file, path.join(dir, path.basename(file)))
    const { store } = await importInto(dir, path.join(dir, '..', `${path.basename(dir)}.sqlite`), t)
    // Each key as the file reader read it: the first row of a track, and whether any later row differs.
    const first = new Map<string, LibraryTrack>()
    const merged = new Set<string>()
    const unstable: number[] = []
    for await (const e of readExportFile(path.basename(file), () => fs.createReadStream(file), 0, null, new KeyTable(false))) {
      if (e.t !== 'rows') continue
      for (const r of e.rows) {
        if (r.length === 2 || r[4] === null) continue
        const [line, key, , , encoded] = r
        if (JSON.stringify(encodeTrack(decodeEncoded(key, encoded))) !== JSON.stringify(encoded)) unstable.push(line)
        if (first.has(key)) merged.add(key)
        else first.set(key, withAnswerId(decodeEncoded(key, encoded), true))
      }
    }
    t.same(unstable, [], `${path.basename(file)}: every row encodes as it decodes`)
    const all = new Map(store.getAllTracks({ limit: 10_000, offset: 0 }).items.map(x => [x.key, x]))
    for (const [key, tr] of first) {
      if (merged.has(key)) continue
      if (!t.strictSame(all.get(key), tr, `${path.basename(file)}: ${key}`)) break
      checked++
    }
  }
  t.ok(checked > 1500, `${checked} tracks checked`)
})

t.test('added_at: Spotify\'s own form as a number, anything else as text, always the same text back', async t => {
  t.equal(encodeAddedAt('2020-07-11T09:34:11Z'), 1594460051)
  for (const s of ['2020-07-11T09:34:11Z', '1970-01-01T00:00:00Z', '2024-02-29T23:59:59Z', '2020-07-11T09:34:11.5Z', '2020-07-11 09:34:11', '2020-02-30T00:00:00Z', '2023-02-29T00:00:00Z', '2020-01-01T24:00:00Z', '0099-01-01T00:00:00Z', 'yesterday', '', null]) {
    t.equal(decodeAddedAt(encodeAddedAt(s)), s, JSON.stringify(s))
  }
})

t.test('added_at read back as Date#toISOString gives it (seconds), for any moment from 1900 to 2100', async t => {
  const iso = (v: number): string => `${new Date(v * 1000).toISOString().slice(0, 19)}Z`
  const edges = [0, -1, 59, 60, 3599, 3600, 86_399, 86_400, -86_400, -86_401, 951_782_400, 4_102_444_799, -2_208_988_800]
  let seed = 7
  const random = (): number => { seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31; return seed / 2 ** 31 }
  const values = [...edges, ...Array.from({ length: 20_000 }, () => Math.floor(-2_208_988_800 + random() * 6_311_433_599))]
  t.same(values.filter(v => decodeAddedAt(v) !== iso(v)), [], `${values.length} moments`)
})

t.test('the search index orders by richness, then by rowid', async t => {
  t.ok(ftsRowid(1, 17) < ftsRowid(1, 16))
  t.ok(ftsRowid(5, 17) < ftsRowid(1, 16))
  t.ok(ftsRowid(1, 3) < ftsRowid(2, 3))
  t.ok(Number.isSafeInteger(ftsRowid(2 ** 39, 0)))
})
