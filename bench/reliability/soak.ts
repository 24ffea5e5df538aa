// The soak: mixed traffic at a steady rate through the proxy (a child process) for a long time,
// sampling its memory, event-loop delay (from its own /metrics) and SQLite file size, to show
// nothing grows without bound. Cache hits, misses that go upstream, stale answers while the
// double fails some paths, and CSV answers in offline mode, in fixed shares.
import fs from 'node:fs'
import path from 'node:path'
import { Pool } from 'undici'
import { behave, startUpstreamDouble, type Behaviour, type RecordedRequest } from '../../test/helpers/upstream-double.js'
import { startProxyChild } from './child.js'

export interface SoakOptions {
  seconds: number
  /** Requests per second, steady (at most 600: ten tokens at the proxy's 60/s per client). */
  rate: number
  dir: string
  /** Cache bound given to the proxy, MB (small, so eviction is part of the soak). */
  cacheMaxMb?: number
  sampleEverySeconds?: number
}

export interface Sample { at: number, rssMb: number, heapUsedMb: number, loopDelayP99Ms: number, dbMb: number, cacheMb: number, requests: number }

export interface SoakResult {
  seconds: number
  rate: number
  requests: number
  answered: number
  errors: number
  bySource: Record<string, number>
  samples: Sample[]
  cacheMaxMb: number
}

// Ten scripts' tokens (one user): each stays far under the proxy's per-client limit of 60/s.
const TOKENS = Array.from({ length: 10 }, (_, i) => `tok-soak-${String(i).padStart(4, '0')}`)
const LIBRARY_TRACK = '456TLP2AylMogQEbXWp18z'
const MAX_IN_FLIGHT = 256

