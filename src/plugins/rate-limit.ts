// Protects the proxy (its CPU, SQLite and Spotify budget) from a runaway local client, such as a
// retry loop without backoff. Limits are per client: per bearer token when there is one, since
// on a local proxy every script shares 127.0.0.1, else per IP. Over the limit a client gets what
// Spotify itself would send: 429, its error shape and an integer Retry-After.
import { createHash } from 'node:crypto'
import rateLimit, { type FastifyRateLimitStoreCtor } from '@fastify/rate-limit'
import type { FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { spotifyError } from '../library/shapes.js'
import { TrustStore } from '../policy/trust.js'

/**
 * 60 requests/s sustained per client, in 10 s windows. Far above what a sync script needs (a
 * 10,000-track library is ~100 playlist pages, ~200 track batches), and far above anything Spotify
 * could serve (the pacer lets ~3/s upstream), so only cache/CSV-bound loops ever meet it. A short
 * window lets a stopped client recover within 10 s.
 */
export const DEFAULT_RATE_LIMIT_MAX = 600
export const DEFAULT_RATE_LIMIT_WINDOW_MS = 10_000
/** Probes must answer even while a client is limited. */
export const DEFAULT_EXEMPT = ['/healthz', '/readyz']

export interface LocalRateLimitOptions {
  /** Requests per client per window. */
  max?: number
  timeWindowMs?: number
  /** Route paths (as registered) never limited. */
  exempt?: string[]
  /** Clients tracked at once (LRU); default 5000. */
  cache?: number
  /** A store for @fastify/rate-limit (tests, a shared store); default in memory. */
  store?: FastifyRateLimitStoreCtor
}

const MESSAGE = 'API rate limit exceeded' // Spotify's own wording for this 429

// Recent tokens' keys, so a busy client is hashed once, not on every request (in memory only).
const KEY_MEMO_SIZE = 5000
const keyMemo = new Map<string, string>()

/** The limiter's key: a SHA-256 of the bearer token (the limiter never holds the token), else the IP. */
export function clientKey (req: FastifyRequest): string {
  const token = TrustStore.bearer(req.headers.authorization)
  if (token === null) return `ip:${req.ip}`
  let key = keyMemo.get(token)
  if (key === undefined) {
    key = `token:${createHash('sha256').update(token).digest('hex')}`
    if (keyMemo.size >= KEY_MEMO_SIZE) keyMemo.delete(keyMemo.keys().next().value!)
    keyMemo.set(token, key)
  }
  return key
}

export default fp<LocalRateLimitOptions>(async (app, opts) => {
  const exempt = new Set(opts.exempt ?? DEFAULT_EXEMPT)
  await app.register(rateLimit, {
    // Not the library's own per-route hook: its error goes through whichever error handler is in
    // scope, so the body would not be ours to shape. The hook below answers directly.
    global: false,
    max: opts.max ?? DEFAULT_RATE_LIMIT_MAX,
    timeWindow: opts.timeWindowMs ?? DEFAULT_RATE_LIMIT_WINDOW_MS,
    keyGenerator: clientKey,
    cache: opts.cache ?? 5000,
    ...(opts.store === undefined ? {} : { store: opts.store }),
    // Used only by routes opting into their own limit with `config: { rateLimit: {...} }`;
    // the app's error handler turns it into Spotify's shape.
    errorResponseBuilder: () => Object.assign(new Error(MESSAGE), { statusCode: 429 })
  })
  const check = app.createRateLimit()

  // onRequest on the root: every route and the 404 handler, before any body is read.
  app.addHook('onRequest', async (req, reply) => {
    const url = req.routeOptions.url
    if (url !== undefined && exempt.has(url)) return
    // `config.rateLimit`: false exempts a route, an object gives it the library's own limit.
    if (req.routeOptions.config?.rateLimit != null) return
    const limit = await check(req)
    if (limit.isAllowed || !limit.isExceeded) return
    return reply
      .code(429)
      .header('retry-after', String(Math.max(1, limit.ttlInSeconds))) // whole seconds: clients int() it
      .header('x-proxy-source', 'local')
      .header('content-type', 'application/json; charset=utf-8')
      .send(spotifyError(429, MESSAGE))
  })
}, { name: 'local-rate-limit', fastify: '5.x' })
