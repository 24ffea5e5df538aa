// Read side of the library: the typed operations routes and remediation use. All statements
// are prepared once; every list is paged (limit/offset) so no caller loads the whole library.
import type { Db } from '../db.js'
import { foldText, parseSearchQuery, toFtsMatch } from './search-query.js'
import type { AudioFeatures, LibraryPlaylist, LibraryTrack, Page, PlaylistIdSource, PlaylistTrack } from './types.js'

export interface PageRequest { limit: number, offset: number }

interface PlaylistRow { id: string, path: string, name: string, is_liked: number, id_source: PlaylistIdSource, owner_id: string | null, track_count: number, updated_at: number | null }
interface ItemRow { position: number, track_key: string, added_at: string | null, added_by: string | null, data: string }

export class PlaylistLinkError extends Error {
  override name = 'PlaylistLinkError'
}

export class LibraryStore {
  readonly #db: Db
  readonly #s
  #generation = 0

  constructor (db: Db) {
    this.#db = db
    this.#s = {
      byKey: db.prepare('SELECT data FROM tracks WHERE key = ?').pluck(),
      byIsrc: db.prepare('SELECT data FROM tracks WHERE isrc = ? ORDER BY richness DESC, rowid LIMIT 1').pluck(),
      byName: db.prepare('SELECT data, artists FROM tracks WHERE name = ? ORDER BY richness DESC, rowid'),
      playlist: db.prepare('SELECT * FROM playlists WHERE id = ?'),
      likedCount: db.prepare(`SELECT count(DISTINCT i.track_key) FROM playlist_items i
        JOIN playlists p ON p.id = i.playlist_id WHERE p.is_liked = 1`).pluck(),
      playlists: db.prepare('SELECT * FROM playlists WHERE is_liked = 0 ORDER BY name COLLATE NOCASE, path LIMIT ? OFFSET ?'),
      playlistCount: db.prepare('SELECT count(*) FROM playlists WHERE is_liked = 0').pluck(),
      // The page is cut from playlist_items alone (its primary key is the order), then joined:
      // with the join inside, OFFSET would read every skipped track's JSON first (~1.5 ms a page
      // deep into a 10,000-track playlist instead of ~0.1).
      items: db.prepare(`SELECT i.position, i.track_key, i.added_at, i.added_by, t.data
        FROM (SELECT position, track_key, added_at, added_by FROM playlist_items WHERE playlist_id = ? ORDER BY position LIMIT ? OFFSET ?) i
        JOIN tracks t ON t.key = i.track_key ORDER BY i.position`),
      // Several Liked Songs exports (old and new, both exporters) are one set of saved tracks:
      // each track once, at its latest added_at.
      likedItems: db.prepare(`SELECT min(i.position) AS position, i.track_key, max(i.added_at) AS added_at, NULL AS added_by, t.data
        FROM playlist_items i JOIN playlists p ON p.id = i.playlist_id JOIN tracks t ON t.key = i.track_key
        WHERE p.is_liked = 1 GROUP BY i.track_key
        ORDER BY max(i.added_at) IS NULL, max(i.added_at) DESC, min(i.position) LIMIT ? OFFSET ?`),
      // One pass over the liked entries for a whole batch of ids (≤ 50).
      likedAmong: db.prepare(`SELECT DISTINCT i.track_key FROM playlist_items i JOIN playlists p ON p.id = i.playlist_id
        WHERE p.is_liked = 1 AND i.track_key IN (SELECT value FROM json_each(?))`).pluck(),
      allTracks: db.prepare('SELECT data FROM tracks ORDER BY rowid LIMIT ? OFFSET ?').pluck(),
      iterTracks: db.prepare('SELECT data FROM tracks ORDER BY rowid').pluck(),
      trackCount: db.prepare('SELECT count(*) FROM tracks').pluck(),
      link: db.prepare('INSERT OR REPLACE INTO playlist_links (path, playlist_id, source) VALUES (?, ?, ?)'),
      relinkPlaylist: db.prepare('UPDATE playlists SET id = ?, id_source = ? WHERE path = ?'),
      relinkItems: db.prepare('UPDATE playlist_items SET playlist_id = ? WHERE playlist_id = ?'),
      relinkFile: db.prepare('UPDATE library_files SET playlist_id = ? WHERE path = ?'),
      playlistByPath: db.prepare('SELECT * FROM playlists WHERE path = ?'),
      dataVersion: db.prepare('PRAGMA data_version').pluck(),
      playlistsNamed: db.prepare('SELECT * FROM playlists WHERE is_liked = 0 AND name = ? COLLATE NOCASE'),
      file: db.prepare('SELECT 1 FROM library_files WHERE path = ?').pluck()
    }
  }

  getTrackById (id: string): LibraryTrack | null {
    return parse(this.#s.byKey.get(id))
  }

  /** In request order, duplicates kept, null for unknown ids (Spotify's `?ids=` semantics). */
  getTracksByIds (ids: readonly string[]): Array<LibraryTrack | null> {
    return ids.map(id => this.getTrackById(id))
  }

  getTrackByIsrc (isrc: string): LibraryTrack | null {
    return parse(this.#s.byIsrc.get(isrc.toUpperCase()))
  }

  /** Every track of this name whose artists include `artist` (folded as getTrackByNameArtist folds). */
  tracksByNameArtist (name: string, artist: string): LibraryTrack[] {
    const wanted = foldText(artist)
    return (this.#s.byName.all(foldText(name)) as Array<{ data: string, artists: string }>)
      .map(r => JSON.parse(r.data) as LibraryTrack)
      .filter(t => t.artists.some(a => foldText(a.name) === wanted))
  }

  /** Case-, accent- and punctuation-insensitive; `artist` must match one of the track's artists. */
  getTrackByNameArtist (name: string, artist?: string): LibraryTrack | null {
    const rows = this.#s.byName.all(foldText(name)) as Array<{ data: string, artists: string }>
    if (artist === undefined) return parse(rows[0]?.data)
    const wanted = foldText(artist)
    for (const r of rows) {
      const t = JSON.parse(r.data) as LibraryTrack
      if (t.artists.some(a => foldText(a.name) === wanted) || ` ${r.artists} `.includes(` ${wanted} `)) return t
    }
    return null
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
    const p = this.getPlaylist(playlistId)
    if (!p) return null
    const rows = this.#s.items.all(playlistId, page.limit, page.offset) as ItemRow[]
    return { items: rows.map(toPlaylistTrack), total: p.trackCount, ...page }
  }

  /** Liked Songs, most recently added first, as /v1/me/tracks lists them. */
  getLikedSongs (page: PageRequest): Page<PlaylistTrack> {
    const rows = this.#s.likedItems.all(page.limit, page.offset) as ItemRow[]
    return { items: rows.map(toPlaylistTrack), total: this.#s.likedCount.get() as number, ...page }
  }

  /** For each id, in order: is it among the Liked Songs? */
  likedContains (ids: readonly string[]): boolean[] {
    const liked = new Set(this.#s.likedAmong.all(JSON.stringify(ids)) as string[])
    return ids.map(id => liked.has(id))
  }

  /** Every distinct track once. */
  getAllTracks (page: PageRequest): Page<LibraryTrack> {
    const rows = this.#s.allTracks.all(page.limit, page.offset) as string[]
    return { items: rows.map(r => JSON.parse(r) as LibraryTrack), total: this.#s.trackCount.get() as number, ...page }
  }

  /** Every distinct track once, streamed from SQLite without loading the library. */
  * iterateTracks (): Generator<LibraryTrack> {
    for (const data of this.#s.iterTracks.iterate() as Iterable<string>) yield JSON.parse(data) as LibraryTrack
  }

  /** Spotify's query syntax: free text plus artist:, track:, album:, year:, isrc:, genre:. */
  searchTracks (q: string, page: PageRequest): Page<LibraryTrack> & { unsupported: string[] } {
    const parsed = parseSearchQuery(q)
    const where: string[] = []
    const params: unknown[] = []
    const match = toFtsMatch(parsed)
    if (match !== null) {
      where.push('t.rowid IN (SELECT rowid FROM tracks_fts WHERE tracks_fts MATCH ?)')
      params.push(match)
    }
    if (parsed.year) {
      where.push('t.year BETWEEN ? AND ?')
      params.push(parsed.year.from, parsed.year.to)
    }
    if (parsed.isrc.length > 0) {
      where.push(`t.isrc IN (${parsed.isrc.map(() => '?').join(', ')})`)
      params.push(...parsed.isrc)
    }
    if (where.length === 0) return { items: [], total: 0, ...page, unsupported: parsed.unsupported }
    const clause = where.join(' AND ')
    // Statements vary with the filters present; SQLite's statement cache keeps this cheap.
    const total = this.#db.prepare(`SELECT count(*) FROM tracks t WHERE ${clause}`).pluck().get(...params) as number
    const rows = this.#db.prepare(`SELECT t.data FROM tracks t WHERE ${clause} ORDER BY t.richness DESC, t.rowid LIMIT ? OFFSET ?`)
      .pluck().all(...params, page.limit, page.offset) as string[]
    return { items: rows.map(r => JSON.parse(r) as LibraryTrack), total, ...page, unsupported: parsed.unsupported }
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
    return `${this.#generation}:${this.#s.dataVersion.get() as number}`
  }

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
      if (row.id !== playlistId) {
        this.#s.relinkItems.run(playlistId, row.id)
        this.#s.relinkFile.run(playlistId, path)
      }
      this.#s.relinkPlaylist.run(playlistId, source, path)
      return toPlaylist({ ...row, id: playlistId, id_source: source })
    })()
  }
}

function parse (data: unknown): LibraryTrack | null {
  return typeof data === 'string' ? JSON.parse(data) as LibraryTrack : null
}

function toPlaylist (r: PlaylistRow): LibraryPlaylist {
  return { id: r.id, name: r.name, path: r.path, isLiked: r.is_liked === 1, idSource: r.id_source, ownerId: r.owner_id, trackCount: r.track_count, updatedAt: r.updated_at }
}

function toPlaylistTrack (r: ItemRow): PlaylistTrack {
  return {
    entry: { position: r.position, trackKey: r.track_key, addedAt: r.added_at, addedBy: r.added_by },
    track: JSON.parse(r.data) as LibraryTrack
  }
}
