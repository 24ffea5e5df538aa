// GET /dashboard: a static page and its script, no build step. The page holds no data; it reads
// /admin/stats, which keeps its own guard; the page itself answers only to this proxy's host names. Only the named files are served, never a path taken
// from the request.
import fs from 'node:fs'
import path from 'node:path'
import type { FastifyPluginAsync } from 'fastify'
import { packageRoot } from '../src/config.js'
import { sendLocal } from '../src/errors.js'
import { adminGuard } from '../src/plugins/admin-guard.js'

const FILES: Record<string, string> = {
  'dashboard.html': 'text/html; charset=utf-8',
  'dashboard.js': 'text/javascript; charset=utf-8',
  'dashboard.css': 'text/css; charset=utf-8'
}
const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

const dashboard: FastifyPluginAsync = async (app) => {
  app.addHook('onRequest', adminGuard(app.config, { hostOnly: true }))
  const dir = path.join(packageRoot(), 'public')
  // Read once at start: a handful of small files.
  const files = new Map(Object.entries(FILES).map(([name, type]) => [name, { type, body: fs.readFileSync(path.join(dir, name)) }]))
  const send = (name: string) => async (_req: unknown, reply: import('fastify').FastifyReply) => {
    const f = files.get(name)!
    return reply.header('content-type', f.type).header('cache-control', 'no-cache').header('content-security-policy', CSP).header('x-content-type-options', 'nosniff').send(f.body)
  }
  app.get('/dashboard', send('dashboard.html'))
  app.get('/dashboard/', send('dashboard.html'))
  app.get<{ Params: { asset: string } }>('/dashboard/:asset', async (req, reply) => {
    if (!files.has(req.params.asset) || req.params.asset === 'dashboard.html') return sendLocal(reply, 404, 'No such dashboard file')
    return await send(req.params.asset)(req, reply)
  })
}

export default dashboard
