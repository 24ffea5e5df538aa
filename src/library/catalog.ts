// The library's albums and artists: by id (catalog-ids.ts) and by search. The search index holds
// tracks, so an album or artist search walks the matching tracks in the index's order (richest
// first) and keeps each album or artist the first time one of its tracks comes by, reading only
// as far as the page needs: the cost follows the offset, never the library's size. Each
// matching track's album comes from an array the importer stores (track-albums.ts), not its
// row. An artist search by name alone reads the artists' names instead (artist-names.ts).
import type { Statement } from 'better-sqlite3'
import type { Db } from '../db.js'
import { ArtistNames } from './artist-names.js'
import { CatalogIds } from './catalog-ids.js'
import { foldText, SEARCH_TOTAL_CAP } from './search-query.js'
import { NO_ALBUM, readTrackAlbums, scanTrackAlbums } from './track-albums.js'
import { readTrackArtists, scanTrackArtists, type TrackArtists } from './track-artists.js'
import { syntheticArtistId } from './synthetic-ids.js'
import { artistPks, FTS_TRACK_PK, ftsTrackPk, TRACK_COLUMNS, type StoredTrack } from './track-codec.js'
import type { TrackReader } from './track-reader.js'
import type { ArtistRef, LibraryAlbum, LibraryArtist, LibraryTrack, Page, ReleaseDatePrecision } from './types.js'
import type { PageRequest } from './store.js'

/**
 * Matching tracks walked at most: a page deep in a search for a common word reads a few thousand
 * tracks (BENCHMARKS.md), and no more than this many however common it is. Albums and artists
 * only a later track would bring are beyond reach, as results past offset 1,000 are on Spotify.
 */
export const WALK_CAP = 10_000
/** Tracks read per query of the walk. */
const CHUNK = 250
/** Album rows whose id is kept between album searches (~80 bytes each), before starting over. */
const IDS_KEPT = 200_000
/** Tracks read to list an album's (a name shared by many albums) or to gather an artist's genres. */
const ALBUM_CANDIDATES = 5_000
const ARTIST_CANDIDATES = 500

type AlbumRow = [pk: number, spotifyId: string | null, name: string, date: string | null, precision: string | null, image: string | null,
  type: string | null, total: number | null, label: string | null, artists: string]

/** A page of the albums or artists the walk found, `total` estimated when it stopped early. */
function pageOf<T> (found: T[], page: PageRequest, walked: number, matches: MatchWalk): Page<T> {
  const items = found.slice(page.offset, page.offset + page.limit)
  if (found.length <= page.offset + page.limit) return { items, total: found.length, ...page }
  // Stopped early: as many more per track as so far (Spotify's own totals are estimates too),
  // capped. Matches are counted only as far as it takes to know whether the cap is reached.
  const enough = Math.ceil(SEARCH_TOTAL_CAP * walked / found.length)
  const total = Math.min(SEARCH_TOTAL_CAP, Math.max(found.length, Math.round(found.length * matches.countUpTo(enough) / walked)))
  return { items, total, ...page }
}

/**
 * A search's matching tracks in the index's order, read as the walk asks for them (one query,
 * stepped: a shallow page reads a few hundred rows, not all WALK_CAP, where reading 10,000
 * matches of a common word was a third of an album search's time). close() ends the query.
 */
class MatchWalk {
  readonly #rows: IterableIterator<number>
  #read = 0
  #exhausted = false

  constructor (matches: Statement, match: string) {
    this.#rows = matches.iterate(match, WALK_CAP) as IterableIterator<number>
  }

  /** The next CHUNK matches' track rowids, or null when no more match (or WALK_CAP is reached). */
  next (): number[] | null {
    const chunk: number[] = []
    while (!this.#exhausted && chunk.length < CHUNK) {
      const row = this.#rows.next()
      if (row.done === true) this.#exhausted = true
      else chunk.push(ftsTrackPk(row.value))
    }
    this.#read += chunk.length
    return chunk.length === 0 ? null : chunk
  }

