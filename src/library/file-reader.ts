// One export file → a stream of events for the store: skipped (with why), or a playlist's rows,
// each already mapped, folded and serialised. No database here, so it can run in a worker
// thread while the main thread writes SQLite; the file is streamed, never held whole.
import { createHash } from 'node:crypto'
import { detectDelimiter, MAX_LINE_CHARS, readCsvStream, type CsvItem, type CsvRecord } from './csv-reader.js'
import { BinaryFileError, headEncoding, MostlyUtf8, pieceDecoder, TextStart, Utf8Check, utf8OrLegacy, type EncodingChoice } from './decode.js'
import { detectDialect, joinerOpen, refineJoiner, UnknownHeaderError, type Dialect } from './headers.js'
import { RowError } from './cells.js'
import { mapRow, rowEntry, rowKey } from './row-mapper.js'
import type { KeyTable } from './key-table.js'
import { SourceReadError, type ByteSource, type SourceFile } from './sources.js'
import { encodeAddedAt } from './added-at.js'
import { memoFold, type EncodedTrack } from './track-codec.js'
import { readAccountJson, type Play } from './account-export.js'
import { derivedCells, otherExporterDialect, rowPlaylist } from './other-exporters.js'
import { readTabBackup } from './tab-backup.js'
import { entryRow, ROWS_PER_MESSAGE, type EntrySink } from './entry-row.js'

export interface FileMeta { size: number, mtimeMs: number, sha256: string }

/** A rejected row: its line, and why. */
export type ProblemRow = [line: number, problem: string]
/**
 * A playlist entry. Tuples, not objects: a worker posts a million of them, and V8 clones arrays
 * several times faster. `addedAt` as track-codec.ts's encodeAddedAt gives it; `track` null when the
 * row repeats an earlier row of the track (nothing new to store); `first` the first time this
 * reader emits the key (with an empty store there is nothing to merge); `rowid` the track's rowid
 * when the reader numbers them (KeyTable.numbered).
 */
export type EntryRow = [line: number, key: string, addedAt: number | string | null, addedBy: string | null, track: EncodedTrack | null, first: boolean, rowid: number | null]
export type RowEvent = ProblemRow | EntryRow

export type FileEvent =
  | { t: 'same', rel: string, meta: FileMeta }
  /** `quiet`: a file that is no export at all (the account export's other JSON files): no problem to report. */
  | { t: 'skip', rel: string, meta: FileMeta, reason: string, encoding: string | null, quiet?: boolean }
  /** `parts`: the file holds several playlists (or none), each begun by a `part`; else it is one, named by its path. */
  | { t: 'begin', rel: string, meta: FileMeta, dialect: string, encoding: string, parts?: boolean }
  | { t: 'part', rel: string, name: string, isLiked: boolean }
  | { t: 'rows', rel: string, rows: RowEvent[] }
  | { t: 'plays', rel: string, plays: Play[] }
  | { t: 'end', rel: string }

const JSON_FILE = /\.json$/i
const TEXT_FILE = /\.(txt|tsv)$/i

/** A file of the library to read, with the hash it had at the last import (null if new). */
export type ToRead = SourceFile & { prevSha256: string | null }

/** One file's events: read and parsed, or skipped with why it cannot be read at all. */
export async function * fileEvents (f: ToRead, open: ByteSource, seen: KeyTable): AsyncGenerator<FileEvent> {
  // Not hashed: an unreadable file is read again whenever its size or time changes.
  const unreadable = (reason: string): FileEvent => ({ t: 'skip', rel: f.rel, meta: { size: f.size, mtimeMs: f.mtimeMs, sha256: '' }, reason, encoding: null })
  if (f.unreadable !== null) {
    yield unreadable(f.unreadable)
    return
  }
  let begun = false
  try {
    for await (const e of readExportFile(f.rel, open, f.mtimeMs, f.prevSha256, seen)) {
      begun ||= e.t === 'begin'
      yield e
    }
  } catch (err) {
    // A CSV inside an archive that breaks off is read whole once before any row is given, so it
    // fails there, before its rows; later, only a file replaced meanwhile would (the import fails).
    if (begun || !(err instanceof SourceReadError)) throw err
    yield unreadable(err.message)
  }
}

/**
 * Reads one file, streamed: memory holds a piece of it and a batch of rows, whatever its size.
 * It is read in passes, each from the start: the whole of it once for its hash and encoding, its
 * head for the delimiter and the header (a pavelkomarov file from before 2025-09-02 on to its end,
 * for the artist joiner: see refineJoiner), then its rows. `seen` (track key → row signature)
 * spans a whole import: a track repeated across playlists repeats its cells but Added By/At, so
 * one hash tells that nothing new is in the row.
 */
