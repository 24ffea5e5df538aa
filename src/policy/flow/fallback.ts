// Step: Spotify could not (or would not) answer. What the proxy holds, as far as this token may
// read it (docs/trust.md): the stale cache, single cached entities, the CSV library; else
// Spotify's own error; else an honest miss of the proxy's own, saying why and how long to wait.
import type { SerializedAnswer } from '../../answers/memo.js'
import { entityRequest } from '../entity-requests.js'
import type { Identity } from '../trust.js'
import type { CachedResponse } from '../../cache/response-cache.js'
import { keyFor, stored, type Ctx } from './context.js'
import type { FlowDeps } from './deps.js'
import { entitiesReply, knownEntities } from './entities.js'
import { fromCache, fromLibrary, local, waitHeaders, withUpstream, type FallbackReason, type Reply } from './reply.js'

/** Tokens remembered as served for the owner (owner-on-loopback). */
const PROVISIONAL_MAX = 10_000

export interface FallbackOptions {
  /** Spotify's own answer, relayed when nothing else can answer. */
  relayed?: Reply | null
  /** A 2xx whose body was broken: what Spotify sent, for the log line. */
  broken?: { status: number, ms: number }
  /** The wait the pacer projected, when the reason is `paced`. */
  pacedWaitS?: number | null
}

export function fallback (ctx: Ctx, reason: FallbackReason, deps: FlowDeps, opts: FallbackOptions = {}): Reply {
  const relayed = opts.relayed ?? null
  const withStatus = (r: Reply): Reply => opts.broken !== undefined ? withUpstream(r, opts.broken) : relayed !== null ? withUpstream(r, relayed) : r
  const wait = waitHeaders(waitFor(reason, deps, opts.pacedWaitS ?? null), deps.settings.maxRetryAfterSeconds)
  const { who, target } = ctx
  // A token Spotify refused is trusted by nothing: its own 401 (or Spotify's, just relayed).
  if (who.rejected) return relayed ?? local(401, 'Spotify refused this access token (401); get a new one', reason, wait)
  const reader = readerFor(ctx, reason, deps)
  if (ctx.req.method === 'GET' && (reader.trusted || target.data === 'catalog')) {
    const stale = staleFor(ctx, reader, deps)
    if (stale !== null) return withStatus(fromCache(stale, 'stale', reason, deps.now()))
    const er = entityRequest(target)
    const known = er !== null && deps.entities !== null ? knownEntities(er, ctx, reader, deps, 0) : []
    if (er !== null && known.length > 0 && known.every(e => e !== null)) return withStatus(entitiesReply(er, known, 'stale', reason))
    // A web page (Origin) with a token nobody verified must not learn what the library holds.
    const csv = reader.trusted || ctx.req.headers.origin === undefined ? libraryAnswer(ctx, reader, deps) : null
    // A library 404 is "not in my library", never "Spotify has no such thing": a miss.
    if (csv !== null && csv.status !== 404) return withStatus(fromLibrary(csv, reason))
  }
  if (relayed !== null) return relayed
  if (opts.broken !== undefined) return withUpstream(local(502, 'Spotify sent a broken answer', reason), opts.broken)
  if (target.data === 'user' && !reader.trusted) {
    return local(503, 'This token is not verified yet and Spotify cannot be asked now; user data goes only to tokens Spotify accepted through the proxy (or refreshed through its /api/token)', 'token-unverified', { ...wait, 'x-proxy-fallback-reason': `${reason},token-unverified` })
  }
  if (reason === 'endpoint-closed') return local(403, 'Forbidden', reason)
  return miss(reason, wait)
}

/**
 * Who reads the fallback: the token itself, or, with owner-on-loopback, the library's owner while
 * Spotify cannot be asked (remembered, so Spotify's later 401 for the token is logged).
 */
function readerFor (ctx: Ctx, reason: FallbackReason, deps: FlowDeps): Identity {
  const { who, req } = ctx
  if (who.trusted || !deps.settings.ownerOnLoopback || reason === 'auth-expired' || reason === 'endpoint-closed' || req.token === null) return who
  const owner = deps.state.owner.known()
  if (owner === null) return who
  const provisional = deps.provisional
  if (provisional !== undefined) {
    if (provisional.size >= PROVISIONAL_MAX) provisional.delete(provisional.values().next().value!)
    provisional.add(req.token)
  }
  return { ...who, trusted: true, principal: owner.id, userId: owner.id }
}

/** The cached answer `reader` may have: the request's own (looked up once), or the owner's. */
function staleFor (ctx: Ctx, reader: Identity, deps: FlowDeps): CachedResponse | null {
  if (reader === ctx.who && ctx.who.trusted) return stored(ctx, deps)
  const key = keyFor(ctx.req, ctx.target, reader, deps)
  return key === null ? null : deps.cache!.get(key)
}

/**
 * The CSV library's answer: tracks and audio features by id for any token that got this far;
 * everything else (search, pages, playlists, /me) only for the owner's tokens and local ones
 * (the endpoint table's `library`). A batch the library holds none of is no answer (a miss); its
 * malformed ids alone (nulls Spotify would send too) are an answer.
 */
function libraryAnswer (ctx: Ctx, reader: Identity, deps: FlowDeps): SerializedAnswer | null {
  const scope = ctx.target.endpoint?.library
  if (deps.library === null || scope === undefined || (scope === 'owner' && !deps.state.owner.isOwner(reader))) return null
  const a = deps.library(ctx.target, deps.state.owner.forAnswers())
  if (a !== null && a.missing !== undefined && a.missing > 0 && a.held === 0) return null
  return a
}

/** Nothing holds it: 503 (502/504 when Spotify was unreachable or slow), saying why. */
function miss (reason: FallbackReason, wait: Record<string, string>): Reply {
  const status = reason === 'upstream-timeout' ? 504 : reason === 'upstream-unreachable' ? 502 : 503
  return local(status, `${WHY[reason] ?? 'Spotify cannot answer now'}, and neither the cache nor the CSV library holds this`, reason, { ...wait, 'x-proxy-fallback-reason': `${reason},not-in-library` })
}

const WHY: Partial<Record<FallbackReason, string>> = {
  'rate-limited': 'Spotify is rate-limiting this app',
  'quota-exceeded': 'Spotify\'s daily quota for this app is spent',
  'offline-mode': 'Offline mode',
  paced: 'The proxy is pacing requests to Spotify',
  'upstream-timeout': 'Spotify did not answer in time',
  'upstream-unreachable': 'Spotify could not be reached',
  'upstream-5xx': 'Spotify failed',
  'auth-expired': 'Spotify refused the token',
  'library-id': 'The id is one the library made up for its own album, artist or playlist (Spotify knows none of them)'
}

/** Seconds until the proxy asks Spotify again, when that is known. */
function waitFor (reason: FallbackReason, deps: FlowDeps, pacedWaitS: number | null): number | null {
  const { cooldown, breaker } = deps.state
  if (reason === 'rate-limited' || reason === 'quota-exceeded') return Math.max(1, cooldown.secondsLeft())
  if (reason === 'paced') return pacedWaitS
  if (reason === 'upstream-unreachable' && breaker.state() === 'open') return breaker.secondsLeft()
  return null
}
