// The album row of every track, 4 bytes a track, kept as one BLOB beside the tables. An album
// search walks thousands of matching tracks for the albums they name (catalog.ts); looking each
// one up in `tracks` cost ~1.5 µs a track, most of a deep page (BENCHMARKS.md, fallback section).
// Read from this array it costs nothing, and reading the array is one 2-3 MB row per library
// change, not a scan. The importer keeps it as it writes tracks, so it always matches them.
import type { Db } from '../db.js'
import { blobOfInt32s, int32sOfBlob } from './int32-blob.js'
import { KIND_CODES } from './track-codec.js'

/** An index entry for tracks that name no album an album search can answer (local files, episodes). */
export const NO_ALBUM = 0
const TRACK_KIND = KIND_CODES.track

/** The stored array, or null when the database has none yet (imported before it existed). */
export function readTrackAlbums (db: Db): Int32Array | null {
  const blob = db.prepare('SELECT data FROM track_albums WHERE id = 1').pluck().get() as Buffer | undefined
  return blob === undefined ? null : int32sOfBlob(blob)
}

/** Worked out from the tracks themselves: for a database that has no stored array yet. */
export function scanTrackAlbums (db: Db): Int32Array {
  const max = (db.prepare('SELECT max(pk) FROM tracks').pluck().get() as number | null) ?? 0
  const of = new Int32Array(max + 1)
  for (const [pk, album] of db.prepare(`SELECT pk, album FROM tracks WHERE kind = ${TRACK_KIND}`).raw().iterate() as Iterable<[number, number]>) of[pk] = album
  return of
}

/** The writer's side: the array as tracks are inserted and changed, written at the import's end. */
export class TrackAlbumsWriter {
  readonly #db: Db
  readonly #fresh: boolean
  /** Read from the stored array at the first change: an import that changes no track reads nothing. */
  #of: Int32Array | null = null
  #length = 0
  /** Nothing stored to start from (an older database): worked out from the tracks at the end. */
  readonly #rebuild: boolean
  #changed = false

  /** `fresh`: the tracks table starts empty. */
  constructor (db: Db, fresh: boolean) {
    this.#db = db
    this.#fresh = fresh
    this.#rebuild = !fresh && db.prepare('SELECT 1 FROM track_albums WHERE id = 1').get() === undefined
    // A fresh import writes it even for an empty library, so that it is never missing after one.
    this.#changed = fresh
  }

  /** Track `pk` is of `kind` (tracks.kind) and names album row `album`. */
  set (pk: number, kind: number, album: number): void {
    if (this.#rebuild) return
    if (this.#of === null) {
      const stored = this.#fresh ? null : readTrackAlbums(this.#db)
      this.#of = stored ?? new Int32Array(1024)
      this.#length = stored?.length ?? 0
    }
    if (pk >= this.#of.length) {
      const grown = new Int32Array(Math.max(pk + 1, this.#of.length * 2))
      grown.set(this.#of)
      this.#of = grown
    }
    this.#of[pk] = kind === TRACK_KIND ? album : NO_ALBUM
    if (pk >= this.#length) this.#length = pk + 1
    this.#changed = true
  }

  /**
   * Stores the array (after the tracks are all written). Tracks an import drops keep their entry:
   * the search index no longer names them, so no walk asks for it.
   */
  finish (): void {
    if (!this.#rebuild && !this.#changed) return
    const of = this.#rebuild ? scanTrackAlbums(this.#db) : (this.#of ?? new Int32Array(0)).subarray(0, this.#length)
    this.#db.prepare('INSERT OR REPLACE INTO track_albums (id, data) VALUES (1, ?)').run(blobOfInt32s(of))
  }
}
