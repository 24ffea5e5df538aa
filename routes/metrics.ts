// GET /metrics in Prometheus' text format. Counts only: no token, path value or library data;
// behind the same guard as /admin (Prometheus sends the admin token with `authorization:`).
import type { FastifyPluginAsync } from 'fastify'
import { adminGuard } from '../src/plugins/admin-guard.js'

const metrics: FastifyPluginAsync = async (app) => {
  app.addHook('onRequest', adminGuard(app.config))
  app.get('/metrics', async (_req, reply) => {
    const text = await app.metrics.metrics()
    return reply.header('content-type', app.metrics.contentType).header('cache-control', 'no-store').send(text)
  })
}

export default metrics
