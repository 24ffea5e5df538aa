// Whole upstream answers, kept in the proxy's SQLite file under their cache key (cache-key.ts).
// Only good answers (200) are stored, so a 429 or 5xx can never overwrite one (docs/proxy-pitfalls.md
// 1.10 #4). Rows outlive their freshness: the policy decides what is fresh from `storedAt`, and a
// stale row stays here as the fallback for when Spotify cannot answer, until LRU eviction needs
// the room.
import type { Db } from '../db.js'
import { canonicalPath } from './cache-key.js'

/** Timestamps are milliseconds since the epoch. */
export interface CachedResponse {
  status: number
  headers: Record<string, string>
  body: Buffer
  etag: string | null
  storedAt: number
}

/** What the request path needs of the response cache (implemented by ResponseCache; fail-soft.ts wraps it). */
export interface ResponseStore {
  get: (key: string) => CachedResponse | null
  put: (key: string, answer: CachedResponse, meta: { principal: string | null, path: string }) => unknown
  /** A 304 from upstream: what is held is fresh again. */
  refresh: (key: string) => unknown
  invalidate: (opts: { pathPrefix: string, principal?: string | null }) => number
}

export interface ResponseCacheOptions {
  /** Upper bound for the sum of row sizes (body + headers + key + path, in bytes). */
  maxBytes: number
  now?: () => number
  /**
   * A hit rewrites `last_used` only when the stored value is at least this old. Writing on every
   * hit would turn each cached read into a WAL commit that competes with imports for the write
   * lock; eviction only needs a rough order, so LRU to within a few seconds is as good. Default 5 s.
   */
  lruResolutionMs?: number
}

export const RESPONSE_CACHE_SCHEMA = `
CREATE TABLE IF NOT EXISTS response_cache (
  key TEXT PRIMARY KEY,
  principal TEXT,                   -- NULL for answers shared by all trusted users (catalog)
  path TEXT NOT NULL,               -- canonicalPath(): decoded path segments, raw query
  status INTEGER NOT NULL,
  headers TEXT NOT NULL,            -- JSON object, lower-case names
  body BLOB NOT NULL,
  etag TEXT,
  stored_at INTEGER NOT NULL,       -- ms; when upstream last produced or confirmed (304) this answer
  last_used INTEGER NOT NULL,       -- ms; LRU order
  size INTEGER NOT NULL             -- bytes the row accounts for
);
CREATE INDEX IF NOT EXISTS response_cache_lru ON response_cache(last_used);
CREATE INDEX IF NOT EXISTS response_cache_path ON response_cache(path);
`

interface Row { status: number, headers: string, body: Buffer, etag: string | null, stored_at: number, last_used: number }

const EVICT_BATCH = 64

/** Answers also kept in memory, most recently used last; small ones only. */
const HOT_ENTRIES = 2048
const HOT_MAX_BODY = 256 * 1024

export class ResponseCache implements ResponseStore {
  readonly #hot = new Map<string, { answer: CachedResponse, touched: number }>()
  readonly #db: Db
  readonly #s
  readonly #maxBytes: number
  readonly #now: () => number
  readonly #lruResolutionMs: number
  // Running totals, summed once on open: each put then costs no table scan. Exact as long as this
  // instance is the only writer of the table (the server process); `resync()` recounts.
  #bytes = 0
  #entries = 0

