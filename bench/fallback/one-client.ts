// The fallback bench's one-client section: a script alone on the proxy during an outage, asking
// one thing after another, on the import bench's 1,000,000-row library (30,000 liked songs,
// playlists up to 10,000 tracks, 600,000 tracks). Five routes, every request a new one (a random
// offset, and for search a random query too), so no kept answer (src/answers/memo.ts) serves it:
// saved tracks 50 a page, the largest playlist 100 a page, search for tracks, albums and artists
// 10 a page. Latency is measured
// here, from sending the request to the last byte of the answer, on one keep-alive connection.
import { performance } from 'node:perf_hooks'
import { Client } from 'undici'
import { DEFAULT_ROWS, GENRES, LAST, WORDS } from '../import.js'
import { Rng } from '../rng.js'
import type { CpuShares } from './cpu.js'
import type { IndexedLibrary } from './library.js'

export type OneClientKey = 'liked' | 'playlist' | 'search' | 'search-album' | 'search-artist'

const SEARCHED: Partial<Record<OneClientKey, string>> = { search: 'tracks', 'search-album': 'albums', 'search-artist': 'artists' }

export interface OneClientRoute {
  key: OneClientKey
  label: string
  /** The target for p99, in ms. */
  targetMs: number
  paths: string[]
  /** Items every answer must carry (search: at most this many). */
  items: number
}

export interface Latencies { p50: number, p99: number, max: number, mean: number }

export interface OneClientResult {
  route: OneClientRoute
  latencies: Latencies
  /** The route's first request (the first one after the server started, for the first route). */
  firstMs: number
  requests: number
  /** What was wrong with answers, with how often. */
  problems: Map<string, number>
}

const SEED = 0x0c11_e417

/** Every route's requests: `n` distinct ones each, in a seeded random order. */
export function planOneClient (lib: IndexedLibrary, n: number): OneClientRoute[] {
  const rng = new Rng(SEED)
  const biggest = lib.playlists.reduce((a, b) => (b.trackCount > a.trackCount ? b : a))
  const offsets = (count: number, limit: number): number[] => distinct(rng, n, () => rng.int(Math.max(1, count - limit + 1)))
  return [
    {
      key: 'liked',
      label: `\`GET /v1/me/tracks?limit=50&offset=N\` (${fmtInt(lib.summary.likedSongs)} liked songs)`,
      targetMs: 5,
      paths: offsets(lib.summary.likedSongs, 50).map(o => `/v1/me/tracks?limit=50&offset=${o}`),
      items: 50
    },
    {
      key: 'playlist',
      label: `\`GET /v1/playlists/{id}/tracks?limit=100&offset=N\` (the largest playlist, ${fmtInt(biggest.trackCount)} tracks)`,
      targetMs: 5,
      paths: offsets(biggest.trackCount, 100).map(o => `/v1/playlists/${biggest.id}/tracks?limit=100&offset=${o}`),
      items: 100
    },
    {
      key: 'search',
      label: '`GET /v1/search?type=track&limit=10&offset=N&q=…` (common words, prefixes, field filters)',
      targetMs: 20,
      paths: distinct(rng, n, () => `/v1/search?type=track&limit=10&offset=${rng.int(100) * 10}&q=${encodeURIComponent(searchQuery(rng))}`),
      items: 10
    },
    {
      key: 'search-album',
      label: '`GET /v1/search?type=album&limit=10&offset=N&q=…` (common words, prefixes, artist and year filters)',
      targetMs: 20,
      paths: distinct(rng, n, () => `/v1/search?type=album&limit=10&offset=${rng.int(100) * 10}&q=${encodeURIComponent(namesQuery(rng))}`),
      items: 10
    },
    {
      key: 'search-artist',
      label: '`GET /v1/search?type=artist&limit=10&offset=N&q=…` (common words, prefixes, names)',
      targetMs: 20,
      paths: distinct(rng, n, () => `/v1/search?type=artist&limit=10&offset=${rng.int(100) * 10}&q=${encodeURIComponent(namesQuery(rng))}`),
      items: 10
    }
  ]
}

