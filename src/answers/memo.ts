// The library's answers, kept serialised in memory: a script retrying through an outage, or a
// sync re-reading its playlists offline, asks the same pages again and again, and building a
// 100-track page costs ~1 ms (SQLite rows, JSON parse, Spotify shapes, serialisation) where a
// kept one costs a Map lookup. Bounded by bytes, least recently used first; everything is
// dropped when the library changes (a learned or linked playlist id here, an import by another
// process: SQLite's data_version).

export interface MemoAnswer { status: number, bytes: Buffer, missing?: number }

export class LibraryAnswerMemo {
  readonly #entries = new Map<string, MemoAnswer>()
  readonly #maxBytes: number
  readonly #version: () => string
  #bytes = 0
  #seen: string

  /** `version` changes whenever the library's contents may have changed. */
  constructor (opts: { maxBytes: number, version: () => string }) {
    this.#maxBytes = opts.maxBytes
    this.#version = opts.version
    this.#seen = opts.version()
  }

  get (key: string): MemoAnswer | null {
    this.#check()
    const hit = this.#entries.get(key)
    if (hit === undefined) return null
    // Most recently used last.
    this.#entries.delete(key)
    this.#entries.set(key, hit)
    return hit
  }

  put (key: string, answer: MemoAnswer): void {
    if (answer.bytes.length > this.#maxBytes / 8) return // one huge answer must not flush the rest
    this.#check()
    const old = this.#entries.get(key)
    if (old !== undefined) this.#bytes -= old.bytes.length
    this.#entries.delete(key)
    this.#entries.set(key, answer)
    this.#bytes += answer.bytes.length
    for (const [k, v] of this.#entries) {
      if (this.#bytes <= this.#maxBytes) break
      this.#entries.delete(k)
      this.#bytes -= v.bytes.length
    }
  }

  get size (): { entries: number, bytes: number } {
    return { entries: this.#entries.size, bytes: this.#bytes }
  }

  #check (): void {
    const v = this.#version()
    if (v === this.#seen) return
    this.#seen = v
    this.#entries.clear()
    this.#bytes = 0
  }
}
