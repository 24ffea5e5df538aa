// Liveness and readiness for Docker HEALTHCHECK, compose and orchestrators.
import type { FastifyPluginAsync } from 'fastify'

const health: FastifyPluginAsync = async (app) => {
  app.get('/healthz', async () => ({ status: 'ok' }))

  app.get('/readyz', async (_req, reply) => {
    const checks = {
      database: dbOpen(app),
      library: !app.libraryState.enabled || app.libraryState.indexed
    }
    const ready = checks.database && checks.library
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready', checks })
  })
}

function dbOpen (app: Parameters<FastifyPluginAsync>[0]): boolean {
  try {
    return app.db.open && app.db.prepare('SELECT 1').pluck().get() === 1
  } catch {
    return false
  }
}

export default health
