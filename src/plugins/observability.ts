// What the proxy is doing, for the log, /metrics (Prometheus, prom-client) and the dashboard:
// every request's outcome (src/http/outcome.ts) is one log line and is counted by endpoint,
// source and fallback reason; gauges read the live state (cooldown, breaker, cache, pacing
// queue, library) when scraped.
import fp from 'fastify-plugin'
import client from 'prom-client'
import type { FastifyBaseLogger } from 'fastify'
import { requestTarget } from '../endpoints.js'
import { logLine, type Outcome } from '../http/outcome.js'
import { TrafficLog } from '../observability/traffic.js'

declare module 'fastify' {
  interface FastifyInstance {
    metrics: client.Registry
    traffic: TrafficLog
    /** The one record of every request: its log line (on `log`), its metrics, the dashboard's log. */
    recordOutcome: (o: Outcome, log: FastifyBaseLogger) => void
  }
}

// Levels at which the per-request `info` line is not written: it is then not even built.
const QUIET_LEVELS = new Set(['warn', 'error', 'fatal', 'silent'])

const BREAKER_STATES = { closed: 0, 'half-open': 1, open: 2 } as const

export default fp(async (app) => {
  // A registry per app, so several apps in one process (tests) never share counters.
  const registry = new client.Registry()
  const traffic = new TrafficLog(app.clock)
  const prefix = 'spotify_proxy_'
  client.collectDefaultMetrics({ register: registry, prefix })

  // Every answer is counted in plain maps and handed to these counters when they are scraped:
  // prom-client hashes and validates labels on each inc(), which the hit path would pay per answer.
  const answers = new Map<string, { labels: Record<string, string>, n: number }>()
  const lookups = { hit: 0, miss: 0 }
  const flushedLookups = { hit: 0, miss: 0 }
  // eslint-disable-next-line no-new
  new client.Counter({
    name: `${prefix}requests_total`,
    help: 'Answers sent, by endpoint, source (upstream|cache|stale|csv|local), fallback reason and status',
    labelNames: ['route', 'source', 'reason', 'status'],
    registers: [registry],
    collect () {
      for (const a of answers.values()) {
        if (a.n > 0) this.inc(a.labels, a.n)
        a.n = 0
      }
    }
  })
  const upstreamSeconds = new client.Histogram({ name: `${prefix}upstream_duration_seconds`, help: 'Time Spotify took to answer, by endpoint', labelNames: ['route'], buckets: [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers: [registry] })
  const upstreamStatus = new client.Counter({ name: `${prefix}upstream_responses_total`, help: 'Answers from Spotify, by status', labelNames: ['status'], registers: [registry] })
  // eslint-disable-next-line no-new
  new client.Counter({
    name: `${prefix}cache_lookups_total`,
    help: 'GETs under /v1 by whether the cache answered them fresh (hit) or not (miss)',
    labelNames: ['result'],
    registers: [registry],
    collect () {
      for (const result of ['hit', 'miss'] as const) {
        const n = lookups[result] - flushedLookups[result]
        if (n > 0) this.inc({ result }, n)
        flushedLookups[result] = lookups[result]
      }
    }
  })

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

  const record = (a: Outcome): void => {
    // Outside /v1 only registered routes keep their name: a scan of random paths must not make a
    // label set per path. Inside, the endpoint table's label (the parsed target is memoised).
    const route = a.url.startsWith('/v1/') ? requestTarget(a.method, a.url).label : (a.route ?? 'not-found')
    const reason = a.reason ?? ''
    const status = a.status
    const labels = `${route}\n${a.source}\n${reason}\n${status}`
    let count = answers.get(labels)
    if (count === undefined) {
      count = { labels: { route, source: a.source, reason, status: String(status) }, n: 0 }
      answers.set(labels, count)
    }
    count.n++
    if (a.proxied && a.method === 'GET') lookups[a.source === 'cache' && a.upstreamStatus === null ? 'hit' : 'miss']++
    if (a.upstreamStatus !== null) {
      upstreamStatus.inc({ status: String(a.upstreamStatus) })
      if (a.upstreamMs !== null) upstreamSeconds.observe({ route }, a.upstreamMs / 1000)
    }
    // Only the API's traffic: probes, the dashboard and /metrics itself would drown it.
    if (a.url.startsWith('/v1/')) traffic.record(a, route)
  }

  app.decorate('recordOutcome', (o: Outcome, log: FastifyBaseLogger) => {
    if (!QUIET_LEVELS.has(log.level)) log.info(logLine(o), 'request')
    record(o)
  })
  app.decorate('metrics', registry)
  app.decorate('traffic', traffic)
}, { name: 'observability', dependencies: ['proxy', 'library'] })
