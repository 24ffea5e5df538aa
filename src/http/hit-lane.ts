// The hit lane: fresh cache hits answered by the HTTP server before Fastify sees the request.
//
// A script re-reading its library is mostly hits, and a hit is a memory lookup; through Fastify
// it also pays for request and reply objects, a child logger, hooks and routing, which measured
// 2–3× the lookup itself (BENCHMARKS.md). The lane takes only requests whose answer is certain:
// a plain GET under /v1 with an accepted target, one Host field, no body, no X-Proxy-Mode and no
// Origin (CORS), from a trusted token, that the proxy flow's own `fresh()` answers from the
// cache. Everything else, and anything the lane is unsure of, goes to Fastify untouched, which
// answers it exactly as before (the route calls the same `fresh()` first). What the app does for every request, the
// lane does too, with the same code: the local rate limit, the metrics and the request log line.
import http, { type IncomingMessage, type ServerResponse } from 'node:http'
import type { FastifyBaseLogger, FastifyServerFactory } from 'fastify'
import type { ProxyMode } from '../config.js'
import type { AnsweredRequest } from '../plugins/observability.js'
import type { LocalLimit } from '../plugins/rate-limit.js'
import type { FlowRequest, ProxyReply } from '../policy/proxy-flow.js'
import { TrustStore } from '../policy/trust.js'
import { validateTarget } from '../upstream/target.js'

/** The one log line per request (app.ts). */
export interface RequestLine {
  method: string
  path: string
  status: number
  source: string
  reason: string | null
  upstreamStatus: number | null
  upstreamMs: number | null
  ms: number
  /** Answered by the hit lane, before Fastify (so the line has no reqId). */
  hitLane?: true
}

// The options fastify hands a server factory that its own server uses (fastify.js defaults).
interface ServerOptions {
  http?: http.ServerOptions
  keepAliveTimeout: number
  requestTimeout: number
  connectionTimeout: number
  maxRequestsPerSocket: number
}

export interface HitLaneDeps {
  fresh: (req: FlowRequest) => ProxyReply | null
  limit: LocalLimit
  record: (a: AnsweredRequest) => void
  mode: ProxyMode
  log: FastifyBaseLogger
  /** The request's log line, as the app writes it for every answer. */
  logAnswer: (line: RequestLine) => void
  /** True once the app is closing: Fastify then answers (503s, ends connections). */
  closing: () => boolean
}

/** Answers the request and returns true, or returns false having touched nothing. */
export type HitLane = (req: IncomingMessage, res: ServerResponse) => boolean

const ACCEPTED_MEMO = 4096

export function createHitLane (deps: HitLaneDeps): HitLane {
  // Targets validateTarget accepted (it passes them through unchanged), so a busy path is
  // checked once.
  const accepted = new Set<string>()
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
    // A browser's request (Origin) gets CORS headers from the router's plugin.
    if (h['x-proxy-mode'] !== undefined || h.origin !== undefined || h['content-length'] !== undefined || h['transfer-encoding'] !== undefined) return false
    if (hostFields(req.rawHeaders) !== 1) return false
    if (!accepted.has(url)) {
      if (!validateTarget(url).ok) return false
      if (accepted.size >= ACCEPTED_MEMO) accepted.clear()
      accepted.add(url)
    }
    const start = performance.now()
    const hit = deps.fresh({ method: 'GET', path: url, headers: h, token: TrustStore.bearer(h.authorization), mode: deps.mode })
    if (hit === null || hit.headers['content-type'] === undefined) return false
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
    const ms = Math.round(performance.now() - start)
    const status = res.statusCode
    const source = verdict.allowed ? hit.source : 'local'
    deps.record({ method: 'GET', url, status, source, reason: null, upstreamStatus: null, upstreamMs: null, proxied: verdict.allowed, ms })
    deps.logAnswer({ method: 'GET', path: url.split('?')[0]!, status, source, reason: null, upstreamStatus: null, upstreamMs: null, ms, hitLane: true })
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

/** How many Host fields a request carries (RFC 9112 §3.2: exactly one). */
export function hostFields (raw: string[]): number {
  let n = 0
  for (let i = 0; i < raw.length; i += 2) if (raw[i]!.length === 4 && raw[i]!.toLowerCase() === 'host') n++
  return n
}

function wireHeaders (headers: Readonly<Record<string, string>>, length: number): string[] {
  const out: string[] = []
  for (const name in headers) if (name !== 'content-length') out.push(name, headers[name]!)
  out.push('content-length', String(length))
  return out
}
