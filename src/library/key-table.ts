// Every track key an import has met, with the signature of the row that last described it (a
// 32-bit value): a hash table over typed arrays, the keys' bytes in one buffer. About 16 bytes a
// key beyond its bytes, where a Map of strings takes about 100 and keeps each file's whole text
// alive behind the keys cut from it (V8's sliced strings); a million-track library's keys take
// ~30 MB. Into an empty store the entries number the tracks rows too, so the writer needs no
// lookup to find a track's rowid.
import { hash32 as hash } from './track-codec.js'

const EMPTY = 0
/** Per entry: offset and length of the key's bytes, the key's hash, the value. */
const FIELDS = 4

function isAscii (s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false
  return true
}

export class KeyTable {
  /** Entries are rowids (entry + 1): the store held no track when the import began. */
  readonly numbered: boolean
  #bytes: Buffer = Buffer.allocUnsafe(1 << 16)
  #used = 0
  #entries = new Uint32Array(FIELDS * 1024)
  #count = 0
  /** Entry index + 1 per slot (open addressing, linear probing), at most half full. */
  #slots = new Int32Array(2048)
  #scratch: Buffer = Buffer.allocUnsafe(256)

  constructor (numbered: boolean) {
    this.numbered = numbered
  }

  get size (): number {
    return this.#count
  }

  /** The key's entry (0, 1, 2, … in the order keys were added), or -1. */
  find (key: string): number {
    const h = hash(key)
    const ascii = isAscii(key)
    const len = ascii ? key.length : this.#encode(key)
    const mask = this.#slots.length - 1
    for (let s = h & mask; ; s = (s + 1) & mask) {
      const e = this.#slots[s]! - 1
      if (e < 0) return -1
      const at = e * FIELDS
      if (this.#entries[at + 2] !== h || this.#entries[at + 1] !== len) continue
      const from = this.#entries[at]!
      if (ascii ? this.#sameAscii(key, from) : this.#scratch.compare(this.#bytes, from, from + len, 0, len) === 0) return e
    }
  }

  // Most keys are Spotify ids: compared in place, with no copy into the scratch buffer.
  #sameAscii (key: string, from: number): boolean {
    for (let i = 0; i < key.length; i++) if (this.#bytes[from + i] !== key.charCodeAt(i)) return false
    return true
  }

  /** Adds a key find() did not find; gives its entry. */
  add (key: string, value: number): number {
    if ((this.#count + 1) * 2 > this.#slots.length) this.#grow()
    const len = this.#encode(key)
    if (this.#used + len > this.#bytes.length) this.#bytes = copyInto(Buffer.allocUnsafe(Math.max(grown(this.#bytes.length), this.#used + len)), this.#bytes, this.#used)
    this.#scratch.copy(this.#bytes, this.#used, 0, len)
    const e = this.#count++
    if (e * FIELDS >= this.#entries.length) {
      const bigger = new Uint32Array(FIELDS * grown(this.#entries.length / FIELDS))
      bigger.set(this.#entries)
      this.#entries = bigger
    }
    const at = e * FIELDS
    const h = hash(key)
    this.#entries[at] = this.#used
    this.#entries[at + 1] = len
    this.#entries[at + 2] = h
    this.#entries[at + 3] = value
    this.#used += len
    this.#place(e, h)
    return e
  }

  /** The tracks rowid of an entry, when numbered. */
  rowid (entry: number): number | null {
    return this.numbered ? entry + 1 : null
  }

  value (entry: number): number {
    return this.#entries[entry * FIELDS + 3]!
  }

  setValue (entry: number, value: number): void {
    this.#entries[entry * FIELDS + 3] = value
  }

  /** The key's UTF-8 bytes into the scratch buffer; their length. */
  #encode (key: string): number {
    if (key.length * 3 > this.#scratch.length) this.#scratch = Buffer.allocUnsafe(key.length * 3)
    return this.#scratch.write(key, 0, 'utf8')
  }

  #place (entry: number, h: number): void {
    const mask = this.#slots.length - 1
    let s = h & mask
    while (this.#slots[s] !== EMPTY) s = (s + 1) & mask
    this.#slots[s] = entry + 1
  }

  #grow (): void {
    this.#slots = new Int32Array(this.#slots.length * 2)
    for (let e = 0; e < this.#count; e++) this.#place(e, this.#entries[e * FIELDS + 2]!)
  }
}

/** Half as much again: a table that grows in steps wastes a third of itself at most, not half. */
function grown (n: number): number {
  return Math.ceil(n * 1.5)
}

function copyInto (to: Buffer, from: Buffer, length: number): Buffer {
  from.copy(to, 0, 0, length)
  return to
}
