// The one decision every /v1 request goes through (README, docs/trust.md): fresh cache → upstream →
// on 429/5xx/401/closed endpoint/failure: stale cache → CSV library → upstream's own error (or a
// 502/504 of our own). Every answer says where it came from.
import { requestLanguage } from '../cache/cache-key.js'
import { assembleSeveral, byRequestedId, missingIds, SEVERAL_FIELD } from '../cache/assemble.js'
import type { ProxyMode } from '../config.js'
import { spotifyError } from '../errors.js'
import { forwardRequestHeaders, type IncomingHeaders } from '../upstream/headers.js'
import type { ForwardRequest, UpstreamAnswer, UpstreamClient } from '../upstream/types.js'
import { PacingTimeout, type Pacer } from '../upstream/pacing.js'
import { UpstreamFailure } from '../upstream/types.js'
import type { CircuitBreaker } from './breaker.js'
import { entityRequest, severalPath, type EntityRequest } from './entity-requests.js'
import type { RefusedEndpoints } from './refusals.js'
import { closedEndpoint, ITEMS_PAGE_MAX, lastSearchPage, ownPlaylistsPath, planLibraryContains, planPlaylistTracks, planSearch, translateLibraryWrite, rewriteLinks, SEARCH_LIMIT_REFUSAL, stitchPlaylistPages, stitchSearchPages, translatePlaylistWrite, userPlaylistsOwner, type PlaylistTracksPlan, type SearchPlan } from './shim.js'
import { isQuotaExceeded, retryAfterSeconds, type CooldownStore } from './cooldown.js'
import type { LibraryOwner } from './owner.js'
import type { Identity, TrustStore } from './trust.js'

export type Source = 'upstream' | 'cache' | 'stale' | 'csv' | 'local'
export type FallbackReason = 'rate-limited' | 'quota-exceeded' | 'upstream-5xx' | 'upstream-unreachable' | 'upstream-timeout' | 'auth-expired' | 'endpoint-closed' | 'offline-mode' | 'paced' | 'token-unverified'

export interface ProxyReply {
  status: number
  /** Read-only: a cache hit's are shared between requests. */
  headers: Readonly<Record<string, string>>
  body: Buffer
  source: Source
  reason: FallbackReason | null
  upstreamStatus: number | null
  upstreamMs: number | null
}

export interface StoredAnswer { status: number, headers: Record<string, string>, body: Buffer, etag: string | null, storedAt: number }
export interface AnswerCache {
  get: (key: string) => StoredAnswer | null
  put: (key: string, answer: StoredAnswer, meta: { principal: string | null, path: string }) => unknown
  /** A 304 from upstream: what we hold is fresh again. */
  refresh: (key: string) => unknown
  invalidate: (opts: { pathPrefix: string, principal?: string | null }) => number
}
/** The per-entity cache: tracks and audio features by id, from every answer that held them. */
export interface EntityStore {
  harvest: (path: string, market: string | null, json: unknown, language?: string | null) => number
  getTracks: (ids: readonly string[], market: string | null, opts?: { minStoredAt?: number, language?: string | null }) => Array<Record<string, unknown> | null>
  getAudioFeatures: (ids: readonly string[], opts?: { minStoredAt?: number }) => Array<Record<string, unknown> | null>
}
/** The library's answer: its status and either the JSON body or its serialised bytes (memoised answers). */
export type LibraryAnswerer = (req: { method: string, path: string }, owner: { id: string, displayName: string | null }) => { status: number, body?: unknown, bytes?: Buffer, missing?: number } | null
/**
 * Whose a library answer is: `by-id` (single tracks and audio features asked by id: catalog data
 * any token may read while Spotify cannot be asked) or `owner` (everything else: search results,
 * pages, playlists, /me: the owner's). Null: the library does not answer this request.
 */
export type LibraryScope = (method: string, path: string) => 'by-id' | 'owner' | null
export interface SnapshotStore {
  observe: (json: unknown) => string[]
  confirmedSince: (playlistId: string, time: number) => boolean
}
export type KeyFn = (input: { method: string, path: string, principal: string | null, country: string | null, language: string | null }) => string
export type UserSpecificFn = (path: string) => boolean

export interface FlowDeps {
  settings: {
    mode: ProxyMode
    cacheEnabled: boolean
    /** Seconds an answer to this path counts as fresh (per-endpoint rules, cache/ttl.ts). */
    ttl: (path: string) => number
    fallbackOnRateLimit: boolean
    fallbackOnError: boolean
    fallbackOnAuthError: boolean
    /** How long a request waits for an identical one in flight before asking on its own. */
    coalesceWaitMs: number
    /** The proxy's public API base (`…/v1`), for links in answers it builds or rewrites. */
    publicApiBase: string
    /** Spotify's API bases (`…/v1`) whose links in upstream answers are rewritten to publicApiBase. */
    upstreamApiBases: string[]
    rewriteLinks: boolean
    /** Longest Retry-After on the proxy's own answers; the whole wait goes in X-Proxy-Upstream-Retry-After. */
    maxRetryAfterSeconds: number
    /** SPOTIFY_PROXY_TRUST=owner-on-loopback on a loopback-bound proxy. */
    ownerOnLoopback: boolean
  }
  upstream: UpstreamClient
  /** Spotify's rolling 30 s window, kept client-side: requests queue instead of provoking 429s. */
  pacer: Pacer | null
  cache: AnswerCache | null
  entities: EntityStore | null
  snapshots: SnapshotStore | null
  cacheKey: KeyFn
  userSpecific: UserSpecificFn
  library: LibraryAnswerer | null
  libraryScope: LibraryScope
  trust: TrustStore
  owner: LibraryOwner
  cooldown: CooldownStore
  breaker: CircuitBreaker
  /** Learns real playlist ids from an answer to the library's owner (playlist-learning.ts). */
  learnPlaylists: ((pathname: string, json: unknown) => unknown) | null
  /** Closed endpoints upstream refused (403), not asked again for a while. */
  refusals: RefusedEndpoints
  /** Keeping what an answer taught failed (the answer itself still goes out). */
  onStoreError?: (err: unknown) => void
  /** A token served as the owner's during an outage (owner-on-loopback) that Spotify then refused. */
  onProvisionalRejected?: () => void
  now?: () => number
}

