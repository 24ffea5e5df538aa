// A library answer as JSON bytes, byte for byte what `Buffer.from(JSON.stringify(body))` gives,
// in under half its CPU on a page of saved tracks and about as much on a playlist page (BENCHMARKS.md,
// fallback section). Two costs are cut:
// - JSON.stringify builds a large result from 16 KB pieces (a rope), which UTF-8 encoding first
//   copies into one flat string; a page of tracks with any name beyond Latin-1 is a two-byte
//   string of ~150-300 KB, allocated anew in V8's large-object space for each answer. Here the
//   answer's outer levels are written member by member and each track (or other deeper value) is
//   stringified on its own: small, flat strings, encoded straight into the answer's buffer.
// - Playlist entries carry their track twice, as `track` and as its February 2026 name `item`
//   (library/shapes.ts): one object, which JSON.stringify writes out twice. Here a value met again
//   (the same object) reuses its text: stringified once, encoded twice (encoding is the cheap part).

/** Levels written member by member; anything deeper is one JSON.stringify call (a track, an album). */
const SPLIT_DEPTH = 3
/** Text shorter than this joins the run of punctuation and small values around it. */
const SMALL = 256

/**
 * glibc's malloc serves a block above its mmap threshold (128 KB at first) with fresh pages from
 * the kernel, and raises that threshold, and the one above which it gives free heap back (to
 * twice as much), to the size of an mmapped block once one is freed (mallopt(3),
 * M_MMAP_THRESHOLD). Answers of 70-300 KB were otherwise written into fresh pages, or into heap
 * given back when a scavenge freed a batch of them: ~60 page faults for a page of 100 playlist
 * entries, about a sixth of its time (BENCHMARKS.md, fallback section). One block of this size,
 * dropped at once, sets both thresholds when the garbage collector frees it. Other allocators
 * just free it.
 */
const MALLOC_THRESHOLD_BLOCK = 8 * 1024 * 1024

/** Lets answers reuse the process's heap (see above); once per process is enough. */
export function raiseMallocThresholds (): void {
  Buffer.allocUnsafeSlow(MALLOC_THRESHOLD_BLOCK)
}

/** The answer's JSON bytes: equal to `Buffer.from(JSON.stringify(body))`. */
export function answerBytes (body: unknown): Buffer {
  if (!splittable(body)) return Buffer.from(JSON.stringify(body))
  const w = new PartsWriter()
  w.value(body, 0)
  return w.bytes()
}

/** Arrays and plain objects: what JSON.stringify writes as members and elements, with no toJSON of its own. */
function splittable (v: unknown): v is object {
  if (typeof v !== 'object' || v === null) return false
  if (Array.isArray(v)) return true
  const proto = Object.getPrototypeOf(v) as unknown
  return (proto === Object.prototype || proto === null) && typeof (v as { toJSON?: unknown }).toJSON !== 'function'
}

/** `"name":`, for the member names answers use again and again (a few dozen). */
const memberNames = new Map<string, string>()
const MEMBER_NAMES_MAX = 1024

function memberName (key: string): string {
  let text = memberNames.get(key)
  if (text === undefined) {
    text = `${JSON.stringify(key)}:`
    if (memberNames.size < MEMBER_NAMES_MAX) memberNames.set(key, text)
  }
  return text
}

class PartsWriter {
  /** The answer's text, in pieces small enough to be flat strings, and their UTF-8 length. */
  readonly #parts: string[] = []
  #size = 0
  /** Punctuation and small values not yet added to the parts. */
  #run = ''
  /**
   * The last large object written whole, and its text: met again (a playlist entry's `track`
   * after its `item`), it is not stringified again. (A Map of every object would give each track
   * an identity hash, which costs more than it saves.)
   */
  #lastObject: unknown = undefined
  #lastText = ''

  value (v: unknown, depth: number): void {
    if (depth >= SPLIT_DEPTH || !splittable(v)) {
      this.#leaf(v)
      return
    }
    if (Array.isArray(v)) {
      this.#run += '['
      for (let i = 0; i < v.length; i++) {
        if (i > 0) this.#run += ','
        const x: unknown = v[i]
        // JSON.stringify writes null for what JSON cannot hold, in an array…
        if (x === undefined || typeof x === 'function' || typeof x === 'symbol') this.#run += 'null'
        else this.value(x, depth + 1)
      }
      this.#run += ']'
      return
    }
    this.#run += '{'
    let first = true
    for (const key of Object.keys(v)) {
      const x: unknown = (v as Record<string, unknown>)[key]
      // …and leaves such members out of an object.
      if (x === undefined || typeof x === 'function' || typeof x === 'symbol') continue
      this.#run += first ? memberName(key) : `,${memberName(key)}`
      first = false
      this.value(x, depth + 1)
    }
    this.#run += '}'
  }

  #leaf (v: unknown): void {
    // The common small values, without a call into JSON.stringify.
    if (v === null || typeof v === 'boolean') {
      this.#run += String(v)
      return
    }
    let text: string
    if (v === this.#lastObject) {
      text = this.#lastText
    } else {
      text = JSON.stringify(v)
      if (text.length < SMALL) {
        this.#run += text
        return
      }
      if (typeof v === 'object' && v !== null) {
        this.#lastObject = v
        this.#lastText = text
      }
    }
    this.#flush()
    this.#push(text)
  }

  #flush (): void {
    if (this.#run === '') return
    this.#push(this.#run)
    this.#run = ''
  }

  #push (text: string): void {
    this.#parts.push(text)
    this.#size += Buffer.byteLength(text)
  }

  bytes (): Buffer {
    this.#flush()
    const out = Buffer.allocUnsafe(this.#size)
    let at = 0
    for (const part of this.#parts) at += out.write(part, at, 'utf8')
    return out
  }
}
