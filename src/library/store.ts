// Read side of the library: the typed operations routes and remediation use. All statements are
// prepared once, and every answer is a read by key or a range read on an index (playlist and
// Liked Songs pages by position, search by the full-text index's own order), so its cost does
// not grow with the library or the offset; no caller loads the whole library. Over 300 lines as
// the one door to the library every caller holds; albums and artists (catalog.ts) and what
// Spotify's cached answers add (spotify-facts.ts) keep their queries in modules of their own.
import type { Statement } from 'better-sqlite3'
import type { Db } from '../db.js'
import { decodeAddedAt } from './added-at.js'
import { LibraryCatalog } from './catalog.js'
import { foldText, nameMatcher, parseSearchQuery, SEARCH_TOTAL_CAP, toFtsMatch, type ParsedSearch, type SearchScope } from './search-query.js'
import { SpotifyFacts } from './spotify-facts.js'
import { AFTER_TRACK, ANSWER_TRACK_COLUMNS, FTS_TRACK_PK, ftsTrackPk, TRACK_COLUMNS, type StoredTrack } from './track-codec.js'
import { albumNeedsFacts, fillAlbum, fillTrack, needsFacts } from './track-fill.js'
import { TrackReader } from './track-reader.js'
import { HistoryReader } from './history-reader.js'
import type { AnsweredTrack, AudioFeatures, LibraryIdKind, LibraryAlbum, LibraryArtist, LibraryPlaylist, LibraryTrack, Page, PlaylistIdSource, PlaylistTrack } from './types.js'

export interface PageRequest { limit: number, offset: number }

interface PlaylistRow { pk: number, id: string, path: string, name: string, is_liked: number, id_source: PlaylistIdSource, owner_id: string | null, track_count: number, updated_at: number | null }

const FROM_TRACKS = 'tracks t JOIN albums a ON a.pk = t.album'
const ALBUM = 'JOIN albums a ON a.pk = t.album'
/** A page of entries: rows of `source` (aliased e, with position and added_at) and their tracks. */
const entries = (source: string, addedBy: string, join = ''): string =>
  `SELECT ${ANSWER_TRACK_COLUMNS}, e.position, e.added_at, ${addedBy}
   FROM ${source} e JOIN tracks t ON t.pk = e.track ${ALBUM} ${join}`
/** Tracks matching an FTS5 expression, in the index's order (richness first: see ftsRowid). */
const matching = (rest: string, where = ''): string =>
  `SELECT ${TRACK_COLUMNS} FROM (SELECT rowid AS f FROM tracks_fts WHERE tracks_fts MATCH ? ORDER BY rowid ${rest}) m
   JOIN tracks t ON t.pk = m.f ${FTS_TRACK_PK} ${ALBUM} ${where} ORDER BY m.f`

/** The statements whose query plans test/library/deep-pages.test.ts checks. */
export const PAGE_QUERIES = {
  playlistPage: `${entries('playlist_items', 'u.id', 'LEFT JOIN library_users u ON u.pk = e.added_by')}
    WHERE e.playlist = ? AND e.position >= ? AND e.position < ? ORDER BY e.position`,
  likedPage: `${entries('liked_songs', 'NULL')} WHERE e.position >= ? AND e.position < ? ORDER BY e.position`,
  /** The matches up to the cap, in answer order: one pass gives both the page and the total. */
  search: 'SELECT rowid FROM tracks_fts WHERE tracks_fts MATCH ? ORDER BY rowid LIMIT ?',
  tracksByPks: `SELECT ${TRACK_COLUMNS}, t.pk FROM ${FROM_TRACKS} WHERE t.pk IN (SELECT value FROM json_each(?))`,
  tracksByKeys: `SELECT ${TRACK_COLUMNS} FROM ${FROM_TRACKS} WHERE t.key IN (SELECT value FROM json_each(?))`,
  answeredByKeys: `SELECT ${ANSWER_TRACK_COLUMNS} FROM ${FROM_TRACKS} WHERE t.key IN (SELECT value FROM json_each(?))`
} as const

