// The SQLite handle as a Fastify decorator: opened (and checked) before the app is ready,
// closed when the app closes.
import fp from 'fastify-plugin'
import { openDatabase, SERVE_MMAP_BYTES, type Db } from '../db.js'

declare module 'fastify' {
  interface FastifyInstance {
    db: Db
  }
}

export default fp<{ file: string }>(async (app, opts) => {
  const db = openDatabase(opts.file, { mmapBytes: SERVE_MMAP_BYTES })
  db.prepare('SELECT 1').get()
  app.decorate('db', db)
  app.addHook('onClose', async () => { db.close() })
}, { name: 'database' })
