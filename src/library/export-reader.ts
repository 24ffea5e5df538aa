// The whole library out, in order, a page at a time (GET /library/v1/tracks, `export`): every
// distinct track once, or one playlist's entries, or the Liked Songs. Pages are keyset reads (after
// a track's rowid or an entry's position), so a page deep in a million rows costs what the first
// does, and a stream holds one page in memory whatever the library's size. The connection is free
// between pages: an HTTP stream interleaves with other requests on it.
import type { Statement } from 'better-sqlite3'
import type { Db } from '../db.js'
import { decodeAddedAt } from './added-at.js'
import { AFTER_TRACK, TRACK_COLUMNS, type StoredTrack } from './track-codec.js'
import { TrackReader } from './track-reader.js'
import type { LibraryPlaylist, LibraryTrack, PlaylistEntry } from './types.js'

export interface ExportQuery {
  /** A playlist's entries, by its id (the one /v1/playlists/{id} takes). */
  playlist?: LibraryPlaylist
  /** The Liked Songs, most recently added first. */
  saved?: boolean
  /** Entries added at or after this (Unix seconds); only with `playlist` or `saved`. */
  since?: number
}

export interface ExportItem {
  track: LibraryTrack
  /** The entry, for a playlist's or the Liked Songs' listing; null for the track listing. */
  entry: PlaylistEntry | null
}

export interface ExportPage {
  items: ExportItem[]
  /** The cursor of the page after this one, or null at the end. */
  after: number | null
}

export class ExportQueryError extends Error {
  override name = 'ExportQueryError'
}

/** Stored added_at (Unix seconds, or text as exported) as seconds; NULL when the text is no date. */
const ADDED_SECONDS = "CASE typeof(e.added_at) WHEN 'integer' THEN e.added_at ELSE unixepoch(e.added_at) END"
const SINCE = `(@since IS NULL OR ${ADDED_SECONDS} >= @since)`
const ENTRY = `SELECT ${TRACK_COLUMNS}, e.position, e.added_at`

/** Rows per read when a caller streams: a page of this holds a few MB at most. */
export const STREAM_PAGE = 500

export class LibraryExport {
  readonly #tracks: TrackReader
  readonly #s: Record<'tracks' | 'playlist' | 'liked' | 'trackCount' | 'playlistCount' | 'likedCount', Statement>

  constructor (db: Db) {
    this.#tracks = new TrackReader(db)
    this.#s = {
      tracks: db.prepare(`SELECT ${TRACK_COLUMNS}, t.pk FROM tracks t JOIN albums a ON a.pk = t.album WHERE t.pk > @after ORDER BY t.pk LIMIT @limit`).raw(),
      // By the playlist's id (playlists.id is unique), then the (playlist, position) key's range.
      playlist: db.prepare(`${ENTRY}, u.id FROM playlists p JOIN playlist_items e ON e.playlist = p.pk
        JOIN tracks t ON t.pk = e.track JOIN albums a ON a.pk = t.album LEFT JOIN library_users u ON u.pk = e.added_by
        WHERE p.id = @playlist AND e.position > @after AND ${SINCE} ORDER BY e.position LIMIT @limit`).raw(),
      liked: db.prepare(`${ENTRY}, NULL FROM liked_songs e JOIN tracks t ON t.pk = e.track JOIN albums a ON a.pk = t.album
        WHERE e.position > @after AND ${SINCE} ORDER BY e.position LIMIT @limit`).raw(),
      trackCount: db.prepare('SELECT count(*) FROM tracks').pluck(),
      playlistCount: db.prepare(`SELECT count(*) FROM playlist_items e JOIN playlists p ON p.pk = e.playlist WHERE p.id = @playlist AND ${SINCE}`).pluck(),
      likedCount: db.prepare(`SELECT count(*) FROM liked_songs e WHERE ${SINCE}`).pluck()
    }
  }

  /** How many items the query lists in all. */
  total (q: ExportQuery): number {
    check(q)
    const since = q.since ?? null
    if (q.playlist !== undefined) return this.#s.playlistCount.get({ since, playlist: q.playlist.id }) as number
    if (q.saved === true) return this.#s.likedCount.get({ since }) as number
    return this.#s.trackCount.get() as number
  }

  /** The items after the cursor (null: from the start), up to `limit`. */
  page (q: ExportQuery, after: number | null, limit: number): ExportPage {
    check(q)
    const since = q.since ?? null
    const from = after ?? -1
    if (q.playlist === undefined && q.saved !== true) {
      const rows = this.#s.tracks.all({ after: from, limit }) as StoredTrack[]
      const items = this.#tracks.decode(rows).map(track => ({ track, entry: null }))
      return { items, after: rows.length < limit ? null : rows.at(-1)![AFTER_TRACK] as number }
    }
    const rows = (q.playlist === undefined
      ? this.#s.liked.all({ since, after: from, limit })
      : this.#s.playlist.all({ since, after: from, limit, playlist: q.playlist.id })) as StoredTrack[]
    const tracks = this.#tracks.decode(rows)
    const items = rows.map((r, i) => ({
      track: tracks[i]!,
      entry: { position: r[AFTER_TRACK] as number, trackKey: r[0], addedAt: decodeAddedAt(r[AFTER_TRACK + 1] as number | string | null), addedBy: r[AFTER_TRACK + 2] as string | null }
    }))
    return { items, after: rows.length < limit ? null : items.at(-1)!.entry.position }
  }

  /** Every item from the cursor on, a page at a time: the caller may await between pages. */
  * pages (q: ExportQuery, after: number | null = null, pageSize = STREAM_PAGE): Generator<ExportItem[]> {
    for (let cursor = after; ;) {
      const p = this.page(q, cursor, pageSize)
      if (p.items.length > 0) yield p.items
      if (p.after === null) return
      cursor = p.after
    }
  }
}

function check (q: ExportQuery): void {
  if (q.playlist !== undefined && q.saved === true) throw new ExportQueryError('a listing is of one playlist or of the saved tracks, not both')
  if (q.since !== undefined && q.playlist === undefined && q.saved !== true) throw new ExportQueryError('added since needs a playlist or the saved tracks (only their entries have an added date)')
}

/** A date (midnight UTC) or an ISO 8601 time (UTC unless it says otherwise), as Unix seconds; null when it is neither. */
export function parseSince (text: string): number | null {
  const m = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.exec(text)
  if (m === null) return null
  const ms = Date.parse(text.length === 10 ? `${text}T00:00:00Z` : m[1] === undefined ? `${text.replace(' ', 'T')}Z` : text.replace(' ', 'T'))
  return Number.isNaN(ms) ? null : Math.floor(ms / 1000)
}
