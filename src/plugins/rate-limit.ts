// Protects the proxy (its CPU, SQLite and Spotify budget) from a runaway local client, such as a
// retry loop without backoff. Limits are per client: per bearer token when there is one, since
// on a local proxy every script shares 127.0.0.1, else per IP. Over the limit a client gets what
// Spotify itself would send: 429, its error shape and an integer Retry-After. The limit is
// SPOTIFY_PROXY_CLIENT_LIMIT (`N/Ws`, `0` off); proxy-local tokens are not counted, since
// everything they get comes from the cache or the CSV (a script paging a 60,000-track playlist
// offline must not meet it).
//
// The counts live in one store (policy/client-windows.ts) in @fastify/rate-limit's interface,
// which the library is registered with, so routes may still take their own limit through
// `config.rateLimit`. The app-wide check calls that store directly and synchronously: it runs on
// every request, and the hit lane (src/hit-lane.ts) makes it outside Fastify's hooks.
import { createHash } from 'node:crypto'
import rateLimit, { type FastifyRateLimitStore, type FastifyRateLimitStoreCtor } from '@fastify/rate-limit'
import type { FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { DEFAULT_CLIENT_LIMIT } from '../config.js'
import { spotifyError } from '../errors.js'
import { ClientWindows, type WindowCount } from '../policy/client-windows.js'
import { TrustStore } from '../policy/trust.js'

/** The default of SPOTIFY_PROXY_CLIENT_LIMIT (config.ts): a short window lets a stopped client recover within 10 s. */
export const DEFAULT_RATE_LIMIT_MAX = DEFAULT_CLIENT_LIMIT.max
export const DEFAULT_RATE_LIMIT_WINDOW_MS = DEFAULT_CLIENT_LIMIT.windowMs
/** Probes must answer even while a client is limited. */
export const DEFAULT_EXEMPT = ['/healthz', '/readyz']

export interface LocalRateLimitOptions {
  /** Requests per client per window (default: the app's SPOTIFY_PROXY_CLIENT_LIMIT); 0 turns the limit off. */
  max?: number
  timeWindowMs?: number
  /** Route paths (as registered) never limited. */
  exempt?: string[]
  /** Clients tracked at once (LRU); default 5000. */
  cache?: number
  /** Another store in @fastify/rate-limit's interface (tests); its `incr` must call back synchronously. */
  store?: FastifyRateLimitStoreCtor
}

export type LimitVerdict = { allowed: true } | { allowed: false, retryAfterSeconds: number }

/** The local limit, for every request wherever it is answered. */
export interface LocalLimit {
  /** Counts one request of the client these headers name, and says whether it may be answered. */
  check: (authorization: string | undefined, ip: string | undefined) => LimitVerdict
  /** The answer for a client over its limit: Spotify's 429. */
  refusal: (retryAfterSeconds: number) => { status: 429, headers: Record<string, string>, body: Buffer }
}

declare module 'fastify' {
  interface FastifyInstance {
    localLimit: LocalLimit
  }
}

const MESSAGE = 'API rate limit exceeded' // Spotify's own wording for this 429
const REFUSAL_BODY = Buffer.from(JSON.stringify(spotifyError(429, MESSAGE)))
const ALLOWED: LimitVerdict = Object.freeze({ allowed: true })

// Recent tokens' keys, so a busy client is hashed once, not on every request (in memory only).
const KEY_MEMO_SIZE = 5000
const keyMemo = new Map<string, string>()

/** The limiter's key: a SHA-256 of the bearer token (the limiter never holds the token), else the IP. */
export function limitKey (authorization: string | undefined, ip: string | undefined): string {
  const token = TrustStore.bearer(authorization)
  if (token === null) return `ip:${ip ?? ''}`
  let key = keyMemo.get(token)
  if (key === undefined) {
    key = `token:${createHash('sha256').update(token).digest('hex')}`
    if (keyMemo.size >= KEY_MEMO_SIZE) keyMemo.delete(keyMemo.keys().next().value!)
    keyMemo.set(token, key)
  }
  return key
}

/** Whether an Authorization header carries a proxy-local token, remembered per token. */
function localTokens (trust: { isLocal: (token: string) => boolean }): (authorization: string | undefined) => boolean {
  const memo = new Map<string, boolean>()
  return (authorization) => {
    const token = TrustStore.bearer(authorization)
    if (token === null) return false
    // `demo` is local only while the demo library is served: asked every time (a string compare).
    if (token === 'demo') return trust.isLocal(token)
    let local = memo.get(token)
    if (local === undefined) {
      local = trust.isLocal(token)
      if (memo.size >= KEY_MEMO_SIZE) memo.delete(memo.keys().next().value!)
      memo.set(token, local)
    }
    return local
  }
}

/** limitKey for a Fastify request. */
export function clientKey (req: FastifyRequest): string {
  return limitKey(req.headers.authorization, req.ip)
}

export default fp<LocalRateLimitOptions>(async (app, opts) => {
  const exempt = new Set(opts.exempt ?? DEFAULT_EXEMPT)
  const configured = app.config?.clientLimit
  const off = opts.max === 0 || (opts.max === undefined && configured === null)
  const max = opts.max ?? configured?.max ?? DEFAULT_RATE_LIMIT_MAX
  const windowMs = opts.timeWindowMs ?? configured?.windowMs ?? DEFAULT_RATE_LIMIT_WINDOW_MS
  const isLocal = app.hasDecorator('proxy') ? localTokens(app.proxy.trust) : () => false
  const cache = opts.cache ?? 5000
  const settings = { max, timeWindow: windowMs, keyGenerator: clientKey, cache }
  const Store = opts.store
  const store: FastifyRateLimitStore = Store === undefined ? new ClientWindows(windowMs, cache) : new Store(settings)

  await app.register(rateLimit, {
    // Not the library's own per-route hook: its error goes through whichever error handler is in
    // scope, so the body would not be ours to shape. The hook below answers directly.
    global: false,
    ...settings,
    // The library counts in the same store as the app-wide check (a constructor may return it).
    store: class { constructor () { return store } } as unknown as FastifyRateLimitStoreCtor,
    // Used only by routes opting into their own limit with `config: { rateLimit: {...} }`;
    // the app's error handler turns it into Spotify's shape.
    errorResponseBuilder: () => Object.assign(new Error(MESSAGE), { statusCode: 429 })
  })

  const limit: LocalLimit = {
    check (authorization, ip) {
      if (off || isLocal(authorization)) return ALLOWED
      let counted: WindowCount | undefined
      store.incr(limitKey(authorization, ip), (err, result) => {
        if (err !== null) throw err
        counted = result
      })
      if (counted === undefined) throw new Error('the local rate limit\'s store must call back synchronously')
      if (counted.current <= max) return ALLOWED
      // Whole seconds, at least 1: clients int() it.
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(counted.ttl / 1000)) }
    },
    refusal: (retryAfterSeconds) => ({
      status: 429,
      headers: { 'retry-after': String(retryAfterSeconds), 'x-proxy-source': 'local', 'content-type': 'application/json; charset=utf-8' },
      body: REFUSAL_BODY
    })
  }
  app.decorate('localLimit', limit)

  // onRequest on the root: every route and the 404 handler, before any body is read. Callback
  // style: no promise per request.
  app.addHook('onRequest', function localLimit (req, reply, done) {
    const url = req.routeOptions.url
    // `config.rateLimit`: false exempts a route, an object gives it the library's own limit.
    if ((url !== undefined && exempt.has(url)) || req.routeOptions.config?.rateLimit != null) { done(); return }
    const verdict = limit.check(req.headers.authorization, req.ip)
    if (verdict.allowed) { done(); return }
    const r = limit.refusal(verdict.retryAfterSeconds)
    reply.code(r.status).headers(r.headers).send(r.body)
  })
}, { name: 'local-rate-limit', fastify: '5.x' })
