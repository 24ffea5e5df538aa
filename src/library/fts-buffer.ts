// New rows of the search index, held back a few thousand at a time per richness: FTS5 takes rows
// in rowid order several times faster than out of it (it flushes its pending terms at every step
// back), and the rowids of one richness (track-codec.ts, ftsRowid) come in order as tracks are added.
import type { Statement } from 'better-sqlite3'
import type { Db } from '../db.js'
import { ftsTier, type FtsText } from './track-codec.js'

const HELD = 4096

export class FtsBuffer {
  readonly #insert: Statement
  readonly #delete: Statement
  readonly #tiers = new Map<number, Map<number, FtsText>>()

  constructor (db: Db) {
    this.#insert = db.prepare('INSERT INTO tracks_fts (rowid, name, artists, album, genres, year, isrc) VALUES (?, ?, ?, ?, ?, ?, ?)')
    this.#delete = db.prepare('DELETE FROM tracks_fts WHERE rowid = ?')
  }

  add (rowid: number, text: FtsText): void {
    const tier = ftsTier(rowid)
    let held = this.#tiers.get(tier)
    if (held === undefined) this.#tiers.set(tier, held = new Map())
    held.set(rowid, text)
    if (held.size >= HELD) this.#write(held)
  }

  delete (rowid: number): void {
    if (this.#tiers.get(ftsTier(rowid))?.delete(rowid) !== true) this.#delete.run(rowid)
  }

  flush (): void {
    for (const held of this.#tiers.values()) this.#write(held)
  }

  #write (held: Map<number, FtsText>): void {
    for (const rowid of [...held.keys()].sort((a, b) => a - b)) this.#insert.run(rowid, ...held.get(rowid)!)
    held.clear()
  }
}