export interface FlowRequest {
  method: string
  /** Validated origin-form target under /v1/. */
  path: string
  /** The client's header fields as received; filtered (forwardRequestHeaders) only when forwarded. */
  headers: IncomingHeaders
  body?: Buffer
  token: string | null
  mode: ProxyMode
}

const JSON_TYPE = 'application/json; charset=utf-8'
const FALLBACK_CACHE_CONTROL = 'private, max-age=0'
// A several-tracks request fanned out to single ones: this many in flight at a time.
const FAN_OUT_CONCURRENCY = 4
// Where a combined answer's parts came from, least to most degraded.
const SOURCE_RANK: Record<Source, number> = { upstream: 0, cache: 1, stale: 2, csv: 3, local: 4 }

// Asking a new token's user: how long its first private answer waits for that, and how many
// tokens are remembered as asked.
const USER_LOOKUP_WAIT_MS = 2_000
const USER_LOOKUP_MEMO = 10_000

/** Thrown when a cooldown started while a request waited for its pacing slot. */
class CooldownStarted extends Error {}

export interface ProxyFlow {
  /** The whole decision: cache, upstream, fallback. */
  handle: (req: FlowRequest) => Promise<ProxyReply>
  /**
   * A fresh cached answer for the request, synchronously, or null: the hot path, which the route
   * tries before `handle` so a cache hit costs no promise, no coalescing and no header filtering.
   */
  fresh: (req: FlowRequest) => ProxyReply | null
}

