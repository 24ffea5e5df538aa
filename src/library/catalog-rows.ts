// The import's albums, artists and users: found (or added) by value and remembered for the
// import in compact tables, so a track's album and artists become the rowids its row holds.
// Into an empty store they are numbered here and written in batches; otherwise each new one is
// inserted for the rowid SQLite gives. Part of the write side (writer.ts).
import { BatchInsert } from './batch-insert.js'
import type { Db } from '../db.js'
import { KeyTable } from './key-table.js'
import { hash32, type AlbumValues, type ArtistKey, type EncodedTrack } from './track-codec.js'
import { albumIdOfNames } from './synthetic-ids.js'
import { ValueCache } from './value-cache.js'

export class CatalogRows {
  readonly #fresh: boolean
  readonly #s
  readonly #newAlbums: BatchInsert
  readonly #newArtists: BatchInsert
  // Albums are many (a million-row library has ~180,000): the import's tables of what it has met
  // are compact and off the heap.
  readonly #albums: KeyTable
  readonly #artists: KeyTable
  readonly #artistLists = new ValueCache<string>(4e6)
  readonly #users = new ValueCache<number>(1e6)

  constructor (db: Db, fresh: boolean) {
    this.#fresh = fresh
    this.#s = {
      artist: db.prepare('SELECT pk FROM artists WHERE name = ? AND spotify_id = ?').pluck(),
      addArtist: db.prepare('INSERT INTO artists (spotify_id, name) VALUES (?, ?)'),
      album: db.prepare(`SELECT pk FROM albums WHERE hash = ? AND spotify_id IS ? AND name = ? AND release_date IS ? AND date_precision IS ?
        AND image_url IS ? AND album_type IS ? AND total_tracks IS ? AND label IS ? AND artists = ?`).pluck(),
      addAlbum: db.prepare(`INSERT INTO albums (hash, spotify_id, name, release_date, date_precision, image_url, album_type, total_tracks, label, artists, answer_id)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      user: db.prepare('SELECT pk FROM library_users WHERE id = ?').pluck(),
      addUser: db.prepare('INSERT INTO library_users (id) VALUES (?)')
    }
    this.#newAlbums = new BatchInsert(db, 'albums (pk, hash, spotify_id, name, release_date, date_precision, image_url, album_type, total_tracks, label, artists, answer_id)', 12)
    this.#newArtists = new BatchInsert(db, 'artists (pk, spotify_id, name)', 3)
    this.#albums = new KeyTable(fresh)
    this.#artists = new KeyTable(fresh)
  }

  /** The rows the track's album and artists are, as the tracks columns hold them. */
  links ([, artists, album]: EncodedTrack): [number, string] {
    return [this.#albumPk(album), this.#artistList(artists)]
  }

  userPk (id: string): number {
    return this.#users.get(id, () => (this.#s.user.get(id) as number | undefined) ?? Number(this.#s.addUser.run(id).lastInsertRowid))
  }

  /** Writes the batched albums and artists (before the tracks that name them). */
  flush (): void {
    this.#newArtists.flush()
    this.#newAlbums.flush()
  }

  #artistList (json: string): string {
    return this.#artistLists.get(json, () => (JSON.parse(json) as ArtistKey[]).map(a => this.#artistPk(a)).join(','))
  }

  #artistPk ([id, name]: ArtistKey): number {
    const key = `${id}\u0000${name}`
    const known = this.#artists.find(key)
    if (known !== -1) return this.#artists.rowid(known) ?? this.#artists.value(known)
    if (this.#fresh) {
      const pk = this.#artists.rowid(this.#artists.add(key, 0))!
      this.#newArtists.add(pk, id, name)
      return pk
    }
    const pk = (this.#s.artist.get(name, id) as number | undefined) ?? Number(this.#s.addArtist.run(id, name).lastInsertRowid)
    this.#artists.add(key, pk)
    return pk
  }

  #albumPk (json: string): number {
    const known = this.#albums.find(json)
    if (known !== -1) return this.#albums.rowid(known) ?? this.#albums.value(known)
    const [id, name, date, precision, image, type, total, label, list] = JSON.parse(json) as AlbumValues
    const row = [id, name, date, precision, image, type, total, label, list.map(a => this.#artistPk(a)).join(',')] as const
    const hash = hash32(JSON.stringify(row))
    // The id it answers under (see the albums table): the first artist is the album row's own first.
    const answerId = (): string => id ?? albumIdOfNames(name, list[0]?.[1] ?? '')
    if (this.#fresh) {
      const pk = this.#albums.rowid(this.#albums.add(json, 0))!
      this.#newAlbums.add(pk, hash, ...row, answerId())
      return pk
    }
    const pk = (this.#s.album.get(hash, ...row) as number | undefined) ?? Number(this.#s.addAlbum.run(hash, ...row, answerId()).lastInsertRowid)
    this.#albums.add(json, pk)
    return pk
  }
}