export async function * readExportFile (rel: string, open: ByteSource, mtimeMs: number, prevSha256: string | null, seen: KeyTable): AsyncGenerator<FileEvent> {
  const scan = await scanBytes(open())
  const meta = { size: scan.size, mtimeMs, sha256: scan.sha256 }
  if (meta.sha256 === prevSha256) { yield { t: 'same', rel, meta }; return }
  const skip = (reason: string, encoding: string | null = null): FileEvent => ({ t: 'skip', rel, meta, reason, encoding })
  if (scan.size === 0) { yield skip('empty file'); return }
  if (TEXT_FILE.test(rel)) {
    if (!scan.validUtf8) { yield skip('a text file that is not valid UTF-8'); return }
    const choice: EncodingChoice = { encoding: 'utf-8', skip: 0 }
    yield * readTabBackup(rel, meta, scan.head.toString('utf8').replace(/^\uFEFF/, ''), () => decodePieces(open(), choice), { seen, fold: memoFold() })
    return
  }
  if (JSON_FILE.test(rel)) {
    if (!scan.validUtf8) { yield skip('a JSON file that is not valid UTF-8'); return }
    yield * readAccountJson(rel, meta, scan.head.toString('utf8').replace(/^\uFEFF/, ''), () => withoutBom(open()), { seen, fold: memoFold() })
    return
  }
  let choice: EncodingChoice
  let head: Head
  try {
    choice = headEncoding(scan.head) ?? utf8OrLegacy(scan.head, scan.validUtf8, !scan.validUtf8 && await mostlyUtf8(open()))
    head = await readHead(decodePieces(open(HEAD_BYTES), choice))
  } catch (err) {
    if (err instanceof BinaryFileError) { yield skip(err.message); return }
    throw err
  }
  const { encoding } = choice
  const records = (pieceBytes?: number): AsyncGenerator<CsvItem[]> => readCsvStream(dropped(decodePieces(open(pieceBytes), choice), head.sepChars), head.delimiter)
  const { header, sample, blank } = await headerOf(records(HEAD_BYTES))
  if (!header) { yield skip(blank ? 'empty file' : 'no header row', encoding); return }
  const headerLine = header.line
  let dialect: Dialect
  try {
    dialect = otherExporterDialect(header.cells) ?? refineJoiner(detectDialect(header.cells, sample), sample)
  } catch (err) {
    if (err instanceof UnknownHeaderError) { yield skip(err.message, encoding); return }
    throw err
  }
  if (joinerOpen(dialect)) dialect = await joinerFromRows(dialect, records(), headerLine)

  yield { t: 'begin', rel, meta, dialect: dialect.name, encoding, parts: dialect.group !== undefined }
  const sink: EntrySink = { seen, fold: memoFold() }
  let batch: RowEvent[] = []
  let playlist: string | null = null
  for await (const items of records()) {
    for (const it of items) {
      if (it.line === headerLine) continue
      // Lines are numbered in the file as the user sees it, so a stripped `sep=` line still counts.
      const line = it.line + head.lineOffset
      if (it.cells === undefined) batch.push([line, it.reason])
      // Lines of nothing but delimiters or spaces (Excel leaves them) are blank lines, not rows.
      else if (!isBlank(it.cells)) {
        if (dialect.group !== undefined) {
          // A file of several playlists: each row says its own (saved albums and artists are no tracks).
          const p = rowPlaylist(it.cells, dialect)
          if (p === null) continue
          if (p.name !== playlist) {
            if (batch.length > 0) { yield { t: 'rows', rel, rows: batch }; batch = [] }
            yield { t: 'part', rel, ...p }
            playlist = p.name
          }
        }
        batch.push(rowEvent(line, derivedCells(it.cells, dialect), dialect, sink))
      }
      if (batch.length >= ROWS_PER_MESSAGE) { yield { t: 'rows', rel, rows: batch }; batch = [] }
    }
  }
  if (batch.length > 0) yield { t: 'rows', rel, rows: batch }
  yield { t: 'end', rel }
}

/** The pieces without a leading UTF-8 byte order mark (JSON allows none). */
async function * withoutBom (pieces: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  let first = true
  for await (const piece of pieces) {
    yield first && piece[0] === 0xef && piece[1] === 0xbb && piece[2] === 0xbf ? piece.subarray(3) : piece
    first = false
  }
}

interface ByteScan { size: number, sha256: string, head: Buffer, validUtf8: boolean }

const HEAD_BYTES = 65536

/** What the encoding decisions need from the whole file: its first 64 KB, and whether it is all valid UTF-8. */
async function scanBytes (pieces: AsyncIterable<Buffer>): Promise<ByteScan> {
  const hash = createHash('sha256')
  const utf8 = new Utf8Check()
  const head: Buffer[] = []
  let size = 0
  for await (const piece of pieces) {
    hash.update(piece)
    utf8.add(piece)
    if (size < HEAD_BYTES) head.push(Buffer.from(piece.subarray(0, HEAD_BYTES - size)))
    size += piece.length
  }
  return { size, sha256: hash.digest('hex'), head: Buffer.concat(head), validUtf8: utf8.valid }
}

