// The fallback bench's library: Exportify CSVs from the import bench's seeded generator
// (bench/import.ts), indexed once with the project's importer into a SQLite file kept between
// runs (an unchanged library re-imports in milliseconds), and what the load needs from it: the
// playlists with their ids and sizes, and the ids of its music tracks.
import fs from 'node:fs'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { openDatabase } from '../../src/db.js'
import { importLibrary, type ImportSummary } from '../../src/library/importer.js'
import { LibraryStore } from '../../src/library/store.js'
import { DEFAULT_FILES, DEFAULT_ROWS, DISTINCT_SHARE, ensureLibrary, type Manifest } from '../import.js'

/** Rows per CSV file: 100k tracks → 166,667 rows in 100 files (99 playlists and Liked Songs). */
const ROWS_PER_FILE = 1_666

export interface IndexedLibrary {
  /** The folder of CSV files (SPOTIFY_CSV_BACKUP_PATH). */
  dir: string
  /** The SQLite index built from it, kept between runs. */
  index: string
  manifest: Manifest
  importSeconds: number
  summary: ImportSummary
  /** The import found every file unchanged: the index of an earlier run was reused. */
  reused: boolean
  playlists: Array<{ id: string, name: string, trackCount: number }>
  /** Music tracks (the library's local files have no id), in index order. */
  trackIds: string[]
}

/** Rows and files for a catalogue of `tracks` distinct tracks (the generator repeats tracks across playlists). */
export function librarySize (tracks: number): { rows: number, files: number } {
  const rows = Math.round(tracks / DISTINCT_SHARE)
  return { rows, files: Math.max(3, Math.round(rows / ROWS_PER_FILE)) }
}

/**
 * Generates the library under `workDir` (once; reused while the generator and size are the same)
 * and indexes it (incrementally: an unchanged library is only stat'ed).
 */
export async function prepareLibrary (workDir: string, name: string, tracks: number, regen: boolean, log: (line: string) => void): Promise<IndexedLibrary> {
  const { rows, files } = librarySize(tracks)
  const dir = path.join(workDir, name)
  return await indexLibrary(dir, ensureLibrary(dir, rows, files, regen), path.join(workDir, `${name}.sqlite`), regen, log)
}

/** The import bench's own 1,000,000-row library (in its folder, shared), indexed into `index`. */
export async function prepareImportLibrary (libraryDir: string, index: string, regen: boolean, log: (line: string) => void): Promise<IndexedLibrary> {
  return await indexLibrary(libraryDir, ensureLibrary(libraryDir, DEFAULT_ROWS, DEFAULT_FILES, regen), index, regen, log)
}

async function indexLibrary (dir: string, manifest: Manifest, index: string, regen: boolean, log: (line: string) => void): Promise<IndexedLibrary> {
  if (regen) for (const suffix of ['', '-wal', '-shm']) fs.rmSync(index + suffix, { force: true })

  const t0 = performance.now()
  const db = openDatabase(index)
  try {
    const summary = await importLibrary(db, dir)
    const importSeconds = (performance.now() - t0) / 1000
    const reused = summary.files.unchanged === summary.files.seen && summary.files.removed === 0
    log(reused
      ? `index: reusing ${index} (${summary.files.unchanged} files unchanged, ${importSeconds.toFixed(2)} s)`
      : `index: imported ${summary.rows.read.toLocaleString('en-US')} rows from ${summary.files.indexed} files into ${index} in ${importSeconds.toFixed(1)} s`)

    const store = new LibraryStore(db)
    const playlists: IndexedLibrary['playlists'] = []
    for (let offset = 0, total = 1; offset < total; offset += 50) {
      const page = store.listPlaylists({ limit: 50, offset })
      total = page.total
      for (const p of page.items) playlists.push({ id: p.id, name: p.name, trackCount: p.trackCount })
    }
    // kind 0: music tracks (track-codec.ts), the ones with an id.
    const trackIds = db.prepare('SELECT key FROM tracks WHERE kind = 0 ORDER BY pk').pluck().all() as string[]
    return { dir, index, manifest, importSeconds, summary, reused, playlists, trackIds }
  } finally {
    // Closing checkpoints the WAL, so the file alone is the whole index (it is copied for the server).
    db.close()
  }
}
