// Step: may this request go to Spotify now? Not in offline mode; not for an id the library made
// up (an album, artist or playlist its exports name without one: Spotify knows none); not to an
// endpoint Spotify refused (several tracks are then asked one by one); not during a cooldown,
// except the one probe when it ends; not while the breaker is open. Online mode never falls
// back: it gets the proxy's own answer instead.
import { closedName } from '../../endpoints.js'
import { entityRequest, type EntityRequest } from '../entity-requests.js'
import { planPlaylistTracks } from '../exchanges/playlist-tracks.js'
import { userPlaylistsOwner } from '../exchanges/playlists.js'
import type { Ctx } from './context.js'
import type { FlowDeps } from './deps.js'
import { local, waitHeaders, type FallbackReason, type Reply } from './reply.js'

export type Gate =
  | { go: true, probe: boolean, closed: string | null }
  /** Answer with this. */
  | { go: false, reply: Reply }
  /** Fall back, for this reason. */
  | { go: false, reason: FallbackReason }
  /** Several tracks of a refused batch endpoint: one by one (fan-out.ts). */
  | { go: false, fanOut: EntityRequest }

export function gate (ctx: Ctx, deps: FlowDeps): Gate {
  const { cooldown, breaker, refusals } = deps.state
  if (ctx.mode === 'offline') return { go: false, reason: 'offline-mode' }
  if (ctx.mode !== 'online' && deps.libraryId?.(ctx.target) === true) return { go: false, reason: 'library-id' }
  const plan = planPlaylistTracks(ctx.target)
  if (plan !== null && !plan.ok) return { go: false, reply: local(plan.status, plan.message, null) }
  // A bridge that asks another endpoint is not held back by this one's refusal.
  const bridged = plan !== null || (ctx.who.userId !== null && userPlaylistsOwner(ctx.target) === ctx.who.userId)
  const closed = bridged ? null : closedName(ctx.target)
  if (closed !== null && ctx.who.trusted && ctx.mode !== 'online' && refusals.isRefused(closed)) {
    const several = entityRequest(ctx.target)
    return several !== null && several.kind === 'track' && !several.single ? { go: false, fanOut: several } : { go: false, reason: 'endpoint-closed' }
  }
  const g = cooldown.gate()
  if (!g.open) return ctx.mode === 'online' ? { go: false, reply: cooldownReply(deps) } : { go: false, reason: g.cooldown.reason }
  if (!breaker.allow()) {
    if (g.probe) cooldown.unsettled()
    if (ctx.mode !== 'online') return { go: false, reason: 'upstream-unreachable' }
    return { go: false, reply: local(502, 'Spotify could not be reached (the proxy stopped trying for a while)', 'upstream-unreachable', waitHeaders(breaker.secondsLeft(), deps.settings.maxRetryAfterSeconds)) }
  }
  return { go: true, probe: g.probe, closed }
}

/** Online mode during a cooldown (never falls back): a 429 like Spotify's, its Retry-After capped. */
export function cooldownReply (deps: FlowDeps): Reply {
  const c = deps.state.cooldown.active()
  const quota = c?.reason === 'quota-exceeded'
  const body = { error: { status: 429, message: quota ? 'Too many requests' : 'API rate limit exceeded', ...(quota ? { reason: 'QUOTA_EXCEEDED' } : {}) } }
  return local(429, '', c?.reason ?? 'rate-limited', waitHeaders(Math.max(1, deps.state.cooldown.secondsLeft()), deps.settings.maxRetryAfterSeconds, true), body)
}