/** A file that is not valid UTF-8: is it still UTF-8 but for a stray byte? (decode.ts, MostlyUtf8). */
async function mostlyUtf8 (pieces: AsyncIterable<Buffer>): Promise<boolean> {
  const m = new MostlyUtf8()
  const d = new TextDecoder('utf-8')
  for await (const piece of pieces) m.add(d.decode(piece, { stream: true }))
  m.add(d.decode())
  return m.verdict
}

async function * decodePieces (pieces: AsyncIterable<Buffer>, choice: EncodingChoice): AsyncGenerator<string> {
  const d = pieceDecoder(choice)
  const start = new TextStart()
  for await (const piece of pieces) {
    const text = start.take(d.write(piece))
    if (text !== '') yield text
  }
  const rest = start.take(d.end()) + start.end()
  if (rest !== '') yield rest
}

/** The text without its first `chars` characters (a `sep=` line). */
async function * dropped (texts: AsyncIterable<string>, chars: number): AsyncGenerator<string> {
  let left = chars
  for await (const text of texts) {
    if (left >= text.length) { left -= text.length; continue }
    yield left === 0 ? text : text.slice(left)
    left = 0
  }
}

interface Head {
  delimiter: string
  /** Characters of an Excel `sep=X` first line, read as the delimiter and then skipped. */
  sepChars: number
  lineOffset: number
}

/** The delimiter: from Excel's `sep=` line, else from the header line. */
async function readHead (texts: AsyncIterable<string>): Promise<Head> {
  let start = ''
  for await (const text of texts) {
    start += text
    if (start.includes('\n') || start.length >= MAX_LINE_CHARS) break
  }
  const sep = /^sep=(.)\r?\n/.exec(start)
  const rest = sep === null ? start : start.slice(sep[0].length)
  const delimiter = sep?.[1] ?? detectDelimiter(rest.slice(0, rest.search(/\r?\n|$/)))
  return { delimiter, sepChars: sep?.[0].length ?? 0, lineOffset: sep === null ? 0 : 1 }
}

/** The header (the first record with a cell of text), the 20 rows after it, and whether the file held only blank lines. */
async function headerOf (pieces: AsyncIterable<CsvItem[]>): Promise<{ header?: CsvRecord, sample: string[][], blank: boolean }> {
  let header: CsvRecord | undefined
  let blank = true
  const sample: string[][] = []
  for await (const items of pieces) {
    for (const it of items) {
      blank = false
      if (it.cells === undefined || isBlank(it.cells)) continue
      if (header === undefined) header = it
      else if (sample.push(it.cells) >= 20) return { header, sample, blank }
    }
  }
  return { header, sample, blank }
}

/** Reads the rows after the header until one of them tells the joiner (refineJoiner), or to the end. */
async function joinerFromRows (dialect: Dialect, pieces: AsyncIterable<CsvItem[]>, headerLine: number): Promise<Dialect> {
  for await (const items of pieces) {
    const d = refineJoiner(dialect, rowsOf(items, headerLine))
    if (d !== dialect) return d
  }
  return dialect
}

function * rowsOf (items: readonly CsvItem[], headerLine: number): Generator<string[]> {
  for (const it of items) if (it.cells !== undefined && it.line !== headerLine) yield it.cells
}

/** The signature of a row whose key the row alone does not tell: never equal to signature()'s. */
const UNSIGNED = 0xffffffff

function rowEvent (line: number, cells: string[], d: Dialect, sink: EntrySink): RowEvent {
  const { seen } = sink
  const key = rowKey(cells, d)
  const sig = key === null ? UNSIGNED : signature(cells, d)
  const known = key === null ? -1 : seen.find(key)
  if (known !== -1 && seen.value(known) === sig) {
    const entry = rowEntry(cells, d)
    return [line, key!, encodeAddedAt(entry.addedAt), entry.addedBy, null, false, seen.rowid(known)]
  }
  let m
  try {
    m = mapRow(cells, d)
  } catch (err) {
    if (err instanceof RowError) return [line, err.message]
    throw err
  }
  return entryRow(line, m.track, m.addedAt, m.addedBy, sink, sig)
}

/**
 * FNV-1a over the row's cells but Added By/At. A 32-bit hash is enough here: it is only ever
 * compared with the hash of an earlier row of the same track id, never across tracks.
 */
function signature (cells: string[], d: Dialect): number {
  let h = 0x811c9dc5
  for (let i = 0; i < cells.length; i++) {
    if (i === d.columns.addedAt || i === d.columns.addedBy) continue
    const c = cells[i]!
    for (let j = 0; j < c.length; j++) h = Math.imul(h ^ c.charCodeAt(j), 0x01000193)
    h = Math.imul(h ^ 0x1f, 0x01000193)
  }
  return Math.min(h >>> 0, UNSIGNED - 1)
}

function isBlank (cells: string[]): boolean {
  return cells.every(c => c.trim() === '')
}
