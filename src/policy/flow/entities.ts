// Step: tracks and audio features are also known one by one, from every answer that held them. A
// request whose ids are all known fresh is answered here; a batch with some known asks only for
// the rest (through the flow, `ask`) and is put together in the client's order. Ids nothing holds
// are null in place and counted (X-Proxy-Missing).
import { assembleSeveral, byRequestedId, missingIds, SEVERAL_FIELD } from '../../cache/assemble.js'
import { requestLanguage } from '../../cache/cache-key.js'
import { entityRequest, severalPath, type EntityRequest } from '../entity-requests.js'
import type { Identity } from '../trust.js'
import type { Ctx } from './context.js'
import type { FlowDeps } from './deps.js'
import { built, FALLBACK_CACHE_CONTROL, isMiss, missingHeaders, type FallbackReason, type Reply, type Source } from './reply.js'

type Entity = Record<string, unknown>

export async function fromEntities (ctx: Ctx, deps: FlowDeps, ask: (path: string) => Promise<Reply>): Promise<Reply | null> {
  const er = entityRequest(ctx.target)
  if (er === null || deps.entities === null || !ctx.who.trusted || ctx.mode === 'online') return null
  // Fresh means younger than the TTL (so a TTL of 0 makes nothing fresh).
  const known = knownEntities(er, ctx, ctx.who, deps, deps.now() - deps.settings.ttl(ctx.target) * 1000 + 1)
  if (known.every(e => e !== null)) return entitiesReply(er, known, 'cache', null)
  if (er.single || known.every(e => e === null)) return null
  const missing = missingIds(er.ids, known)
  const sub = await ask(severalPath(er, missing))
  // The rest held nowhere: what is known goes out, the rest null and counted.
  if (isMiss(sub)) {
    const body = assembleSeveral(er.kind, er.ids, known, new Map())
    return { ...built(body, 'cache', null, { ...missingHeaders(sub.reason, missing.length), 'cache-control': FALLBACK_CACHE_CONTROL }), reason: sub.reason }
  }
  if (sub.status !== 200) return sub
  const got = (JSON.parse(sub.body.toString('utf8')) as Record<string, Array<Entity | null>>)[SEVERAL_FIELD[er.kind]] ?? []
  const body = assembleSeveral(er.kind, er.ids, known, byRequestedId(missing, got))
  const { etag: _etag, ...headers } = sub.headers
  return { ...sub, headers, body: Buffer.from(JSON.stringify(body)) }
}

/** The entities the cache holds for these ids, in order (null where none), stored at or after `minStoredAt`. */
export function knownEntities (er: EntityRequest, ctx: Ctx, who: Identity, deps: FlowDeps, minStoredAt: number): Array<Entity | null> {
  if (er.kind === 'audio_features') return deps.entities!.getAudioFeatures(er.ids, { minStoredAt })
  const language = requestLanguage(ctx.req.headers['accept-language'])
  return deps.entities!.getTracks(er.ids, er.market === 'from_token' ? who.country : er.market, { minStoredAt, language })
}

export function entitiesReply (er: EntityRequest, known: Array<Entity | null>, source: Source, reason: FallbackReason | null): Reply {
  return built(er.single ? known[0] : { [SEVERAL_FIELD[er.kind]]: known }, source, reason)
}
