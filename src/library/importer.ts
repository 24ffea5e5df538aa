// Folder (or one file) of CSV exports → the SQLite index. Incremental: unchanged files are
// skipped by size+mtime (a touched-but-identical file by hash). The whole import is one
// transaction, so a killed import leaves the previous index exactly as it was.
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { setImmediate as tick } from 'node:timers/promises'
import { detectDelimiter, readCsv, type CsvItem, type CsvRecord } from './csv-reader.js'
import { TRACK_INDEXES, type Db } from './db.js'
import { BinaryFileError, decodeCsvBytes } from './decode.js'
import { detectDialect, refineJoiner, UnknownHeaderError, type Dialect } from './headers.js'
import { describePlaylistFile, syntheticPlaylistId } from './playlist-files.js'
import { mergeTracks } from './merge.js'
import { mapRow, RowError, rowEntry, rowKey } from './row-mapper.js'
import { foldText } from './search-query.js'
import type { LibraryTrack, PlaylistIdSource } from './types.js'

export interface ImportProblem {
  file: string
  /** 1-based line, or null for a whole-file problem. */
  line: number | null
  reason: string
}

export interface ImportProgress {
  filesDone: number
  filesTotal: number
  rows: number
  file: string
}

export interface ImportSummary {
  root: string
  files: { seen: number, indexed: number, unchanged: number, removed: number, skipped: number }
  rows: { read: number, rejected: number }
  tracks: number
  playlists: number
  likedSongs: number
  /** Every problem in the library as it now stands (unchanged files keep theirs). */
  problems: ImportProblem[]
  durationMs: number
}

/** The slice of a pino/Fastify logger the importer uses. */
export interface ImportLogger {
  warn: (obj: object, msg: string) => void
}

export interface ImportOptions {
  logger?: ImportLogger
  onProgress?: (p: ImportProgress) => void
}

interface FileRow { path: string, size: number, mtime_ms: number, sha256: string }

export class LibraryPathError extends Error {
  override name = 'LibraryPathError'
}

export async function importLibrary (db: Db, root: string, opts: ImportOptions = {}): Promise<ImportSummary> {
  const started = Date.now()
  const absRoot = path.resolve(root)
  const files = listCsvFiles(absRoot)
  const known = new Map((db.prepare('SELECT path, size, mtime_ms, sha256 FROM library_files').all() as FileRow[]).map(r => [r.path, r]))
  const counts = { seen: files.length, indexed: 0, unchanged: 0, removed: 0, skipped: 0, read: 0, rejected: 0 }
  let replaced = false

  db.exec('BEGIN IMMEDIATE')
  try {
    const w = writer(db)
    const onDisk = new Set(files.map(f => f.rel))
    for (const old of known.keys()) {
      if (onDisk.has(old)) continue
      w.dropFile(old)
      counts.removed++
      replaced = true
    }
    for (const [i, f] of files.entries()) {
      const prev = known.get(f.rel)
      const stat = fs.statSync(f.abs)
      if (prev && prev.size === stat.size && prev.mtime_ms === Math.trunc(stat.mtimeMs)) {
        counts.unchanged++
      } else {
        const bytes = fs.readFileSync(f.abs)
        const sha256 = createHash('sha256').update(bytes).digest('hex')
        if (prev && prev.sha256 === sha256) {
          w.touchFile(f.rel, stat.size, Math.trunc(stat.mtimeMs))
          counts.unchanged++
        } else {
          if (prev) { w.dropFile(f.rel); replaced = true }
          const r = indexFile(w, f.rel, bytes, { size: stat.size, mtimeMs: Math.trunc(stat.mtimeMs), sha256 }, opts.logger)
          if (r.skipped) counts.skipped++
          else counts.indexed++
          counts.read += r.rows
          counts.rejected += r.rejected
        }
      }
      opts.onProgress?.({ filesDone: i + 1, filesTotal: files.length, rows: counts.read, file: f.rel })
      // Let the progress bar and signal handlers run between files.
      if (i % 8 === 7) await tick()
    }
    if (replaced) w.dropOrphanTracks()
    w.finish()
    db.exec('COMMIT')
  } catch (err) {
    if (db.inTransaction) db.exec('ROLLBACK')
    throw err
  }

  const summary = {
    root: absRoot,
    files: { seen: counts.seen, indexed: counts.indexed, unchanged: counts.unchanged, removed: counts.removed, skipped: counts.skipped },
    rows: { read: counts.read, rejected: counts.rejected },
    ...libraryCounts(db),
    problems: (db.prepare('SELECT path AS file, line, reason FROM import_problems ORDER BY path, line').all() as ImportProblem[]),
    durationMs: Date.now() - started
  }
  return summary
}

