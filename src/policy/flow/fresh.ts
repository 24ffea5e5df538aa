// Step: a fresh cached answer, synchronously. Younger than its TTL, or a playlist page whose
// playlist's snapshot_id has been seen unchanged since it was stored. Only for trusted tokens
// (an answer fetched with one token goes only to trusted ones; user data only to the same user,
// whose principal is in the key), and never in online mode.
import type { CachedResponse } from '../../cache/response-cache.js'
import type { RequestTarget } from '../../endpoints.js'
import { stored, type Ctx } from './context.js'
import type { FlowDeps } from './deps.js'
import { fromCache, type Reply } from './reply.js'

export function freshReply (ctx: Ctx, deps: FlowDeps): Reply | null {
  if (ctx.key === null || !ctx.who.trusted || ctx.mode === 'online') return null
  const cached = stored(ctx, deps)
  if (cached === null || !isFresh(cached, ctx.target, deps)) return null
  return fromCache(cached, 'cache', null, deps.now())
}

export function isFresh (cached: CachedResponse, target: RequestTarget, deps: Pick<FlowDeps, 'settings' | 'snapshots' | 'now'>): boolean {
  if ((deps.now() - cached.storedAt) / 1000 < deps.settings.ttl(target)) return true
  return target.endpoint?.playlistPage === true && deps.snapshots !== null && deps.snapshots.confirmedSince(target.args[0]!, cached.storedAt)
}
