// One export file → a stream of events for the store: skipped (with why), or a playlist's rows,
// each already mapped, folded and serialised. No database here, so it can run in a worker
// thread while the main thread writes SQLite.
import { createHash } from 'node:crypto'
import { detectDelimiter, readCsv, type CsvItem, type CsvRecord } from './csv-reader.js'
import { BinaryFileError, decodeCsvBytes } from './decode.js'
import { detectDialect, refineJoiner, UnknownHeaderError, type Dialect } from './headers.js'
import { mapRow, RowError, rowEntry, rowKey } from './row-mapper.js'
import { foldText } from './search-query.js'
import type { SourceFile } from './sources.js'
import type { LibraryTrack } from './types.js'

export interface FileMeta { size: number, mtimeMs: number, sha256: string }

/** A track ready for the tracks table. */
export interface TrackRow {
  key: string
  /** True the first time this reader emits the key: with an empty store there is nothing to merge. */
  first: boolean
  isrc: string | null
  year: number | null
  name: string
  artists: string
  album: string
  genres: string
  richness: number
  data: string
}

export type RowEvent =
  | { line: number, problem: string }
  | { line: number, key: string, addedAt: string | null, addedBy: string | null, track: TrackRow | null }

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
export function * fileEvents (f: ToRead, bytes: Buffer, seen: Map<string, number>): Generator<FileEvent> {
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
export function * readExportFile (rel: string, bytes: Buffer, mtimeMs: number, prevSha256: string | null, seen: Map<string, number>): Generator<FileEvent> {
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
  let batch: RowEvent[] = []
  for (const it of records()) {
    if (it.line === headerLine) continue
    const line = it.line + lineOffset
    if (it.cells === undefined) batch.push({ line, problem: it.reason })
    // Lines of nothing but delimiters or spaces (Excel leaves them) are blank lines, not rows.
    else if (!isBlank(it.cells)) batch.push(rowEvent(line, it.cells, dialect, seen))
    if (batch.length >= BATCH) { yield { t: 'rows', rel, rows: batch }; batch = [] }
  }
  if (batch.length > 0) yield { t: 'rows', rel, rows: batch }
  yield { t: 'end', rel }
}

function rowEvent (line: number, cells: string[], d: Dialect, seen: Map<string, number>): RowEvent {
  const key = rowKey(cells, d)
  const sig = key === null ? -1 : signature(cells, d)
  if (key !== null && seen.get(key) === sig) return { line, key, ...rowEntry(cells, d), track: null }
  let m
  try {
    m = mapRow(cells, d)
  } catch (err) {
    if (err instanceof RowError) return { line, problem: err.message }
    throw err
  }
  const first = !seen.has(m.track.key)
  seen.set(detach(m.track.key), sig)
  return { line, key: m.track.key, addedAt: m.addedAt, addedBy: m.addedBy, track: trackRow(m.track, first) }
}

export function trackRow (t: LibraryTrack, first: boolean): TrackRow {
  return {
    key: t.key,
    first,
    isrc: t.isrc,
    year: t.album.releaseDate === null ? null : Number(t.album.releaseDate.slice(0, 4)),
    name: foldText(t.name),
    artists: foldText(t.artists.map(a => a.name).join(' ')),
    album: foldText(t.album.name),
    genres: foldText(t.genres.join(' ')),
    richness: richness(t),
    data: JSON.stringify(t)
  }
}

/** How much the library knows about a track: the fuller records rank first in search. */
function richness (t: LibraryTrack): number {
  let n = 0
  for (const v of [t.id, t.isrc, t.album.id, t.album.imageUrl, t.album.releaseDate, t.album.label, t.previewUrl, t.popularity, t.explicit, t.discNumber, t.trackNumber, t.durationMs]) {
    if (v !== null) n++
  }
  if (t.features) n += 3
  if (t.genres.length > 0) n++
  if (t.artists.some(a => a.id !== null)) n++
  return n
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
  return h >>> 0
}

/**
 * A copy of a short string that does not share memory with the file it was cut from: V8 keeps
 * a file's whole text alive behind any substring of it, and `seen` holds one per track.
 */
function detach (s: string): string {
  return Buffer.from(s, 'utf8').toString('utf8')
}

function isBlank (cells: string[]): boolean {
  return cells.every(c => c.trim() === '')
}

function * rowCells (items: Iterable<CsvItem>, headerLine: number): Generator<string[]> {
  for (const it of items) if (it.cells !== undefined && it.line !== headerLine) yield it.cells
}
