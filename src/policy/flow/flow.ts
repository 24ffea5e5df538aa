// The one decision every /v1 request goes through (README, docs/trust.md), as a short skeleton
// of steps, each a module of its own (docs/architecture.md):
//
//   fresh hit → coalesce → entities → gate → exchange → classify → learn → reply or fall back
//
// fresh.ts answers from the cache; coalesce.ts shares identical requests in flight; entities.ts
// answers tracks and audio features known one by one; gate.ts decides whether Spotify may be
// asked; exchanges/ asks it (as sent, or through a 2026 bridge); classify.ts says what the answer
// means; learn.ts keeps what it teaches; fallback.ts answers from what the proxy holds when
// Spotify could not. Every reply says where it came from (reply.ts).
import { forwardRequestHeaders } from '../../upstream/headers.js'
import { PacingTimeout } from '../../upstream/pacing.js'
import { UpstreamFailure, type ForwardRequest, type UpstreamResponse } from '../../upstream/types.js'
import { exchangeFor, type ExchangeIo } from '../exchanges/index.js'
import { userPlaylistsOwner } from '../exchanges/playlists.js'
import { rewriteLinks } from '../links.js'
import { entityRequest } from '../entity-requests.js'
import { classify, failureReason, type Verdict } from './classify.js'
import { Coalescer } from './coalesce.js'
import { context, stored, subContext, type Ctx, type FlowRequest } from './context.js'
import type { FlowDeps } from './deps.js'
import { fromEntities } from './entities.js'
import { fallback } from './fallback.js'
import { fanOut } from './fan-out.js'
import { freshReply } from './fresh.js'
import { cooldownReply, gate } from './gate.js'
import { keep, learnFromAnswer, learnFromFailure, trustFrom } from './learn.js'
import { fromCache, fromUpstream, local, waitHeaders, withUpstream, type Reply } from './reply.js'
import { UserLookups } from './user-lookup.js'

export type { FlowRequest } from './context.js'

export interface ProxyFlow {
  /** The whole decision: cache, upstream, fallback. */
  handle: (req: FlowRequest) => Promise<Reply>
  /**
   * The request's context, with the fresh cached answer in `hit` when there is one, synchronously:
   * the hot path (the hit lane and the route try it first), with no promise, coalescing or header
   * filtering. Handed to `handleContext` when there is no hit, so the cache is looked up once.
   */
  fresh: (req: FlowRequest) => Ctx
  /** `handle` for a request whose context `fresh` already built. */
  handleContext: (ctx: Ctx) => Promise<Reply>
}

/** Thrown when a cooldown started while a request waited for its pacing slot. */
class CooldownStarted extends Error {}

