// `spotify-csv-proxy history`: what each import changed in the library (change-log.ts), newest
// first, grouped by import and playlist; --json for scripts.
import type { Config } from '../config.js'
import { openDatabase } from '../db.js'
import { parseSince } from '../library/export-reader.js'
import { ChangeHistory, describeChange, type Change } from '../library/history-log.js'
import { printable, terminalJson } from '../terminal-text.js'
import { EXIT_OK } from './exit.js'

export interface HistoryCommandOptions {
  since?: string
  playlist?: string
  json: boolean
  out: NodeJS.WritableStream
}

export class HistoryError extends Error {
  override name = 'HistoryError'
}

export function runHistory (config: Config, opts: HistoryCommandOptions): number {
  const since = opts.since === undefined ? undefined : parseSince(opts.since)
  if (since === null) throw new HistoryError(`--since ${JSON.stringify(opts.since)} is not a date (YYYY-MM-DD) or an ISO 8601 time`)
  const db = openDatabase(config.dbPath)
  try {
    const changes = new ChangeHistory(db).list({ since: since === undefined ? undefined : since * 1000, playlist: opts.playlist })
    opts.out.write(opts.json ? terminalJson(changes) : formatChanges(changes))
    return EXIT_OK
  } finally {
    db.close()
  }
}

export function formatChanges (changes: readonly Change[]): string {
  if (changes.length === 0) return 'No changes recorded (the first import is the baseline; each later one records what it changed).\n'
  const lines: string[] = []
  let at: string | null = null
  let group: string | null = null
  for (const c of changes) {
    if (c.at !== at) {
      at = c.at
      group = null
      lines.push(`Import of ${c.at}`)
    }
    const g = c.playlist === null ? 'tracks' : `playlist "${c.playlist}"`
    if (g !== group) {
      group = g
      lines.push(`  ${printable(g)}`)
    }
    lines.push(`    ${printable(describeChange(c))}`)
  }
  return `${lines.join('\n')}\n`
}
