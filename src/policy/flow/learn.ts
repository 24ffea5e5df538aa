// Step: what Spotify's answer teaches, kept for later: the cooldown it asks for or ends, the
// breaker, which endpoints refuse, whose the token is, and the answer itself (whole, per entity,
// the playlists' snapshots, learned playlist ids). Writes through the proxy drop what they make
// stale. Keeping fails soft: if SQLite refuses, the client still gets what Spotify said.
import { requestLanguage } from '../../cache/cache-key.js'
import { retryAfterSeconds } from '../cooldown.js'
import type { UpstreamResponse } from '../../upstream/types.js'
import type { Identity } from '../trust.js'
import type { Verdict } from './classify.js'
import { keyFor, type Ctx } from './context.js'
import type { FlowDeps } from './deps.js'

/** What every answer teaches the shared state; only a token Spotify accepted moves it for everyone. */
export function learnFromAnswer (ctx: Ctx, gate: { probe: boolean, closed: string | null }, verdict: Verdict, answer: UpstreamResponse, deps: FlowDeps): void {
  const { cooldown, breaker, refusals, trust } = deps.state
  // Spotify answered: a cooldown it ended is over, and the connection works (a 5xx included:
  // the breaker is for an unreachable upstream; a 5xx is retried with the next request).
  breaker.success()
  if (verdict.kind !== 'limited') cooldown.settle()
  else if (ctx.who.trusted) cooldown.start(retryAfterSeconds(answer.headers['retry-after'], deps.now()), verdict.reason)
  else if (gate.probe) cooldown.unsettled() // a stranger's 429 is its own: it ends no probe
  if (verdict.kind === 'success' && gate.closed !== null) refusals.clear(gate.closed)
  if (verdict.kind === 'closed' && ctx.who.trusted) refusals.refuse(gate.closed!, answer.status)
  if (verdict.kind === 'token-refused' && ctx.req.token !== null && !ctx.who.trusted) {
    // Spotify refused a token nobody verified: it is trusted by nothing from now on.
    if (deps.provisional?.delete(ctx.req.token) === true) deps.onProvisionalRejected?.()
    trust.reject(ctx.req.token)
  }
}

/** Nothing came back (or nothing was sent): a stranger's failures trip no breaker for everyone. */
export function learnFromFailure (ctx: Ctx, probe: boolean, transport: boolean, deps: FlowDeps): void {
  const { cooldown, breaker } = deps.state
  if (probe) cooldown.unsettled()
  if (transport && ctx.who.trusted) breaker.failure()
  else breaker.abandon()
}

/** A good answer's first lesson: the token is real, and (from /v1/me) whose it is. */
export function trustFrom (ctx: Ctx, json: unknown, deps: FlowDeps): void {
  const token = ctx.req.token
  if (token === null) return
  try {
    deps.state.trust.accept(token)
    if (ctx.target.endpoint?.pattern === 'me' && isUser(json)) {
      deps.state.trust.learnUser(token, json.id, typeof json.country === 'string' ? json.country : null)
      deps.state.owner.learn({ id: json.id, displayName: typeof json.display_name === 'string' ? json.display_name : null })
    }
  } catch (err) {
    deps.onStoreError?.(err)
  }
}

/** The answer kept (under the token's identity as now known), or what a write made stale dropped. */
export function keep (ctx: Ctx, json: unknown, answer: UpstreamResponse, deps: FlowDeps): void {
  try {
    const who = ctx.req.token !== null ? deps.state.trust.identify(ctx.req.token) : ctx.who
    if (ctx.req.method === 'GET' && json !== undefined && answer.status === 200) remember(ctx, who, json, answer, deps)
    if (ctx.req.method !== 'GET' && deps.cache !== null) invalidateAfterWrite(ctx, who, deps)
  } catch (err) {
    deps.onStoreError?.(err)
  }
}

/** Keeps a good answer for later (whole, and per entity) under the now-known identity. */
function remember (ctx: Ctx, who: Identity, json: unknown, a: UpstreamResponse, deps: FlowDeps): void {
  const { target } = ctx
  if (deps.cache !== null) {
    // The key again: the identity may have just been learned (the token's first /v1/me).
    const key = who === ctx.who ? ctx.key! : keyFor(ctx.req, target, who, deps)!
    deps.cache.put(key, { status: a.status, headers: a.headers, body: a.body, etag: a.headers.etag ?? null, storedAt: deps.now() }, { principal: target.data === 'user' ? who.principal : null, path: target.pathname })
  }
  if (deps.snapshots !== null && deps.cache !== null) {
    // Only the pages go: the answer that told us of the change may be the playlist itself.
    for (const id of deps.snapshots.observe(json)) deps.cache.invalidate({ pathPrefix: `/v1/playlists/${id}/` })
  }
  if (deps.learnPlaylists !== null && target.endpoint?.teachesPlaylists === true && deps.state.owner.isOwner(who)) deps.learnPlaylists(target, json)
  if (deps.entities !== null) {
    const market = target.params.get('market')
    deps.entities.harvest(target.path, market === 'from_token' ? who.country : market, json, requestLanguage(ctx.req.headers['accept-language']))
  }
}

/**
 * A successful write drops the cached answers it makes stale (the endpoint table's `writes`): a
 * playlist's pages for everyone who reads it, the caller's own library lists for the caller.
 */
function invalidateAfterWrite (ctx: Ctx, who: Identity, deps: FlowDeps): void {
  const cache = deps.cache!
  const mine = (prefix: string): void => { cache.invalidate({ pathPrefix: prefix, principal: who.principal }) }
  switch (ctx.target.endpoint?.writes) {
    case 'playlist':
      cache.invalidate({ pathPrefix: `/v1/playlists/${ctx.target.args[0]!}` })
      mine('/v1/me/playlists')
      mine('/v1/users/')
      return
    case 'my-playlists':
      mine('/v1/me/playlists')
      mine('/v1/users/')
      return
    case 'my-library':
      mine(`/v1/me/${String(ctx.target.segments[2])}`)
      mine('/v1/me/library')
      mine('/v1/me/tracks')
      return
    default:
      mine(ctx.target.pathname)
  }
}

function isUser (json: unknown): json is { id: string, country?: unknown, display_name?: unknown } {
  return typeof json === 'object' && json !== null && typeof (json as { id?: unknown }).id === 'string'
}
