// Builds the Fastify app from plugins and routes; the server and the tests both use it.
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify'
import type { Config } from './config.js'
import database from './plugins/database.js'
import library from './plugins/library.js'
import health from '../routes/health.js'
import { spotifyError } from './library/shapes.js'

export async function buildApp (config: Config, fastifyOptions: FastifyServerOptions = {}): Promise<FastifyInstance> {
  const app = Fastify(fastifyOptions)
  app.decorate('config', config)
  await app.register(database, { file: config.dbPath })
  await app.register(library, { enabled: config.csvBackupEnabled, path: config.csvBackupPath })
  await app.register(health)

  // Every error leaves in Spotify's shape, whatever raised it.
  app.setNotFoundHandler((req, reply) => {
    reply.code(404).send(spotifyError(404, `Service not found: ${req.method} ${req.url.split('?')[0]}`))
  })
  app.setErrorHandler((err: { statusCode?: number, message: string }, req, reply) => {
    const status = err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 600 ? err.statusCode : 500
    if (status >= 500) req.log.error({ err }, 'request failed')
    reply.code(status).send(spotifyError(status, status >= 500 ? 'Internal server error' : err.message))
  })
  await app.ready()
  return app
}

declare module 'fastify' {
  interface FastifyInstance {
    config: Config
  }
}
