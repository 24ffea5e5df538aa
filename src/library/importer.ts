// Folder (or one file) of CSV exports → the SQLite index. Incremental: unchanged files are
// skipped by size+mtime (a touched-but-identical file by hash). The whole import is one
// transaction, so a killed import leaves the previous index exactly as it was. Files are read
// by file-reader.ts, in a worker thread when there is much to read; this module writes.
import { on } from 'node:events'
import path from 'node:path'
import { setImmediate as tick } from 'node:timers/promises'
import { Worker } from 'node:worker_threads'
import { metaValue, TRACK_INDEXES, type Db } from '../db.js'
import { fileEvents, trackRow, type FileEvent, type FileMeta, type ToRead, type TrackRow } from './file-reader.js'
import type { WorkerJob } from './import-worker.js'
import { mergeTracks } from './merge.js'
import { describePlaylistFile, syntheticPlaylistId } from './playlist-files.js'
import { listLibrary, readSources } from './sources.js'
import { printable } from '../terminal-text.js'
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
  /** The library this database held before, when it was another folder (its index is replaced). */
  replaced: string | null
  files: { seen: number, indexed: number, unchanged: number, removed: number, skipped: number }
  rows: { read: number, rejected: number }
  tracks: number
  playlists: number
  likedSongs: number
  /** Liked Songs exports found: with none, saved tracks come only from Spotify. */
  likedFiles: number
  /** Every problem in the library as it now stands (unchanged files keep theirs). */
  problems: ImportProblem[]
  /** Files that are neither CSV nor zip (named in the hint when nothing could be read). */
  otherFiles: string[]
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

/** Above this many bytes to read, parsing moves to a worker thread (its start-up costs ~50 ms). */
const WORKER_THRESHOLD = 8 * 1024 * 1024
const LOGGED_REJECTS_PER_FILE = 20

export async function importLibrary (db: Db, root: string, opts: ImportOptions = {}): Promise<ImportSummary> {
  const started = Date.now()
  const absRoot = path.resolve(root)
  const { files, others } = await listLibrary(absRoot)
  const known = new Map((db.prepare('SELECT path, size, mtime_ms, sha256 FROM library_files').all() as FileRow[]).map(r => [r.path, r]))
  const counts = { seen: files.length, indexed: 0, unchanged: 0, removed: 0, skipped: 0, read: 0, rejected: 0 }
  const indexed = indexedRoot(db)
  const replaced = indexed !== null && indexed !== absRoot && known.size > 0 ? indexed : null
  const summary = (): ImportSummary => ({
    root: absRoot,
    replaced,
    files: { seen: counts.seen, indexed: counts.indexed, unchanged: counts.unchanged, removed: counts.removed, skipped: counts.skipped },
    rows: { read: counts.read, rejected: counts.rejected },
    ...libraryCounts(db),
    problems: (db.prepare('SELECT path AS file, line, reason FROM import_problems ORDER BY path, line').all() as ImportProblem[]),
    otherFiles: others,
    durationMs: Date.now() - started
  })
  // A folder with nothing to read (a wrong path, an export not unpacked where expected) changes
  // nothing: the index, and the library the database remembers, stay as they were.
  if (files.length === 0) return { ...summary(), replaced: null }
  if (replaced !== null) opts.logger?.warn({ from: printable(replaced), to: printable(absRoot), files: known.size }, 'switching libraries: the index of the library this database held is replaced (serve with no path now serves the new one)')
  let filesDone = 0
  const progress = (file: string): void => opts.onProgress?.({ filesDone: ++filesDone, filesTotal: files.length, rows: counts.read, file })

  db.exec('BEGIN IMMEDIATE')
  try {
    const w = writer(db, opts.logger)
    const onDisk = new Set(files.map(f => f.rel))
    for (const old of known.keys()) {
      if (onDisk.has(old)) continue
      w.dropFile(old)
      counts.removed++
    }
    const toRead: ToRead[] = []
    let bytes = 0
    for (const f of files) {
      const prev = known.get(f.rel)
      if (prev && prev.size === f.size && prev.mtime_ms === f.mtimeMs) {
        counts.unchanged++
        progress(f.rel)
      } else {
        toRead.push({ ...f, prevSha256: prev?.sha256 ?? null })
        bytes += f.size
      }
    }
    const events = bytes > WORKER_THRESHOLD ? readInWorker(toRead) : readInline(toRead)
    for await (const e of events) {
      const done = w.apply(e, known.has(e.rel))
      if (done === null) continue
      if (done === 'same') counts.unchanged++
      else if (done === 'skipped') counts.skipped++
      else {
        counts.indexed++
        counts.read += done.rows
        counts.rejected += done.rejected
      }
      progress(e.rel)
    }
    w.finish()
    rememberRoot(db, absRoot)
    db.exec('COMMIT')
  } catch (err) {
    if (db.inTransaction) db.exec('ROLLBACK')
    throw err
  }
  return summary()
}

