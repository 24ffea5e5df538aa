// The artist rows of every music track, kept beside the tables as track-albums.ts keeps their
// albums. An artist search that filters tracks (`year:`, `genre:`) walks up to 10,000 matching
// tracks for the artists they name (catalog.ts); looking each one's artists up in `tracks` cost
// ~1.5-1.9 µs a track, a third of such a search (BENCHMARKS.md, fallback section). Here they are
// two int32 arrays, compressed-row style: track `pk`'s artist rows are
// `refs[offsets[pk]] … refs[offsets[pk + 1] - 1]`, none for local files and episodes. Reading them
// is one row per library change; the importer keeps them as it writes tracks.
import type { Db } from '../db.js'
import { blobOfInt32s, int32sOfBlob } from './int32-blob.js'
import { KIND_CODES } from './track-codec.js'

const TRACK_KIND = KIND_CODES.track

export interface TrackArtists {
  /** Indexed by tracks.pk, one longer than the largest pk. */
  offsets: Int32Array
  refs: Int32Array
}

/** The stored arrays, or null when the database has none yet (imported before they existed). */
export function readTrackArtists (db: Db): TrackArtists | null {
  const row = db.prepare('SELECT offsets, refs FROM track_artists WHERE id = 1').raw().get() as [Buffer, Buffer] | undefined
  return row === undefined ? null : { offsets: int32sOfBlob(row[0]), refs: int32sOfBlob(row[1]) }
}

/** Worked out from the tracks themselves: for a database that has no stored arrays yet. */
export function scanTrackArtists (db: Db): TrackArtists {
  const w = new Builder()
  for (const [pk, artists] of db.prepare(`SELECT pk, artists FROM tracks WHERE kind = ${TRACK_KIND}`).raw().iterate() as Iterable<[number, string]>) w.set(pk, artists)
  return w.compact()
}

/** The writer's side: the arrays as tracks are inserted and changed, written at the import's end. */
export class TrackArtistsWriter {
  readonly #db: Db
  readonly #fresh: boolean
  /** Read from the stored arrays at the first change: an import that changes no track reads nothing. */
  #lists: Builder | null = null
  /** Nothing stored to start from (an older database): worked out from the tracks at the end. */
  readonly #rebuild: boolean
  #changed: boolean

  /** `fresh`: the tracks table starts empty. */
  constructor (db: Db, fresh: boolean) {
    this.#db = db
    this.#fresh = fresh
    this.#rebuild = !fresh && db.prepare('SELECT 1 FROM track_artists WHERE id = 1').get() === undefined
    // A fresh import writes them even for an empty library, so that they are never missing after one.
    this.#changed = fresh
  }

  /** Track `pk` is of `kind` (tracks.kind) and names the artist rows `artists` (tracks.artists: "12,7"). */
  set (pk: number, kind: number, artists: string): void {
    if (this.#rebuild) return
    this.#lists ??= new Builder(this.#fresh ? null : readTrackArtists(this.#db))
    this.#lists.set(pk, kind === TRACK_KIND ? artists : '')
    this.#changed = true
  }

  /**
   * Stores the arrays (after the tracks are all written). Tracks an import drops keep their
   * entry: the search index no longer names them, so no walk asks for it.
   */
  finish (): void {
    if (!this.#rebuild && !this.#changed) return
    const { offsets, refs } = this.#rebuild ? scanTrackArtists(this.#db) : (this.#lists ?? new Builder()).compact()
    this.#db.prepare('INSERT OR REPLACE INTO track_artists (id, offsets, refs) VALUES (1, ?, ?)').run(blobOfInt32s(offsets), blobOfInt32s(refs))
  }
}

/**
 * Lists set in any order, changed any number of times: each new list is appended to `refs`, and
 * the track's start and length point at it (what an update replaces stays until compact()).
 */
class Builder {
  #start: Int32Array
  #count: Uint16Array
  #refs: Int32Array
  #used = 0
  /** One more than the largest pk set. */
  #length = 0

  constructor (from: TrackArtists | null = null) {
    const n = from === null ? 0 : from.offsets.length - 1
    this.#start = new Int32Array(Math.max(1024, n))
    this.#count = new Uint16Array(this.#start.length)
    this.#refs = new Int32Array(Math.max(1024, from?.refs.length ?? 0))
    if (from === null) return
    for (let pk = 0; pk < n; pk++) {
      this.#start[pk] = from.offsets[pk]!
      this.#count[pk] = from.offsets[pk + 1]! - from.offsets[pk]!
    }
    this.#refs.set(from.refs)
    this.#used = from.refs.length
    this.#length = n
  }

  /** `artists`: artist rows as tracks.artists holds them ("12,7"; '' for none). */
  set (pk: number, artists: string): void {
    if (pk >= this.#start.length) {
      const size = Math.max(pk + 1, this.#start.length * 2)
      this.#start = grown(this.#start, size)
      this.#count = grown(this.#count, size)
    }
    // At most one ref per two characters ("1,2"): room for all of them first.
    if (this.#used + artists.length / 2 + 1 > this.#refs.length) this.#refs = grown(this.#refs, Math.max(this.#refs.length * 2, this.#used + artists.length))
    const start = this.#used
    let n = 0
    let digits = 0
    for (let i = 0; i < artists.length; i++) {
      const c = artists.charCodeAt(i)
      if (c === 44) {
        this.#refs[this.#used++] = n
        n = 0
        digits = 0
      } else {
        n = n * 10 + c - 48
        digits++
      }
    }
    if (digits > 0) this.#refs[this.#used++] = n
    this.#start[pk] = start
    this.#count[pk] = this.#used - start
    if (pk >= this.#length) this.#length = pk + 1
  }

  /** The lists as they stand, in pk order, with nothing an update replaced. */
  compact (): TrackArtists {
    const offsets = new Int32Array(this.#length + 1)
    let total = 0
    for (let pk = 0; pk < this.#length; pk++) total += this.#count[pk]!
    const refs = new Int32Array(total)
    let at = 0
    for (let pk = 0; pk < this.#length; pk++) {
      offsets[pk] = at
      const from = this.#start[pk]!
      refs.set(this.#refs.subarray(from, from + this.#count[pk]!), at)
      at += this.#count[pk]!
    }
    offsets[this.#length] = at
    return { offsets, refs }
  }
}

function grown<T extends Int32Array | Uint16Array> (a: T, size: number): T {
  const b = new (a.constructor as new (n: number) => T)(size)
  b.set(a)
  return b
}
