// Single Spotify entities (full tracks, audio features) harvested from every good upstream answer,
// so a later `/v1/tracks/{id}` or `?ids=` can be answered, or sent upstream for the missing ids
// only, whatever endpoint first brought the entity in. Entities are catalog data (nothing in a
// TrackObject is about the caller); tracks are kept per market because `is_playable`,
// `restrictions` and relinking depend on it.
import type { Db } from '../db.js'
import type { EntityKind } from './assemble.js'

export type SpotifyObject = Record<string, unknown>

// `market` is '' for "no market": NULLs never conflict in a primary key, so upserts would pile up.
export const ENTITY_CACHE_SCHEMA = `
CREATE TABLE IF NOT EXISTS entity_cache (
  kind TEXT NOT NULL,               -- 'track' | 'audio_features'
  id TEXT NOT NULL,
  market TEXT NOT NULL DEFAULT '',  -- the effective market the entity was fetched for; '' for none
  body TEXT NOT NULL,               -- the entity's JSON, as upstream sent it
  stored_at INTEGER NOT NULL,       -- ms
  PRIMARY KEY (kind, id, market)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS entity_cache_age ON entity_cache(stored_at);
`

/** What the request path needs of the per-entity cache (implemented by EntityCache; fail-soft.ts wraps it). */
export interface EntityStore {
  /** Keeps every track and audio features object in a good answer to `path`; returns how many. */
  harvest: (path: string, market: string | null, json: unknown, language?: string | null) => number
  getTracks: (ids: readonly string[], market: string | null, opts?: EntityLookupOptions) => Array<SpotifyObject | null>
  getAudioFeatures: (ids: readonly string[], opts?: EntityLookupOptions) => Array<SpotifyObject | null>
}

export interface EntityLookupOptions {
  /** Entities stored before this time (ms) count as unknown: the caller's freshness rule. */
  minStoredAt?: number
  /** The request's normalised Accept-Language (cache-key.ts requestLanguage): names may be localised. */
  language?: string | null
}

export interface EntityCacheOptions {
  now?: () => number
  /** Upper bound for the stored JSON, in bytes; the oldest entities go first. Default unbounded. */
  maxBytes?: number
}

const EVICT_BATCH = 256

/**
 * The `market` column holds the variant a track was fetched for: its market, and the language
 * when the request named one (`SE|lang=sv`), so a localised name is served only to its language.
 */
function variant (market: string | null, language: string | null | undefined): string {
  return language == null ? market ?? '' : `${market ?? ''}|lang=${language}`
}

interface Found { kind: EntityKind, id: string, market: string, body: string }

export class EntityCache implements EntityStore {
  readonly #db: Db
  readonly #s
  readonly #now: () => number
  readonly #maxBytes: number
  // Running total of stored JSON, summed once on open (this instance is the table's only writer).
  #bytes: number