  /** How many tracks match, up to WALK_CAP; past `enough`, any number at least that. */
  countUpTo (enough: number): number {
    const limit = Math.min(enough, WALK_CAP)
    while (!this.#exhausted && this.#read < limit) {
      if (this.#rows.next().done === true) this.#exhausted = true
      else this.#read++
    }
    return this.#read
  }

  close (): void {
    this.#rows.return?.()
  }
}

export class LibraryCatalog {
  readonly #tracks: TrackReader
  readonly #ids: CatalogIds
  readonly #names: ArtistNames
  readonly #s: Record<string, Statement>
  readonly #version: () => string
  /** Per album row, the id it answers under (albums.answer_id), for this version of the library. */
  #answerIds: { version: string, of: Map<number, string> } = { version: '', of: new Map() }
  /** Per track row, its album row (track-albums.ts), for this version of the library. */
  #trackAlbums: { version: string, of: Int32Array } | null = null
  /** Per track row, its artist rows (track-artists.ts), for this version of the library. */
  #trackArtists: { version: string, of: TrackArtists } | null = null
  readonly #db: Db

  constructor (db: Db, tracks: TrackReader, version: () => string) {
    this.#tracks = tracks
    this.#version = version
    this.#db = db
    this.#ids = new CatalogIds(db, version)
    this.#names = new ArtistNames(db, version)
    const inList = 'IN (SELECT value FROM json_each(?))'
    const candidates = (columns: string, limit: number, join = ''): string =>
      `SELECT ${columns} FROM (SELECT rowid AS f FROM tracks_fts WHERE tracks_fts MATCH ? ORDER BY rowid LIMIT ${limit}) m
       JOIN tracks t ON t.pk = m.f ${FTS_TRACK_PK} ${join}`
    this.#s = {
      matches: db.prepare('SELECT rowid FROM tracks_fts WHERE tracks_fts MATCH ? ORDER BY rowid LIMIT ?').pluck(),
      albums: db.prepare(`SELECT pk, spotify_id, name, release_date, date_precision, image_url, album_type, total_tracks, label, artists
        FROM albums WHERE pk ${inList}`).raw(),
      artists: db.prepare(`SELECT pk, spotify_id, name FROM artists WHERE pk ${inList}`).raw(),
      albumTracks: db.prepare(`${candidates(TRACK_COLUMNS, ALBUM_CANDIDATES, 'JOIN albums a ON a.pk = t.album')}
        WHERE t.kind = 0 AND t.album ${inList} ORDER BY m.f`).raw(),
      artistTracks: db.prepare(`${candidates('t.artists, t.genres', ARTIST_CANDIDATES)} WHERE t.kind = 0 ORDER BY m.f`).raw(),
      trackKeys: db.prepare(`SELECT pk, key FROM tracks WHERE pk ${inList}`).raw(),
      answerIds: db.prepare(`SELECT pk, answer_id FROM albums WHERE pk ${inList}`).raw()
    }
  }

  /** Each track's album row, read once per library change (worked out from the tracks for a database imported before it was stored). */
  #albumsOfTracks (version: string): Int32Array {
    if (this.#trackAlbums?.version !== version) this.#trackAlbums = { version, of: readTrackAlbums(this.#db) ?? scanTrackAlbums(this.#db) }
    return this.#trackAlbums.of
  }

  /** Each music track's artist rows, read once per library change (worked out from the tracks for a database imported before they were stored). */
  #artistsOfTracks (version: string): TrackArtists {
    if (this.#trackArtists?.version !== version) this.#trackArtists = { version, of: readTrackArtists(this.#db) ?? scanTrackArtists(this.#db) }
    return this.#trackArtists.of
  }

  /** Runs `walk` over the matches of `match`, and ends their query however it returns. */
  #walk<T> (match: string, walk: (matches: MatchWalk) => T): T {
    const matches = new MatchWalk(this.#s.matches!, match)
    try {
      return walk(matches)
    } finally {
      matches.close()
    }
  }

