// Artists found by their own names, in memory. An artist search that filters nothing about the
// artists' tracks (free text and `artist:` only) reads every artist's folded name once per
// library change — one entry per name and id: ~12,000 on the million-row bench library — instead
// of walking the tracks that name them (catalog.ts), which near offset 1,000 read thousands of
// tracks for one page (BENCHMARKS.md, one-client section).
import type { Statement } from 'better-sqlite3'
import type { Db } from '../db.js'
import { foldText } from './search-query.js'

export interface NamedArtist {
  /** Spotify's id, or null for an artist the exports name without one (one per folded name). */
  id: string | null
  name: string
  folded: string
  /** Its rows in the artists table (one per spelling of the name). */
  pks: number[]
}

export class ArtistNames {
  readonly #all: Statement
  readonly #version: () => string
  #built: { version: string, list: NamedArtist[] } | null = null

  constructor (db: Db, version: () => string) {
    this.#all = db.prepare('SELECT pk, spotify_id, name FROM artists').raw()
    this.#version = version
  }

  /** The artists whose folded names `accept` takes: one named exactly `exact` (folded) first, then by name. */
  find (accept: (foldedName: string) => boolean, exact: string): NamedArtist[] {
    const found = this.#list().filter(a => accept(a.folded))
    const first = found.filter(a => a.folded === exact)
    return first.length === 0 ? found : [...first, ...found.filter(a => a.folded !== exact)]
  }

  #list (): NamedArtist[] {
    const version = this.#version()
    if (this.#built?.version === version) return this.#built.list
    const byKey = new Map<string, NamedArtist>()
    for (const [pk, id, name] of this.#all.iterate() as IterableIterator<[number, string, string]>) {
      const folded = foldText(name)
      if (folded === '') continue
      const key = id !== '' ? id : `\u0000${folded}`
      const known = byKey.get(key)
      if (known === undefined) byKey.set(key, { id: id !== '' ? id : null, name, folded, pks: [pk] })
      else known.pks.push(pk)
    }
    const list = [...byKey.values()].sort((a, b) => (a.folded < b.folded ? -1 : a.folded > b.folded ? 1 : 0))
    this.#built = { version, list }
    return list
  }
}
