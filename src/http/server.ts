// Runs the app: JSON logs (pretty on a terminal), listen on HOST:PORT, close gracefully.
import closeWithGrace from 'close-with-grace'
import type { FastifyInstance } from 'fastify'
import { buildApp } from './app.js'
import { isLoopbackHost, type Config } from '../config.js'
import { loggerOptions } from './logger.js'

export async function startServer (config: Config): Promise<FastifyInstance> {
  const app = await buildApp(config, { logger: loggerOptions(config.logLevel) })
  closeWithGrace({ delay: 10_000 }, async ({ err, signal }) => {
    if (err) app.log.error({ err }, 'shutting down after an error')
    else app.log.info({ signal }, 'shutting down')
    await app.close()
  })
  await app.listen({ host: config.host, port: config.port })
  const owner = app.proxy.owner.decision()
  app.log.info({ owner: owner.owner?.id ?? null, decidedBy: owner.source }, `library owner: ${owner.detail}`)
  if (config.ownerOnLoopback) {
    app.log.warn(isLoopbackHost(config.host) && owner.owner !== null
      ? 'SPOTIFY_PROXY_TRUST=owner-on-loopback: while Spotify cannot be asked, any unverified token counts as the owner\'s'
      : 'SPOTIFY_PROXY_TRUST=owner-on-loopback has no effect: it needs a loopback HOST and a known library owner')
  }
  if (config.demoLibrary && config.csvBackupEnabled) {
    app.log.info('serving the demo library shipped with the package (fictional data); set SPOTIFY_CSV_BACKUP_PATH to your Exportify folder')
  }
  return app
}