export function libraryCounts (db: Db): { tracks: number, playlists: number, likedSongs: number } {
  const one = (sql: string): number => (db.prepare(sql).pluck().get() as number | undefined) ?? 0
  return {
    tracks: one('SELECT count(*) FROM tracks'),
    playlists: one('SELECT count(*) FROM playlists WHERE is_liked = 0'),
    likedSongs: one('SELECT count(DISTINCT i.track_key) FROM playlist_items i JOIN playlists p ON p.id = i.playlist_id WHERE p.is_liked = 1')
  }
}

const LOGGED_REJECTS_PER_FILE = 20

interface FileMeta { size: number, mtimeMs: number, sha256: string }

function indexFile (w: Writer, rel: string, bytes: Buffer, meta: FileMeta, logger?: ImportLogger): { skipped: boolean, rows: number, rejected: number } {
  const skip = (reason: string, encoding: string | null = null): { skipped: true, rows: 0, rejected: 0 } => {
    logger?.warn({ file: rel, reason }, 'file skipped')
    w.fileRow(rel, meta, { status: 'skipped', reason, dialect: null, encoding, rows: 0, rejected: 0, playlistId: null })
    w.problem(rel, null, reason)
    return { skipped: true, rows: 0, rejected: 0 }
  }
  if (bytes.length === 0) return skip('empty file')
  let text: string
  let encoding: string
  try {
    ({ text, encoding } = decodeCsvBytes(bytes))
  } catch (err) {
    if (err instanceof BinaryFileError) return skip(err.message)
    throw err
  }
  let delimiter: string | null = null
  // Lines are numbered in the file as the user sees it, so a stripped `sep=` line still counts.
  let lineOffset = 0
  const sep = /^sep=(.)\r?\n/.exec(text)
  if (sep) { delimiter = sep[1]!; text = text.slice(sep[0].length); lineOffset = 1 }
  if (text.trim() === '') return skip('empty file', encoding)
  const firstLine = text.slice(0, text.search(/\r?\n|$/))
  delimiter ??= detectDelimiter(firstLine)

  // The file is read as a stream of records (twice at most: a look at the head to classify it,
  // then the rows), so memory does not grow with its length.
  const records = (): Generator<CsvItem> => readCsv(text, delimiter)
  let header: CsvRecord | undefined
  const sample: string[][] = []
  for (const it of records()) {
    if (it.cells === undefined || isBlank(it.cells)) continue
    if (header === undefined) header = it
    else if (sample.push(it.cells) >= 20) break
  }
  if (!header) return skip('no header row', encoding)
  const headerLine = header.line
  let dialect
  try {
    dialect = refineJoiner(detectDialect(header.cells, sample), rowCells(records(), headerLine))
  } catch (err) {
    if (err instanceof UnknownHeaderError) return skip(err.message, encoding)
    throw err
  }

  const info = describePlaylistFile(rel)
  const { id: playlistId, source } = w.resolvePlaylistId(rel, info.idFromName)
  const addedBy = new Map<string, number>()
  let newest: number | null = null
  let position = 0
  let rows = 0
  let rejected = 0
  const reject = (line: number, reason: string): void => {
    rejected++
    w.problem(rel, line + lineOffset, reason)
    // Every rejection is in the summary; the log names the first few per file, not 10,000 lines.
    if (rejected <= LOGGED_REJECTS_PER_FILE) logger?.warn({ file: rel, line: line + lineOffset, reason }, 'row rejected')
  }
  for (const it of records()) {
    if (it.line === headerLine) continue
    if (it.cells === undefined) { rows++; reject(it.line, it.reason); continue }
    // Lines of nothing but delimiters or spaces (Excel leaves them) are blank lines, not rows.
    if (isBlank(it.cells)) continue
    rows++
    try {
      const entry = w.row(it.cells, dialect)
      w.item(playlistId, position++, entry.key, entry.addedAt, entry.addedBy)
      if (entry.addedBy) addedBy.set(entry.addedBy, (addedBy.get(entry.addedBy) ?? 0) + 1)
      const at = entry.addedAt === null ? NaN : Date.parse(entry.addedAt)
      if (!Number.isNaN(at) && (newest === null || at > newest)) newest = at
    } catch (err) {
      if (!(err instanceof RowError)) throw err
      reject(it.line, err.message)
    }
  }
  if (rejected > LOGGED_REJECTS_PER_FILE) logger?.warn({ file: rel, rejected }, `${rejected - LOGGED_REJECTS_PER_FILE} more rows rejected (see the import summary)`)
  const owner = [...addedBy.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? null
  w.playlist({ id: playlistId, path: rel, name: info.name, isLiked: info.isLiked, idSource: source, ownerId: owner, trackCount: position, updatedAt: newest })
  w.fileRow(rel, meta, { status: 'indexed', reason: null, dialect: dialect.name, encoding, rows, rejected, playlistId })
  return { skipped: false, rows, rejected }
}

function isBlank (cells: string[]): boolean {
  return cells.every(c => c.trim() === '')
}

function * rowCells (items: Iterable<CsvItem>, headerLine: number): Generator<string[]> {
  for (const it of items) if (it.cells !== undefined && it.line !== headerLine) yield it.cells
}

interface FileState { status: 'indexed' | 'skipped', reason: string | null, dialect: string | null, encoding: string | null, rows: number, rejected: number, playlistId: string | null }
interface PlaylistRow { id: string, path: string, name: string, isLiked: boolean, idSource: PlaylistIdSource, ownerId: string | null, trackCount: number, updatedAt: number | null }
type Writer = ReturnType<typeof writer>

// Prepared statements, made once per import.
function writer (db: Db) {
  const s = {
    upsertTrack: db.prepare(`INSERT INTO tracks (key, isrc, year, name, artists, album, genres, richness, data)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT(key) DO UPDATE SET isrc = excluded.isrc, year = excluded.year, name = excluded.name,
        artists = excluded.artists, album = excluded.album, genres = excluded.genres,
        richness = excluded.richness, data = excluded.data`),
    trackData: db.prepare('SELECT data FROM tracks WHERE key = ?').pluck(),
    item: db.prepare('INSERT INTO playlist_items (playlist_id, position, track_key, added_at, added_by) VALUES (?, ?, ?, ?, ?)'),
    playlist: db.prepare(`INSERT INTO playlists (id, path, name, is_liked, id_source, owner_id, track_count, updated_at)
      VALUES (@id, @path, @name, @isLiked, @idSource, @ownerId, @trackCount, @updatedAt)`),
    fileRow: db.prepare(`INSERT OR REPLACE INTO library_files (path, size, mtime_ms, sha256, status, reason, dialect, encoding, rows, rejected, playlist_id)
      VALUES (@path, @size, @mtimeMs, @sha256, @status, @reason, @dialect, @encoding, @rows, @rejected, @playlistId)`),
    touch: db.prepare('UPDATE library_files SET size = ?, mtime_ms = ? WHERE path = ?'),
    problem: db.prepare('INSERT INTO import_problems (path, line, reason) VALUES (?, ?, ?)'),
    playlistOfPath: db.prepare('SELECT id FROM playlists WHERE path = ?').pluck(),
    dropItems: db.prepare('DELETE FROM playlist_items WHERE playlist_id = ?'),
    dropPlaylist: db.prepare('DELETE FROM playlists WHERE path = ?'),
    dropFile: db.prepare('DELETE FROM library_files WHERE path = ?'),
    dropProblems: db.prepare('DELETE FROM import_problems WHERE path = ?'),
    link: db.prepare('SELECT playlist_id, source FROM playlist_links WHERE path = ?'),
    idTaken: db.prepare('SELECT 1 FROM playlists WHERE id = ?').pluck()
  }
  const fresh = db.prepare('SELECT count(*) FROM tracks').pluck().get() === 0
  // Into an empty table, building the lookup indexes once at the end beats updating them per row.
  if (fresh) db.exec('DROP INDEX IF EXISTS tracks_isrc; DROP INDEX IF EXISTS tracks_name')
  /** track key → signature of the row it was last written from (-1 when it had none). */
  const seen = new Map<string, number>()
  let dirty = false
  return {
    /** Maps a row and stores its track, unless the same track data was stored already. */
    row (cells: string[], d: Dialect): { key: string, addedAt: string | null, addedBy: string | null } {
      const key = rowKey(cells, d)
      // A track repeated across playlists repeats its cells but Added By/At: one hash says so.
      const sig = key === null ? -1 : signature(cells, d)
      if (key !== null && seen.get(key) === sig) return { key, ...rowEntry(cells, d) }
      const m = mapRow(cells, d)
      this.track(m.track)
      seen.set(detach(m.track.key), sig)
      return { key: m.track.key, addedAt: m.addedAt, addedBy: m.addedBy }
    },
    track (incoming: LibraryTrack): void {
      // On a first import there is nothing to merge with but what this import wrote.
      const stored = fresh && !seen.has(incoming.key) ? undefined : s.trackData.get(incoming.key) as string | undefined
      const t = stored === undefined ? incoming : mergeTracks(JSON.parse(stored) as LibraryTrack, incoming)
      const data = JSON.stringify(t)
      if (data === stored) return
      dirty = true
      s.upsertTrack.run(
        t.key,
        t.isrc,
        t.album.releaseDate === null ? null : Number(t.album.releaseDate.slice(0, 4)),
        foldText(t.name),
        foldText(t.artists.map(a => a.name).join(' ')),
        foldText(t.album.name),
        foldText(t.genres.join(' ')),
        richness(t),
        data
      )
    },
    item (playlistId: string, position: number, key: string, addedAt: string | null, addedBy: string | null): void {
      s.item.run(playlistId, position, key, addedAt, addedBy)
    },
    playlist (p: PlaylistRow): void {
      s.playlist.run({ ...p, isLiked: p.isLiked ? 1 : 0 })
    },
    fileRow (rel: string, meta: FileMeta, st: FileState): void {
      s.fileRow.run({ path: rel, ...meta, ...st })
    },
    touchFile (rel: string, size: number, mtimeMs: number): void {
      s.touch.run(size, mtimeMs, rel)
    },
    problem (rel: string, line: number | null, reason: string): void {
      s.problem.run(rel, line, reason)
    },
    dropFile (rel: string): void {
      const id = s.playlistOfPath.get(rel) as string | undefined
      if (id !== undefined) s.dropItems.run(id)
      s.dropPlaylist.run(rel)
      s.dropFile.run(rel)
      s.dropProblems.run(rel)
    },
    dropOrphanTracks (): void {
      if (db.prepare('DELETE FROM tracks WHERE key NOT IN (SELECT track_key FROM playlist_items)').run().changes > 0) dirty = true
    },
    /** One bulk rebuild of the search index is far cheaper than maintaining it row by row. */
    finish (): void {
      if (fresh) db.exec(TRACK_INDEXES)
      if (dirty) db.exec("INSERT INTO tracks_fts(tracks_fts) VALUES ('rebuild')")
    },
    resolvePlaylistId (rel: string, fromName: string | null): { id: string, source: PlaylistIdSource } {
      const link = s.link.get(rel) as { playlist_id: string, source: PlaylistIdSource } | undefined
      const candidates: Array<{ id: string, source: PlaylistIdSource }> = []
      if (link) candidates.push({ id: link.playlist_id, source: link.source })
      if (fromName) candidates.push({ id: fromName, source: 'filename' })
      // Two files naming the same id (a copy of an export): the second one gets its own id.
      for (const c of candidates) if (s.idTaken.get(c.id) === undefined) return c
      return { id: syntheticPlaylistId(rel), source: 'synthetic' }
    }
  }
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

interface CsvFile { abs: string, rel: string }

export function listCsvFiles (absRoot: string): CsvFile[] {
  let st: fs.Stats
  try {
    st = fs.statSync(absRoot)
  } catch {
    throw new LibraryPathError(`library path ${absRoot} does not exist`)
  }
  if (st.isFile()) return [{ abs: absRoot, rel: path.basename(absRoot) }]
  const out: CsvFile[] = []
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      if (e.name.startsWith('.')) continue
      const abs = path.join(dir, e.name)
      if (e.isDirectory()) walk(abs)
      else if (e.isFile() && /\.csv$/i.test(e.name)) out.push({ abs, rel: path.relative(absRoot, abs).split(path.sep).join('/') })
    }
  }
  walk(absRoot)
  return out.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0))
}
