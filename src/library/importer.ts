// Folder (or one file) of CSV exports → the SQLite index. Incremental: unchanged files are
// skipped by size+mtime (a touched-but-identical file by hash). The whole import is one
// transaction, so a killed import leaves the previous index exactly as it was. Files are read
// by file-reader.ts, in a worker thread when there is much to read; this module writes.
import { on } from 'node:events'
import path from 'node:path'
import { setImmediate as tick } from 'node:timers/promises'
import { Worker } from 'node:worker_threads'
import { metaValue, type Db } from '../db.js'
import { fileEvents, type FileEvent, type ToRead } from './file-reader.js'
import type { WorkerJob } from './import-worker.js'
import { KeyTable } from './key-table.js'
import { listLibrary, readSources } from './sources.js'
import { printable } from '../terminal-text.js'
import { libraryWriter, type ImportLogger } from './writer.js'

export type { ImportLogger } from './writer.js'

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

export interface ImportOptions {
  logger?: ImportLogger
  onProgress?: (p: ImportProgress) => void
}

interface FileRow { path: string, size: number, mtime_ms: number, sha256: string }

/** Above this many bytes to read, parsing moves to a worker thread (its start-up costs ~50 ms). */
const WORKER_THRESHOLD = 8 * 1024 * 1024

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
    const w = libraryWriter(db, opts.logger, absRoot)
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
    const events = bytes > WORKER_THRESHOLD ? readInWorker(toRead, w.fresh) : readInline(toRead, w.fresh)
    // Files that turned out to be no export at all (a .json or .txt that is none): a folder of
    // nothing else has nothing importable, and changes nothing, as an empty one.
    const noExport: string[] = []
    for await (const e of events) {
      if (e.t === 'skip' && e.quiet === true) noExport.push(e.rel)
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
    if (noExport.length === files.length) {
      db.exec('ROLLBACK')
      return { ...summary(), replaced: null, files: { seen: 0, indexed: 0, unchanged: 0, removed: 0, skipped: 0 }, otherFiles: [...others, ...noExport].sort() }
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
    likedSongs: one('SELECT count(*) FROM liked_songs'),
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

async function * readInline (files: ToRead[], fresh: boolean): AsyncGenerator<FileEvent> {
  const seen = new KeyTable(fresh)
  let i = 0
  for await (const { file, open } of readSources(files)) {
    yield * fileEvents(file, open, seen)
    // Let the progress bar and signal handlers run between files.
    if (i++ % 8 === 7) await tick()
  }
}

/**
 * The reader thread's heap. Its garbage is nearly all short-lived (a row's cells, a batch once
 * posted): a 16 MB young generation (V8's default is up to 48) holds an import's memory ~40 MB
 * lower, for the same time (bench/import.ts).
 */
export const READER_LIMITS = { maxYoungGenerationSizeMb: 16 }

// The worker stays some batches ahead (it waits for an ack per message beyond that: see
// import-worker.ts), so memory holds those batches in flight, not the whole library.
async function * readInWorker (files: ToRead[], fresh: boolean): AsyncGenerator<FileEvent> {
  const workerData = { files, fresh } satisfies WorkerJob
  const options = { workerData, resourceLimits: READER_LIMITS }
  const worker = import.meta.url.endsWith('.ts')
    // Running from TypeScript sources (tests, tsx): the worker thread needs tsx's loader too.
    ? new Worker(`import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then(m => { m.register(); return import(${JSON.stringify(new URL('./import-worker.ts', import.meta.url).href)}) })`, { eval: true, ...options })
    : new Worker(new URL('./import-worker.js', import.meta.url), options)
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
