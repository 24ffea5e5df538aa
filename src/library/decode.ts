// Bytes → text for CSV exports: UTF-8 (with one or two BOMs), UTF-16 LE/BE (Excel "Unicode
// text"), and legacy single-byte files (Excel re-saves, usually Windows-1252). Detection of
// legacy encodings is chardet's; decoding is iconv-lite's.
import { isUtf8 } from 'node:buffer'
import chardet from 'chardet'
import iconv from 'iconv-lite'

export interface DecodedText {
  text: string
  encoding: string
}

export class BinaryFileError extends Error {
  override name = 'BinaryFileError'
}

const lenientUtf8 = new TextDecoder('utf-8')
const LATIN_FAMILY = /^(windows-125\d|iso-8859-\d+)$/i

/** How to turn a file's bytes into text: an encoding, and how many bytes of byte-order mark to drop first. */
export interface EncodingChoice { encoding: string, skip: number }

/**
 * What the first bytes alone decide: a UTF-16 byte-order mark, or NULs (BOM-less UTF-16, or a
 * binary file); null when it takes the whole file (UTF-8, or a legacy code page: utf8OrLegacy).
 */
export function headEncoding (head: Buffer): EncodingChoice | null {
  if (head.length >= 2 && head[0] === 0xff && head[1] === 0xfe) return { encoding: 'utf-16le', skip: 2 }
  if (head.length >= 2 && head[0] === 0xfe && head[1] === 0xff) return { encoding: 'utf-16be', skip: 2 }
  const sample = head.subarray(0, 8192)
  const nulAt = sample.indexOf(0)
  if (nulAt === -1) return null
  // BOM-less UTF-16 shows NULs in every other byte of ASCII text; anything else with NULs is binary.
  const wide = utf16Parity(sample)
  if (wide) return { encoding: `utf-16${wide}`, skip: 0 }
  throw new BinaryFileError(`binary data (NUL byte at offset ${nulAt}), not a CSV export`)
}

/**
 * UTF-8 when the whole file is, or is but for a stray byte or two (`mostlyUtf8`: see
 * mostlyUtf8Counts); otherwise the legacy code page chardet reads in its first 64 KB.
 */
export function utf8OrLegacy (head: Buffer, validUtf8: boolean, mostlyUtf8: boolean): EncodingChoice {
  return { encoding: validUtf8 || mostlyUtf8 ? 'utf-8' : legacyEncoding(head), skip: 0 }
}

/**
 * A UTF-8 export with a stray invalid byte is still UTF-8: decoding it all as Windows-1252 would
 * garble every accented or CJK name to save one character. Legacy text has no valid multi-byte
 * sequences at all, so the ratio tells the two apart. Fed the file's text decoded leniently as UTF-8.
 */
export class MostlyUtf8 {
  #replaced = 0
  #wide = 0

  add (text: string): void {
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i)
      if (c === 0xfffd) this.#replaced++
      else if (c > 0x7f) this.#wide++
    }
  }

  get verdict (): boolean {
    return this.#wide >= 20 * this.#replaced
  }
}

/** Whether bytes that come in pieces are valid UTF-8 as a whole (a character may straddle two pieces). */
export class Utf8Check {
  #valid = true
  #carry: Buffer = Buffer.alloc(0)

