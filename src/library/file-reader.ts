// One export file → a stream of events for the store: skipped (with why), or a playlist's rows,
// each already mapped, folded and serialised. No database here, so it can run in a worker
// thread while the main thread writes SQLite.
import { createHash } from 'node:crypto'
import { detectDelimiter, readCsv, type CsvItem, type CsvRecord } from './csv-reader.js'
import { BinaryFileError, decodeCsvBytes } from './decode.js'
import { detectDialect, refineJoiner, UnknownHeaderError, type Dialect } from './headers.js'
import { mapRow, RowError, rowEntry, rowKey } from './row-mapper.js'
import type { KeyTable } from './key-table.js'
import type { SourceFile } from './sources.js'
import { encodeAddedAt, encodeTrack, memoFold, type EncodedTrack } from './track-codec.js'

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
  | { t: 'skip', rel: string, meta: FileMeta, reason: string, encoding: string | null }
  | { t: 'begin', rel: string, meta: FileMeta, dialect: string, encoding: string }
  | { t: 'rows', rel: string, rows: RowEvent[] }
  | { t: 'end', rel: string }

const BATCH = 2000

/** A file of the library to read, with the hash it had at the last import (null if new). */
export type ToRead = SourceFile & { prevSha256: string | null }

/** One file's events: read and parsed, or skipped with why it cannot be read at all. */
export function * fileEvents (f: ToRead, bytes: Buffer, seen: KeyTable): Generator<FileEvent> {
  if (f.unreadable === null) {
    yield * readExportFile(f.rel, bytes, f.mtimeMs, f.prevSha256, seen)
    return
  }
  // Not hashed: an unreadable file is read again whenever its size or time changes.
  yield { t: 'skip', rel: f.rel, meta: { size: f.size, mtimeMs: f.mtimeMs, sha256: '' }, reason: f.unreadable, encoding: null }
}

/**
 * Reads one file. `seen` (track key → row signature) spans a whole import: a track repeated across
 * playlists repeats its cells but Added By/At, so one hash tells that nothing new is in the row.
 */
export function * readExportFile (rel: string, bytes: Buffer, mtimeMs: number, prevSha256: string | null, seen: KeyTable): Generator<FileEvent> {
  const meta = { size: bytes.length, mtimeMs, sha256: createHash('sha256').update(bytes).digest('hex') }
  if (meta.sha256 === prevSha256) { yield { t: 'same', rel, meta }; return }
  const skip = (reason: string, encoding: string | null = null): FileEvent => ({ t: 'skip', rel, meta, reason, encoding })
  if (bytes.length === 0) { yield skip('empty file'); return }
  let text: string
  let encoding: string
  try {
    ({ text, encoding } = decodeCsvBytes(bytes))
  } catch (err) {
    if (err instanceof BinaryFileError) { yield skip(err.message); return }
    throw err
  }
  let delimiter: string | null = null
  // Lines are numbered in the file as the user sees it, so a stripped `sep=` line still counts.
  let lineOffset = 0
  const sep = /^sep=(.)\r?\n/.exec(text)
  if (sep) { delimiter = sep[1]!; text = text.slice(sep[0].length); lineOffset = 1 }
  if (text.trim() === '') { yield skip('empty file', encoding); return }
  delimiter ??= detectDelimiter(text.slice(0, text.search(/\r?\n|$/)))

  // Records are streamed (twice at most: a look at the head to classify the file, then the rows),
  // so memory does not grow with the file's length.
  const records = (): Generator<CsvItem> => readCsv(text, delimiter)
  let header: CsvRecord | undefined
  const sample: string[][] = []
  for (const it of records()) {
    if (it.cells === undefined || isBlank(it.cells)) continue
    if (header === undefined) header = it
    else if (sample.push(it.cells) >= 20) break
  }
  if (!header) { yield skip('no header row', encoding); return }
  const headerLine = header.line
  let dialect: Dialect
  try {
    dialect = refineJoiner(detectDialect(header.cells, sample), rowCells(records(), headerLine))
  } catch (err) {
    if (err instanceof UnknownHeaderError) { yield skip(err.message, encoding); return }
    throw err
  }

  yield { t: 'begin', rel, meta, dialect: dialect.name, encoding }
  const fold = memoFold()
  let batch: RowEvent[] = []
  for (const it of records()) {
    if (it.line === headerLine) continue
    const line = it.line + lineOffset
    if (it.cells === undefined) batch.push([line, it.reason])
    // Lines of nothing but delimiters or spaces (Excel leaves them) are blank lines, not rows.
    else if (!isBlank(it.cells)) batch.push(rowEvent(line, it.cells, dialect, seen, fold))
    if (batch.length >= BATCH) { yield { t: 'rows', rel, rows: batch }; batch = [] }
  }
  if (batch.length > 0) yield { t: 'rows', rel, rows: batch }
  yield { t: 'end', rel }
}

/** The signature of a row whose key the row alone does not tell: never equal to signature()'s. */
const UNSIGNED = 0xffffffff

function rowEvent (line: number, cells: string[], d: Dialect, seen: KeyTable, fold: (s: string) => string): RowEvent {
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
  let entry = m.track.key === key ? known : seen.find(m.track.key)
  const first = entry === -1
  if (first) entry = seen.add(m.track.key, sig)
  else seen.setValue(entry, sig)
  return [line, m.track.key, encodeAddedAt(m.addedAt), m.addedBy, encodeTrack(m.track, fold), first, seen.rowid(entry)]
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

function * rowCells (items: Iterable<CsvItem>, headerLine: number): Generator<string[]> {
  for (const it of items) if (it.cells !== undefined && it.line !== headerLine) yield it.cells
}