export function createProxyFlow (deps: FlowDeps): ProxyFlow {
  const now = deps.now ?? Date.now
  const s = deps.settings

  // Identical GETs in flight share one upstream request; only trusted callers share, since an
  // answer fetched with one token may go only to trusted ones.
  const inflight = new Map<string, Promise<ProxyReply>>()
  // Tokens whose user is being asked (GET /v1/me), and tokens asked once already.
  const userLookups = new Map<string, Promise<void>>()
  const userLookupsTried = new Set<string>()
  const hitHeaders = new WeakMap<StoredAnswer, { age: number, headers: Readonly<Record<string, string>> }>()
  // Tokens served as the owner's during an outage (owner-on-loopback), until Spotify judges them.
  const provisional = new Set<string>()
  // The wait the last refused pacing slot projected, for the answers that fell back meanwhile.
  let pacedWaitS: number | null = null

  return { handle, fresh }

  function keyOf (req: FlowRequest, who: Identity, path: string = req.path): string | null {
    return req.method === 'GET' && deps.cache !== null && s.cacheEnabled
      ? deps.cacheKey({ method: req.method, path, principal: who.principal, country: who.country, language: requestLanguage(req.headers['accept-language']) })
      : null
  }

  function fresh (req: FlowRequest): ProxyReply | null {
    if (req.method !== 'GET' || deps.cache === null || !s.cacheEnabled) return null
    const who = deps.trust.identify(req.token)
    return who.trusted ? freshAnswer(req, who, keyOf(req, who)) : null
  }

  /** The cached answer when it may be served without asking upstream, else null. */
  function freshAnswer (req: FlowRequest, who: Identity, key: string | null): ProxyReply | null {
    // An answer fetched with one token is only ever served to trusted tokens (and user-specific
    // ones only to the same user: the key holds the principal).
    if (key === null || !who.trusted) return null
    const mode: ProxyMode = who.local ? 'offline' : req.mode
    if (mode === 'online') return null
    const cached = deps.cache!.get(key)
    if (cached === null) return null
    return ageSeconds(cached) < s.ttl(req.path) || snapshotCurrent(req.path, cached) ? fromCache(cached, 'cache', null) : null
  }

  async function handle (req: FlowRequest): Promise<ProxyReply> {
    const who = deps.trust.identify(req.token)
    // Spotify answers every Web API request without a token 401: it is never asked that.
    if (who.anonymous) return local(401, 'No token provided', null)
    const key = keyOf(req, who)
    if (key === null || !who.trusted) return respond(req, who, key)
    // Requests in different modes may get different answers: they never share one.
    const flight = `${req.mode}|${who.local ? 'local' : 'remote'}|${key}`
    const running = inflight.get(flight)
    if (running !== undefined) {
      const shared = await settledWithin(running, s.coalesceWaitMs)
      if (shared !== null) return { ...shared, headers: { ...shared.headers } }
    }
    const mine = respond(req, who, key)
    inflight.set(flight, mine)
    try {
      return await mine
    } finally {
      if (inflight.get(flight) === mine) inflight.delete(flight)
    }
  }

  async function respond (req: FlowRequest, who: Identity, key: string | null): Promise<ProxyReply> {
    // Proxy-local tokens are never forwarded: the request is answered offline.
    const mode: ProxyMode = who.local ? 'offline' : req.mode
    const isGet = req.method === 'GET'
    const pathOnly = req.path.split('?')[0]!
    const hit = freshAnswer(req, who, key)
    if (hit !== null) return hit
    // Kept for revalidation (If-None-Match) and as the stale fallback.
    const cached = key !== null && who.trusted ? deps.cache!.get(key) : null
    // Tracks and audio features are also known one by one, from every answer that held them:
    // a request whose ids are all known is answered here; one with some known asks upstream
    // only for the rest (through this same flow) and puts the answer together in order.
    const er = isGet && who.trusted && mode !== 'online' ? entityRequest(req.path) : null
    if (er !== null && deps.entities !== null) {
      // Fresh means younger than the TTL (so a TTL of 0 makes nothing fresh).
      const known = entities(er, req, who, now() - s.ttl(req.path) * 1000 + 1)
      if (known.every(e => e !== null)) return fromEntities(er, known, 'cache', null)
      if (!er.single && known.some(e => e !== null)) {
        const missing = missingIds(er.ids, known)
        const subPath = severalPath(er, missing)
        const sub = await respond({ ...req, path: subPath }, who, keyOf(req, who, subPath))
        // The rest held nowhere: what is known goes out, the rest null and counted.
        if (isMiss(sub)) {
          const reason = sub.reason ?? 'offline-mode'
          const headers: Record<string, string> = { 'content-type': JSON_TYPE, 'x-proxy-source': 'cache', 'x-proxy-fallback-reason': `${reason},not-in-library`, 'x-proxy-missing': String(missing.length), 'cache-control': FALLBACK_CACHE_CONTROL }
          const body = assembleSeveral(er.kind, er.ids, known, new Map())
          return { status: 200, headers, body: Buffer.from(JSON.stringify(body)), source: 'cache', reason, upstreamStatus: null, upstreamMs: null }
        }
        if (sub.status !== 200) return sub
        const field = SEVERAL_FIELD[er.kind]
        const got = (JSON.parse(sub.body.toString('utf8')) as Record<string, Array<Record<string, unknown> | null>>)[field] ?? []
        const body = assembleSeveral(er.kind, er.ids, known, byRequestedId(missing, got))
        const headers = { ...sub.headers }
        delete headers.etag
        return { ...sub, headers, body: Buffer.from(JSON.stringify(body)) }
      }
    }

    if (mode === 'offline') return fallback('offline-mode', null)

    // What goes upstream: the request itself, or its 2026 equivalent (shim.ts).
    const plan = isGet ? planPlaylistTracks(req.path) : null
    if (plan !== null && !plan.ok) return local(plan.status, plan.message, null)
    const search = isGet && plan === null ? planSearch(req.path) : null
    // Saved tracks, albums, … are saved, removed and checked through /v1/me/library since 2026.
    const libraryWrite = translateLibraryWrite(req.method, req.path, req.body)
    const contains = isGet ? planLibraryContains(req.path) : null
    let upstreamPath = req.path
    let upstreamBody = req.body
    const write = translatePlaylistWrite(req.method, req.path, req.body)
    if (write !== null) {
      upstreamPath = write.path
      upstreamBody = write.body
    }
    const listOwner = isGet ? userPlaylistsOwner(req.path) : null
    if (listOwner !== null && who.userId === listOwner) upstreamPath = ownPlaylistsPath(req.path)
    const closed = plan === null ? closedEndpoint(req.method, upstreamPath) : null
    // An endpoint upstream refused before is not asked again: several tracks are fetched one by
    // one, anything else is answered from what the proxy holds.
    if (closed !== null && who.trusted && mode !== 'online' && deps.refusals.isRefused(closed)) {
      const several = entityRequest(req.path)
      if (several !== null && several.kind === 'track' && !several.single) return await fanOut(req, several)
      return fallback('endpoint-closed', null)
    }

    // After a cooldown exactly one request probes Spotify; the rest fall back until it reports.
    const gate = deps.cooldown.gate()
    if (!gate.open) return mode === 'online' ? cooldownAnswer() : fallback(gate.cooldown.reason, null)
    if (!deps.breaker.allow()) {
      if (gate.probe) deps.cooldown.unsettled()
      return mode === 'online' ? local(502, 'Spotify could not be reached (the proxy stopped trying for a while)', 'upstream-unreachable', waitHeaders(deps.breaker.secondsLeft())) : fallback('upstream-unreachable', null)
    }

    const headers = forwardRequestHeaders(req.headers)
    let answer: UpstreamAnswer
    try {
      if (plan !== null) {
        answer = await playlistPages(plan.plan, headers)
      } else if (search !== null && deps.refusals.isRefused(SEARCH_LIMIT_REFUSAL)) {
        answer = await searchPages(search, headers)
      } else if (libraryWrite !== null) {
        answer = await sendEach(req.method, libraryWrite, headers)
      } else if (contains !== null) {
        answer = await containsPages(contains, headers)
      } else {
        const forward: ForwardRequest = { method: req.method, path: upstreamPath, headers }
        if (upstreamBody !== undefined && upstreamBody.length > 0) forward.body = upstreamBody
        // Revalidate what we hold instead of refetching it (RFC 9111 §4.3.1).
        if (cached?.etag && forward.headers['if-none-match'] === undefined) forward.headers['if-none-match'] = cached.etag
        answer = await send(forward)
        // Search limits over 10 are refused since February 2026 (not for apps with extended
        // quota): asked again in pages of 10, whose answer (or error: a bad query's own message)
        // is the client's. Remembered only when that works, so a 400 for another reason does
        // not split every later search.
        if (search !== null && answer.status === 400) {
          const paged = await searchPages(search, headers)
          if (paged.status === 200) deps.refusals.refuse(SEARCH_LIMIT_REFUSAL, 400)
          answer = { ...paged, ms: paged.ms + answer.ms }
        }
      }
    } catch (err) {
      // Nothing reached Spotify, or nothing came back: neither gate learned anything.
      if (gate.probe) deps.cooldown.unsettled()
      if (err instanceof PacingTimeout || err instanceof CooldownStarted) deps.breaker.abandon()
      if (err instanceof PacingTimeout) {
        pacedWaitS = Math.max(1, Math.ceil((err.waitMs ?? 1000) / 1000))
        if (s.fallbackOnRateLimit && mode !== 'online') return fallback('paced', null)
        return local(429, 'API rate limit exceeded (the proxy\'s pacing of Spotify\'s 30-second window)', 'paced', waitHeaders(pacedWaitS, true))
      }
      // A 429 started a cooldown while this request was queued: it was never sent into it.
      if (err instanceof CooldownStarted) {
        const late = deps.cooldown.active()
        return late !== null && mode !== 'online' ? fallback(late.reason, null) : cooldownAnswer()
      }
      if (!(err instanceof UpstreamFailure)) throw err
      // A stranger's token moves no shared state (a breaker trip would stop everyone).
      if (who.trusted) deps.breaker.failure()
      else deps.breaker.abandon()
      const reason: FallbackReason = err.kind === 'timeout' ? 'upstream-timeout' : 'upstream-unreachable'
      if (s.fallbackOnError && mode !== 'online') return fallback(reason, null)
      return local(err.kind === 'timeout' ? 504 : 502, err.kind === 'timeout' ? 'Spotify did not answer in time' : `Spotify could not be reached (${err.kind})`, reason)
    }
    // Spotify answered: a cooldown it ended is over, and the connection works (5xx included:
    // the breaker is for an unreachable upstream; a 5xx is retried with the next request).
    if (answer.status !== 429) deps.cooldown.settle()
    else if (!who.trusted && gate.probe) deps.cooldown.unsettled()
    deps.breaker.success()

    const upstream = (a: UpstreamAnswer): ProxyReply => ({
      status: a.status,
      headers: { ...a.headers, via: '1.1 spotify-csv-proxy', 'x-proxy-source': 'upstream' },
      body: a.body,
      source: 'upstream',
      reason: null,
      upstreamStatus: a.status,
      upstreamMs: a.ms
    })

    if (answer.status === 304 && cached !== null) {
      deps.cache!.refresh(key!)
      return withUpstream(fromCache(cached, 'cache', null), answer)
    }

    if (answer.status >= 200 && answer.status < 300) {
      let json: unknown
      if (isGet && isJson(answer)) {
        try {
          json = JSON.parse(answer.body.toString('utf8'))
        } catch {
          // A 200 whose JSON does not parse is a broken answer, not data (truncated upstream).
          if (s.fallbackOnError && mode !== 'online') return fallback('upstream-5xx', null, answer)
          return upstream(answer)
        }
      }
      if (closed !== null) deps.refusals.clear(closed)
      // Paging links (and hrefs) on the proxy, so clients following `next` stay here.
      if (json !== undefined && s.rewriteLinks && rewriteLinks(json, s.upstreamApiBases, s.publicApiBase) > 0) {
        answer = { ...answer, body: Buffer.from(JSON.stringify(json)) }
      }
      // What the proxy learns and keeps from the answer is its own business: if storing it fails
      // (SQLite refusing writes), the client still gets what upstream said.
      try {
        if (req.token !== null) {
          learnFrom(req.token, pathOnly, json)
          if (isGet && answer.status === 200 && pathOnly !== '/v1/me' && deps.userSpecific(req.path)) await learnUserOf(req, req.token)
        }
        const trustedNow = req.token !== null ? deps.trust.identify(req.token) : who
        if (isGet && json !== undefined && answer.status === 200) remember(req, trustedNow, json, answer)
        if (!isGet && deps.cache !== null) invalidateAfterWrite(pathOnly, trustedNow)
      } catch (err) {
        deps.onStoreError?.(err)
      }
      return upstream(answer)
    }

    if (answer.status === 429) {
      // Only a token Spotify accepted through the proxy starts a cooldown for everyone: Spotify's
      // limits are per app, and a stranger's token may be another app's. Its 429 is its own.
      if (!who.trusted) return upstream(answer)
      const quota = isQuotaExceeded(answer.body)
      deps.cooldown.start(retryAfterSeconds(answer.headers['retry-after'], now()), quota ? 'quota-exceeded' : 'rate-limited')
      // Spotify's own 429 goes back as it came (Retry-After included) when nothing can serve.
      if (s.fallbackOnRateLimit && mode !== 'online') return fallback(quota ? 'quota-exceeded' : 'rate-limited', upstream(answer))
      return upstream(answer)
    }
    if (answer.status >= 500) {
      if (s.fallbackOnError && mode !== 'online') return fallback('upstream-5xx', upstream(answer))
      return upstream(answer)
    }
    if (answer.status === 401 && req.token !== null && !who.trusted) {
      // Spotify refused a token nobody verified: it is trusted by nothing from now on.
      if (provisional.has(req.token)) {
        provisional.delete(req.token)
        deps.onProvisionalRejected?.()
      }
      deps.trust.reject(req.token)
    }
    // A 401 falls back only for a token Spotify accepted before (a verified user whose token
    // expired); an unknown token gets Spotify's own 401.
    if (answer.status === 401 && s.fallbackOnAuthError && who.trusted && mode !== 'online') return fallback('auth-expired', upstream(answer))
    if (answer.status === 403 && closed !== null) {
      // Only a token Spotify accepted marks an endpoint refused for everyone.
      if (who.trusted) deps.refusals.refuse(closed, answer.status)
      const several = entityRequest(req.path)
      if (several !== null && several.kind === 'track' && !several.single) return await fanOut(req, several)
      // /users/{id}/playlists may be the caller's own list, which /me/playlists answers: ask who
      // the token belongs to, once.
      if (listOwner !== null && who.userId === null && req.token !== null) {
        const me = await handle({ ...req, method: 'GET', path: '/v1/me', body: undefined })
        const known = deps.trust.identify(req.token)
        if (me.status === 200 && known.userId === listOwner) return await respond(req, known, keyOf(req, known))
      }
      if (who.trusted && mode !== 'online') return fallback('endpoint-closed', upstream(answer))
    }
    return upstream(answer)

    /** GET /v1/playlists/{id}/tracks, asked as /items pages and stitched (shim.ts). */
    async function playlistPages (p: PlaylistTracksPlan, fwd: Record<string, string>): Promise<UpstreamAnswer> {
      const pages: Array<Record<string, unknown>> = []
      let ms = 0
      let first: UpstreamAnswer | null = null
      for (const [i, pagePath] of p.pages.entries()) {
        const a = await send({ method: 'GET', path: pagePath, headers: { ...fwd } })
        ms += a.ms
        if (a.status !== 200 || !isJson(a)) {
          // /items serves only playlists the user owns or collaborates on; an app with extended
          // quota still reads the others through /tracks, until upstream refuses that too.
          const old = 'GET /v1/playlists/{id}/tracks'
          if (i === 0 && a.status === 403 && !deps.refusals.isRefused(old)) {
            const direct = await send({ method: 'GET', path: req.path, headers: { ...fwd } })
            if (direct.status === 403) deps.refusals.refuse(old, 403)
            return direct
          }
          return { ...a, ms }
        }
        let page: unknown
        try {
          page = JSON.parse(a.body.toString('utf8'))
        } catch {
          return { ...a, ms } // broken: judged (and fallen back from) by the caller
        }
        if (typeof page !== 'object' || page === null || Array.isArray(page)) return { ...a, ms }
        pages.push(page as Record<string, unknown>)
        first ??= a
        // A short page is the playlist's end: nothing more to ask.
        const got = Array.isArray((page as { items?: unknown }).items) ? (page as { items: unknown[] }).items.length : 0
        if (got < ITEMS_PAGE_MAX) break
      }
      const base = s.rewriteLinks ? s.publicApiBase : s.upstreamApiBases[0]!
      const headers: Record<string, string> = { ...first!.headers, 'content-type': JSON_TYPE }
      delete headers.etag // the stitched body is no upstream representation
      return { status: 200, headers, body: Buffer.from(JSON.stringify(stitchPlaylistPages(p, pages, base))), ms }
    }

    /** The same write for each path in turn (/v1/me/library takes 40 URIs a request); the first failure ends it. */
    async function sendEach (method: string, paths: readonly string[], fwd: Record<string, string>): Promise<UpstreamAnswer> {
      const { 'content-type': _type, ...withoutBody } = fwd
      let ms = 0
      let last: UpstreamAnswer | null = null
      for (const p of paths) {
        last = await send({ method, path: p, headers: { ...withoutBody } })
        ms += last.ms
        if (last.status < 200 || last.status >= 300) break
      }
      return { ...last!, ms }
    }

    /** /v1/me/library/contains for each group of 40, the booleans in the client's order. */
    async function containsPages (paths: readonly string[], fwd: Record<string, string>): Promise<UpstreamAnswer> {
      const flags: unknown[] = []
      let ms = 0
      let first: UpstreamAnswer | null = null
      for (const p of paths) {
        const a = await send({ method: 'GET', path: p, headers: { ...fwd } })
        ms += a.ms
        let part: unknown
        try {
          part = a.status === 200 && isJson(a) ? JSON.parse(a.body.toString('utf8')) : null
        } catch {
          part = null
        }
        if (!Array.isArray(part)) return { ...a, ms } // judged, and fallen back from, by the caller
        flags.push(...part)
        first ??= a
      }
      const headers: Record<string, string> = { ...first!.headers, 'content-type': JSON_TYPE }
      delete headers.etag
      return { status: 200, headers, body: Buffer.from(JSON.stringify(flags)), ms }
    }

    async function searchPages (p: SearchPlan, fwd: Record<string, string>): Promise<UpstreamAnswer> {
      const pages: Array<Record<string, unknown>> = []
      let ms = 0
      let first: UpstreamAnswer | null = null
      for (const pagePath of p.pages) {
        const a = await send({ method: 'GET', path: pagePath, headers: { ...fwd } })
        ms += a.ms
        let page: unknown
        try {
          page = a.status === 200 && isJson(a) ? JSON.parse(a.body.toString('utf8')) : null
        } catch {
          page = null
        }
        // A failed page fails the answer (judged, and fallen back from, by the caller).
        if (typeof page !== 'object' || page === null || Array.isArray(page)) return { ...a, ms }
        pages.push(page as Record<string, unknown>)
        first ??= a
        if (lastSearchPage(page as Record<string, unknown>)) break
      }
      const base = s.rewriteLinks ? s.publicApiBase : s.upstreamApiBases[0]!
      const headers: Record<string, string> = { ...first!.headers, 'content-type': JSON_TYPE }
      delete headers.etag // the stitched body is no upstream representation
      return { status: 200, headers, body: Buffer.from(JSON.stringify(stitchSearchPages(p, pages, base))), ms }
    }

    /**
     * Spotify could not (or would not) answer: what the proxy holds, as far as this token may read
     * it (docs/trust.md), else upstream's own error, else an honest miss of the proxy's own.
     */
    function fallback (reason: FallbackReason, relayed: ProxyReply | null, broken?: UpstreamAnswer): ProxyReply {
      const withStatus = (r: ProxyReply): ProxyReply => broken !== undefined ? withUpstream(r, broken) : relayed !== null ? { ...r, upstreamStatus: relayed.upstreamStatus, upstreamMs: relayed.upstreamMs } : r
      // A token Spotify refused is trusted by nothing: its own 401 (or Spotify's, just relayed).
      if (who.rejected) return relayed ?? local(401, 'Spotify refused this access token (401); get a new one', reason, waitHeaders(waitFor(reason)))
      const reader = readerFor(reason)
      const userData = deps.userSpecific(req.path)
      if (isGet && (reader.trusted || !userData)) {
        const readerKey = reader === who ? key : keyOf(req, reader)
        const stale = readerKey !== null ? deps.cache!.get(readerKey) : null
        if (stale !== null) return withStatus(fromCache(stale, 'stale', reason))
        const er = entityRequest(req.path)
        const known = er !== null && deps.entities !== null ? entities(er, req, reader, 0) : []
        if (er !== null && known.length > 0 && known.every(e => e !== null)) return withStatus(fromEntities(er, known, 'stale', reason))
        // A web page (Origin) with a token nobody verified must not learn what the library holds.
        const csv = reader.trusted || req.headers.origin === undefined ? libraryAnswer(reader, req.method, req.path) : null
        // A library 404 is "not in my library", never "Spotify has no such thing": a miss.
        if (csv !== null && csv.status !== 404) return withStatus(fromLibrary(csv, reason))
      }
      if (relayed !== null) return relayed
      if (broken !== undefined) return withUpstream(local(502, 'Spotify sent a broken answer', reason), broken)
      if (userData && !reader.trusted) {
        return local(503, 'This token is not verified yet and Spotify cannot be asked now; user data goes only to tokens Spotify accepted through the proxy (or refreshed through its /api/token)', 'token-unverified', { ...waitHeaders(waitFor(reason)), 'x-proxy-fallback-reason': `${reason},token-unverified` })
      }
      if (reason === 'endpoint-closed') return local(403, 'Forbidden', reason)
      return miss(reason)
    }

    /** Who reads the fallback: the token itself, or (owner-on-loopback) the owner while Spotify cannot be asked. */
    function readerFor (reason: FallbackReason): Identity {
      if (who.trusted || !s.ownerOnLoopback || reason === 'auth-expired' || reason === 'endpoint-closed' || req.token === null) return who
      const owner = deps.owner.known()
      if (owner === null) return who
      if (provisional.size >= USER_LOOKUP_MEMO) provisional.delete(provisional.values().next().value!)
      provisional.add(req.token)
      return { ...who, trusted: true, principal: owner.id, userId: owner.id }
    }

    /** Nothing holds it: 503 (502/504 when Spotify was unreachable or slow), saying why. */
    function miss (reason: FallbackReason): ProxyReply {
      const status = reason === 'upstream-timeout' ? 504 : reason === 'upstream-unreachable' ? 502 : 503
      const why: Partial<Record<FallbackReason, string>> = {
        'rate-limited': 'Spotify is rate-limiting this app',
        'quota-exceeded': 'Spotify\'s daily quota for this app is spent',
        'offline-mode': 'Offline mode',
        paced: 'The proxy is pacing requests to Spotify',
        'upstream-timeout': 'Spotify did not answer in time',
        'upstream-unreachable': 'Spotify could not be reached',
        'upstream-5xx': 'Spotify failed',
        'auth-expired': 'Spotify refused the token'
      }
      return local(status, `${why[reason] ?? 'Spotify cannot answer now'}, and neither the cache nor the CSV library holds this`, reason, { ...waitHeaders(waitFor(reason)), 'x-proxy-fallback-reason': `${reason},not-in-library` })
    }
  }

  /** Seconds until the proxy asks Spotify again, when that is known. */
  function waitFor (reason: FallbackReason): number | null {
    if (reason === 'rate-limited' || reason === 'quota-exceeded') return Math.max(1, deps.cooldown.secondsLeft())
    if (reason === 'paced') return pacedWaitS
    if (reason === 'upstream-unreachable' && deps.breaker.state() === 'open') return deps.breaker.secondsLeft()
    return null
  }

  /**
   * The wait on an answer of the proxy's own: always in X-Proxy-Upstream-Retry-After, and as
   * Retry-After only up to the cap (clients such as spotipy sleep for the whole Retry-After). A
   * 429 always carries one, capped.
   */
  function waitHeaders (seconds: number | null, is429 = false): Record<string, string> {
    if (seconds === null) return {}
    const wait = Math.max(1, Math.ceil(seconds))
    const h: Record<string, string> = { 'x-proxy-upstream-retry-after': String(wait) }
    if (is429 || wait <= s.maxRetryAfterSeconds) h['retry-after'] = String(Math.min(wait, s.maxRetryAfterSeconds))
    return h
  }

  /** One upstream exchange, after its pacing slot; never sent into a cooldown that began meanwhile. */
  async function send (forward: ForwardRequest): Promise<UpstreamAnswer> {
    if (deps.pacer !== null) {
      await deps.pacer.acquire()
      if (deps.cooldown.active() !== null) throw new CooldownStarted()
    }
    return await deps.upstream.send(forward)
  }

  /**
   * Several tracks, asked one by one (GET /v1/tracks?ids= is closed to development-mode apps):
   * each id goes through the whole flow (cache, entities, pacing, fallback), a few at a time.
   * Unknown ids are `null`, as Spotify answers them; when any id can be served by nothing at all
   * (a cooldown with no data), that answer goes back for the whole batch, and the ids fetched
   * meanwhile are cached for the retry.
   */
  async function fanOut (req: FlowRequest, er: EntityRequest): Promise<ProxyReply> {
    const unique = [...new Set(er.ids)]
    const query = er.market === null ? '' : `?market=${encodeURIComponent(er.market)}`
    const parts = await mapLimit(unique, FAN_OUT_CONCURRENCY, async id => await handle({ ...req, method: 'GET', path: `/v1/tracks/${id}${query}`, body: undefined }))
    // Ids nothing holds are null in place (X-Proxy-Missing counts them); any other failure, or
    // a batch nothing at all could serve, is the batch's answer.
    const failed = parts.find(r => r.status !== 200 && r.status !== 404 && r.status !== 400 && !isMiss(r))
    if (failed !== undefined) return failed
    if (parts.every(isMiss)) return parts[0]!
    const byId = new Map(unique.map((id, i) => [id, parts[i]!]))
    let missing = 0
    const tracks = er.ids.map(id => {
      const r = byId.get(id)!
      if (isMiss(r)) missing++
      return r.status === 200 ? JSON.parse(r.body.toString('utf8')) as unknown : null
    })
    const served = parts.filter(r => !isMiss(r))
    const worst = served.reduce((a, r) => (SOURCE_RANK[r.source] > SOURCE_RANK[a.source] ? r : a))
    const reason = parts.find(r => r.reason !== null)?.reason ?? null
    const headers: Record<string, string> = { 'content-type': JSON_TYPE, 'x-proxy-source': worst.source }
    if (reason !== null) {
      headers['x-proxy-fallback-reason'] = missing > 0 ? `${reason},not-in-library` : reason
      headers['cache-control'] = FALLBACK_CACHE_CONTROL
    }
    if (missing > 0) headers['x-proxy-missing'] = String(missing)
    const ms = parts.reduce((sum, r) => sum + (r.upstreamMs ?? 0), 0)
    return { status: 200, headers, body: Buffer.from(JSON.stringify({ tracks })), source: worst.source, reason, upstreamStatus: worst.upstreamStatus, upstreamMs: ms }
  }

  /**
   * The CSV library's answer: tracks and audio features by id for any token that got this far;
   * everything else (search, pages, playlists, /me) only for the owner's tokens and local ones.
   * A batch the library holds none of is no answer (a miss).
   */
  function libraryAnswer (who: Identity, method: string, path: string): ReturnType<LibraryAnswerer> {
    if (deps.library === null) return null
    const scope = deps.libraryScope(method, path)
    if (scope === null || (scope === 'owner' && !deps.owner.isOwner(who))) return null
    const a = deps.library({ method, path }, deps.owner.forAnswers())
    if (a !== null && a.missing !== undefined && a.missing > 0 && a.missing === entityRequest(path)?.ids.length) return null
    return a
  }

  function learnFrom (token: string, path: string, json: unknown): void {
    deps.trust.accept(token)
    if (path === '/v1/me' && isObject(json) && typeof json.id === 'string') {
      deps.trust.learnUser(token, json.id, typeof json.country === 'string' ? json.country : null)
      deps.owner.learn({ id: json.id, displayName: typeof json.display_name === 'string' ? json.display_name : null })
    }
  }

  /**
   * Whose token this is, asked once (GET /v1/me) when a token's first private answer arrives and
   * its user is unknown: private answers are keyed by user, so the next token of the same user
   * (access tokens last an hour) finds them; keyed by token, a daily sync would read everything
   * again. Bounded in time (the answer waits at most USER_LOOKUP_WAIT_MS; the lookup goes on),
   * once per token (an app token without a user is not asked again), shared by concurrent requests.
   */
  async function learnUserOf (req: FlowRequest, token: string): Promise<void> {
    if (deps.trust.identify(token).userId !== null) return
    let lookup = userLookups.get(token)
    if (lookup === undefined) {
      if (userLookupsTried.has(token)) return
      if (userLookupsTried.size >= USER_LOOKUP_MEMO) userLookupsTried.delete(userLookupsTried.values().next().value!)
      userLookupsTried.add(token)
      // Asked again later only if Spotify could not answer this time (an app token's 401 is final).
      const retryLater = (): void => { userLookupsTried.delete(token) }
      // The client's validators were for its own request, not for /v1/me.
      const { 'if-none-match': _etag, 'if-modified-since': _since, ...headers } = req.headers
      lookup = handle({ ...req, headers, method: 'GET', path: '/v1/me', body: undefined })
        .then(r => { if (r.source !== 'upstream' || r.status === 429 || r.status >= 500) retryLater() }, retryLater)
        .finally(() => { userLookups.delete(token) })
      userLookups.set(token, lookup)
    }
    await settledWithin(lookup, USER_LOOKUP_WAIT_MS)
  }

  /** Keeps a good answer for later (whole, and per entity) under the now-known identity. */
  function remember (req: FlowRequest, who: Identity, json: unknown, a: UpstreamAnswer): void {
    const userSpecific = deps.userSpecific(req.path)
    if (deps.cache !== null && s.cacheEnabled) {
      const key = keyOf(req, who)!
      deps.cache.put(key, { status: a.status, headers: a.headers, body: a.body, etag: a.headers.etag ?? null, storedAt: now() }, { principal: userSpecific ? who.principal : null, path: req.path.split('?')[0]! })
    }
    if (deps.snapshots !== null && deps.cache !== null) {
      // Only the pages go: the answer that told us of the change may be the playlist itself.
      for (const id of deps.snapshots.observe(json)) deps.cache.invalidate({ pathPrefix: `/v1/playlists/${id}/` })
    }
    if (deps.learnPlaylists !== null && deps.owner.isOwner(who)) deps.learnPlaylists(req.path.split('?')[0]!, json)
    if (deps.entities !== null) {
      const market = new URLSearchParams(req.path.split('?')[1] ?? '').get('market')
      deps.entities.harvest(req.path, market === 'from_token' ? who.country : market, json, requestLanguage(req.headers['accept-language']))
    }
  }

  /** A write through the proxy drops the cached answers it makes stale: scripts read their writes. */
  function invalidateAfterWrite (path: string, who: Identity): void {
    for (const { prefix, everyone } of stalePrefixes(path)) {
      deps.cache!.invalidate(everyone ? { pathPrefix: prefix } : { pathPrefix: prefix, principal: who.principal })
    }
  }

  /** A playlist page outlives the TTL while the playlist's snapshot_id is confirmed unchanged. */
  function snapshotCurrent (path: string, a: StoredAnswer): boolean {
    const page = /^\/v1\/playlists\/([^/?]+)\/(items|tracks)(\?|$)/.exec(path)
    return page !== null && deps.snapshots !== null && deps.snapshots.confirmedSince(page[1]!, a.storedAt)
  }

  function entities (er: EntityRequest, req: FlowRequest, who: Identity, minStoredAt: number): Array<Record<string, unknown> | null> {
    if (er.kind === 'audio_features') return deps.entities!.getAudioFeatures(er.ids, { minStoredAt })
    const language = requestLanguage(req.headers['accept-language'])
    return deps.entities!.getTracks(er.ids, er.market === 'from_token' ? who.country : er.market, { minStoredAt, language })
  }

  function fromEntities (er: EntityRequest, known: Array<Record<string, unknown> | null>, source: 'cache' | 'stale', reason: FallbackReason | null): ProxyReply {
    const body = er.single ? known[0] : { [SEVERAL_FIELD[er.kind]]: known }
    const headers: Record<string, string> = { 'content-type': JSON_TYPE, 'x-proxy-source': source }
    if (reason !== null) {
      headers['x-proxy-fallback-reason'] = reason
      headers['cache-control'] = FALLBACK_CACHE_CONTROL
    }
    return { status: 200, headers, body: Buffer.from(JSON.stringify(body)), source, reason, upstreamStatus: null, upstreamMs: null }
  }

  function fromCache (a: StoredAnswer, source: 'cache' | 'stale', reason: FallbackReason | null): ProxyReply {
    const age = Math.max(0, Math.floor(ageSeconds(a)))
    // A hit's headers change only with its age: built once per answer and second, and shared
    // (frozen, so nothing downstream can change them for the next request).
    if (source === 'cache' && reason === null) {
      let memo = hitHeaders.get(a)
      if (memo === undefined || memo.age !== age) {
        memo = { age, headers: Object.freeze({ ...a.headers, age: String(age), 'x-proxy-source': 'cache' }) }
        hitHeaders.set(a, memo)
      }
      return { status: a.status, headers: memo.headers, body: a.body, source, reason, upstreamStatus: null, upstreamMs: null }
    }
    const headers: Record<string, string> = { ...a.headers, age: String(age), 'x-proxy-source': source }
    if (reason !== null) {
      headers['x-proxy-fallback-reason'] = reason
      headers['cache-control'] = FALLBACK_CACHE_CONTROL
    }
    return { status: a.status, headers, body: a.body, source, reason, upstreamStatus: null, upstreamMs: null }
  }

  function fromLibrary (a: NonNullable<ReturnType<LibraryAnswerer>>, reason: FallbackReason): ProxyReply {
    // A batch keeps Spotify's shape (null in place) and says how many the library lacked.
    const missing: Record<string, string> = a.missing !== undefined && a.missing > 0 ? { 'x-proxy-missing': String(a.missing), 'x-proxy-fallback-reason': `${reason},not-in-library` } : {}
    return {
      status: a.status,
      headers: { 'content-type': JSON_TYPE, 'cache-control': FALLBACK_CACHE_CONTROL, 'x-proxy-source': 'csv', 'x-proxy-fallback-reason': reason, ...missing },
      body: a.bytes ?? Buffer.from(JSON.stringify(a.body)),
      source: 'csv',
      reason,
      upstreamStatus: null,
      upstreamMs: null
    }
  }

  function local (status: number, message: string, reason: FallbackReason | null, extra: Record<string, string> = {}, body?: unknown): ProxyReply {
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

  /** Online mode during a cooldown (never falls back): a 429 like Spotify's, its Retry-After capped. */
  function cooldownAnswer (): ProxyReply {
    const c = deps.cooldown.active()
    const quota = c?.reason === 'quota-exceeded'
    const body = { error: { status: 429, message: quota ? 'Too many requests' : 'API rate limit exceeded', ...(quota ? { reason: 'QUOTA_EXCEEDED' } : {}) } }
    return local(429, '', c?.reason ?? 'rate-limited', waitHeaders(Math.max(1, deps.cooldown.secondsLeft()), true), body)
  }

  function ageSeconds (a: StoredAnswer): number {
    return (now() - a.storedAt) / 1000
  }
}

/**
 * What a successful write makes stale. A playlist's pages change for everyone who reads it; the
 * caller's own library lists change for the caller.
 */
export function stalePrefixes (path: string): Array<{ prefix: string, everyone: boolean }> {
  const playlist = /^\/v1\/playlists\/([^/]+)/.exec(path)
  if (playlist) return [{ prefix: `/v1/playlists/${playlist[1]}`, everyone: true }, { prefix: '/v1/me/playlists', everyone: false }, { prefix: '/v1/users/', everyone: false }]
  if (/^\/v1\/(me|users\/[^/]+)\/playlists/.test(path)) return [{ prefix: '/v1/me/playlists', everyone: false }, { prefix: '/v1/users/', everyone: false }]
  const library = /^\/v1\/me\/(tracks|library|albums|episodes|shows|audiobooks|following)\b/.exec(path)
  if (library) return [{ prefix: `/v1/me/${library[1]}`, everyone: false }, { prefix: '/v1/me/library', everyone: false }, { prefix: '/v1/me/tracks', everyone: false }]
  return [{ prefix: path, everyone: false }]
}

/** The promise's value if it settles within `ms`, else null (a failed leader counts as null). */
async function settledWithin<T> (p: Promise<T>, ms: number): Promise<T | null> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<null>(resolve => { timer = setTimeout(resolve, ms, null) })
  try {
    return await Promise.race([p.catch(() => null), timeout])
  } finally {
    clearTimeout(timer)
  }
}

/** The proxy's own "nothing holds this" answer (see fallback's miss). */
function isMiss (r: ProxyReply): boolean {
  return r.source === 'local' && (r.headers['x-proxy-fallback-reason'] ?? '').endsWith(',not-in-library')
}

function withUpstream (r: ProxyReply, a: UpstreamAnswer): ProxyReply {
  return { ...r, upstreamStatus: a.status, upstreamMs: a.ms }
}

function isJson (a: UpstreamAnswer): boolean {
  return /\bjson\b/i.test(a.headers['content-type'] ?? '')
}

function isObject (v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

/** `fn` over `items`, at most `limit` at a time, results in order. */
async function mapLimit<T, R> (items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length)
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++
      out[i] = await fn(items[i]!)
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
  return out
}
