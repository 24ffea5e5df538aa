// Which album and artist rows answer to an id: their Spotify id, or the synthetic id of an id-less
// album's name and first artist (worked out at import: albums.answer_id), or an id-less artist's
// name (synthetic-ids.ts). A synthetic id is a digest, so it is found through a map of every id
// the library answers to, built from the album and artist rows the first time an id is asked
// after the library changed and kept until it changes again.
import type { Statement } from 'better-sqlite3'
import type { Db } from '../db.js'
import { foldText } from './search-query.js'
import { artistSeed, syntheticId } from './synthetic-ids.js'

interface IdMaps {
  version: string
  albums: Map<string, number[]>
  artists: Map<string, number[]>
  /** The ids above that are the proxy's own (synthetic), of either kind. */
  synthetic: Set<string>
}

export class CatalogIds {
  readonly #version: () => string
  readonly #albums: Statement
  readonly #artists: Statement
  #built: IdMaps | null = null

  constructor (db: Db, version: () => string) {
    this.#version = version
    this.#albums = db.prepare('SELECT pk, spotify_id, answer_id FROM albums').raw()
    this.#artists = db.prepare('SELECT pk, spotify_id, name FROM artists').raw()
  }

  /** The album rows that are the album of this id (none: the library does not know it). */
  albumRows (id: string): number[] {
    return this.#maps().albums.get(id) ?? []
  }

  artistRows (id: string): number[] {
    return this.#maps().artists.get(id) ?? []
  }

  /** Whether the library answers to this album or artist id as one of its own (Spotify knows none). */
  isSynthetic (id: string): boolean {
    return this.#maps().synthetic.has(id)
  }

  #maps (): IdMaps {
    const version = this.#version()
    if (this.#built?.version !== version) {
      const synthetic = new Set<string>()
      this.#built = { version, albums: this.#albumIds(synthetic), artists: this.#artistIds(synthetic), synthetic }
    }
    return this.#built
  }

  #albumIds (synthetic: Set<string>): Map<string, number[]> {
    const out = new Map<string, number[]>()
    for (const [pk, spotifyId, id] of this.#albums.iterate() as IterableIterator<[number, string | null, string]>) {
      add(out, id, pk)
      if (spotifyId === null) synthetic.add(id)
    }
    return out
  }

  #artistIds (synthetic: Set<string>): Map<string, number[]> {
    const bySeed = new Map<string, number[]>()
    for (const [pk, id, name] of this.#artists.iterate() as IterableIterator<[number, string, string]>) {
      add(bySeed, id !== '' ? id : artistSeed(foldText(name)), pk)
    }
    return bySId(bySeed, seed => seed.startsWith('artist\u0000'), synthetic)
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