export class PlaylistLinkError extends Error {
  override name = 'PlaylistLinkError'
}

export class LibraryStore {
  readonly #db: Db
  readonly #tracks: TrackReader
  readonly #catalog: LibraryCatalog
  readonly #facts: SpotifyFacts
  /** The streaming history (Spotify's account export), for recently-played and top items. */
  readonly history: HistoryReader
  readonly #s
  #generation = 0
  #years: { version: string, years: number[] } | null = null
  #playlistNames: { version: string, list: Array<[string, PlaylistRow]> } | null = null

  constructor (db: Db) {
    this.#db = db
    this.#tracks = new TrackReader(db, () => this.version())
    this.#catalog = new LibraryCatalog(db, this.#tracks, () => this.version())
    this.#facts = new SpotifyFacts(db)
    this.history = new HistoryReader(db)
    this.#s = {
      byKey: db.prepare(`SELECT ${TRACK_COLUMNS} FROM ${FROM_TRACKS} WHERE t.key = ?`).raw(),
      byKeys: db.prepare(PAGE_QUERIES.tracksByKeys).raw(),
      answeredByKeys: db.prepare(PAGE_QUERIES.answeredByKeys).raw(),
      // Names that start with the folded name, fullest first; the caller keeps the equal ones.
      byName: db.prepare(`SELECT m.f, t.pk, t.name FROM (SELECT rowid AS f FROM tracks_fts WHERE tracks_fts MATCH ?) m
        JOIN tracks t ON t.pk = m.f ${FTS_TRACK_PK} ORDER BY m.f`).raw(),
      byPks: db.prepare(PAGE_QUERIES.tracksByPks).raw(),
      byIsrc: db.prepare(`${matching('', 'WHERE t.isrc = ?')} LIMIT 1`).raw(),
      playlist: db.prepare('SELECT * FROM playlists WHERE id = ?'),
      likedCount: db.prepare('SELECT coalesce(max(position) + 1, 0) FROM liked_songs').pluck(),
      playlists: db.prepare('SELECT * FROM playlists WHERE is_liked = 0 ORDER BY name COLLATE NOCASE, path LIMIT ? OFFSET ?'),
      playlistCount: db.prepare('SELECT count(*) FROM playlists WHERE is_liked = 0').pluck(),
      allPlaylists: db.prepare('SELECT * FROM playlists WHERE is_liked = 0 ORDER BY name COLLATE NOCASE, path'),
      items: db.prepare(PAGE_QUERIES.playlistPage).raw(),
      likedItems: db.prepare(PAGE_QUERIES.likedPage).raw(),
      search: db.prepare(PAGE_QUERIES.search).pluck(),
      years: db.prepare("SELECT value FROM meta WHERE key = 'library_years'").pluck(),
      likedAmong: db.prepare(`SELECT t.key FROM tracks t WHERE t.key IN (SELECT value FROM json_each(?))
        AND EXISTS (SELECT 1 FROM liked_songs l WHERE l.track = t.pk)`).pluck(),
      allTracks: db.prepare(`SELECT ${TRACK_COLUMNS} FROM ${FROM_TRACKS} WHERE t.pk IN (SELECT pk FROM tracks ORDER BY pk LIMIT ? OFFSET ?) ORDER BY t.pk`).raw(),
      tracksAfter: db.prepare(`SELECT ${TRACK_COLUMNS}, t.pk FROM ${FROM_TRACKS} WHERE t.pk > ? ORDER BY t.pk LIMIT ?`).raw(),
      trackCount: db.prepare('SELECT count(*) FROM tracks').pluck(),
      link: db.prepare('INSERT OR REPLACE INTO playlist_links (path, playlist_id, source) VALUES (?, ?, ?)'),
      relinkPlaylist: db.prepare('UPDATE playlists SET id = ?, id_source = ? WHERE path = ?'),
      relinkFile: db.prepare('UPDATE library_files SET playlist_id = ? WHERE path = ?'),
      playlistByPath: db.prepare('SELECT * FROM playlists WHERE path = ?'),
      dataVersion: db.prepare('PRAGMA data_version').pluck(),
      playlistsNamed: db.prepare('SELECT * FROM playlists WHERE is_liked = 0 AND name = ? COLLATE NOCASE'),
      file: db.prepare('SELECT 1 FROM library_files WHERE path = ?').pluck()
    }
  }

  getTrackById (id: string): LibraryTrack | null {
    return this.#tracks.decodeOne(this.#s.byKey.get(id) as StoredTrack | undefined)
  }

  /** In request order, duplicates kept, null for unknown ids (Spotify's `?ids=` semantics); one query. */
  getTracksByIds (ids: readonly string[]): Array<LibraryTrack | null> {
    return this.#byKeys(this.#s.byKeys, ids)
  }

  /** getTracksByIds for answers that show tracks (`GET /v1/tracks?ids=`): their audio features are not read. */
  getAnsweredTracksByIds (ids: readonly string[]): Array<AnsweredTrack | null> {
    return this.#byKeys(this.#s.answeredByKeys, ids)
  }

  #byKeys (statement: Statement, ids: readonly string[]): Array<LibraryTrack | null> {
    const found = new Map(this.#tracks.decode(statement.all(JSON.stringify(ids)) as StoredTrack[]).map(t => [t.key, t]))
    return ids.map(id => found.get(id) ?? null)
  }

  getTrackByIsrc (isrc: string): LibraryTrack | null {
    const wanted = isrc.toUpperCase()
    const folded = foldText(wanted)
    if (folded === '') return null
    return this.#tracks.decodeOne(this.#s.byIsrc.get(`isrc : "${folded}"`, wanted) as StoredTrack | undefined)
  }

  /** Every track of this name whose artists include `artist` (folded as getTrackByNameArtist folds). */
  tracksByNameArtist (name: string, artist: string): LibraryTrack[] {
    const wanted = foldText(artist)
    return this.#named(name).filter(t => t.artists.some(a => foldText(a.name) === wanted))
  }

  /** Case-, accent- and punctuation-insensitive; `artist` must match one of the track's artists. */
  getTrackByNameArtist (name: string, artist?: string): LibraryTrack | null {
    const tracks = this.#named(name)
    if (artist === undefined) return tracks[0] ?? null
    const wanted = foldText(artist)
    return tracks.find(t => t.artists.some(a => foldText(a.name) === wanted) ||
      ` ${foldText(t.artists.map(a => a.name).join(' '))} `.includes(` ${wanted} `)) ?? null
  }

  /** Tracks whose folded name is `name`'s, fullest first (found through the search index). */
  #named (name: string): LibraryTrack[] {
    const folded = foldText(name)
    if (folded === '') return []
    const pks = (this.#s.byName.all(`name : ^ "${folded}"`) as Array<[number, number, string]>)
      .filter(([, , n]) => foldText(n) === folded).map(([, pk]) => pk)
    return this.#byPks(pks)
  }

  /** Tracks by rowid, in the order given, in one query. */
  #byPks (pks: number[]): LibraryTrack[] {
    if (pks.length === 0) return []
    const rows = new Map((this.#s.byPks.all(JSON.stringify(pks)) as StoredTrack[]).map(r => [r[AFTER_TRACK] as number, r]))
    return this.#tracks.decode(pks.map(pk => rows.get(pk)!))
  }

  getAudioFeatures (id: string): { track: LibraryTrack, features: AudioFeatures } | null {
    const track = this.getTrackById(id)
    return track?.features ? { track, features: track.features } : null
  }

  getPlaylist (id: string): LibraryPlaylist | null {
    const row = this.#s.playlist.get(id) as PlaylistRow | undefined
    return row ? toPlaylist(row) : null
  }

  listPlaylists (page: PageRequest): Page<LibraryPlaylist> {
    const rows = this.#s.playlists.all(page.limit, page.offset) as PlaylistRow[]
    return { items: rows.map(toPlaylist), total: this.#s.playlistCount.get() as number, ...page }
  }

  /** null when the playlist is unknown (a 404 for the caller, not an empty page). */
  getPlaylistTracks (playlistId: string, page: PageRequest): Page<PlaylistTrack> | null {
    const row = this.#s.playlist.get(playlistId) as PlaylistRow | undefined
    if (!row) return null
    const rows = this.#s.items.all(row.pk, page.offset, page.offset + page.limit) as StoredTrack[]
    return { items: this.#entries(rows), total: row.track_count, ...page }
  }

  /** Liked Songs, most recently added first, as /v1/me/tracks lists them. */
  getLikedSongs (page: PageRequest): Page<PlaylistTrack> {
    const rows = this.#s.likedItems.all(page.offset, page.offset + page.limit) as StoredTrack[]
    return { items: this.#entries(rows), total: this.#s.likedCount.get() as number, ...page }
  }

  /** Rows of TRACK_COLUMNS then the entry's position, added_at and added_by. */
  #entries (rows: StoredTrack[]): PlaylistTrack[] {
    const tracks = this.#tracks.decode(rows)
    return rows.map((r, i) => ({
      entry: {
        position: r[AFTER_TRACK] as number,
        trackKey: r[0],
        addedAt: decodeAddedAt(r[AFTER_TRACK + 1] as number | string | null),
        addedBy: r[AFTER_TRACK + 2] as string | null
      },
      track: tracks[i]!
    }))
  }

  /** For each id, in order: is it among the Liked Songs? */
  likedContains (ids: readonly string[]): boolean[] {
    const liked = new Set(this.#s.likedAmong.all(JSON.stringify(ids)) as string[])
    return ids.map(id => liked.has(id))
  }

  /** Every distinct track once. */
  getAllTracks (page: PageRequest): Page<LibraryTrack> {
    const rows = this.#s.allTracks.all(page.limit, page.offset) as StoredTrack[]
    return { items: this.#tracks.decode(rows), total: this.#s.trackCount.get() as number, ...page }
  }

  /** Every distinct track once, read a few hundred at a time (the connection stays free between them). */
  * iterateTracks (): Generator<LibraryTrack> {
    for (let after = 0; ;) {
      const rows = this.#s.tracksAfter.all(after, 500) as StoredTrack[]
      if (rows.length === 0) return
      after = rows[rows.length - 1]![AFTER_TRACK] as number
      yield * this.#tracks.decode(rows)
    }
  }

  /**
   * Spotify's query syntax: free text plus artist:, track:, album:, year:, isrc:, genre:. The
   * full-text index gives the matches in answer order up to SEARCH_TOTAL_CAP, in one pass: the
   * page is cut from them and `total` is their number.
   */
  searchTracks (q: string, page: PageRequest): Page<LibraryTrack> & { unsupported: string[] } {
    const { parsed, match } = this.#query(q, 'track')
    if (match === null) return { items: [], total: 0, ...page, unsupported: parsed.unsupported }
    const found = this.#s.search.all(match, SEARCH_TOTAL_CAP) as number[]
    const items = this.#byPks(found.slice(page.offset, page.offset + page.limit).map(ftsTrackPk))
    return { items, total: found.length, ...page, unsupported: parsed.unsupported }
  }

  /** The albums of the tracks an album search finds (free text on album and artist names; artist:, album:, year:). */
  searchAlbums (q: string, page: PageRequest): Page<LibraryAlbum> {
    const { match } = this.#query(q, 'album')
    if (match === null) return { items: [], total: 0, ...page }
    const found = this.#catalog.searchAlbums(match, page)
    return { ...found, items: this.#filledAlbums(found.items) }
  }

  /**
   * Artists named as an artist search asks (free text and artist: on the names; genre:, year: on
   * their tracks): by name alone in memory when nothing filters their tracks, else through the tracks.
   */
  searchArtists (q: string, page: PageRequest): Page<LibraryArtist> {
    const { parsed, match } = this.#query(q, 'artist')
    if (match === null) return { items: [], total: 0, ...page }
    const accept = nameMatcher(parsed.text, parsed.artist)
    const byName = parsed.year === null && parsed.genre.length + parsed.album.length + parsed.track.length + parsed.isrc.length === 0
    return byName
      ? this.#catalog.searchArtistNames(accept, foldText([...parsed.text, ...parsed.artist].join(' ')), page)
      : this.#catalog.searchArtists(match, accept, page)
  }

  /** The library's playlists whose names hold the free text (filters name no playlist field). Playlists are one per file: a few hundred, read in one pass. */
  searchPlaylists (q: string, page: PageRequest): Page<LibraryPlaylist> {
    const parsed = parseSearchQuery(q)
    const accept = nameMatcher(parsed.text)
    const version = this.version()
    if (this.#playlistNames?.version !== version) {
      this.#playlistNames = { version, list: (this.#s.allPlaylists.all() as PlaylistRow[]).map(r => [foldText(r.name), r]) }
    }
    const found = parsed.text.some(t => foldText(t) !== '') ? this.#playlistNames.list.filter(([name]) => accept(name)) : []
    return { items: found.slice(page.offset, page.offset + page.limit).map(([, r]) => toPlaylist(r)), total: found.length, ...page }
  }

  /** The album of a Spotify or synthetic id, with the tracks of it the library holds, filled from Spotify's cached answers. */
  getAlbum (id: string): { album: LibraryAlbum, tracks: LibraryTrack[] } | null {
    const found = this.#catalog.album(id)
    if (found === null) return null
    return { album: this.#filledAlbums([found.album])[0]!, tracks: this.withSpotifyFacts(found.tracks) }
  }

  /** Whether the library made this id up for an album, artist or playlist its exports name without one. */
  isOwnId (kind: LibraryIdKind, id: string): boolean {
    if (kind === 'playlist') return (this.#s.playlist.get(id) as PlaylistRow | undefined)?.id_source === 'synthetic'
    return this.#catalog.isSynthetic(id)
  }

  getArtist (id: string): LibraryArtist | null {
    return this.#catalog.artist(id)
  }

  /**
   * The tracks with what Spotify's own cached answers for their ids add where every export is
   * silent (track-fill.ts): what the answers send, not what the library stores.
   */
  withSpotifyFacts<T extends AnsweredTrack | null> (tracks: T[]): T[] {
    const facts = this.#facts.forTracks(tracks.flatMap(t => (t !== null && needsFacts(t) ? [t.id!] : [])))
    if (facts.size === 0) return tracks
    return tracks.map(t => {
      const f = t === null || t.id === null ? undefined : facts.get(t.id)
      return f === undefined ? t : fillTrack(t!, f) as T
    })
  }

  /** A page of playlist or Liked Songs entries, withSpotifyFacts. */
  entriesWithSpotifyFacts (page: Page<PlaylistTrack>): Page<PlaylistTrack> {
    const tracks = this.withSpotifyFacts(page.items.map(e => e.track))
    return { ...page, items: page.items.map((e, i) => ({ entry: e.entry, track: tracks[i]! })) }
  }

  /** Albums' gaps filled from Spotify's cached answer for one of their tracks, when it names the same album. */
  #filledAlbums (albums: LibraryAlbum[]): LibraryAlbum[] {
    const facts = this.#facts.forTracks(albums.flatMap(a => (albumNeedsFacts(a) ? [a.sampleTrack!] : [])))
    return facts.size === 0 ? albums : albums.map(a => fillAlbum(a, a.sampleTrack === null ? undefined : facts.get(a.sampleTrack)))
  }

  /** Changes whenever an answer may: the library (version()), or what Spotify's cached answers add to it. */
  answersVersion (): string {
    return `${this.version()}:${this.#facts.version()}`
  }

  #query (q: string, scope: SearchScope): { parsed: ParsedSearch, match: string | null } {
    const parsed = parseSearchQuery(q)
    return { parsed, match: toFtsMatch(parsed, parsed.year === null ? [] : this.#libraryYears(), scope) }
  }

  /** The release years the library holds (the importer writes them down), read once per change. */
  #libraryYears (): number[] {
    const version = this.version()
    if (this.#years?.version !== version) {
      const stored = this.#s.years.get() as string | undefined
      this.#years = { version, years: stored === undefined ? [] : JSON.parse(stored) as number[] }
    }
    return this.#years.years
  }

  /** The library's playlists (not Liked Songs) with this name, compared case-insensitively (ASCII). */
  playlistsNamed (name: string): LibraryPlaylist[] {
    return (this.#s.playlistsNamed.all(name.trim()) as PlaylistRow[]).map(toPlaylist)
  }

  /**
   * Changes whenever what the store answers may have changed: a link made through this object,
   * or a commit by another connection (an import run by the CLI while the proxy serves).
   */
  version (): string {
    const dataVersion = this.#dataVersion()
    if (this.#versionText?.generation !== this.#generation || this.#versionText.dataVersion !== dataVersion) {
      this.#versionText = { generation: this.#generation, dataVersion, text: `${this.#generation}:${dataVersion}` }
    }
    return this.#versionText.text
  }

  /**
   * SQLite's data_version, read once a turn of the event loop: an answer asks for the version five
   * times (memo, reader, catalog, identity, owner), ~10 µs a read, ~2.5% of a page's CPU. Another
   * connection's commit then shows from the next turn on, as if it had come a moment later; this
   * connection's own writes count in #generation, which is read every time.
   */
  #dataVersion (): number {
    if (this.#turnDataVersion === null) {
      this.#turnDataVersion = this.#s.dataVersion.get() as number
      setImmediate(this.#forgetDataVersion).unref()
    }
    return this.#turnDataVersion
  }

  #turnDataVersion: number | null = null
  readonly #forgetDataVersion = (): void => { this.#turnDataVersion = null }
  #versionText: { generation: number, dataVersion: number, text: string } | null = null

  hasFile (path: string): boolean {
    return this.#s.file.get(path) !== undefined
  }

  /**
   * Give the playlist of `path` its real Spotify id (learned from upstream or set by the user).
   * Stored by path, so the next import of the file keeps it.
   */
  linkPlaylist (path: string, playlistId: string, source: Extract<PlaylistIdSource, 'linked' | 'learned'>): LibraryPlaylist | null {
    this.#generation++
    return this.#db.transaction(() => {
      const row = this.#s.playlistByPath.get(path) as PlaylistRow | undefined
      const holder = this.#s.playlist.get(playlistId) as PlaylistRow | undefined
      if (holder && holder.path !== path) throw new PlaylistLinkError(`playlist id ${playlistId} already belongs to ${holder.path}`)
      this.#s.link.run(path, playlistId, source)
      if (!row) return null
      if (row.id !== playlistId) this.#s.relinkFile.run(playlistId, path)
      this.#s.relinkPlaylist.run(playlistId, source, path)
      return toPlaylist({ ...row, id: playlistId, id_source: source })
    })()
  }
}

function toPlaylist (r: PlaylistRow): LibraryPlaylist {
  return { id: r.id, name: r.name, path: r.path, isLiked: r.is_liked === 1, idSource: r.id_source, ownerId: r.owner_id, trackCount: r.track_count, updatedAt: r.updated_at }
}
