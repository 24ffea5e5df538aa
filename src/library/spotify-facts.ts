// What Spotify's own answers, kept by the proxy (src/cache/entity-cache.ts), say about tracks the
// library holds: a full TrackObject of the same id knows the album id, the artists' ids and the
// release date an export may lack. Read by id, a page's tracks in one query; only the few fields
// that fill a gap are read out of the stored JSON, in SQL, so a 5 KB answer is never parsed here.
import type { Statement } from 'better-sqlite3'
import type { Db } from '../db.js'
import type { ArtistRef, ReleaseDatePrecision } from './types.js'

/** A cached TrackObject's facts, each checked to be what Spotify's schema says it is, else null. */
export interface TrackFacts {
  albumId: string | null
  releaseDate: string | null
  releaseDatePrecision: ReleaseDatePrecision | null
  albumType: string | null
  totalTracks: number | null
  imageUrl: string | null
  /** Empty when the answer names none, or names one without an id. */
  albumArtists: ArtistRef[]
  artists: ArtistRef[]
  isrc: string | null
  durationMs: number | null
  discNumber: number | null
  trackNumber: number | null
  explicit: boolean | null
}

const FACTS = `json_extract(body, '$.album.id'), json_extract(body, '$.album.release_date'),
  json_extract(body, '$.album.release_date_precision'), json_extract(body, '$.album.album_type'),
  json_extract(body, '$.album.total_tracks'), json_extract(body, '$.album.images[0].url'),
  (SELECT json_group_array(json_array(json_extract(value, '$.id'), json_extract(value, '$.name'))) FROM json_each(body, '$.album.artists')),
  (SELECT json_group_array(json_array(json_extract(value, '$.id'), json_extract(value, '$.name'))) FROM json_each(body, '$.artists')),
  json_extract(body, '$.external_ids.isrc'), json_extract(body, '$.duration_ms'), json_extract(body, '$.disc_number'),
  json_extract(body, '$.track_number'), json_extract(body, '$.explicit')`

type FactsRow = [id: string, albumId: unknown, date: unknown, precision: unknown, type: unknown, total: unknown, image: unknown,
  albumArtists: string, artists: string, isrc: unknown, duration: unknown, disc: unknown, number: unknown, explicit: unknown]

const SPOTIFY_ID = /^[0-9A-Za-z]{22}$/
const RELEASE_DATE = /^\d{4}(-\d{2}(-\d{2})?)?$/
const PRECISIONS: ReadonlySet<unknown> = new Set(['year', 'month', 'day'])
const ALBUM_TYPES: ReadonlySet<unknown> = new Set(['album', 'single', 'compilation'])

export class SpotifyFacts {
  readonly #db: Db
  #s: { facts: Statement, newest: Statement } | null = null

  constructor (db: Db) {
    this.#db = db
  }

  /** The facts of each id Spotify's cached answers know, one query for all of them. */
  forTracks (ids: readonly string[]): Map<string, TrackFacts> {
    const found = new Map<string, TrackFacts>()
    const s = this.#statements()
    if (s === null || ids.length === 0) return found
    // Several variants of one track (markets, languages): the one asked without either first.
    for (const row of s.facts.all(JSON.stringify(ids)) as FactsRow[]) {
      if (!found.has(row[0])) found.set(row[0], toFacts(row))
    }
    return found
  }

  /** Changes when the cached answers do (the newest one stored): library answers built on them are rebuilt. */
  version (): string {
    return String(this.#statements()?.newest.get() ?? '')
  }

  // The proxy creates the entity cache after the library opens, and not at all with its cache off.
  #statements (): { facts: Statement, newest: Statement } | null {
    if (this.#s === null && this.#db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'entity_cache'").get() !== undefined) {
      this.#s = {
        facts: this.#db.prepare(`SELECT id, ${FACTS} FROM entity_cache
          WHERE kind = 'track' AND id IN (SELECT value FROM json_each(?)) AND json_valid(body)
          ORDER BY market <> '', instr(market, '|lang=') > 0`).raw(),
        newest: this.#db.prepare('SELECT max(stored_at) FROM entity_cache').pluck()
      }
    }
    return this.#s
  }
}

function toFacts (r: FactsRow): TrackFacts {
  const date = typeof r[2] === 'string' && RELEASE_DATE.test(r[2]) ? r[2] : null
  return {
    albumId: spotifyId(r[1]),
    releaseDate: date,
    releaseDatePrecision: date !== null && PRECISIONS.has(r[3]) ? r[3] as ReleaseDatePrecision : null,
    albumType: ALBUM_TYPES.has(r[4]) ? r[4] as string : null,
    totalTracks: count(r[5]),
    imageUrl: typeof r[6] === 'string' && r[6].startsWith('https://') ? r[6] : null,
    albumArtists: artists(r[7]),
    artists: artists(r[8]),
    isrc: typeof r[9] === 'string' && r[9] !== '' ? r[9] : null,
    durationMs: count(r[10]),
    discNumber: count(r[11]),
    trackNumber: count(r[12]),
    // SQLite's json_extract gives JSON true/false as 1/0.
    explicit: r[13] === 1 ? true : r[13] === 0 ? false : null
  }
}

function spotifyId (v: unknown): string | null {
  return typeof v === 'string' && SPOTIFY_ID.test(v) ? v : null
}

function count (v: unknown): number | null {
  return Number.isSafeInteger(v) && (v as number) >= 0 ? v as number : null
}

/** All of the answer's artists with an id and a name, or none: a partial list would misplace names. */
function artists (json: string): ArtistRef[] {
  const list = JSON.parse(json) as Array<[unknown, unknown]>
  const out = list.flatMap(([id, name]) => (spotifyId(id) !== null && typeof name === 'string' ? [{ id: id as string, name }] : []))
  return out.length === list.length ? out : []
}
