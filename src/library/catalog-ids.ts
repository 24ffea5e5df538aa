// Which album and artist rows answer to an id: their Spotify id, or the synthetic id of an id-less
// album's name and first artist, or an id-less artist's name (synthetic-ids.ts). Albums are found
// by the id each row answers under, worked out at import (albums.answer_id, indexed): a first
// lookup costs what any other does. Artists are few (one per name and id): the map of every id
// they answer to is built from their rows the first time one is asked after the library changed
// (~12,000 rows on the million-row bench library), and kept until it changes again.
import type { Statement } from 'better-sqlite3'
import type { Db } from '../db.js'
import { foldText } from './search-query.js'
import { artistSeed, syntheticId } from './synthetic-ids.js'

interface ArtistIds {
  version: string
  rows: Map<string, number[]>
  /** The ids above that are the proxy's own (synthetic). */
  synthetic: Set<string>
}

export class CatalogIds {
  readonly #version: () => string
  readonly #albumRows: Statement
  readonly #ownAlbum: Statement
  readonly #artists: Statement
  #artistIds: ArtistIds | null = null

  constructor (db: Db, version: () => string) {
    this.#version = version
    this.#albumRows = db.prepare('SELECT pk FROM albums WHERE answer_id = ? ORDER BY pk').pluck()
    this.#ownAlbum = db.prepare('SELECT 1 FROM albums WHERE answer_id = ? AND spotify_id IS NULL LIMIT 1').pluck()
    this.#artists = db.prepare('SELECT pk, spotify_id, name FROM artists').raw()
  }

  /** The album rows that are the album of this id (none: the library does not know it). */
  albumRows (id: string): number[] {
    return this.#albumRows.all(id) as number[]
  }

  artistRows (id: string): number[] {
    return this.#artistMaps().rows.get(id) ?? []
  }

  /** Whether the library answers to this album or artist id as one of its own (Spotify knows none). */
  isSynthetic (id: string): boolean {
    return this.#ownAlbum.get(id) !== undefined || this.#artistMaps().synthetic.has(id)
  }

  #artistMaps (): ArtistIds {
    const version = this.#version()
    if (this.#artistIds?.version !== version) {
      // Grouped by seed first: the digest is computed once per artist, not once per row.
      const bySeed = new Map<string, number[]>()
      for (const [pk, id, name] of this.#artists.iterate() as IterableIterator<[number, string, string]>) {
        add(bySeed, id !== '' ? id : artistSeed(foldText(name)), pk)
      }
      const synthetic = new Set<string>()
      this.#artistIds = { version, rows: bySId(bySeed, seed => seed.startsWith('artist\u0000'), synthetic), synthetic }
    }
    return this.#artistIds
  }
}

function add (m: Map<string, number[]>, key: string, pk: number): void {
  const list = m.get(key)
  if (list === undefined) m.set(key, [pk])
  else list.push(pk)
}

/** Keys that are seeds become their synthetic ids; Spotify ids stay as they are. */
function bySId (bySeed: Map<string, number[]>, isSeed: (key: string) => boolean, synthetic: Set<string>): Map<string, number[]> {
  const out = new Map<string, number[]>()
  for (const [key, pks] of bySeed) {
    const seed = isSeed(key)
    const id = seed ? syntheticId(key) : key
    if (seed) synthetic.add(id)
    const known = out.get(id)
    out.set(id, known === undefined ? pks : [...known, ...pks])
  }
  return out
}
