// What the proxy is doing, for /metrics (Prometheus, prom-client) and the dashboard: every answer
// is counted by endpoint, source and fallback reason; gauges read the live state (cooldown,
// breaker, cache, pacing queue, library) when scraped.
import fp from 'fastify-plugin'
import client from 'prom-client'
import { routeTemplate } from '../observability/route-template.js'
import { TrafficLog } from '../observability/traffic.js'

declare module 'fastify' {
  interface FastifyInstance {
    metrics: client.Registry
    traffic: TrafficLog
  }
}

const BREAKER_STATES = { closed: 0, 'half-open': 1, open: 2 } as const

export default fp(async (app) => {
  // A registry per app, so several apps in one process (tests) never share counters.
  const registry = new client.Registry()
  const traffic = new TrafficLog()
  const prefix = 'spotify_proxy_'
  client.collectDefaultMetrics({ register: registry, prefix })

  const requests = new client.Counter({ name: `${prefix}requests_total`, help: 'Answers sent, by endpoint, source (upstream|cache|stale|csv|local), fallback reason and status', labelNames: ['route', 'source', 'reason', 'status'], registers: [registry] })
  const upstreamSeconds = new client.Histogram({ name: `${prefix}upstream_duration_seconds`, help: 'Time Spotify took to answer, by endpoint', labelNames: ['route'], buckets: [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers: [registry] })
  const upstreamStatus = new client.Counter({ name: `${prefix}upstream_responses_total`, help: 'Answers from Spotify, by status', labelNames: ['status'], registers: [registry] })
  const hits = new client.Counter({ name: `${prefix}cache_lookups_total`, help: 'GETs under /v1 by whether the cache answered them fresh (hit) or not (miss)', labelNames: ['result'], registers: [registry] })

  const { proxy, libraryState } = app
  const gauge = (name: string, help: string, value: () => number): void => {
    // eslint-disable-next-line no-new
    new client.Gauge({ name: `${prefix}${name}`, help, registers: [registry], collect () { this.set(value()) } })
  }
  gauge('cooldown_active', '1 while a Retry-After cooldown keeps requests from Spotify', () => (proxy.cooldown.active() === null ? 0 : 1))
  gauge('cooldown_seconds_left', 'Seconds until the cooldown ends', () => proxy.cooldown.secondsLeft())
  gauge('breaker_state', 'Upstream circuit breaker: 0 closed, 1 half-open, 2 open', () => BREAKER_STATES[proxy.breaker.state()])
  gauge('pacing_queue_length', 'Requests waiting for a slot in Spotify\'s 30 s window', () => proxy.pacer?.stats().queued ?? 0)
  gauge('cache_entries', 'Whole answers in the response cache', () => proxy.cache?.stats().entries ?? 0)
  gauge('cache_bytes', 'Bytes in the response cache', () => proxy.cache?.stats().bytes ?? 0)
  gauge('entity_cache_bytes', 'Bytes of single tracks and audio features kept', () => proxy.entities?.bytes ?? 0)
  gauge('cache_hit_ratio', 'Share of GETs answered fresh from the cache since start', () => {
    const total = lookups.hit + lookups.miss
    return total === 0 ? 0 : lookups.hit / total
  })
  gauge('library_tracks', 'Tracks in the CSV library', () => libraryState.summary?.tracks ?? 0)
  gauge('library_playlists', 'Playlists in the CSV library', () => libraryState.summary?.playlists ?? 0)
  gauge('library_liked_songs', 'Liked Songs in the CSV library', () => libraryState.summary?.likedSongs ?? 0)
  gauge('library_import_duration_seconds', 'Duration of the last library import', () => (libraryState.summary?.durationMs ?? 0) / 1000)

  const lookups = { hit: 0, miss: 0 }
  app.addHook('onResponse', (req, reply, done) => {
    const o = req.proxyOutcome
    const url = req.raw.url ?? ''
    const route = routeTemplate(url)
    const source = o?.source ?? 'local'
    const reason = o?.reason ?? null
    requests.inc({ route, source, reason: reason ?? '', status: String(reply.statusCode) })
    if (o !== undefined && req.method === 'GET') {
      const hit = source === 'cache' && o.upstreamStatus === null
      lookups[hit ? 'hit' : 'miss']++
      hits.inc({ result: hit ? 'hit' : 'miss' })
    }
    if (o?.upstreamStatus != null) {
      upstreamStatus.inc({ status: String(o.upstreamStatus) })
      if (o.upstreamMs !== null) upstreamSeconds.observe({ route }, o.upstreamMs / 1000)
    }
    // Only the API's traffic: probes, the dashboard and /metrics itself would drown it.
    if (url.startsWith('/v1/')) traffic.record({ method: req.method, route, status: reply.statusCode, source, reason, upstreamStatus: o?.upstreamStatus ?? null, ms: Math.round(reply.elapsedTime) })
    done()
  })

  app.decorate('metrics', registry)
  app.decorate('traffic', traffic)
}, { name: 'observability', dependencies: ['proxy', 'library'] })
