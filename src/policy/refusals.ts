// Endpoints upstream refused (403 on an endpoint Spotify closed to development-mode apps),
// remembered in SQLite so neither the next request nor the next run asks again: the answer
// comes from the cache, the library or another endpoint straight away. A refusal expires after a
// while (the app may be granted extended quota), and any success on the endpoint clears it.
import type { Db } from '../db.js'

const SCHEMA = `
CREATE TABLE IF NOT EXISTS refused_endpoints (
  endpoint TEXT PRIMARY KEY,   -- e.g. 'GET /v1/tracks?ids' (the endpoint table's closed names, src/endpoints.ts)
  status INTEGER NOT NULL,
  refused_at INTEGER NOT NULL  -- ms
);
`

/** Asked again after a day: extended quota, or Spotify reopening an endpoint, is then noticed. */
export const REFUSAL_TTL_MS = 24 * 60 * 60 * 1000

export class RefusedEndpoints {
  readonly #s
  readonly #now: () => number
  readonly #ttlMs: number
  // Every upstream-bound GET asks; the table is tiny and only this object writes it.
  readonly #memo = new Map<string, number>()

  constructor (db: Db, opts: { now?: () => number, ttlMs?: number } = {}) {
    db.exec(SCHEMA)
    this.#now = opts.now ?? Date.now
    this.#ttlMs = opts.ttlMs ?? REFUSAL_TTL_MS
    this.#s = {
      upsert: db.prepare(`INSERT INTO refused_endpoints (endpoint, status, refused_at) VALUES (?, ?, ?)
        ON CONFLICT(endpoint) DO UPDATE SET status = excluded.status, refused_at = excluded.refused_at`),
      delete: db.prepare('DELETE FROM refused_endpoints WHERE endpoint = ?'),
      all: db.prepare('SELECT endpoint, refused_at FROM refused_endpoints')
    }
    for (const row of this.#s.all.all() as Array<{ endpoint: string, refused_at: number }>) this.#memo.set(row.endpoint, row.refused_at)
  }

  isRefused (endpoint: string | null): boolean {
    if (endpoint === null) return false
    const at = this.#memo.get(endpoint)
    return at !== undefined && this.#now() - at < this.#ttlMs
  }

  refuse (endpoint: string, status: number): void {
    const now = this.#now()
    this.#s.upsert.run(endpoint, status, now)
    this.#memo.set(endpoint, now)
  }

  /** The endpoint answered: it is open (again). */
  clear (endpoint: string): void {
    if (!this.#memo.has(endpoint)) return
    this.#s.delete.run(endpoint)
    this.#memo.delete(endpoint)
  }

  list (): Array<{ endpoint: string, refusedAt: number }> {
    return [...this.#memo].map(([endpoint, refusedAt]) => ({ endpoint, refusedAt }))
  }
}
