// Read side of the streaming history (db.ts: played, plays): the latest plays, and what was played
// most over a time range. Rows only: the answers (src/answers/history.ts) find each track played in
// the library, and keep out what they cannot (a track known only by name the library lacks).
import type { Db } from '../db.js'

export interface PlayedRow { pk: number, id: string | null, name: string, artist: string, album: string | null }
export interface PlayRow extends PlayedRow { ts: number }
export interface TopRow extends PlayedRow { plays: number, ms: number }
export interface TopArtistRow { artist: string, plays: number, ms: number }

/** Spotify counts a play from 30 seconds on (its "streams"); recently-played lists only those. */
export const COUNTED_MS = 30_000

const PLAYED = 'p.pk, p.id, p.name, p.artist, p.album'

export class HistoryReader {
  readonly #s

  constructor (db: Db) {
    this.#s = {
      before: db.prepare(`SELECT ${PLAYED}, x.ts FROM plays x JOIN played p ON p.pk = x.played
        WHERE x.minute <= CAST(@t AS INTEGER) / 60 AND x.ts < @t AND x.ms >= ${COUNTED_MS} ORDER BY x.minute DESC, x.ts DESC LIMIT @limit`),
      after: db.prepare(`SELECT ${PLAYED}, x.ts FROM plays x JOIN played p ON p.pk = x.played
        WHERE x.minute >= CAST(@t AS INTEGER) / 60 AND x.ts > @t AND x.ms >= ${COUNTED_MS} ORDER BY x.minute, x.ts LIMIT @limit`),
      latest: db.prepare('SELECT max(ts) FROM plays').pluck(),
      artistId: db.prepare("SELECT spotify_id FROM artists WHERE name = ? AND spotify_id != '' LIMIT 1").pluck(),
      topTracks: db.prepare(`SELECT ${PLAYED}, t.n AS plays, t.ms FROM (
          SELECT played, count(*) AS n, sum(ms) AS ms FROM plays WHERE minute >= CAST(@t AS INTEGER) / 60 AND ms >= ${COUNTED_MS} GROUP BY played
        ) t JOIN played p ON p.pk = t.played ORDER BY t.n DESC, t.ms DESC, p.pk LIMIT @limit`),
      topArtists: db.prepare(`SELECT min(p.artist) AS artist, count(*) AS plays, sum(x.ms) AS ms FROM plays x JOIN played p ON p.pk = x.played
        WHERE x.minute >= CAST(@t AS INTEGER) / 60 AND x.ms >= ${COUNTED_MS} AND p.artist != '' GROUP BY lower(p.artist) ORDER BY plays DESC, ms DESC, artist LIMIT @limit`)
    }
  }

  /** Unix seconds of the last play the history holds, or null when it holds none. */
  latest (): number | null {
    return (this.#s.latest.get() as number | null) ?? null
  }

  /** The Spotify id the library knows for an artist of this name, or null. */
  artistId (name: string): string | null {
    return (this.#s.artistId.get(name) as string | undefined) ?? null
  }

  /** Counted plays that ended before `before` (Unix seconds), most recent first. */
  playsBefore (before: number, limit: number): PlayRow[] {
    return this.#s.before.all({ t: before, limit }) as PlayRow[]
  }

  /** Counted plays that ended after `after` (Unix seconds), oldest first. */
  playsAfter (after: number, limit: number): PlayRow[] {
    return this.#s.after.all({ t: after, limit }) as PlayRow[]
  }

  /** Tracks by counted plays since `since` (Unix seconds), then by time played. */
  topTracks (since: number, limit: number): TopRow[] {
    return this.#s.topTracks.all({ t: since, limit }) as TopRow[]
  }

  /** Artists (as the history names them, case aside) by counted plays since `since`. */
  topArtists (since: number, limit: number): TopArtistRow[] {
    return this.#s.topArtists.all({ t: since, limit }) as TopArtistRow[]
  }
}