export function createProxyFlow (input: FlowDeps): ProxyFlow {
  const deps: FlowDeps = { ...input, provisional: new Set() }
  const s = deps.settings
  const coalescer = new Coalescer()
  const users = new UserLookups(handle)
  return { handle, fresh, handleContext }

  function fresh (req: FlowRequest): Ctx {
    const ctx = context(req, deps)
    if (req.method === 'GET') ctx.hit = freshReply(ctx, deps)
    return ctx
  }

  async function handle (req: FlowRequest): Promise<Reply> {
    return await handleContext(context(req, deps))
  }

  async function handleContext (ctx: Ctx): Promise<Reply> {
    // Spotify answers every Web API request without a token 401: it is never asked that.
    if (ctx.who.anonymous) return local(401, 'No token provided', null)
    const hit = ctx.hit ?? freshReply(ctx, deps)
    if (hit !== null) return hit
    if (ctx.key === null || !ctx.who.trusted) return await respond(ctx)
    return await coalescer.run(`${ctx.req.mode}|${ctx.who.local ? 'local' : 'remote'}|${ctx.key}`, s.coalesceWaitMs, async () => await respond(ctx))
  }

  async function respond (ctx: Ctx): Promise<Reply> {
    const known = await fromEntities(ctx, deps, async path => await respond(subContext(ctx, path, deps)))
    if (known !== null) return known
    const g = gate(ctx, deps)
    if (!g.go) {
      if ('reply' in g) return g.reply
      if ('fanOut' in g) return await fanOut(ctx.req, g.fanOut, handle)
      return fallback(ctx, g.reason, deps)
    }
    let answer: UpstreamResponse
    try {
      answer = await exchange(ctx)
    } catch (err) {
      return afterFailure(ctx, g.probe, err)
    }
    const verdict = classify(answer, { isGet: ctx.req.method === 'GET', holdsAnswer: stored(ctx, deps) !== null, closed: g.closed })
    learnFromAnswer(ctx, g, verdict, answer, deps)
    return await replyTo(ctx, verdict, answer)
  }

  async function exchange (ctx: Ctx): Promise<UpstreamResponse> {
    const cached = stored(ctx, deps)
    const req = { target: ctx.target, body: ctx.req.body, headers: forwardRequestHeaders(ctx.req.headers), userId: ctx.who.userId, etag: cached?.etag ?? null }
    const io: ExchangeIo = { send, refusals: deps.state.refusals, apiBase: s.rewriteLinks ? s.publicApiBase : s.upstreamApiBases[0]! }
    return await exchangeFor(req, io).run(req, io)
  }

  /**
   * One request to Spotify, after its pacing slot and a connection of its own; never sent into a
   * cooldown that began meanwhile (a 429 answered to a request ahead of it).
   */
  async function send (forward: ForwardRequest): Promise<UpstreamResponse> {
    if (deps.state.pacer !== null) await deps.state.pacer.acquire()
    return await deps.upstream.send(forward, { beforeSend: notInCooldown })
  }

  function notInCooldown (): void {
    if (deps.state.cooldown.active() !== null) throw new CooldownStarted()
  }

  function afterFailure (ctx: Ctx, probe: boolean, err: unknown): Reply {
    const online = ctx.mode === 'online'
    learnFromFailure(ctx, probe, err instanceof UpstreamFailure, deps)
    if (err instanceof PacingTimeout) {
      const waitS = Math.max(1, Math.ceil((err.waitMs ?? 1000) / 1000))
      if (s.fallbackOnRateLimit && !online) return fallback(ctx, 'paced', deps, { pacedWaitS: waitS })
      return local(429, 'API rate limit exceeded (the proxy\'s pacing of Spotify\'s 30-second window)', 'paced', waitHeaders(waitS, s.maxRetryAfterSeconds, true))
    }
    if (err instanceof CooldownStarted) {
      const late = deps.state.cooldown.active()
      return late !== null && !online ? fallback(ctx, late.reason, deps) : cooldownReply(deps)
    }
    if (!(err instanceof UpstreamFailure)) throw err
    const reason = failureReason(err)
    if (s.fallbackOnError && !online) return fallback(ctx, reason, deps)
    return local(err.kind === 'timeout' ? 504 : 502, err.kind === 'timeout' ? 'Spotify did not answer in time' : `Spotify could not be reached (${err.kind})`, reason)
  }

  async function replyTo (ctx: Ctx, verdict: Verdict, answer: UpstreamResponse): Promise<Reply> {
    const fallsBack = ctx.mode !== 'online'
    const relayed = fromUpstream(answer)
    switch (verdict.kind) {
      case 'revalidated':
        deps.cache!.refresh(ctx.key!)
        return withUpstream(fromCache(stored(ctx, deps)!, 'cache', null, deps.now()), answer)
      case 'success': {
        const shown = withLinks(answer, verdict.json)
        trustFrom(ctx, verdict.json, deps)
        // A private answer is kept under its user: asked first when the token's user is unknown.
        const token = ctx.req.token
        if (token !== null && ctx.req.method === 'GET' && answer.status === 200 && ctx.target.endpoint?.pattern !== 'me' && ctx.target.data === 'user' && deps.state.trust.identify(token).userId === null) {
          await users.learn(ctx.req, token)
        }
        keep(ctx, verdict.json, shown, deps)
        return fromUpstream(shown)
      }
      case 'broken':
        return s.fallbackOnError && fallsBack ? fallback(ctx, 'upstream-5xx', deps, { broken: answer }) : relayed
      case 'limited':
        // A stranger's 429 is its own (Spotify's limits are per app); Spotify's own 429 goes back
        // as it came (Retry-After included) when nothing can serve.
        return ctx.who.trusted && s.fallbackOnRateLimit && fallsBack ? fallback(ctx, verdict.reason, deps, { relayed }) : relayed
      case 'failed':
        return s.fallbackOnError && fallsBack ? fallback(ctx, 'upstream-5xx', deps, { relayed }) : relayed
      case 'token-refused':
        // Falls back only for a token Spotify accepted before (a verified user whose token expired).
        return ctx.who.trusted && s.fallbackOnAuthError && fallsBack ? fallback(ctx, 'auth-expired', deps, { relayed }) : relayed
      case 'closed':
        return await afterRefusal(ctx, relayed)
      case 'other':
        return relayed
    }
  }

  /** 403 from an endpoint closed to development-mode apps: another way, or what the proxy holds. */
  async function afterRefusal (ctx: Ctx, relayed: Reply): Promise<Reply> {
    const several = entityRequest(ctx.target)
    if (several !== null && several.kind === 'track' && !several.single) return await fanOut(ctx.req, several, handle)
    // /users/{id}/playlists may be the caller's own list, which /me/playlists answers: ask who
    // the token belongs to, once.
    const listOwner = userPlaylistsOwner(ctx.target)
    if (listOwner !== null && ctx.who.userId === null && ctx.req.token !== null) {
      const me = await handle({ ...ctx.req, method: 'GET', path: '/v1/me', body: undefined })
      const who = deps.state.trust.identify(ctx.req.token)
      if (me.status === 200 && who.userId === listOwner) return await respond(context(ctx.req, deps, who))
    }
    return ctx.who.trusted && ctx.mode !== 'online' ? fallback(ctx, 'endpoint-closed', deps, { relayed }) : relayed
  }

  /** Paging links (and hrefs) on the proxy, so clients following `next` stay here. */
  function withLinks (answer: UpstreamResponse, json: unknown): UpstreamResponse {
    if (json === undefined || !s.rewriteLinks || rewriteLinks(json, s.upstreamApiBases, s.publicApiBase) === 0) return answer
    return { ...answer, body: Buffer.from(JSON.stringify(json)) }
  }
}