  add (piece: Buffer): void {
    if (!this.#valid) return
    const bytes = this.#carry.length === 0 ? piece : Buffer.concat([this.#carry, piece])
    const cut = completeUpTo(bytes)
    this.#valid = isUtf8(bytes.subarray(0, cut))
    this.#carry = Buffer.from(bytes.subarray(cut))
  }

  /** A sequence cut short by the end of the file is not valid. */
  get valid (): boolean {
    return this.#valid && this.#carry.length === 0
  }
}

/** Where the last whole character of `b` ends: a multi-byte one cut short waits for the next piece. */
function completeUpTo (b: Buffer): number {
  let i = b.length - 1
  for (let back = 0; i >= 0 && back < 3 && (b[i]! & 0xc0) === 0x80; back++) i--
  if (i < 0) return b.length
  const lead = b[i]!
  const need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1
  return b.length - i < need ? i : b.length
}

/** A decoder for a file read in pieces: each piece's text (a character split across pieces comes whole with the next). */
export interface PieceDecoder { write: (piece: Buffer) => string, end: () => string }

export function pieceDecoder ({ encoding, skip }: EncodingChoice): PieceDecoder {
  let toSkip = skip
  const dropped = (piece: Buffer): Buffer => {
    if (toSkip === 0) return piece
    const n = Math.min(toSkip, piece.length)
    toSkip -= n
    return piece.subarray(n)
  }
  if (encoding === 'utf-8') {
    const d = new TextDecoder('utf-8')
    return { write: piece => d.decode(dropped(piece), { stream: true }), end: () => d.decode() }
  }
  const d = iconv.getDecoder(encoding)
  return { write: piece => d.write(dropped(piece)), end: () => d.end() ?? '' }
}

/**
 * Decoded text as it should be read: leading byte-order marks dropped (single exports from
 * 2015–2020 start with two: exportify + FileSaver.js), and a BinaryFileError when the text starts
 * with control characters rather than a CSV.
 */
export class TextStart {
  #started = false
  #probe = ''

  /** The text to read of this piece: '' while held back (until enough is seen to judge), then all of it. */
  take (text: string): string {
    if (this.#started) return text
    this.#probe += text
    const stripped = this.#probe.replace(/^\uFEFF+/, '')
    return stripped.length < BINARY_SAMPLE ? '' : this.#release(stripped)
  }

  end (): string {
    return this.#started ? '' : this.#release(this.#probe.replace(/^\uFEFF+/, ''))
  }

  #release (text: string): string {
    this.#started = true
    this.#probe = ''
    if (looksBinary(text)) throw new BinaryFileError('binary data (control characters), not a CSV export')
    return text
  }
}

/** The whole of a file's bytes as text: the steps file-reader.ts takes piece by piece, at once. */
export function decodeCsvBytes (buf: Buffer): DecodedText {
  let choice = headEncoding(buf)
  if (choice === null) {
    const valid = isUtf8(buf)
    let mostly = false
    if (!valid) {
      const m = new MostlyUtf8()
      m.add(lenientUtf8.decode(buf))
      mostly = m.verdict
    }
    choice = utf8OrLegacy(buf.subarray(0, 65536), valid, mostly)
  }
  const d = pieceDecoder(choice)
  const start = new TextStart()
  const text = start.take(d.write(buf) + d.end())
  return { text: text + start.end(), encoding: choice.encoding }
}

function utf16Parity (sample: Buffer): 'le' | 'be' | null {
  let even = 0
  let odd = 0
  const n = sample.length - (sample.length % 2)
  for (let i = 0; i < n; i += 2) {
    if (sample[i] === 0) even++
    if (sample[i + 1] === 0) odd++
  }
  const pairs = n / 2
  if (pairs === 0) return null
  if (odd / pairs > 0.3 && even / pairs < 0.05) return 'le'
  if (even / pairs > 0.3 && odd / pairs < 0.05) return 'be'
  return null
}

function legacyEncoding (head: Buffer): string {
  // The buffer already failed strict UTF-8, so chardet's UTF-8 guess (it makes one for short
  // inputs like `Caf\xE9`) would only turn every accented letter into U+FFFD.
  const candidates = chardet.analyse(head.subarray(0, 65536)).filter(c => !/^(utf-8|ascii)$/i.test(c.name))
  const top = candidates[0]?.name
  // chardet often ranks a sibling Latin code page first for Western text; Excel's Western
  // default (Windows-1252, a superset of Latin-1's printable range) is the likeliest origin.
  if (!top || LATIN_FAMILY.test(top)) return 'windows-1252'
  return iconv.encodingExists(top) ? top : 'windows-1252'
}

const BINARY_SAMPLE = 4096

function looksBinary (text: string): boolean {
  const sample = text.slice(0, BINARY_SAMPLE)
  if (sample.length === 0) return false
  let control = 0
  for (let i = 0; i < sample.length; i++) {
    const c = sample.charCodeAt(i)
    if ((c < 32 && c !== 9 && c !== 10 && c !== 13) || c === 0xfffd) control++
  }
  return control / sample.length > 0.05
}
