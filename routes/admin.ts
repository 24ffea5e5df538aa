// /admin/*: the proxy's own state, for the dashboard and for people debugging with curl, behind
// the admin guard (src/plugins/admin-guard.ts: Host, then the admin token or loopback). Never
// shows a token or a token hash.
import type { FastifyPluginAsync } from 'fastify'
import { sendLocal } from '../src/errors.js'
import { adminGuard } from '../src/plugins/admin-guard.js'
import { metaValue } from '../src/db.js'
import { parseSince } from '../src/library/export-reader.js'
import { ChangeHistory } from '../src/library/history-log.js'

const startedAt = Date.now()

const admin: FastifyPluginAsync = async (app) => {
  // Scoped to this plugin (no fastify-plugin): only /admin routes are guarded.
  app.addHook('onRequest', adminGuard(app.config))

  // The last `remediate` run's report (read-only), saved in the proxy's database.
  app.get('/admin/remediation/report', async (_req, reply) => {
    const raw = metaValue(app.db, 'remediation_report').get()
    if (raw === undefined) return await sendLocal(reply, 404, 'No remediation report yet: run `spotify-csv-proxy remediate --notion-database <id>`')
    return await reply.header('content-type', 'application/json; charset=utf-8').header('cache-control', 'no-store').send(raw)
  })

  // What each import changed (change-log.ts), newest first: ?since=DATE, ?playlist=NAME, ?limit=N (200).
  const changes = new ChangeHistory(app.db)
  app.get('/admin/history', async (req, reply) => {
    const q = req.query as Record<string, string | undefined>
    const since = q.since === undefined ? undefined : parseSince(q.since)
    if (since === null) return await sendLocal(reply, 400, 'Invalid since: a date (YYYY-MM-DD) or an ISO 8601 time')
    const limit = q.limit === undefined ? 200 : Number(q.limit)
    if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) return await sendLocal(reply, 400, 'Invalid limit: 1 to 10000')
    return await reply.header('cache-control', 'no-store').send({ changes: changes.list({ since: since === undefined ? undefined : since * 1000, playlist: q.playlist, limit }) })
  })

  app.get('/admin/stats', async (_req, reply) => {
    const { proxy, libraryState: lib, config: c } = app
    const cooldown = proxy.cooldown.active()
    const summary = lib.summary
    const totals = app.traffic.totals()
    return reply.header('cache-control', 'no-store').send({
      now: new Date().toISOString(),
      uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
      mode: c.mode,
      upstream: {
        baseUrl: c.apiBaseUrl,
        breaker: proxy.breaker.state(),
        cooldown: cooldown === null ? null : { reason: cooldown.reason, until: new Date(cooldown.until).toISOString(), secondsLeft: proxy.cooldown.secondsLeft() },
        // While the end of a cooldown is being probed: one request is asking Spotify.
        probing: proxy.cooldown.probing(),
        pacing: proxy.pacer === null ? null : { perWindow: c.pacePer30s, ...proxy.pacer.stats() },
        refusedEndpoints: proxy.refusals.list().map(r => ({ endpoint: r.endpoint, since: new Date(r.refusedAt).toISOString() }))
      },
      cache: {
        enabled: c.cacheEnabled,
        entries: proxy.cache?.stats().entries ?? 0,
        bytes: proxy.cache?.stats().bytes ?? 0,
        entityBytes: proxy.entities?.bytes ?? 0,
        maxBytes: c.cacheMaxBytes
      },
      owner: (({ owner, source, detail }) => ({ id: owner?.id ?? null, decidedBy: source, detail }))(proxy.owner.decision()),
      library: {
        enabled: lib.enabled,
        indexed: lib.indexed,
        demo: c.csvBackupEnabled && app.libraryIdentity.isDemo(),
        tracks: summary?.tracks ?? 0,
        playlists: summary?.playlists ?? 0,
        likedSongs: summary?.likedSongs ?? 0,
        files: summary?.files ?? null,
        problems: summary?.problems.length ?? 0,
        lastImportMs: summary?.durationMs ?? null
      },
      traffic: {
        totals,
        lastHour: app.traffic.lastHour(),
        recentFallbacks: app.traffic.recentFallbacks().map(e => ({ ...e, at: new Date(e.at).toISOString() }))
      }
    })
  })
}

export default admin
