// Runs the app: JSON logs (pretty on a terminal), listen on HOST:PORT, close gracefully.
import closeWithGrace from 'close-with-grace'
import type { FastifyInstance } from 'fastify'
import { buildApp } from './app.js'
import type { Config } from './config.js'
import { loggerOptions } from './logger.js'

export async function startServer (config: Config): Promise<FastifyInstance> {
  const app = await buildApp(config, { logger: loggerOptions(config.logLevel) })
  closeWithGrace({ delay: 10_000 }, async ({ err, signal }) => {
    if (err) app.log.error({ err }, 'shutting down after an error')
    else app.log.info({ signal }, 'shutting down')
    await app.close()
  })
  await app.listen({ host: config.host, port: config.port })
  if (config.demoLibrary && config.csvBackupEnabled) {
    app.log.info('serving the demo library shipped with the package (fictional data); set SPOTIFY_CSV_BACKUP_PATH to your Exportify folder')
  }
  return app
}
