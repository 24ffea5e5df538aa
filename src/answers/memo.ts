// The library's answers, kept serialised in memory: a script retrying through an outage, or a
// sync re-reading its playlists offline, asks the same pages again and again, and building a
// 100-track page costs ~1 ms (SQLite rows, JSON parse, Spotify shapes, serialisation) where a
// kept one costs a Map lookup. Bounded in entries and in bytes, keys counted (a key holds the
// request path, up to 8 KB, and a client chooses it), least recently used first; everything is
// dropped when the library changes (a learned or linked playlist id here, an import by another
// process: SQLite's data_version). An answer is kept the second time it is built: a sync paging
// through a playlist once asks each page once, and keeping those would only fill the memory
// (and the garbage collector's old generation, whose pauses are the pages' slowest answers:
// BENCHMARKS.md, fallback section).

export interface SerializedAnswer { status: number, bytes: Buffer, missing?: number, held?: number }

/** Entries kept by default: an offline sync of a 60,000-track playlist is ~1,300 pages. */
export const DEFAULT_MAX_ENTRIES = 10_000

/** Keys remembered as built once (as 32-bit hashes: a collision only keeps an answer a little early). */
const ASKED_MAX = 65_536

/** What an entry costs beyond its key and answer bytes: the Map slot, the answer object, the Buffer. */
const ENTRY_OVERHEAD = 200

/** A key's memory: V8 stores a string in one byte a character or two; two is the bound. */
function cost (key: string, answer: SerializedAnswer): number {
  return key.length * 2 + answer.bytes.length + ENTRY_OVERHEAD
}

export class LibraryAnswerMemo {
  readonly #entries = new Map<string, SerializedAnswer>()
  readonly #maxBytes: number
  readonly #maxEntries: number
  readonly #version: () => string
  readonly #asked = new Set<number>()
  #bytes = 0
  #seen: string

  /** `version` changes whenever the library's contents may have changed. */
  constructor (opts: { maxBytes: number, maxEntries?: number, version: () => string }) {
    this.#maxBytes = opts.maxBytes
    this.#maxEntries = opts.maxEntries ?? DEFAULT_MAX_ENTRIES
    this.#version = opts.version
    this.#seen = opts.version()
  }

  get (key: string): SerializedAnswer | null {
    this.#check()
    const hit = this.#entries.get(key)
    if (hit === undefined) return null
    // Most recently used last.
    this.#entries.delete(key)
    this.#entries.set(key, hit)
    return hit
  }

  put (key: string, answer: SerializedAnswer): void {
    const size = cost(key, answer)
    if (size > this.#maxBytes / 8) return // one huge answer must not flush the rest
    this.#check()
    const h = hash(key)
    if (!this.#asked.has(h)) {
      if (this.#asked.size >= ASKED_MAX) this.#asked.delete(this.#asked.values().next().value!)
      this.#asked.add(h)
      return
    }
    const old = this.#entries.get(key)
    if (old !== undefined) this.#bytes -= cost(key, old)
    this.#entries.delete(key)
    this.#entries.set(key, answer)
    this.#bytes += size
    for (const [k, v] of this.#entries) {
      if (this.#bytes <= this.#maxBytes && this.#entries.size <= this.#maxEntries) break
      this.#entries.delete(k)
      this.#bytes -= cost(k, v)
    }
  }

  /** Entries kept and the bytes they are counted at (keys, answers and per-entry overhead). */
  get size (): { entries: number, bytes: number } {
    return { entries: this.#entries.size, bytes: this.#bytes }
  }

  #check (): void {
    const v = this.#version()
    if (v === this.#seen) return
    this.#seen = v
    this.#entries.clear()
    this.#asked.clear()
    this.#bytes = 0
  }
}

/** FNV-1a over the key's UTF-16 code units. */
function hash (key: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return h >>> 0
}
