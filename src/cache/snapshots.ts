// A playlist's snapshot_id changes whenever its contents do. Every answer that names one
// (/v1/me/playlists, /v1/users/{id}/playlists, /v1/playlists/{id}) is noted here, so cached pages
// of a playlist stay valid while its snapshot is unchanged, and are dropped when it changes:
// a daily sync re-reads only the playlists that changed.
import type { Db } from '../db.js'

const SCHEMA = `
CREATE TABLE IF NOT EXISTS playlist_snapshots (
  playlist_id TEXT PRIMARY KEY,
  snapshot_id TEXT NOT NULL,
  confirmed_at INTEGER NOT NULL
) WITHOUT ROWID;
`

/** What the request path needs of the snapshot record (implemented by PlaylistSnapshots; fail-soft.ts wraps it). */
export interface SnapshotStore {
  observe: (json: unknown) => string[]
  confirmedSince: (playlistId: string, time: number) => boolean
}

export class PlaylistSnapshots implements SnapshotStore {
  readonly #get
  readonly #put
  readonly #now: () => number

  constructor (db: Db, now: () => number = Date.now) {
    db.exec(SCHEMA)
    this.#now = now
    this.#get = db.prepare('SELECT snapshot_id, confirmed_at FROM playlist_snapshots WHERE playlist_id = ?')
    this.#put = db.prepare('INSERT OR REPLACE INTO playlist_snapshots (playlist_id, snapshot_id, confirmed_at) VALUES (?, ?, ?)')
  }

  /** Notes every playlist snapshot in an answer; returns the ids whose snapshot changed. */
  observe (json: unknown): string[] {
    const changed: string[] = []
    for (const p of playlistsIn(json)) {
      const prev = this.#get.get(p.id) as { snapshot_id: string } | undefined
      if (prev !== undefined && prev.snapshot_id !== p.snapshot) changed.push(p.id)
      this.#put.run(p.id, p.snapshot, this.#now())
    }
    return changed
  }

  /** Was the playlist's snapshot seen unchanged after `time`? Then a page stored then is current. */
  confirmedSince (playlistId: string, time: number): boolean {
    const row = this.#get.get(playlistId) as { confirmed_at: number } | undefined
    return row !== undefined && row.confirmed_at >= time
  }
}

function playlistsIn (json: unknown): Array<{ id: string, snapshot: string }> {
  const out: Array<{ id: string, snapshot: string }> = []
  const add = (v: unknown): void => {
    if (typeof v !== 'object' || v === null) return
    const o = v as Record<string, unknown>
    if (o.type === 'playlist' && typeof o.id === 'string' && typeof o.snapshot_id === 'string') out.push({ id: o.id, snapshot: o.snapshot_id })
  }
  add(json)
  const items = typeof json === 'object' && json !== null ? (json as { items?: unknown }).items : undefined
  if (Array.isArray(items)) items.forEach(add)
  return out
}