function metric (text: string, name: string): number {
  const m = new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.e+-]+)$`, 'm').exec(text)
  return m === null ? 0 : Number(m[1])
}

function dbSizeMb (file: string): number {
  let bytes = 0
  for (const f of [file, `${file}-wal`]) {
    try {
      bytes += fs.statSync(f).size
    } catch {
      // not there (yet)
    }
  }
  return bytes / 1048576
}

export async function runSoak (opts: SoakOptions): Promise<SoakResult> {
  fs.mkdirSync(opts.dir, { recursive: true })
  const dbFile = path.join(opts.dir, 'soak.sqlite')
  for (const f of [dbFile, `${dbFile}-wal`, `${dbFile}-shm`]) fs.rmSync(f, { force: true })
  const cacheMaxMb = opts.cacheMaxMb ?? 8
  const double = await startUpstreamDouble({ users: Object.fromEntries(TOKENS.map(t => [t, { id: 'soakuser', country: 'SE' }])) })
  // One path in five fails upstream: those are answered stale (or from the CSV).
  double.set((req: RecordedRequest): Behaviour => (/\/v1\/tracks\/soakFail/.test(req.url) ? behave.status(503) : behave.ok()))
  const proxy = await startProxyChild({
    SPOTIFY_API_BASE_URL: double.url,
    SPOTIFY_PROXY_DB: dbFile,
    SPOTIFY_PROXY_PACE_PER_30S: '0',
    SPOTIFY_CSV_CACHE_TTL: '60',
    SPOTIFY_PROXY_CACHE_MAX_MB: String(cacheMaxMb)
  })
  const pool = new Pool(proxy.origin, { connections: 64 })
  const result: SoakResult = { seconds: opts.seconds, rate: opts.rate, requests: 0, answered: 0, errors: 0, bySource: {}, samples: [], cacheMaxMb }
  try {
    for (const t of TOKENS) {
      const me = await pool.request({ path: '/v1/me', method: 'GET', headers: { authorization: `Bearer ${t}` } })
      await me.body.dump()
    }
    let n = 0
    const flight = { n: 0 }
    const one = async (): Promise<void> => {
      const i = n++
      const kind = i % 5
      const headers: Record<string, string> = { authorization: `Bearer ${TOKENS[i % TOKENS.length]!}` }
      let p: string
      if (kind === 0) p = `/v1/tracks/soakHot${String(i % 50).padStart(15, '0')}` // hits after the first round
      else if (kind === 1) p = `/v1/tracks/soakNew${String(i).padStart(15, '0')}` // always a miss: upstream, then cached (and evicted)
      else if (kind === 2) p = `/v1/tracks/soakFail${String(i % 200).padStart(14, '0')}` // 503 upstream: stale once cached, else an error
      else if (kind === 3) {
        p = `/v1/tracks/${LIBRARY_TRACK}` // the CSV
        headers['x-proxy-mode'] = 'offline'
      } else p = '/v1/me/tracks?limit=20'
      flight.n++
      try {
        const res = await pool.request({ path: p, method: 'GET', headers })
        await res.body.dump()
        result.requests++
        const source = String(res.headers['x-proxy-source'] ?? 'none')
        result.bySource[source] = (result.bySource[source] ?? 0) + 1
        // An answer with its source is an answer (Spotify's own 503 relayed included).
        if (source !== 'none') result.answered++
        else result.errors++
      } catch {
        result.requests++
        result.errors++
      } finally {
        flight.n--
      }
    }
    const sample = async (): Promise<void> => {
      const res = await fetch(`${proxy.origin}/metrics`)
      const text = await res.text()
      result.samples.push({
        at: Math.round((Date.now() - started) / 1000),
        rssMb: metric(text, 'spotify_proxy_process_resident_memory_bytes') / 1048576,
        heapUsedMb: metric(text, 'spotify_proxy_nodejs_heap_size_used_bytes') / 1048576,
        loopDelayP99Ms: metric(text, 'spotify_proxy_nodejs_eventloop_lag_p99_seconds') * 1000,
        dbMb: dbSizeMb(dbFile),
        cacheMb: (metric(text, 'spotify_proxy_cache_bytes') + metric(text, 'spotify_proxy_entity_cache_bytes')) / 1048576,
        requests: result.requests
      })
    }
    const started = Date.now()
    const every = (opts.sampleEverySeconds ?? 10) * 1000
    let nextSample = started
    const tickMs = 20
    const perTick = opts.rate * tickMs / 1000
    let owed = 0
    const pending = new Set<Promise<void>>()
    while (Date.now() - started < opts.seconds * 1000) {
      const now = Date.now()
      if (now >= nextSample) {
        await sample()
        nextSample += every
      }
      owed += perTick
      for (; owed >= 1 && flight.n < MAX_IN_FLIGHT; owed--) {
        const p = one()
        pending.add(p)
        p.finally(() => pending.delete(p)).catch(() => {})
      }
      await new Promise(resolve => setTimeout(resolve, tickMs))
    }
    await Promise.all(pending)
    await sample()
    return result
  } finally {
    await pool.close().catch(() => {})
    await proxy.stop()
    await double.close()
  }
}

export function soakMarkdown (r: SoakResult, command: string): string {
  const first = r.samples.find(s => s.at >= Math.min(60, r.seconds / 4)) ?? r.samples[0]!
  const last = r.samples.at(-1)!
  const growth = (a: number, b: number): string => `${b >= a ? '+' : ''}${(((b - a) / a) * 100).toFixed(1)}%`
  const rows = r.samples.filter((_, i) => i % Math.max(1, Math.floor(r.samples.length / 12)) === 0 || _ === last)
  return [
    `Command: \`${command}\` · ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    '',
    `${r.seconds} s at ${r.rate} requests/s: ${r.requests.toLocaleString('en-US')} requests, ${r.errors} errors; answers by source: ${Object.entries(r.bySource).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v.toLocaleString('en-US')}`).join(', ')}. Cache bound ${r.cacheMaxMb} MB.`,
    '',
    '| Measure | Start (after warm-up) | End | Change | Goal |',
    '|---|---:|---:|---:|---|',
    `| RSS (MB) | ${first.rssMb.toFixed(1)} (at ${first.at} s) | ${last.rssMb.toFixed(1)} | ${growth(first.rssMb, last.rssMb)} | within +15% |`,
    `| V8 heap used (MB) | ${first.heapUsedMb.toFixed(1)} | ${last.heapUsedMb.toFixed(1)} | ${growth(first.heapUsedMb, last.heapUsedMb)} | |`,
    `| event-loop delay p99 (ms) | ${first.loopDelayP99Ms.toFixed(1)} | ${last.loopDelayP99Ms.toFixed(1)} | | |`,
    `| SQLite file + WAL (MB) | ${first.dbMb.toFixed(1)} | ${last.dbMb.toFixed(1)} | ${growth(first.dbMb, last.dbMb)} | bounded |`,
    `| cache contents (MB) | ${first.cacheMb.toFixed(1)} | ${last.cacheMb.toFixed(1)} | | ≤ ${r.cacheMaxMb} |`,
    '',
    '| t (s) | RSS MB | heap MB | loop p99 ms | SQLite MB | cache MB | requests |',
    '|---:|---:|---:|---:|---:|---:|---:|',
    ...rows.map(s => `| ${s.at} | ${s.rssMb.toFixed(1)} | ${s.heapUsedMb.toFixed(1)} | ${s.loopDelayP99Ms.toFixed(1)} | ${s.dbMb.toFixed(1)} | ${s.cacheMb.toFixed(2)} | ${s.requests.toLocaleString('en-US')} |`)
  ].join('\n')
}
