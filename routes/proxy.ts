// Every request under /v1: admitted (src/http/admission.ts, as the hit lane admits them), then
// answered by the proxy flow; the answer goes back with its source headers. Bodies are passed
// through as bytes, never parsed.
import type { FastifyPluginAsync } from 'fastify'
import { sendLocal } from '../src/errors.js'
import { admitApiRequest } from '../src/http/admission.js'
import { laneContext } from '../src/http/hit-lane.js'
import type { FlowOutcome } from '../src/http/outcome.js'

/** Spotify's own request bodies are small (≤ 100 URIs, a 256 KB JPEG as base64). */
const BODY_LIMIT = 1024 * 1024

const proxy: FastifyPluginAsync = async (app) => {
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: BODY_LIMIT }, (_req, body, done) => { done(null, body) })

  app.all('/v1/*', async (req, reply) => {
    const admitted = admitApiRequest({ method: req.method, url: req.raw.url ?? '', headers: req.headers, rawHeaders: req.raw.rawHeaders }, app.config.mode, Buffer.isBuffer(req.body) ? req.body : undefined)
    if (!admitted.ok) return sendLocal(reply, admitted.status, admitted.message)
    // The hit lane may have built this request's context already (and looked the cache up).
    const ctx = laneContext(req.raw) ?? app.proxy.fresh(admitted.req)
    const answer = ctx.hit ?? await app.proxy.handleContext(ctx)
    req.proxyOutcome = { source: answer.source, reason: answer.reason, upstreamStatus: answer.upstreamStatus, upstreamMs: answer.upstreamMs }
    return reply.code(answer.status).headers(answer.headers).send(answer.body)
  })
}

declare module 'fastify' {
  interface FastifyRequest {
    proxyOutcome?: FlowOutcome
  }
}

export default proxy
