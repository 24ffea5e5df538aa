// The hit lane: fresh cache hits answered by the HTTP server before Fastify sees the request.
//
// A script re-reading its library is mostly hits, and a hit is a memory lookup; through Fastify
// it also pays for request and reply objects, a child logger, hooks and routing, which measured
// 2–3× the lookup itself (BENCHMARKS.md). The lane admits a request exactly as the /v1 route does
// (src/http/admission.ts), counts it against the same local limit, and records the same outcome
// (log line and metrics); it answers only a GET the proxy flow's own `fresh()` answers from the
// cache. The app's other global hooks act only on requests with a body or an Origin (CORS), which
// the lane leaves to the router; test/http/global-hooks.test.ts lists them, so a new one cannot
// slip past the lane. Anything else, and anything that fails in the lane, goes to Fastify
// untouched, with the context the lane built (so the cache is looked up once per request).
import http, { type IncomingMessage, type ServerResponse } from 'node:http'
import type { FastifyBaseLogger, FastifyServerFactory } from 'fastify'
import type { ProxyMode } from '../config.js'
import type { Ctx } from '../policy/flow/context.js'
import type { ProxyFlow } from '../policy/flow/flow.js'
import type { LocalLimit } from '../plugins/rate-limit.js'
import { admitApiRequest } from './admission.js'
import type { Outcome } from './outcome.js'

// The options fastify hands a server factory that its own server uses (fastify.js defaults).
interface ServerOptions {
  http?: http.ServerOptions
  keepAliveTimeout: number
  requestTimeout: number
  connectionTimeout: number
  maxRequestsPerSocket: number
}

export interface HitLaneDeps {
  fresh: ProxyFlow['fresh']
  limit: LocalLimit
  /** The request's outcome: its log line and metrics, as the app records every request. */
  record: (o: Outcome, log: FastifyBaseLogger) => void
  mode: ProxyMode
  log: FastifyBaseLogger
  /** True once the app is closing: Fastify then answers (503s, ends connections). */
  closing: () => boolean
}

/** Answers the request and returns true, or returns false having answered nothing. */
export type HitLane = (req: IncomingMessage, res: ServerResponse) => boolean

// The context the lane built for a request it handed to the router.
const handedOver = new WeakMap<IncomingMessage, Ctx>()

/** The context the hit lane built for this request (with no hit), if it saw it first. */
export function laneContext (req: IncomingMessage): Ctx | undefined {
  return handedOver.get(req)
}

export function createHitLane (deps: HitLaneDeps): HitLane {
  // Wire headers (content-length added) per shared hit-headers object: fresh() hands out the same
  // frozen object for an answer until its Age changes.
  const wire = new WeakMap<object, string[]>()

  return function lane (req, res) {
    if (req.method !== 'GET') return false
    const url = req.url
    if (url === undefined || !url.startsWith('/v1/') || deps.closing()) return false
    try {
      return answer(req, res, url)
    } catch (err) {
      // The router then answers as it would have, in Spotify's shape whatever happens there. The
      // rare request this counted against the rate limit is counted again there.
      handedOver.delete(req)
      if (res.headersSent) {
        deps.log.error({ err, path: url.split('?')[0] }, 'hit lane: failed after answering')
        return true
      }
      deps.log.warn({ err, path: url.split('?')[0] }, 'hit lane: not answered, handed to the router')
      return false
    }
  }

  function answer (req: IncomingMessage, res: ServerResponse, url: string): boolean {
    const h = req.headers
    // A body, or a browser's request (Origin: CORS headers from the router's plugin), is the router's.
    if (h.origin !== undefined || h['content-length'] !== undefined || h['transfer-encoding'] !== undefined) return false
    const admitted = admitApiRequest({ method: 'GET', url, headers: h, rawHeaders: req.rawHeaders }, deps.mode)
    if (!admitted.ok) return false
    const start = performance.now()
    const ctx = deps.fresh(admitted.req)
    const hit = ctx.hit
    if (hit === null || hit.headers['content-type'] === undefined) {
      handedOver.set(req, ctx)
      return false
    }
    let headers = wire.get(hit.headers)
    if (headers === undefined) {
      headers = wireHeaders(hit.headers, hit.body.length)
      if (Object.isFrozen(hit.headers)) wire.set(hit.headers, headers)
    }
    const verdict = deps.limit.check(h.authorization, req.socket.remoteAddress)
    if (verdict.allowed) {
      res.writeHead(hit.status, headers)
      res.end(hit.body)
    } else {
      const r = deps.limit.refusal(verdict.retryAfterSeconds)
      res.writeHead(r.status, wireHeaders(r.headers, r.body.length))
      res.end(r.body)
    }
    const o: Outcome = { method: 'GET', url, status: res.statusCode, source: verdict.allowed ? hit.source : 'local', reason: null, upstreamStatus: null, upstreamMs: null, proxied: verdict.allowed, hitLane: true, ms: Math.round(performance.now() - start) }
    deps.record(o, deps.log)
    return true
  }
}

/** Fastify's own server (lib/server.js, HTTP/1), with the lane in front of its router. */
export function hitLaneServer (lane: () => HitLane | null): FastifyServerFactory {
  return (router, fastifyOptions) => {
    const options = fastifyOptions as unknown as ServerOptions
    // Node enforces requestTimeout and headersTimeout on a timer of this period (default 30 s):
    // a short timeout needs a short period to be met on time.
    const checkEvery = Math.max(100, Math.min(5_000, Math.floor(options.requestTimeout / 4)))
    const server = http.createServer({ connectionsCheckingInterval: options.requestTimeout > 0 ? checkEvery : 30_000, ...options.http }, (req, res) => {
      const l = lane()
      if (l === null || !l(req, res)) router(req, res)
    })
    server.keepAliveTimeout = options.keepAliveTimeout
    server.requestTimeout = options.requestTimeout
    // Headers must arrive within the same bound (Node's own default is 60 s).
    if (options.requestTimeout > 0) server.headersTimeout = Math.min(server.headersTimeout, options.requestTimeout)
    server.setTimeout(options.connectionTimeout)
    if (options.maxRequestsPerSocket > 0) server.maxRequestsPerSocket = options.maxRequestsPerSocket
    return server
  }
}

function wireHeaders (headers: Readonly<Record<string, string>>, length: number): string[] {
  const out: string[] = []
  for (const name in headers) if (name !== 'content-length') out.push(name, headers[name]!)
  out.push('content-length', String(length))
  return out
}
