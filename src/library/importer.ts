// Folder (or one file) of CSV exports → the SQLite index. Incremental: unchanged files are
// skipped by size+mtime (a touched-but-identical file by hash). The whole import is one
// transaction, so a killed import leaves the previous index exactly as it was.
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { setImmediate as tick } from 'node:timers/promises'
import { parseCsv, detectDelimiter } from './csv-reader.js'
import type { Db } from './db.js'
import { BinaryFileError, decodeCsvBytes } from './decode.js'
import { detectDialect, refineJoiner, UnknownHeaderError } from './headers.js'
import { describePlaylistFile, syntheticPlaylistId } from './playlist-files.js'
import { mergeTracks } from './merge.js'
import { mapRow, RowError } from './row-mapper.js'
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
  const w = writer(db)
  const counts = { seen: files.length, indexed: 0, unchanged: 0, removed: 0, skipped: 0, read: 0, rejected: 0 }
  let replaced = false

  db.exec('BEGIN IMMEDIATE')
  try {
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

  const { records, problems } = parseCsv(text, delimiter)
  // Lines of nothing but delimiters or spaces (Excel leaves them) are blank lines, not rows.
  const [header, ...rows] = records.filter(r => r.cells.some(c => c.trim() !== ''))
  if (!header) return skip('no header row', encoding)
  let dialect
  try {
    dialect = refineJoiner(detectDialect(header.cells, rows.slice(0, 20).map(r => r.cells)), rows.map(r => r.cells))
  } catch (err) {
    if (err instanceof UnknownHeaderError) return skip(err.message, encoding)
    throw err
  }

  const info = describePlaylistFile(rel)
  const { id: playlistId, source } = w.resolvePlaylistId(rel, info.idFromName)
  const addedBy = new Map<string, number>()
  let newest: number | null = null
  let position = 0
  for (const p of problems) w.problem(rel, p.line + lineOffset, p.reason)
  let rejected = problems.length
  for (const r of rows) {
    try {
      const m = mapRow(r.cells, dialect)
      w.track(m.track)
      w.item(playlistId, position++, m.track.key, m.addedAt, m.addedBy)
      if (m.addedBy) addedBy.set(m.addedBy, (addedBy.get(m.addedBy) ?? 0) + 1)
      const at = m.addedAt === null ? NaN : Date.parse(m.addedAt)
      if (!Number.isNaN(at) && (newest === null || at > newest)) newest = at
    } catch (err) {
      if (!(err instanceof RowError)) throw err
      rejected++
      w.problem(rel, r.line + lineOffset, err.message)
      // Every rejection is in the summary; the log names the first few per file, not 10,000 lines.
      if (rejected <= LOGGED_REJECTS_PER_FILE) logger?.warn({ file: rel, line: r.line + lineOffset, reason: err.message }, 'row rejected')
    }
  }
  if (rejected > LOGGED_REJECTS_PER_FILE) logger?.warn({ file: rel, rejected }, `${rejected - LOGGED_REJECTS_PER_FILE} more rows rejected (see the import summary)`)
  const owner = [...addedBy.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? null
  w.playlist({ id: playlistId, path: rel, name: info.name, isLiked: info.isLiked, idSource: source, ownerId: owner, trackCount: position, updatedAt: newest })
  w.fileRow(rel, meta, { status: 'indexed', reason: null, dialect: dialect.name, encoding, rows: rows.length + problems.length, rejected, playlistId })
  return { skipped: false, rows: rows.length + problems.length, rejected }
}

interface FileState { status: 'indexed' | 'skipped', reason: string | null, dialect: string | null, encoding: string | null, rows: number, rejected: number, playlistId: string | null }
interface PlaylistRow { id: string, path: string, name: string, isLiked: boolean, idSource: PlaylistIdSource, ownerId: string | null, trackCount: number, updatedAt: number | null }
type Writer = ReturnType<typeof writer>

// Prepared statements, made once per import.
function writer (db: Db) {
  const s = {
    upsertTrack: db.prepare(`INSERT INTO tracks (key, isrc, year, name, artists, album, genres, richness, data)
      VALUES (@key, @isrc, @year, @name, @artists, @album, @genres, @richness, @data)
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
  return {
    track (incoming: LibraryTrack): void {
      const stored = s.trackData.get(incoming.key) as string | undefined
      const t = stored === undefined ? incoming : mergeTracks(JSON.parse(stored) as LibraryTrack, incoming)
      const data = JSON.stringify(t)
      if (data === stored) return
      s.upsertTrack.run({
        key: t.key,
        isrc: t.isrc,
        year: t.album.releaseDate === null ? null : Number(t.album.releaseDate.slice(0, 4)),
        name: foldText(t.name),
        artists: foldText(t.artists.map(a => a.name).join(' ')),
        album: foldText(t.album.name),
        genres: foldText(t.genres.join(' ')),
        richness: richness(t),
        data
      })
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
      db.exec('DELETE FROM tracks WHERE key NOT IN (SELECT track_key FROM playlist_items)')
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
