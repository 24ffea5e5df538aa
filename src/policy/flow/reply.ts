// What the proxy sends back for a /v1 request, and how each kind is built: Spotify's own answer,
// a cached one, one put together from single cached entities, the library's, and the proxy's
// own errors. Every reply says where it came from (X-Proxy-Source) and, when Spotify could not
// answer, why (X-Proxy-Fallback-Reason).
import { spotifyError } from '../../errors.js'
import type { CachedResponse } from '../../cache/response-cache.js'
import { VIA } from '../../upstream/headers.js'
import type { UpstreamResponse } from '../../upstream/types.js'

export type Source = 'upstream' | 'cache' | 'stale' | 'csv' | 'local'
export type FallbackReason = 'rate-limited' | 'quota-exceeded' | 'upstream-5xx' | 'upstream-unreachable' | 'upstream-timeout' | 'auth-expired' | 'endpoint-closed' | 'offline-mode' | 'paced' | 'token-unverified' | 'library-id'

export interface Reply {
  status: number
  /** Read-only: a cache hit's are shared between requests. */
  headers: Readonly<Record<string, string>>
  body: Buffer
  source: Source
  reason: FallbackReason | null
  upstreamStatus: number | null
  upstreamMs: number | null
}

export const JSON_TYPE = 'application/json; charset=utf-8'
/** Fallback answers must not be kept by clients as if Spotify had sent them. */
export const FALLBACK_CACHE_CONTROL = 'private, max-age=0'
/** Where a combined answer's parts came from, least to most degraded. */
export const SOURCE_RANK: Record<Source, number> = { upstream: 0, cache: 1, stale: 2, csv: 3, local: 4 }

export function fromUpstream (a: UpstreamResponse): Reply {
  return { status: a.status, headers: { ...a.headers, via: VIA, 'x-proxy-source': 'upstream' }, body: a.body, source: 'upstream', reason: null, upstreamStatus: a.status, upstreamMs: a.ms }
}

/** A reply that also says what Spotify answered, and how fast (for logs and metrics). */
export function withUpstream (r: Reply, a: { status: number, ms: number } | Reply): Reply {
  return 'upstreamStatus' in a ? { ...r, upstreamStatus: a.upstreamStatus, upstreamMs: a.upstreamMs } : { ...r, upstreamStatus: a.status, upstreamMs: a.ms }
}

// A hit's headers change only with its age: built once per stored answer and second, and shared
// (frozen, so nothing downstream can change them for the next request).
const hitHeaders = new WeakMap<CachedResponse, { age: number, headers: Readonly<Record<string, string>> }>()

export function fromCache (a: CachedResponse, source: 'cache' | 'stale', reason: FallbackReason | null, now: number): Reply {
  const age = Math.max(0, Math.floor((now - a.storedAt) / 1000))
  if (source === 'cache' && reason === null) {
    let memo = hitHeaders.get(a)
    if (memo === undefined || memo.age !== age) {
      memo = { age, headers: Object.freeze({ ...a.headers, age: String(age), 'x-proxy-source': 'cache' }) }
      hitHeaders.set(a, memo)
    }
    return { status: a.status, headers: memo.headers, body: a.body, source, reason, upstreamStatus: null, upstreamMs: null }
  }
  return { status: a.status, headers: { ...a.headers, age: String(age), 'x-proxy-source': source, ...fallbackHeaders(reason) }, body: a.body, source, reason, upstreamStatus: null, upstreamMs: null }
}

/** A JSON body built by the proxy (single cached entities, a fan-out, the library). */
export function built (body: unknown | Buffer, source: Source, reason: FallbackReason | null, extra: Record<string, string> = {}): Reply {
  return {
    status: 200,
    headers: { 'content-type': JSON_TYPE, 'x-proxy-source': source, ...fallbackHeaders(reason), ...extra },
    body: Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body)),
    source,
    reason,
    upstreamStatus: null,
    upstreamMs: null
  }
}

/** The library's answer: its status, and a batch's missing ids counted (X-Proxy-Missing). */
export function fromLibrary (a: { status: number, bytes: Buffer, missing?: number }, reason: FallbackReason): Reply {
  const missing = a.missing !== undefined && a.missing > 0 ? missingHeaders(reason, a.missing) : {}
  return { ...built(a.bytes, 'csv', reason, missing), status: a.status }
}

/** A batch with ids nothing holds: `null` in place (Spotify's shape), counted, and said why. */
export function missingHeaders (reason: FallbackReason | null, missing: number): Record<string, string> {
  return { 'x-proxy-missing': String(missing), ...(reason === null ? {} : { 'x-proxy-fallback-reason': `${reason},not-in-library` }) }
}

/** An error of the proxy's own, in Spotify's shape (`body` replaces the shape, e.g. a 429 like Spotify's). */
export function local (status: number, message: string, reason: FallbackReason | null, extra: Record<string, string> = {}, body?: unknown): Reply {
  return {
    status,
    headers: { 'content-type': JSON_TYPE, 'x-proxy-source': 'local', ...(reason === null ? {} : { 'x-proxy-fallback-reason': reason }), ...extra },
    body: Buffer.from(JSON.stringify(body ?? spotifyError(status, message))),
    source: 'local',
    reason,
    upstreamStatus: null,
    upstreamMs: null
  }
}

/** The proxy's own "nothing holds this" reply (fallback.ts's miss). */
export function isMiss (r: Reply): boolean {
  return r.source === 'local' && (r.headers['x-proxy-fallback-reason'] ?? '').endsWith(',not-in-library')
}

/**
 * The wait on a reply of the proxy's own: always in X-Proxy-Upstream-Retry-After, and as
 * Retry-After only up to `cap` (clients such as spotipy sleep for the whole Retry-After). A 429
 * always carries one, capped.
 */
export function waitHeaders (seconds: number | null, cap: number, is429 = false): Record<string, string> {
  if (seconds === null) return {}
  const wait = Math.max(1, Math.ceil(seconds))
  const h: Record<string, string> = { 'x-proxy-upstream-retry-after': String(wait) }
  if (is429 || wait <= cap) h['retry-after'] = String(Math.min(wait, cap))
  return h
}

function fallbackHeaders (reason: FallbackReason | null): Record<string, string> {
  return reason === null ? {} : { 'x-proxy-fallback-reason': reason, 'cache-control': FALLBACK_CACHE_CONTROL }
}
