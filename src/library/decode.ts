// Bytes → text for CSV exports: UTF-8 (with one or two BOMs), UTF-16 LE/BE (Excel "Unicode
// text"), and legacy single-byte files (Excel re-saves, usually Windows-1252). Detection of
// legacy encodings is chardet's; decoding is iconv-lite's.
import chardet from 'chardet'
import iconv from 'iconv-lite'

export interface DecodedText {
  text: string
  encoding: string
}

export class BinaryFileError extends Error {
  override name = 'BinaryFileError'
}

const utf8 = new TextDecoder('utf-8', { fatal: true })
const lenientUtf8 = new TextDecoder('utf-8')
const LATIN_FAMILY = /^(windows-125\d|iso-8859-\d+)$/i

export function decodeCsvBytes (buf: Buffer): DecodedText {
  if (buf.length >= 2 && buf[0] === 0xff && buf[1] === 0xfe) return done(iconv.decode(buf.subarray(2), 'utf16le'), 'utf-16le')
  if (buf.length >= 2 && buf[0] === 0xfe && buf[1] === 0xff) return done(iconv.decode(buf.subarray(2), 'utf16be'), 'utf-16be')

  const sample = buf.subarray(0, 8192)
  const nulAt = sample.indexOf(0)
  if (nulAt !== -1) {
    // BOM-less UTF-16 shows NULs in every other byte of ASCII text; anything else with NULs is binary.
    const wide = utf16Parity(sample)
    if (wide) return done(iconv.decode(buf, wide === 'le' ? 'utf16le' : 'utf16be'), `utf-16${wide}`)
    throw new BinaryFileError(`binary data (NUL byte at offset ${nulAt}), not a CSV export`)
  }

  try {
    return done(utf8.decode(buf), 'utf-8')
  } catch {
    const lenient = mostlyUtf8(buf)
    if (lenient !== null) return done(lenient, 'utf-8')
    const encoding = legacyEncoding(buf)
    return done(iconv.decode(buf, encoding), encoding)
  }
}

/**
 * A UTF-8 export with a stray invalid byte is still UTF-8: decoding it all as Windows-1252 would
 * garble every accented or CJK name to save one character. Legacy text has no valid multi-byte
 * sequences at all, so the ratio tells the two apart.
 */
function mostlyUtf8 (buf: Buffer): string | null {
  const text = lenientUtf8.decode(buf)
  let replaced = 0
  let wide = 0
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === 0xfffd) replaced++
    else if (c > 0x7f) wide++
  }
  return wide >= 20 * replaced ? text : null
}

function done (raw: string, encoding: string): DecodedText {
  // Single exports from 2015–2020 start with two BOMs (exportify + FileSaver.js).
  const text = raw.replace(/^\uFEFF+/, '')
  if (looksBinary(text)) throw new BinaryFileError('binary data (control characters), not a CSV export')
  return { text, encoding }
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

function legacyEncoding (buf: Buffer): string {
  // The buffer already failed strict UTF-8, so chardet's UTF-8 guess (it makes one for short
  // inputs like `Caf\xE9`) would only turn every accented letter into U+FFFD.
  const candidates = chardet.analyse(buf.subarray(0, 65536)).filter(c => !/^(utf-8|ascii)$/i.test(c.name))
  const top = candidates[0]?.name
  // chardet often ranks a sibling Latin code page first for Western text; Excel's Western
  // default (Windows-1252, a superset of Latin-1's printable range) is the likeliest origin.
  if (!top || LATIN_FAMILY.test(top)) return 'windows-1252'
  return iconv.encodingExists(top) ? top : 'windows-1252'
}

function looksBinary (text: string): boolean {
  const sample = text.slice(0, 4096)
  if (sample.length === 0) return false
  let control = 0
  for (let i = 0; i < sample.length; i++) {
    const c = sample.charCodeAt(i)
    if ((c < 32 && c !== 9 && c !== 10 && c !== 13) || c === 0xfffd) control++
  }
  return control / sample.length > 0.05
}