  constructor (db: Db, opts: ResponseCacheOptions) {
    db.exec(RESPONSE_CACHE_SCHEMA)
    this.#db = db
    this.#maxBytes = opts.maxBytes
    this.#now = opts.now ?? Date.now
    this.#lruResolutionMs = opts.lruResolutionMs ?? 5_000
    this.#s = {
      get: db.prepare('SELECT status, headers, body, etag, stored_at, last_used FROM response_cache WHERE key = ?'),
      touch: db.prepare('UPDATE response_cache SET last_used = ? WHERE key = ?'),
      sizeOf: db.prepare('SELECT size FROM response_cache WHERE key = ?').pluck(),
      upsert: db.prepare(`INSERT OR REPLACE INTO response_cache (key, principal, path, status, headers, body, etag, stored_at, last_used, size)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      refresh: db.prepare('UPDATE response_cache SET stored_at = ?, last_used = max(last_used, ?) WHERE key = ?'),
      delete: db.prepare('DELETE FROM response_cache WHERE key = ? RETURNING size').pluck(),
      oldest: db.prepare('SELECT key, size FROM response_cache WHERE key != ? ORDER BY last_used, stored_at LIMIT ?'),
      // `path = p`, or `p/…`, or `p?…`: range scans on the path index (`/` + 1 = `0`, `?` + 1 = `@`).
      invalidate: db.prepare(`DELETE FROM response_cache
        WHERE (path = :p OR (path >= :p || '/' AND path < :p || '0') OR (path >= :p || '?' AND path < :p || '@'))
          AND (:everyone OR principal IS :principal)
        RETURNING size`).pluck(),
      invalidateUnder: db.prepare(`DELETE FROM response_cache
        WHERE path >= :p AND path < :upper AND (:everyone OR principal IS :principal)
        RETURNING size`).pluck(),
      totals: db.prepare('SELECT count(*) AS entries, coalesce(sum(size), 0) AS bytes FROM response_cache')
    }
    this.resync()
  }

  /** The stored answer, stale or not; null when nothing is stored under `key`. */
  get (key: string): CachedResponse | null {
    const now = this.#now()
    // Hot answers are served from memory: a cache hit then costs no SQLite read at all.
    const hot = this.#hot.get(key)
    if (hot !== undefined) {
      if (now - hot.touched >= this.#lruResolutionMs) {
        this.#s.touch.run(now, key)
        hot.touched = now
      }
      return hot.answer
    }
    const row = this.#s.get.get(key) as Row | undefined
    if (row === undefined) return null
    if (now - row.last_used >= this.#lruResolutionMs) this.#s.touch.run(now, key)
    const answer = {
      status: row.status,
      headers: JSON.parse(row.headers) as Record<string, string>,
      body: row.body,
      etag: row.etag,
      storedAt: row.stored_at
    }
    this.#keepHot(key, answer, now)
    return answer
  }

  #keepHot (key: string, answer: CachedResponse, touched: number): void {
    if (answer.body.length > HOT_MAX_BODY) return
    this.#hot.delete(key)
    if (this.#hot.size >= HOT_ENTRIES) this.#hot.delete(this.#hot.keys().next().value!)
    this.#hot.set(key, { answer, touched })
  }

  /**
   * Stores a 200 answer (anything else is refused: an error must never stand in for a good answer)
   * and evicts least-recently-used rows until the total fits. An answer bigger than the whole cache
   * is refused too. Returns whether the answer was stored.
   */
  put (key: string, answer: CachedResponse, meta: { principal: string | null, path: string }): boolean {
    if (answer.status !== 200) return false
    const headers = JSON.stringify(answer.headers)
    const path = canonicalPath(meta.path)
    const size = answer.body.length + Buffer.byteLength(headers) + Buffer.byteLength(key) + Buffer.byteLength(path)
    if (size > this.#maxBytes) return false
    this.#db.transaction(() => {
      const old = this.#s.sizeOf.get(key) as number | undefined
      this.#s.upsert.run(key, meta.principal, path, answer.status, headers, answer.body, answer.etag, answer.storedAt, this.#now(), size)
      this.#bytes += size - (old ?? 0)
      if (old === undefined) this.#entries++
      this.#evict(key)
    })()
    this.#keepHot(key, answer, this.#now())
    return true
  }

  /** After a 304 revalidation: the stored answer counts as fresh again from `storedAt`. */
  refresh (key: string, storedAt: number = this.#now()): boolean {
    const hot = this.#hot.get(key)
    if (hot !== undefined) hot.answer = { ...hot.answer, storedAt }
    return this.#s.refresh.run(storedAt, this.#now(), key).changes > 0
  }

  delete (key: string): boolean {
    this.#hot.delete(key)
    const size = this.#s.delete.get(key) as number | undefined
    if (size === undefined) return false
    this.#forget([size])
    return true
  }

  /**
   * Drops the answers under `pathPrefix` (after a write through the proxy). The prefix matches
   * whole segments: `/v1/playlists/abc` drops `/v1/playlists/abc`, `…/abc?offset=100` and
   * `…/abc/items`, not `/v1/playlists/abcd`; a prefix ending in `/` or `?` matches as a plain
   * string prefix. `principal` omitted: everyone's rows; null: only shared (catalog) rows; a
   * string: only that principal's rows. Returns how many rows were dropped.
   */
  invalidate (opts: { pathPrefix: string, principal?: string | null }): number {
    // Writes are rare next to reads: forgetting every hot answer is simpler than matching them.
    this.#hot.clear()
    const p = canonicalPath(opts.pathPrefix)
    const filter = { everyone: opts.principal === undefined ? 1 : 0, principal: opts.principal ?? null }
    const last = p.at(-1)
    const sizes = (last === '/' || last === '?'
      ? this.#s.invalidateUnder.all({ ...filter, p, upper: p.slice(0, -1) + (last === '/' ? '0' : '@') })
      : this.#s.invalidate.all({ ...filter, p })) as number[]
    this.#forget(sizes)
    return sizes.length
  }

  stats (): { entries: number, bytes: number } {
    return { entries: this.#entries, bytes: this.#bytes }
  }

  /** Recounts the running totals from the table (e.g. after another process wrote to it). */
  resync (): void {
    this.#hot.clear()
    const t = this.#s.totals.get() as { entries: number, bytes: number }
    this.#entries = t.entries
    this.#bytes = t.bytes
  }

  #evict (keep: string): void {
    while (this.#bytes > this.#maxBytes) {
      const victims = this.#s.oldest.all(keep, EVICT_BATCH) as Array<{ key: string, size: number }>
      if (victims.length === 0) return
      for (const v of victims) {
        this.#s.delete.get(v.key)
        this.#hot.delete(v.key)
        this.#forget([v.size])
        if (this.#bytes <= this.#maxBytes) return
      }
    }
  }

  #forget (sizes: readonly number[]): void {
    for (const s of sizes) this.#bytes -= s
    this.#entries -= sizes.length
  }
}
