// `spotify-csv-proxy export`: the indexed library out of the database, with no API call and no
// server: every track once, or a playlist's or the Liked Songs' entries, as NDJSON, CSV (Exportify's
// columns, which `import` reads back) or a JSON array. Streamed a page at a time with the output's
// backpressure, so memory stays flat at any size; a progress bar on a terminal.
import { once } from 'node:events'
import fs from 'node:fs'
import type { Writable } from 'node:stream'
import { Presets, SingleBar } from 'cli-progress'
import type { Config } from '../config.js'
import { openDatabase } from '../db.js'
import { exportText, type ExportFormat } from '../library/export-format.js'
import { LibraryExport, parseSince, type ExportItem, type ExportQuery } from '../library/export-reader.js'
import { LibraryStore } from '../library/store.js'
import { printable } from '../terminal-text.js'
import { EXIT_OK } from './exit.js'

export interface ExportCommandOptions {
  format: ExportFormat
  /** A file to write; stdout when absent. */
  out?: string
  /** A playlist's id or name. */
  playlist?: string
  saved?: boolean
  since?: string
  progress: boolean
  /** Where the export goes without --out, and where messages go. */
  stdout: Writable
  stderr: NodeJS.WritableStream
}

export class ExportError extends Error {
  override name = 'ExportError'
}

export async function runExport (config: Config, opts: ExportCommandOptions): Promise<number> {
  const db = openDatabase(config.dbPath)
  try {
    const query = exportQuery(new LibraryStore(db), opts)
    const exporter = new LibraryExport(db)
    const total = exporter.total(query)
    const out = opts.out === undefined ? opts.stdout : fs.createWriteStream(opts.out)
    // A file that cannot be written fails here, before anything is read.
    if (out !== opts.stdout) await once(out, 'ready')
    const bar = opts.progress ? new SingleBar({ format: 'exporting {bar} {value}/{total} items', hideCursor: true, stream: opts.stderr }, Presets.shades_classic) : null
    bar?.start(total, 0)
    let done = 0
    const counted = function * (): Generator<ExportItem[]> {
      for (const items of exporter.pages(query)) {
        yield items
        done += items.length
        bar?.update(done)
      }
    }
    try {
      for (const text of exportText(counted(), opts.format, query, { apiBase: `${config.publicUrl}/v1` })) {
        // One page in flight: the next is read once this one is handed over, whatever the output
        // (a sink that takes every write at once would otherwise never let its callbacks run).
        await new Promise<void>((resolve, reject) => { out.write(text, err => { if (err) reject(err); else resolve() }) })
      }
    } finally {
      bar?.stop()
    }
    if (out !== opts.stdout) {
      out.end()
      await once(out, 'finish')
      opts.stderr.write(`Exported ${done} items to ${printable(opts.out ?? '')}\n`)
    }
    return EXIT_OK
  } finally {
    db.close()
  }
}

function exportQuery (store: LibraryStore, opts: ExportCommandOptions): ExportQuery {
  const q: ExportQuery = {}
  if (opts.playlist !== undefined && opts.saved === true) throw new ExportError('export takes --playlist or --saved, not both')
  if (opts.saved === true) q.saved = true
  if (opts.playlist !== undefined) {
    const byId = store.getPlaylist(opts.playlist)
    const named = byId === null ? store.playlistsNamed(opts.playlist) : [byId]
    if (named.length === 0) throw new ExportError(`no playlist with the id or name ${JSON.stringify(opts.playlist)} in the library`)
    if (named.length > 1) throw new ExportError(`several playlists are named ${JSON.stringify(opts.playlist)}: give its id (${named.map(p => p.id).join(', ')})`)
    q.playlist = named[0]!
  }
  if (opts.since !== undefined) {
    const since = parseSince(opts.since)
    if (since === null) throw new ExportError(`--since ${JSON.stringify(opts.since)} is not a date (YYYY-MM-DD) or an ISO 8601 time`)
    if (q.playlist === undefined && q.saved !== true) throw new ExportError('--since needs --playlist or --saved (only their entries have an added date)')
    q.since = since
  }
  return q
}