/** A query for album or artist names: a common word, a word and a partly typed one, a surname, an artist filter, a word and a span of years. */
function namesQuery (rng: Rng): string {
  const word = (): string => rng.pick(WORDS)
  switch (rng.int(5)) {
    case 0: return word()
    case 1: return `${word()} ${word().slice(0, 1 + rng.int(3))}`
    case 2: return rng.pick(LAST)
    case 3: return `artist:${rng.pick(LAST)}`
    default: {
      const from = 1990 + rng.int(30)
      return `${word()} year:${from}-${from + rng.int(6)}`
    }
  }
}

/**
 * A query as scripts and people type them, from the generator's own words (so most match
 * thousands of tracks): one or two common words (the last one matches as a prefix), a word and a
 * partly typed one, a word and a number, an artist, a genre and a span of years.
 */
function searchQuery (rng: Rng): string {
  const word = (): string => rng.pick(WORDS)
  switch (rng.int(6)) {
    case 0: return word()
    case 1: return `${word()} ${word()}`
    case 2: return `${word()} ${word().slice(0, 1 + rng.int(3))}`
    case 3: return `${word()} ${1 + rng.int(9)}`
    case 4: return `artist:${rng.pick(LAST)} ${word()}`
    default: {
      const from = 1990 + rng.int(30)
      return `genre:"${rng.pick(GENRES)}" year:${from}-${from + rng.int(6)}`
    }
  }
}

function distinct<T> (rng: Rng, n: number, make: () => T): T[] {
  const seen = new Set<T>()
  for (let tries = 0; seen.size < n && tries < n * 20; tries++) seen.add(make())
  const out = [...seen]
  for (let i = out.length - 1; i > 0; i--) {
    const k = rng.int(i + 1)
    const t = out[i]!
    out[i] = out[k]!
    out[k] = t
  }
  return out
}

/**
 * Asks the route's requests one after another on one connection, each answer checked. The
 * requests carry `tokens` in turn: the proxy allows a client 600 requests per 10 s, which one
 * client this fast would meet (the limit is the proxy's policy, not what is measured here).
 */
export async function runOneClient (origin: string, tokens: readonly string[], route: OneClientRoute): Promise<OneClientResult> {
  const client = new Client(origin, { pipelining: 1 })
  const problems = new Map<string, number>()
  const note = (what: string): void => { problems.set(what, (problems.get(what) ?? 0) + 1) }
  const ms: number[] = []
  try {
    for (const [i, path] of route.paths.entries()) {
      const t0 = performance.now()
      const res = await client.request({ method: 'GET', path, headers: { authorization: `Bearer ${tokens[i % tokens.length]!}` } })
      const body = Buffer.from(await res.body.arrayBuffer())
      ms.push(performance.now() - t0)
      if (res.statusCode !== 200) { note(`status ${res.statusCode}`); continue }
      if (res.headers['x-proxy-source'] !== 'csv') note(`X-Proxy-Source: ${String(res.headers['x-proxy-source'])}`)
      const n = itemsOf(route.key, JSON.parse(body.toString('utf8')))
      if (SEARCHED[route.key] !== undefined ? n < 0 || n > route.items : n !== route.items) note(`${n} items`)
    }
  } finally {
    await client.close()
  }
  return { route, latencies: summarise(ms), firstMs: ms[0] ?? NaN, requests: ms.length, problems }
}

/** Entries with their track (saved tracks, playlist entries), or search's items of its type; -1: not that shape. */
function itemsOf (key: OneClientKey, body: unknown): number {
  const searched = SEARCHED[key]
  const page = searched === undefined ? body : (body as Record<string, unknown>)[searched]
  const items = (page as { items?: unknown } | undefined)?.items
  if (!Array.isArray(items)) return -1
  if (searched !== undefined) return items.length
  return items.filter(e => typeof e === 'object' && e !== null && typeof (e as { track?: unknown }).track === 'object').length
}

function summarise (ms: number[]): Latencies {
  const sorted = [...ms].sort((a, b) => a - b)
  const at = (p: number): number => sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] ?? NaN
  return { p50: at(0.5), p99: at(0.99), max: sorted[sorted.length - 1] ?? NaN, mean: ms.reduce((a, b) => a + b, 0) / Math.max(1, ms.length) }
}

