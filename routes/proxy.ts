// Every request under /v1: validated, then handed to the proxy flow; the answer goes back with
// its source headers. Bodies are passed through as bytes, never parsed.
import type { FastifyPluginAsync } from 'fastify'
import type { ProxyMode } from '../src/config.js'
import { spotifyError } from '../src/errors.js'
import type { FlowRequest } from '../src/policy/proxy-flow.js'
import { TrustStore } from '../src/policy/trust.js'
import { validateTarget } from '../src/upstream/target.js'

const MODES = new Set<ProxyMode>(['auto', 'offline', 'online'])
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'])
/** Spotify's own request bodies are small (≤ 100 URIs, a 256 KB JPEG as base64). */
const BODY_LIMIT = 1024 * 1024

const proxy: FastifyPluginAsync = async (app) => {
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: BODY_LIMIT }, (_req, body, done) => { done(null, body) })

  app.all('/v1/*', async (req, reply) => {
    // TRACE echoes requests (cross-site tracing); Spotify's API uses none of these.
    if (!METHODS.has(req.method)) return local(reply, 405, `Method ${req.method} is not supported by the Spotify Web API`)
    const target = validateTarget(req.raw.url ?? '')
    if (!target.ok) return local(reply, 400, target.message)
    const modeHeader = req.headers['x-proxy-mode']
    const mode = typeof modeHeader === 'string' ? modeHeader.trim().toLowerCase() : app.config.mode
    if (!MODES.has(mode as ProxyMode)) return local(reply, 400, 'X-Proxy-Mode must be auto, offline or online')
    const flowReq: FlowRequest = {
      // HEAD is answered like GET (Node sends the headers only): same cache, same fallback.
      method: req.method === 'HEAD' ? 'GET' : req.method,
      path: target.path,
      headers: req.headers,
      body: Buffer.isBuffer(req.body) ? req.body : undefined,
      token: TrustStore.bearer(req.headers.authorization),
      mode: mode as ProxyMode
    }
    // A fresh cache hit is answered synchronously; everything else goes through the whole flow.
    const answer = app.proxy.fresh(flowReq) ?? await app.proxy.handle(flowReq)
    req.proxyOutcome = { source: answer.source, reason: answer.reason, upstreamStatus: answer.upstreamStatus, upstreamMs: answer.upstreamMs }
    return reply.code(answer.status).headers(answer.headers).send(answer.body)
  })
}

function local (reply: import('fastify').FastifyReply, status: number, message: string): import('fastify').FastifyReply {
  return reply.code(status).header('x-proxy-source', 'local').send(spotifyError(status, message))
}

declare module 'fastify' {
  interface FastifyRequest {
    proxyOutcome?: { source: string, reason: string | null, upstreamStatus: number | null, upstreamMs: number | null }
  }
}

export default proxy