  /** The album of this id, with the tracks of it the library holds (in disc and track order), or null. */
  album (id: string): { album: LibraryAlbum, tracks: LibraryTrack[] } | null {
    const pks = this.#ids.albumRows(id)
    if (pks.length === 0) return null
    const rows = this.#s.albums!.all(JSON.stringify(pks)) as AlbumRow[]
    const names = [...new Set(rows.map(r => foldText(r[2])))].filter(n => n !== '')
    const stored = new Map<string, StoredTrack>()
    for (const n of names) for (const r of this.#s.albumTracks!.all(`album : ^ "${n.replaceAll('"', '""')}"`, JSON.stringify(pks)) as StoredTrack[]) stored.set(r[0], r)
    const tracks = this.#tracks.decode([...stored.values()]).sort(albumOrder)
    return { album: this.#merged(rows, id, id !== rows[0]![1], tracks[0]?.key ?? null), tracks }
  }

  /** Whether this album or artist id is one the library made up (Spotify knows none of them). */
  isSynthetic (id: string): boolean {
    return this.#ids.isSynthetic(id)
  }

  artist (id: string): LibraryArtist | null {
    const pks = this.#ids.artistRows(id)
    if (pks.length === 0) return null
    const rows = this.#s.artists!.all(JSON.stringify(pks)) as Array<[number, string, string]>
    const name = rows[0]![2]
    return { id, synthetic: rows[0]![1] === '', name, genres: this.#genres(pks, name) }
  }

  /**
   * Artists whose own names `accept` takes, the one named exactly `exact` first, then by name
   * (artist-names.ts). Search results carry no genres (gathering them costs a phrase query a
   * result; Spotify leaves artists' genres out for development-mode apps since 2026):
   * `GET /v1/artists/{id}` has them.
   */
  searchArtistNames (accept: (foldedName: string) => boolean, exact: string, page: PageRequest): Page<LibraryArtist> {
    const found = this.#names.find(accept, exact)
    const items = found.slice(page.offset, page.offset + page.limit).map(a => ({ id: a.id ?? syntheticArtistId(a.name), synthetic: a.id === null, name: a.name, genres: [] }))
    return { items, total: found.length, ...page }
  }

  /** The genres of the tracks that name this artist (its rows `pks`) as their only artist. */
  #genres (pks: number[], name: string): string[] {
    const own = new Set(pks)
    const genres = new Set<string>()
    const folded = foldText(name)
    if (folded === '') return []
    for (const [artists, list] of this.#s.artistTracks!.all(`artists : "${folded.replaceAll('"', '""')}"`) as Array<[string, string | null]>) {
      const only = artistPks(artists)
      if (only.length === 1 && own.has(only[0]!) && list !== null) for (const g of JSON.parse(list) as string[]) genres.add(g)
    }
    return [...genres]
  }

  /** Albums of the tracks `match` finds, each once, in the order their first track comes. */
  searchAlbums (match: string, page: PageRequest): Page<LibraryAlbum> {
    const want = page.offset + page.limit + 1
    // The ids of album rows met by earlier searches are kept (a few thousand a page, up to IDS_KEPT).
    const version = this.#version()
    if (this.#answerIds.version !== version || this.#answerIds.of.size > IDS_KEPT) this.#answerIds = { version, of: new Map() }
    const idOf = this.#answerIds.of
    const albumOf = this.#albumsOfTracks(version)
    const p = this.#walk(match, matches => {
      const found = new Map<string, { row: number, track: number }>()
      let walked = 0
      for (let chunk = matches.next(); chunk !== null; chunk = found.size < want ? matches.next() : null) {
        const unseen = new Set<number>()
        for (const pk of chunk) {
          const album = albumOf[pk] ?? NO_ALBUM
          if (album !== NO_ALBUM && !idOf.has(album)) unseen.add(album)
        }
        if (unseen.size > 0) for (const [pk, id] of this.#s.answerIds!.all(JSON.stringify([...unseen])) as Array<[number, string]>) idOf.set(pk, id)
        for (const pk of chunk) {
          walked++
          const album = albumOf[pk] ?? NO_ALBUM
          if (album === NO_ALBUM) continue // an episode or a local file: no album to find
          const id = idOf.get(album)!
          if (!found.has(id)) found.set(id, { row: album, track: pk })
          if (found.size >= want) break
        }
      }
      return pageOf([...found], page, walked, matches)
    })
    const rows = new Map((this.#s.albums!.all(JSON.stringify(p.items.map(([, f]) => f.row))) as AlbumRow[]).map(r => [r[0], r]))
    const keys = new Map(this.#s.trackKeys!.all(JSON.stringify(p.items.map(([, f]) => f.track))) as Array<[number, string]>)
    const albums = p.items.map(([id, f]) => {
      const row = rows.get(f.row)!
      return this.#merged([row], id, row[1] === null, keys.get(f.track) ?? null)
    })
    return { ...p, items: albums }
  }

  /** Artists of the tracks `match` finds whose own names `accept` takes, each once, in the order their first track comes. */
  searchArtists (match: string, accept: (foldedName: string) => boolean, page: PageRequest): Page<LibraryArtist> {
    const { offsets, refs } = this.#artistsOfTracks(this.#version())
    return this.#walk(match, matches => {
      const want = page.offset + page.limit + 1
      // Per artist row: the artist it is (Spotify id, or its folded name), or null when not asked for.
      const keyOf = new Map<number, string | null>()
      const found = new Map<string, LibraryArtist>()
      let walked = 0
      for (let chunk = matches.next(); chunk !== null; chunk = found.size < want ? matches.next() : null) {
        const unseen = new Set<number>()
        for (const pk of chunk) {
          for (let i = offsets[pk] ?? 0, end = offsets[pk + 1] ?? 0; i < end; i++) if (!keyOf.has(refs[i]!)) unseen.add(refs[i]!)
        }
        const named = new Map<string, string>()
        for (const [pk, id, name] of this.#s.artists!.all(JSON.stringify([...unseen])) as Array<[number, string, string]>) {
          const folded = foldText(name)
          const key = accept(folded) ? (id !== '' ? id : `\u0000${folded}`) : null
          keyOf.set(pk, key)
          if (key !== null) named.set(key, name)
        }
        for (const pk of chunk) {
          walked++
          // Local files and episodes have none (they name no artist an artist search answers).
          for (let i = offsets[pk] ?? 0, end = offsets[pk + 1] ?? 0; i < end; i++) {
            const key = keyOf.get(refs[i]!)
            if (key == null) continue
            if (!found.has(key) && found.size < want) {
              const name = named.get(key) ?? ''
              const synthetic = key.startsWith('\u0000')
              found.set(key, { id: synthetic ? syntheticArtistId(name) : key, synthetic, name, genres: [] })
            }
          }
          if (found.size >= want) break
        }
      }
      return pageOf([...found.values()], page, walked, matches)
    })
  }

  /**
   * Album rows that are one album, as one: the first row's name, the first date, cover, type,
   * count and label any row knows, and the shortest artist list (for exports without album
   * artists, a row's artists are its track's, featured artists included).
   */
  #merged (rows: AlbumRow[], id: string, synthetic: boolean, sample: string | null): LibraryAlbum {
    const pick = <T>(get: (r: AlbumRow) => T | null): T | null => rows.map(get).find(v => v !== null) ?? null
    const dated = rows.find(r => r[3] !== null)
    const lists = rows.map(r => artistPks(r[9])).filter(l => l.length > 0).sort((a, b) => a.length - b.length)
    return {
      id,
      synthetic,
      name: rows[0]![2],
      releaseDate: dated?.[3] ?? null,
      releaseDatePrecision: (dated?.[4] ?? null) as ReleaseDatePrecision | null,
      imageUrl: pick(r => r[5]),
      artists: this.#artistRefs(lists[0] ?? []),
      albumType: pick(r => r[6]),
      totalTracks: pick(r => r[7]),
      label: pick(r => r[8]),
      sampleTrack: sample
    }
  }

  #artistRefs (pks: number[]): ArtistRef[] {
    if (pks.length === 0) return []
    const byPk = new Map((this.#s.artists!.all(JSON.stringify(pks)) as Array<[number, string, string]>).map(([pk, id, name]) => [pk, { id: id === '' ? null : id, name }]))
    return pks.flatMap(pk => byPk.get(pk) ?? [])
  }
}

/** Disc, then track number (unknown last), then name. */
function albumOrder (a: LibraryTrack, b: LibraryTrack): number {
  return (a.discNumber ?? 1) - (b.discNumber ?? 1) || (a.trackNumber ?? Infinity) - (b.trackNumber ?? Infinity) || a.name.localeCompare(b.name)
}
