// Shared helpers for library tests: build Exportify CSV files byte for byte, write them to
// real directories, and import them into a real SQLite file. No mocks: every test goes
// through the same decode → parse → map → SQLite path as `spotify-csv-proxy import`.
import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { openDatabase, type Db } from '../../src/db.js'
import { importLibrary, type ImportSummary } from '../../src/library/importer.js'
import { LibraryStore } from '../../src/library/store.js'
import { cliArgs } from './cli.js'

/** The repository root (where `src/cli.ts` lives): the cwd for CLI child processes. */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')

/** The current pavelkomarov header (P10, 2025-05-23 onward), 24 columns. */
export const EXPORTIFY_HEADER = [
  'Track URI', 'Track Name', 'Album Name', 'Artist Name(s)', 'Release Date', 'Duration (ms)',
  'Popularity', 'Explicit', 'Added By', 'Added At', 'Genres', 'Record Label', 'Danceability',
  'Energy', 'Key', 'Loudness', 'Mode', 'Speechiness', 'Acousticness', 'Instrumentalness',
  'Liveness', 'Valence', 'Tempo', 'Time Signature'
] as const

/** Columns the exporter always wraps in quotes: Track, Album and Artist names, Genres, Label. */
export const QUOTED_COLUMNS: ReadonlySet<number> = new Set([1, 2, 3, 10, 11])

/**
 * One CSV line (no line break) the way Exportify writes it since 2025-09-02: the columns in
 * `quoted` are always wrapped in `"…"`, any other cell only when it holds `"`, the delimiter or a
 * line break; `"` inside a quoted cell is doubled (RFC 4180).
 */
export function csvRow (cells: readonly string[], quoted: ReadonlySet<number> = QUOTED_COLUMNS, delimiter = ','): string {
  return cells.map((c, i) => (quoted.has(i) || /["\r\n]/.test(c) || c.includes(delimiter) ? `"${c.replaceAll('"', '""')}"` : c)).join(delimiter)
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'

/** A valid 22-character base62 Spotify id, the same for the same seed. */
export function randomTrackId (seed: string | number): string {
  const digest = createHash('sha256').update(`track:${seed}`).digest()
  let id = ''
  for (let i = 0; i < 22; i++) id += BASE62[digest[i]! % 62]
  return id
}

export interface TrackCellOptions {
  name?: string
  album?: string
  /** Joined with `;` as the current exporter does. */
  artists?: string[]
  /** false: the row stops after Record Label (no audio features, a ragged row). */
  features?: boolean
}

/** The 24 cells (or 12 without features) of one current-format row for track `id`. */
export function trackCells (id: string, o: TrackCellOptions = {}): string[] {
  const base = [
    `spotify:track:${id}`, o.name ?? `Song ${id}`, o.album ?? `Album ${id.slice(0, 4)}`,
    (o.artists ?? ['Artist A', 'Artist B']).join(';'), '2021-03-04', '201000', '42', 'false',
    'someuser', '2024-11-30T02:39:04Z', 'pop,dance pop', 'Label X'
  ]
  if (o.features === false) return base
  return [...base, '0.727', '0.939', '8', '-4.8', '1', '0.0364', '0.0000337', '0', '0.0794', '0.918', '113.331', '4']
}

export interface ExportifyFileOptions {
  /** Start with a UTF-8 BOM, as a single-playlist "Export" does (zip entries have none). */
  bom?: boolean
  /** Replace the header line (written verbatim). */
  header?: string
}

/**
 * A whole current-format file: header, then one line per row, every line ending in `\n`.
 * A row is either cells (quoted with csvRow) or a string written verbatim (for broken lines).
 * Line n of the file is rows[n - 2].
 */
export function exportifyFile (rows: ReadonlyArray<readonly string[] | string>, opts: ExportifyFileOptions = {}): string {
  const lines = [opts.header ?? EXPORTIFY_HEADER.join(',')]
  for (const r of rows) lines.push(typeof r === 'string' ? r : csvRow(r))
  return `${opts.bom === true ? '\uFEFF' : ''}${lines.join('\n')}\n`
}

/** Write files (relative path → text or bytes) under dir, creating folders; returns dir. */
export function writeLibrary (dir: string, files: Record<string, string | Uint8Array>): string {
  for (const [rel, content] of Object.entries(files)) {
    const abs = path.join(dir, rel)
    fs.mkdirSync(path.dirname(abs), { recursive: true })
    fs.writeFileSync(abs, content)
  }
  return dir
}

export interface Imported {
  summary: ImportSummary
  store: LibraryStore
  db: Db
}

/**
 * Import `dir` into the SQLite file `dbFile` (created if missing) and keep the db open for
 * queries. Pass tap's `t` to close it at teardown; otherwise the caller closes `db`.
 */
export async function importInto (dir: string, dbFile: string, t?: { teardown: (fn: () => void) => void }): Promise<Imported> {
  const db = openDatabase(dbFile)
  t?.teardown(() => { if (db.open) db.close() })
  try {
    const summary = await importLibrary(db, dir)
    return { summary, store: new LibraryStore(db), db }
  } catch (err) {
    if (t === undefined) db.close()
    throw err
  }
}

export interface CliResult {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

/** Run `spotify-csv-proxy <args>` in a child process (test/helpers/cli.ts: built or from source) and collect its output. */
export async function runCli (args: readonly string[], timeoutMs = 60_000): Promise<CliResult> {
  return await new Promise(resolve => {
    execFile(process.execPath, cliArgs(args), { cwd: REPO_ROOT, timeout: timeoutMs, maxBuffer: 256 * 1024 * 1024 }, (err, stdout, stderr) => {
      const e = err as (NodeJS.ErrnoException & { code?: number | string, signal?: NodeJS.Signals }) | null
      resolve({
        code: e === null ? 0 : typeof e.code === 'number' ? e.code : null,
        signal: e?.signal ?? null,
        stdout,
        stderr
      })
    })
  })
}
