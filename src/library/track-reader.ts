// Stored tracks back to LibraryTracks: rows selected with TRACK_COLUMNS (a track joined with its
// album, raw arrays) plus their artists, all of a batch's artists in one query by primary key.
// The server's reader keeps the artists it has read (per library version, bounded): a page of 100
// playlist entries names ~260 artists, and their query was ~8% of its CPU (BENCHMARKS.md,
// fallback section), where a library's artists are few and come back page after page.
import type { Statement } from 'better-sqlite3'
import type { Db } from '../db.js'
import { artistPks, decodeTrack, type StoredTrack } from './track-codec.js'
import type { ArtistRef, LibraryTrack } from './types.js'

/** Artists kept (~100 bytes each) before starting over: the million-row bench library has ~12,000. */
const ARTISTS_KEPT = 65_536

export class TrackReader {
  readonly #artists: Statement
  readonly #version: (() => string) | null
  #known: { version: string, of: Map<number, ArtistRef> } = { version: '', of: new Map() }

  /**
   * `version` (the store's): artists are kept while it stays the same. Without it (the importer,
   * whose artists change as it reads) each batch reads its own.
   */
  constructor (db: Db, version: (() => string) | null = null) {
    this.#artists = db.prepare('SELECT pk, spotify_id, name FROM artists WHERE pk IN (SELECT value FROM json_each(?))').raw()
    this.#version = version
  }

  decode (rows: readonly StoredTrack[]): LibraryTrack[] {
    if (rows.length === 0) return []
    const artists = this.#kept()
    const wanted = new Set<number>()
    for (const r of rows) {
      for (const pk of artistPks(r[1])) if (!artists.has(pk)) wanted.add(pk)
      for (const pk of artistPks(r[22])) if (!artists.has(pk)) wanted.add(pk)
    }
    if (wanted.size > 0) {
      for (const [pk, id, name] of this.#artists.all(JSON.stringify([...wanted])) as Array<[number, string, string]>) {
        // Shared by every track that names it, in this answer and later ones: never changed.
        artists.set(pk, Object.freeze({ id: id === '' ? null : id, name }))
      }
    }
    return rows.map(r => decodeTrack(r, artists))
  }

  decodeOne (row: StoredTrack | undefined): LibraryTrack | null {
    return row === undefined ? null : this.decode([row])[0]!
  }

  /** The artists kept for this version of the library (a new map for each batch without one). */
  #kept (): Map<number, ArtistRef> {
    if (this.#version === null) return new Map()
    const version = this.#version()
    if (this.#known.version !== version || this.#known.of.size > ARTISTS_KEPT) this.#known = { version, of: new Map() }
    return this.#known.of
  }
}
