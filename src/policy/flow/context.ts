// One request as the flow sees it, built once: the parsed target (src/endpoints.ts), who the
// token is, the mode it is answered in, its cache key, and the cached answer, looked up once.
import { cacheKey, requestLanguage } from '../../cache/cache-key.js'
import type { CachedResponse } from '../../cache/response-cache.js'
import type { ProxyMode } from '../../config.js'
import { requestTarget, type RequestTarget } from '../../endpoints.js'
import type { IncomingHeaders } from '../../upstream/headers.js'
import type { Identity } from '../trust.js'
import type { FlowDeps } from './deps.js'
import type { Reply } from './reply.js'

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

export interface Ctx {
  readonly req: FlowRequest
  readonly target: RequestTarget
  readonly who: Identity
  /** The mode it is answered in: a proxy-local token is never forwarded, so always offline. */
  readonly mode: ProxyMode
  /** Its cache key (GETs with the cache on), for this identity. */
  readonly key: string | null
  /** The cached answer under `key`: undefined until looked up (once, by `stored()`). */
  cached: CachedResponse | null | undefined
  /** The fresh hit `fresh()` found for it, if any (the hot path: flow.ts). */
  hit: Reply | null
}

export function context (req: FlowRequest, deps: FlowDeps, who: Identity = deps.state.trust.identify(req.token)): Ctx {
  const target = requestTarget(req.method, req.path)
  return { req, target, who, mode: who.local ? 'offline' : req.mode, key: keyFor(req, target, who, deps), cached: undefined, hit: null }
}

/** The same request for another path (a batch's missing ids, one track of a fan-out), same identity. */
export function subContext (ctx: Ctx, path: string, deps: FlowDeps): Ctx {
  return context({ ...ctx.req, method: 'GET', path, body: undefined }, deps, ctx.who)
}

/** The cache key of this request for `who` (a fallback may read as another identity: fallback.ts). */
export function keyFor (req: FlowRequest, target: RequestTarget, who: Identity, deps: FlowDeps): string | null {
  if (req.method !== 'GET' || deps.cache === null) return null
  return cacheKey({ method: 'GET', target, principal: who.principal, country: who.country, language: requestLanguage(req.headers['accept-language']) })
}

/** The cached answer for this request (only trusted tokens ever read one), looked up once. */
export function stored (ctx: Ctx, deps: FlowDeps): CachedResponse | null {
  if (ctx.cached === undefined) ctx.cached = ctx.key !== null && ctx.who.trusted ? deps.cache!.get(ctx.key) : null
  return ctx.cached
}