function fmtInt (n: number): string {
  return Math.round(n).toLocaleString('en-US')
}

/** What the issue measured on the earlier storage (one client, the same library), for the report. */
const BEFORE: Record<OneClientKey, string> = { liked: '905 / 4,175', playlist: '25 / 100', search: '2 / 151', 'search-album': '— (empty pages)', 'search-artist': '— (empty pages)' }

/** The same requests on the server's own clock (bench/fallback/server.ts's `timings`). */
export interface ServerTimings {
  requests: number
  p50: number
  p99: number
  max: number
  /** Times the server's main thread was switched out while it could run; null off Linux. */
  preempted: number | null
}

export interface OneClientRun {
  lib: IndexedLibrary
  /** Seconds from loading the configuration to listening, for a server over this library. */
  startupSeconds: number
  results: Array<OneClientResult & { cpu: CpuShares | null, server: ServerTimings | null }>
}

/** The section's Markdown: the table, and a verdict per route. */
export function oneClientReport (run: OneClientRun, fullSize: boolean): { lines: string[], verdicts: Array<{ ok: boolean, text: string }> } {
  const lines: string[] = []
  const m = run.lib.manifest
  const first = run.results[0]
  lines.push(`Library: ${fmtInt(m.rows)} rows in ${fmtInt(m.files)} CSV files (${fmtInt(run.lib.summary.tracks)} tracks, ${fmtInt(run.lib.summary.likedSongs)} liked songs, playlists up to ${fmtInt(Math.max(...run.lib.playlists.map(p => p.trackCount)))} tracks), ${run.lib.manifest.rows === DEFAULT_ROWS ? 'the import bench\'s own' : 'this run\'s smaller library'}. ` +
    `The server listened ${run.startupSeconds.toFixed(2)} s after loading its configuration (its startup import found every file unchanged) and answered its first request, ${first?.route.key === 'liked' ? 'a page of saved tracks' : 'the first one'}, in ${first === undefined ? '—' : first.firstMs.toFixed(1)} ms.`)
  lines.push('')
  lines.push('| Route | Requests | p50 (ms) | p99 (ms) | Max (ms) | Mean (ms) | Server CPU (ms/request) | Server\'s own clock: p50 / p99 (ms) | Main thread preempted (per request) | Before: p50 / p99 (ms) |')
  lines.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|')
  for (const x of run.results) {
    const l = x.latencies
    const cpu = x.cpu === null ? '—' : (x.cpu.server * x.cpu.seconds * 1000 / x.requests).toFixed(2)
    const own = x.server === null ? '—' : `${x.server.p50.toFixed(2)} / ${x.server.p99.toFixed(2)}`
    const preempted = x.server?.preempted == null ? '—' : (x.server.preempted / Math.max(1, x.server.requests)).toFixed(2)
    lines.push(`| ${x.route.label} | ${fmtInt(x.requests)} | ${l.p50.toFixed(2)} | ${l.p99.toFixed(2)} | ${l.max.toFixed(2)} | ${l.mean.toFixed(2)} | ${cpu} | ${own} | ${preempted} | ${BEFORE[x.route.key]} |`)
  }
  lines.push('')
  lines.push('The client\'s clock runs from sending a request to reading its whole answer; the server\'s own, from its `request` event to handing the answer to the socket (`res.end`), ' +
    'so sending the answer, a garbage collection between two requests (V8 runs scavenges as tasks) or a client slow to be scheduled counts on the first only. ' +
    'Main thread preempted: the times the kernel gave the server\'s core to another thread or process while the server could run, per request (Linux).')
  const verdicts = run.results.map(x => ({
    ok: x.latencies.p99 <= x.route.targetMs,
    text: `p99 ≤ ${x.route.targetMs} ms, one client, for ${x.route.label}: ${x.latencies.p99.toFixed(2)} ms (p50 ${x.latencies.p50.toFixed(2)} ms)${fullSize ? '' : ' (a smaller library: the target is for the full one)'}`
  }))
  return { lines, verdicts }
}
