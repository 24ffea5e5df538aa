// GET /metrics in Prometheus' text format. Counts only: no token, path value or library data.
import type { FastifyPluginAsync } from 'fastify'

const metrics: FastifyPluginAsync = async (app) => {
  app.get('/metrics', async (_req, reply) => {
    const text = await app.metrics.metrics()
    return reply.header('content-type', app.metrics.contentType).header('cache-control', 'no-store').send(text)
  })
}

export default metrics