export function libraryCounts (db: Db): { tracks: number, playlists: number, likedSongs: number, likedFiles: number } {
  const one = (sql: string): number => (db.prepare(sql).pluck().get() as number | undefined) ?? 0
  return {
    tracks: one('SELECT count(*) FROM tracks'),
    playlists: one('SELECT count(*) FROM playlists WHERE is_liked = 0'),
    likedSongs: one('SELECT count(DISTINCT i.track_key) FROM playlist_items i JOIN playlists p ON p.id = i.playlist_id WHERE p.is_liked = 1'),
    likedFiles: one('SELECT count(*) FROM playlists WHERE is_liked = 1')
  }
}

/** The folder (or file) the database's library index was last imported from, or null. */
export function indexedRoot (db: Db): string | null {
  return metaValue(db, 'library_root').get() ?? null
}

function rememberRoot (db: Db, absRoot: string): void {
  metaValue(db, 'library_root').set(absRoot)
}

async function * readInline (files: ToRead[]): AsyncGenerator<FileEvent> {
  const seen = new Map<string, number>()
  let i = 0
  for await (const { file, bytes } of readSources(files)) {
    yield * fileEvents(file, bytes, seen)
    // Let the progress bar and signal handlers run between files.
    if (i++ % 8 === 7) await tick()
  }
}

// The worker stays a few batches ahead (it waits for an ack per message beyond that), so
// memory holds a few batches in flight, not the whole library.
async function * readInWorker (files: ToRead[]): AsyncGenerator<FileEvent> {
  const workerData = { files } satisfies WorkerJob
  const worker = import.meta.url.endsWith('.ts')
    // Running from TypeScript sources (tests, tsx): the worker thread needs tsx's loader too.
    ? new Worker(`import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then(m => { m.register(); return import(${JSON.stringify(new URL('./import-worker.ts', import.meta.url).href)}) })`, { eval: true, workerData })
    : new Worker(new URL('./import-worker.js', import.meta.url), { workerData })
  const stop = new AbortController()
  const exited = new Promise<number>(resolve => worker.once('exit', resolve))
  worker.once('exit', code => { if (code !== 0) stop.abort(new Error(`import worker stopped with exit code ${code}`)) })
  try {
    for await (const [msg] of on(worker, 'message', { signal: stop.signal }) as AsyncIterable<[FileEvent | { t: 'done' }]>) {
      if (msg.t === 'done') return
      yield msg
      worker.postMessage('ack')
    }
  } catch (err) {
    throw stop.signal.aborted && stop.signal.reason instanceof Error ? stop.signal.reason : err
  } finally {
    await worker.terminate()
    await exited
  }
}

interface OpenFile {
  rel: string
  meta: FileMeta
  dialect: string
  encoding: string
  playlistId: string
  idSource: PlaylistIdSource
  position: number
  rows: number
  rejected: number
  addedBy: Map<string, number>
  newest: number | null
}

type Applied = null | 'same' | 'skipped' | { rows: number, rejected: number }

