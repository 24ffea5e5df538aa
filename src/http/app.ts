// Builds the Fastify app from plugins and routes; the server and the tests both use it.
import Fastify, { LogController, type FastifyInstance, type FastifyReply, type FastifyServerOptions } from 'fastify'
import { clientErrorHandler, refuseConnect } from './client-errors.js'
import type { Config } from '../config.js'
import database from '../plugins/database.js'
import library from '../plugins/library.js'
import proxyParts from '../plugins/proxy.js'
import observability from '../plugins/observability.js'
import rateLimit from '../plugins/rate-limit.js'
import corsPlugin from '../plugins/cors.js'
import health from '../../routes/health.js'
import proxy from '../../routes/proxy.js'
import token from '../../routes/token.js'
import admin from '../../routes/admin.js'
import dashboard from '../../routes/dashboard.js'
import metrics from '../../routes/metrics.js'
import libraryRoutes from '../../routes/library.js'
import { sendLocal } from '../errors.js'
import { checkRequestLine } from './admission.js'
import { createHitLane, hitLaneServer, type HitLane } from './hit-lane.js'

export interface AppOptions {
  /** The wall clock (ms) for cooldowns, cache ages and token records; tests move it by hours. */
  now?: () => number
}

export async function buildApp (config: Config, fastifyOptions: FastifyServerOptions = {}, opts: AppOptions = {}): Promise<FastifyInstance> {
  // Fresh cache hits are answered by the server before Fastify (hit-lane.ts); the lane is set
  // once every plugin it uses is ready.
  let lane: HitLane | null = null
  // One log line per request, written below with where the answer came from.
  const app = Fastify({
    serverFactory: hitLaneServer(() => lane),
    // A client sending its request a byte at a time must not hold a socket forever (Fastify's
    // default is no limit): a 408 after this long, on every way in (hit lane included).
    requestTimeout: config.requestTimeoutMs,
    logController: new LogController({ disableRequestLogging: true }),
    clientErrorHandler,
    // A URL Fastify cannot decode (`/v1/tracks/%ff`) is the client's error, in Spotify's shape.
    frameworkErrors: (err, _req, res) => {
      const status = (err as { statusCode?: number }).statusCode ?? 400
      const reply = res as unknown as FastifyReply
      sendLocal(reply, status, status === 400 ? 'Malformed request target: not valid percent-encoded UTF-8' : err.message)
    },
    ...fastifyOptions,
    // The library plugin imports at startup: a large library's first import, or its rebuild after
    // an upgrade changes the index's layout, takes longer than Fastify's 10 s plugin limit (a
    // 1,000,000-row library ~20–30 s on 2 cores), which would stop `serve` half-started.
    pluginTimeout: 0
  })
  app.server.on('connect', refuseConnect)
  app.decorate('config', config)
  app.decorate('clock', opts.now ?? Date.now)
  await app.register(database, { file: config.dbPath })
  await app.register(library, { enabled: config.csvBackupEnabled, path: config.csvBackupPath })
  await app.register(proxyParts)
  await app.register(observability)
  // Before the rate limit, so its 429s carry CORS headers a page can read.
  await app.register(corsPlugin)
  // Before the routes and the 404 handler, so a runaway local loop is stopped wherever it goes.
  await app.register(rateLimit)

  // Both hooks run on every request: callback style, so they cost no promise. The first admits
  // the request line (the hit lane admits with the same function), whatever the path.
  app.addHook('onRequest', function admitRequestLine (req, reply, done) {
    const refused = checkRequestLine(req.raw.url ?? '', req.raw.rawHeaders)
    if (refused === null) done()
    else sendLocal(reply, refused.status, refused.message)
  })
  // Closing: Fastify closes the connections idle at that moment; one whose answer is still on its
  // way would then keep the server open until its keep-alive times out. It is ended once answered.
  let closing = false
  app.addHook('preClose', function markClosing (done) { closing = true; done() })
  // The one record of every request the router answered (the hit lane records its own the same way).
  app.addHook('onResponse', function recordOutcome (req, reply, done) {
    if (closing) req.raw.socket.end()
    const o = req.proxyOutcome
    app.recordOutcome({
      method: req.method,
      url: req.raw.url ?? '',
      route: req.routeOptions.url,
      status: reply.statusCode,
      source: o?.source ?? 'local',
      reason: o?.reason ?? null,
      upstreamStatus: o?.upstreamStatus ?? null,
      upstreamMs: o?.upstreamMs ?? null,
      proxied: o !== undefined,
      ms: Math.round(reply.elapsedTime)
    }, req.log)
    done()
  })

  // Every error leaves in Spotify's shape, whatever raised it (set before the routes, which
  // inherit it when registered).
  app.setNotFoundHandler((req, reply) => {
    sendLocal(reply, 404, `Service not found: ${req.method} ${(req.raw.url ?? '').split('?')[0]}`)
  })
  app.setErrorHandler((err: { statusCode?: number, message: string }, req, reply) => {
    const status = err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 600 ? err.statusCode : 500
    if (status >= 500) req.log.error({ err }, 'request failed')
    sendLocal(reply, status, status >= 500 ? 'Internal server error' : err.message)
  })
  await app.register(health)
  await app.register(metrics)
  await app.register(admin)
  await app.register(dashboard)
  await app.register(proxy)
  await app.register(token)
  await app.register(libraryRoutes)
  await app.ready()
  lane = createHitLane({ fresh: app.proxy.fresh, limit: app.localLimit, record: app.recordOutcome, mode: config.mode, log: app.log, closing: () => closing })
  return app
}

declare module 'fastify' {
  interface FastifyInstance {
    config: Config
    clock: () => number
  }
}
