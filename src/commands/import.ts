// `spotify-csv-proxy import [PATH]`: index the CSV library, with a progress bar on a terminal
// and a summary. Exit codes (README): 0 every file read, 1 rows or files rejected, 2 fatal
// (nothing importable found counts: it is a wrong folder far more often than an empty library).
import { SingleBar, Presets } from 'cli-progress'
import type { Config } from '../config.js'
import { openDatabase } from '../db.js'
import { chooseLibrary, type LibraryChoice } from '../library/identity.js'
import { importLibrary, type ImportProgress, type ImportSummary, type ImportLogger } from '../library/importer.js'
import { LIKED_FILE_NAMES } from '../library/playlist-files.js'
import { printable, terminalJson } from '../terminal-text.js'
import { EXIT_FATAL, EXIT_OK, EXIT_REJECTED } from './exit.js'

export interface ImportCommandOptions {
  json: boolean
  progress: boolean
  logger: ImportLogger
  out: NodeJS.WritableStream
}

export async function runImport (config: Config, opts: ImportCommandOptions): Promise<number> {
  const db = openDatabase(config.dbPath)
  const bar = opts.progress ? new SingleBar({ format: 'importing {bar} {value}/{total} files | {rows} rows | {file}', hideCursor: true, stream: process.stderr }, Presets.shades_classic) : null
  let started = false
  const onProgress = bar
    ? (p: ImportProgress): void => {
        if (!started) { bar.start(p.filesTotal, 0, { rows: 0, file: '' }); started = true }
        const file = printable(p.file)
        bar.update(p.filesDone, { rows: p.rows, file: file.length > 40 ? `…${file.slice(-39)}` : file })
      }
    : undefined
  try {
    const choice = chooseLibrary(config, db)
    const summary = await importLibrary(db, choice.root, { logger: opts.logger, onProgress })
    bar?.stop()
    opts.out.write(opts.json ? terminalJson(summary) : formatSummary(summary, choice))
    if (summary.files.seen === 0) return EXIT_FATAL
    return summary.problems.length > 0 ? EXIT_REJECTED : EXIT_OK
  } finally {
    bar?.stop()
    db.close()
  }
}

export function formatSummary (s: ImportSummary, choice?: LibraryChoice): string {
  const root = printable(s.root)
  if (s.files.seen === 0) return nothingFound(s, choice)
  const f = s.files
  const lines = [
    `Indexed ${root} in ${(s.durationMs / 1000).toFixed(1)} s${choice?.how === 'indexed' ? ' (the library this database indexed; name another folder to switch)' : ''}`,
    `  files:    ${f.seen} found, ${f.indexed} read, ${f.unchanged} unchanged, ${f.removed} removed, ${f.skipped} skipped`,
    `  rows:     ${s.rows.read} read, ${s.rows.rejected} rejected`,
    `  library:  ${s.tracks} tracks, ${s.playlists} playlists, ${s.likedSongs} liked songs`
  ]
  if (s.likedFiles === 0) {
    lines.push(`  liked:    no Liked Songs export found (${LIKED_FILE_NAMES.join(', ')}): saved tracks come only from Spotify`)
  }
  if (s.replaced !== null) {
    lines.push(`  switched: this database held ${printable(s.replaced)}; its index is replaced by ${root}'s, which serve now uses`)
  }
  if (s.problems.length > 0) {
    lines.push(`Problems (${s.problems.length}):`)
    for (const p of s.problems.slice(0, 50)) lines.push(`  ${printable(p.file)}${p.line === null ? '' : `:${p.line}`}  ${printable(p.reason)}`)
    if (s.problems.length > 50) lines.push(`  … and ${s.problems.length - 50} more (--json lists them all)`)
  }
  return `${lines.join('\n')}\n`
}

function nothingFound (s: ImportSummary, choice?: LibraryChoice): string {
  const lines = [
    `Nothing to import: no CSV exports in ${printable(s.root)}.`,
    '  Export your library with Exportify (exportify.net or exportify.app) and put the .csv files, or',
    '  the "Export All" zip (spotify_playlists.zip) as downloaded, in that folder (sub-folders are fine).'
  ]
  if (s.otherFiles.length > 0) {
    const shown = s.otherFiles.slice(0, 5).map(printable).join(', ')
    lines.push(`  It holds ${s.otherFiles.length} other file(s), none of them .csv or .zip: ${shown}${s.otherFiles.length > 5 ? ', …' : ''}`)
  }
  if (choice?.indexed != null) lines.push(`  The index of ${printable(choice.indexed)} is unchanged.`)
  return `${lines.join('\n')}\n`
}