// Prepared statements, made once per import; applies the reader's events in order.
function writer (db: Db, logger?: ImportLogger) {
  const s = {
    upsertTrack: db.prepare(`INSERT INTO tracks (key, isrc, year, name, artists, album, genres, richness, data)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT(key) DO UPDATE SET isrc = excluded.isrc, year = excluded.year, name = excluded.name,
        artists = excluded.artists, album = excluded.album, genres = excluded.genres,
        richness = excluded.richness, data = excluded.data`),
    trackData: db.prepare('SELECT data FROM tracks WHERE key = ?').pluck(),
    item: db.prepare('INSERT INTO playlist_items (playlist_id, position, track_key, added_at, added_by) VALUES (?, ?, ?, ?, ?)'),
    playlist: db.prepare(`INSERT INTO playlists (id, path, name, is_liked, id_source, owner_id, track_count, updated_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
    fileRow: db.prepare(`INSERT OR REPLACE INTO library_files (path, size, mtime_ms, sha256, status, reason, dialect, encoding, rows, rejected, playlist_id)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
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
  let dirty = false
  let replaced = false
  let open: OpenFile | null = null

  const upsert = (t: TrackRow): void => {
    dirty = true
    s.upsertTrack.run(t.key, t.isrc, t.year, t.name, t.artists, t.album, t.genres, t.richness, t.data)
  }
  // What another export (or an earlier import) knew about the track is kept: see merge.ts.
  const track = (t: TrackRow): void => {
    const stored = fresh && t.first ? undefined : s.trackData.get(t.key) as string | undefined
    if (stored === undefined) return upsert(t)
    if (stored === t.data) return
    const merged = trackRow(mergeTracks(JSON.parse(stored) as LibraryTrack, JSON.parse(t.data) as LibraryTrack), false)
    if (merged.data !== stored) upsert(merged)
  }
  const problem = (rel: string, line: number | null, reason: string): void => { s.problem.run(rel, line, reason) }
  const dropFile = (rel: string): void => {
    const id = s.playlistOfPath.get(rel) as string | undefined
    if (id !== undefined) s.dropItems.run(id)
    s.dropPlaylist.run(rel)
    s.dropFile.run(rel)
    s.dropProblems.run(rel)
    replaced = true
  }
  const resolvePlaylistId = (rel: string, fromName: string | null): { id: string, source: PlaylistIdSource } => {
    const link = s.link.get(rel) as { playlist_id: string, source: PlaylistIdSource } | undefined
    const candidates: Array<{ id: string, source: PlaylistIdSource }> = []
    if (link) candidates.push({ id: link.playlist_id, source: link.source })
    if (fromName) candidates.push({ id: fromName, source: 'filename' })
    // Two files naming the same id (a copy of an export): the second one gets its own id.
    for (const c of candidates) if (s.idTaken.get(c.id) === undefined) return c
    return { id: syntheticPlaylistId(rel), source: 'synthetic' }
  }
  const fileRow = (rel: string, meta: FileMeta, status: 'indexed' | 'skipped', reason: string | null, dialect: string | null, encoding: string | null, rows: number, rejected: number, playlistId: string | null): void => {
    s.fileRow.run(rel, meta.size, meta.mtimeMs, meta.sha256, status, reason, dialect, encoding, rows, rejected, playlistId)
  }

  return {
    dropFile,
    /** Applies one event; says what became of a file once its last event is in. */
    apply (e: FileEvent, wasKnown: boolean): Applied {
      switch (e.t) {
        case 'same':
          s.touch.run(e.meta.size, e.meta.mtimeMs, e.rel)
          return 'same'
        case 'skip':
          if (wasKnown) dropFile(e.rel)
          logger?.warn({ file: printable(e.rel), reason: printable(e.reason) }, 'file skipped')
          fileRow(e.rel, e.meta, 'skipped', e.reason, null, e.encoding, 0, 0, null)
          problem(e.rel, null, e.reason)
          return 'skipped'
        case 'begin': {
          if (wasKnown) dropFile(e.rel)
          const { id, source } = resolvePlaylistId(e.rel, describePlaylistFile(e.rel).idFromName)
          open = { rel: e.rel, meta: e.meta, dialect: e.dialect, encoding: e.encoding, playlistId: id, idSource: source, position: 0, rows: 0, rejected: 0, addedBy: new Map(), newest: null }
          return null
        }
        case 'rows': {
          const f = open!
          for (const r of e.rows) {
            f.rows++
            if ('problem' in r) {
              problem(f.rel, r.line, r.problem)
              // Every rejection is in the summary; the log names the first few per file, not 10,000.
              if (++f.rejected <= LOGGED_REJECTS_PER_FILE) logger?.warn({ file: printable(f.rel), line: r.line, reason: printable(r.problem) }, 'row rejected')
              continue
            }
            if (r.track !== null) track(r.track)
            s.item.run(f.playlistId, f.position++, r.key, r.addedAt, r.addedBy)
            if (r.addedBy !== null) f.addedBy.set(r.addedBy, (f.addedBy.get(r.addedBy) ?? 0) + 1)
            const at = r.addedAt === null ? NaN : Date.parse(r.addedAt)
            if (!Number.isNaN(at) && (f.newest === null || at > f.newest)) f.newest = at
          }
          return null
        }
        case 'end': {
          const f = open!
          open = null
          if (f.rejected > LOGGED_REJECTS_PER_FILE) logger?.warn({ file: printable(f.rel), rejected: f.rejected }, `${f.rejected - LOGGED_REJECTS_PER_FILE} more rows rejected (see the import summary)`)
          const info = describePlaylistFile(f.rel)
          const owner = [...f.addedBy.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? null
          s.playlist.run(f.playlistId, f.rel, info.name, info.isLiked ? 1 : 0, f.idSource, owner, f.position, f.newest)
          fileRow(f.rel, f.meta, 'indexed', null, f.dialect, f.encoding, f.rows, f.rejected, f.playlistId)
          return { rows: f.rows, rejected: f.rejected }
        }
      }
    },
    /** Drops tracks no playlist holds any more, then rebuilds the indexes in bulk if needed. */
    finish (): void {
      if (replaced && db.prepare('DELETE FROM tracks WHERE key NOT IN (SELECT track_key FROM playlist_items)').run().changes > 0) dirty = true
      if (fresh) db.exec(TRACK_INDEXES)
      // One bulk rebuild of the search index is far cheaper than maintaining it row by row.
      if (dirty) db.exec("INSERT INTO tracks_fts(tracks_fts) VALUES ('rebuild')")
    }
  }
}