  constructor (db: Db, opts: EntityCacheOptions = {}) {
    db.exec(ENTITY_CACHE_SCHEMA)
    this.#db = db
    this.#now = opts.now ?? Date.now
    this.#maxBytes = opts.maxBytes ?? Infinity
    this.#s = {
      upsert: db.prepare(`INSERT INTO entity_cache (kind, id, market, body, stored_at) VALUES (?, ?, ?, ?, ?)
        ON CONFLICT (kind, id, market) DO UPDATE SET body = excluded.body, stored_at = excluded.stored_at`),
      get: db.prepare('SELECT body, stored_at FROM entity_cache WHERE kind = ? AND id = ? AND market = ?'),
      many: db.prepare('SELECT id, body, stored_at FROM entity_cache WHERE kind = ? AND market = ? AND id IN (SELECT value FROM json_each(?))'),
      counts: db.prepare('SELECT kind, count(*) AS n FROM entity_cache GROUP BY kind'),
      sizeOf: db.prepare('SELECT length(CAST(body AS BLOB)) FROM entity_cache WHERE kind = ? AND id = ? AND market = ?').pluck(),
      oldest: db.prepare('SELECT kind, id, market, length(CAST(body AS BLOB)) AS size FROM entity_cache ORDER BY stored_at LIMIT ?'),
      delete: db.prepare('DELETE FROM entity_cache WHERE kind = ? AND id = ? AND market = ?'),
      bytes: db.prepare('SELECT coalesce(sum(length(CAST(body AS BLOB))), 0) FROM entity_cache').pluck()
    }
    this.#bytes = this.#s.bytes.get() as number
  }

  /**
   * Stores every full TrackObject and AudioFeaturesObject found anywhere in an upstream answer
   * (track and several-tracks answers, playlist pages and embedded pages under both the old
   * `track`/`tracks` and new `item`/`items` names, saved tracks, search, audio features), in one
   * transaction. `market` is the effective market of the request (`from_token` already resolved).
   * Answers shaped by a `fields` filter are skipped: their "tracks" may miss fields. Returns how
   * many distinct entities were stored.
   */
  harvest (path: string, market: string | null, json: unknown, language?: string | null): number {
    if (hasFieldsFilter(path)) return 0
    const found = findEntities(json, variant(market, language))
    if (found.length === 0) return 0
    const now = this.#now()
    this.#db.transaction(() => {
      for (const f of found) {
        const old = this.#s.sizeOf.get(f.kind, f.id, f.market) as number | undefined
        this.#s.upsert.run(f.kind, f.id, f.market, f.body, now)
        this.#bytes += Buffer.byteLength(f.body) - (old ?? 0)
      }
      this.#evict()
    })()
    return found.length
  }

  /** Forgets every entity. */
  clear (): void {
    this.#db.prepare('DELETE FROM entity_cache').run()
    this.#bytes = 0
  }

  /** Bytes of entity JSON held now. */
  get bytes (): number {
    return this.#bytes
  }

  #evict (): void {
    while (this.#bytes > this.#maxBytes) {
      const victims = this.#s.oldest.all(EVICT_BATCH) as Array<{ kind: string, id: string, market: string, size: number }>
      if (victims.length === 0) return
      for (const v of victims) {
        this.#s.delete.run(v.kind, v.id, v.market)
        this.#bytes -= v.size
        if (this.#bytes <= this.#maxBytes) return
      }
    }
  }

  /** Full tracks for `market` (null: fetched without one), in request order, duplicates kept, null for unknown. */
  getTracks (ids: readonly string[], market: string | null, opts: EntityLookupOptions = {}): Array<SpotifyObject | null> {
    return this.#lookup('track', ids, variant(market, opts.language), opts)
  }

  /** Audio features (market-independent), in request order, duplicates kept, null for unknown. */
  getAudioFeatures (ids: readonly string[], opts: EntityLookupOptions = {}): Array<SpotifyObject | null> {
    return this.#lookup('audio_features', ids, '', opts)
  }

  stats (): { tracks: number, audioFeatures: number } {
    const rows = this.#s.counts.all() as Array<{ kind: string, n: number }>
    const n = (kind: EntityKind): number => rows.find(r => r.kind === kind)?.n ?? 0
    return { tracks: n('track'), audioFeatures: n('audio_features') }
  }

  #lookup (kind: EntityKind, ids: readonly string[], market: string, opts: EntityLookupOptions): Array<SpotifyObject | null> {
    const bodies = new Map<string, string | null>()
    if (ids.length === 1) {
      const row = this.#s.get.get(kind, ids[0], market) as { body: string, stored_at: number } | undefined
      bodies.set(ids[0]!, row !== undefined && row.stored_at >= (opts.minStoredAt ?? -Infinity) ? row.body : null)
    } else {
      // One query for a whole batch (50 or 100 ids), not one per id.
      for (const row of this.#s.many.all(kind, market, JSON.stringify([...new Set(ids)])) as Array<{ id: string, body: string, stored_at: number }>) {
        if (row.stored_at >= (opts.minStoredAt ?? -Infinity)) bodies.set(row.id, row.body)
      }
    }
    // Parsed per position: a duplicated id gets its own object, so callers may edit each in place.
    return ids.map(id => {
      const body = bodies.get(id)
      return body == null ? null : JSON.parse(body) as SpotifyObject
    })
  }
}

function hasFieldsFilter (path: string): boolean {
  const q = path.indexOf('?')
  return q !== -1 && new URLSearchParams(path.slice(q + 1)).has('fields')
}

/**
 * Walks the whole answer (iteratively: a deeply nested body cannot overflow the stack) and
 * collects entities, each (kind, id) once.
 */
function findEntities (json: unknown, market: string): Found[] {
  const found = new Map<string, Found>()
  const stack: unknown[] = [json]
  while (stack.length > 0) {
    const node = stack.pop()
    if (typeof node !== 'object' || node === null) continue
    if (Array.isArray(node)) {
      for (const v of node) stack.push(v)
      continue
    }
    const o = node as SpotifyObject
    const track = fullTrackId(o)
    if (track !== null) {
      found.set(JSON.stringify(['track', track]), { kind: 'track', id: track, market, body: JSON.stringify(o) })
      continue
    }
    if (o.type === 'audio_features' && typeof o.id === 'string' && o.id !== '') {
      found.set(JSON.stringify(['audio_features', o.id]), { kind: 'audio_features', id: o.id, market: '', body: JSON.stringify(o) })
      continue
    }
    for (const v of Object.values(o)) stack.push(v)
  }
  return [...found.values()]
}

/**
 * The id a full TrackObject answers for, or null when `o` is not one. Simplified tracks (inside
 * albums: no `album`) and local files (`is_local: true`, no real id) are not. A relinked track
 * (`linked_from`, when a market was given) is the answer for the id that was asked, so it is
 * stored under `linked_from.id`.
 */
function fullTrackId (o: SpotifyObject): string | null {
  if (o.type !== 'track' || o.is_local === true) return null
  if (typeof o.id !== 'string' || o.id === '') return null
  if (typeof o.album !== 'object' || o.album === null || Array.isArray(o.album) || !Array.isArray(o.artists)) return null
  const linked = o.linked_from
  if (typeof linked === 'object' && linked !== null && typeof (linked as SpotifyObject).id === 'string' && (linked as SpotifyObject).id !== '') {
    return (linked as SpotifyObject).id as string
  }
  return o.id
}
