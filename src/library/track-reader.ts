// Stored tracks back to LibraryTracks: rows selected with TRACK_COLUMNS (a track joined with its
// album, raw arrays) plus their artists, all of a batch's artists in one query by primary key.
import type { Statement } from 'better-sqlite3'
import type { Db } from '../db.js'
import { artistPks, decodeTrack, type StoredTrack } from './track-codec.js'
import type { ArtistRef, LibraryTrack } from './types.js'

export class TrackReader {
  readonly #artists: Statement

  constructor (db: Db) {
    this.#artists = db.prepare('SELECT pk, spotify_id, name FROM artists WHERE pk IN (SELECT value FROM json_each(?))').raw()
  }

  decode (rows: readonly StoredTrack[]): LibraryTrack[] {
    if (rows.length === 0) return []
    const wanted = new Set<number>()
    for (const r of rows) {
      for (const pk of artistPks(r[1])) wanted.add(pk)
      for (const pk of artistPks(r[22])) wanted.add(pk)
    }
    const artists = new Map<number, ArtistRef>()
    for (const [pk, id, name] of this.#artists.all(JSON.stringify([...wanted])) as Array<[number, string, string]>) {
      artists.set(pk, { id: id === '' ? null : id, name })
    }
    return rows.map(r => decodeTrack(r, artists))
  }

  decodeOne (row: StoredTrack | undefined): LibraryTrack | null {
    return row === undefined ? null : this.decode([row])[0]!
  }
}
