// Read side of the change log (change-log.ts): the changes of the imports since a date, for one
// playlist or all, newest import first; for `history`, /admin/history and the dashboard.
import type { Db } from '../db.js'
import type { ChangeKind } from './change-log.js'

export interface Change {
  /** When the import that saw it ran (ISO 8601). */
  at: string
  kind: ChangeKind
  playlist: string | null
  track: string | null
  name: string | null
  artists: string | null
  detail: unknown
}

export interface ChangeQuery {
  /** Unix ms: changes of imports at or after it. */
  since?: number
  /** A playlist's name (case aside). */
  playlist?: string
  limit?: number
}

interface Row { at: number, kind: ChangeKind, playlist: string | null, track: string | null, name: string | null, artists: string | null, detail: string | null }

export class ChangeHistory {
  readonly #list
  readonly #fields

  constructor (db: Db) {
    this.#list = db.prepare(`SELECT i.at, c.kind, c.playlist, c.track, c.name, c.artists, c.detail
      FROM library_changes c JOIN library_imports i ON i.pk = c.import
      WHERE i.at >= @since AND (@playlist IS NULL OR c.playlist = @playlist COLLATE NOCASE)
      ORDER BY c.import DESC, c.playlist IS NULL, c.playlist, c.rowid LIMIT @limit`)
    this.#fields = db.prepare(`SELECT i.at, c.detail FROM library_changes c JOIN library_imports i ON i.pk = c.import
      WHERE c.track = ? AND c.kind = 'changed' ORDER BY c.import DESC`).raw()
  }

  /** A track's field changes, newest first: when (ISO 8601), and each changed field's [before, after]. */
  fieldChanges (trackKey: string): Array<{ at: string, fields: Record<string, [unknown, unknown]> }> {
    return (this.#fields.all(trackKey) as Array<[number, string]>).map(([at, detail]) => ({ at: new Date(at).toISOString(), fields: JSON.parse(detail) as Record<string, [unknown, unknown]> }))
  }

  list (q: ChangeQuery = {}): Change[] {
    const rows = this.#list.all({ since: q.since ?? 0, playlist: q.playlist ?? null, limit: q.limit ?? -1 }) as Row[]
    return rows.map(r => ({ ...r, at: new Date(r.at).toISOString(), detail: r.detail === null ? null : JSON.parse(r.detail) as unknown }))
  }
}

/** One line a change, as `history` prints it. */
export function describeChange (c: Change): string {
  const what = c.name === null ? c.track ?? '' : `${c.name}${c.artists === null || c.artists === '' ? '' : ` — ${c.artists}`}`
  const d = (c.detail ?? {}) as Record<string, any>
  switch (c.kind) {
    case 'added': return `+ ${what} (at ${d.at + 1})`
    case 'removed': return `- ${what} (was at ${d.at + 1})`
    case 'moved': return `~ ${what} (${d.from + 1} → ${d.to + 1})`
    case 'gone': return `x ${what}: in no export any more`
    case 'playlist-added': return `+ playlist (${d.tracks} tracks)`
    case 'playlist-removed': return `- playlist (had ${d.tracks} tracks)`
    case 'changed': return `* ${what}: ${Object.entries(d).map(([f, [a, b]]) => `${f} ${JSON.stringify(a)} → ${JSON.stringify(b)}`).join(', ')}`
  }
}
