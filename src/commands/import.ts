// `spotify-csv-proxy import [PATH]`: index the CSV library, with a progress bar on a terminal
// and a summary. Exit codes (CONTRACT.md): 0 every file read, 1 rows or files rejected, 2 fatal.
import { SingleBar, Presets } from 'cli-progress'
import type { Config } from '../config.js'
import { openDatabase } from '../library/db.js'
import { importLibrary, type ImportProgress, type ImportSummary, type ImportLogger } from '../library/importer.js'

export const EXIT_OK = 0
export const EXIT_REJECTED = 1
export const EXIT_FATAL = 2

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
        bar.update(p.filesDone, { rows: p.rows, file: p.file.length > 40 ? `…${p.file.slice(-39)}` : p.file })
      }
    : undefined
  try {
    const summary = await importLibrary(db, config.csvBackupPath, { logger: opts.logger, onProgress })
    bar?.stop()
    opts.out.write(opts.json ? `${JSON.stringify(summary, null, 2)}\n` : formatSummary(summary))
    return summary.problems.length > 0 ? EXIT_REJECTED : EXIT_OK
  } finally {
    bar?.stop()
    db.close()
  }
}

export function formatSummary (s: ImportSummary): string {
  const f = s.files
  const lines = [
    `Indexed ${s.root} in ${(s.durationMs / 1000).toFixed(1)} s`,
    `  files:    ${f.seen} found, ${f.indexed} read, ${f.unchanged} unchanged, ${f.removed} removed, ${f.skipped} skipped`,
    `  rows:     ${s.rows.read} read, ${s.rows.rejected} rejected`,
    `  library:  ${s.tracks} tracks, ${s.playlists} playlists, ${s.likedSongs} liked songs`
  ]
  if (s.problems.length > 0) {
    lines.push(`Problems (${s.problems.length}):`)
    for (const p of s.problems.slice(0, 50)) lines.push(`  ${p.file}${p.line === null ? '' : `:${p.line}`}  ${p.reason}`)
    if (s.problems.length > 50) lines.push(`  … and ${s.problems.length - 50} more (--json lists them all)`)
  }
  return `${lines.join('\n')}\n`
}
