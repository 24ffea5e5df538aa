// The fallback bench's one-client section: a script alone on the proxy during an outage, asking
// one thing after another, on the import bench's 1,000,000-row library (30,000 liked songs,
// playlists up to 10,000 tracks, 600,000 tracks). Five routes, every request a new one (a random
// offset, and for search a random query too), so no kept answer (src/answers/memo.ts) serves it:
// saved tracks 50 a page, the largest playlist 100 a page, search for tracks, albums and artists
// 10 a page. Latency is measured from sending the request to the last byte of the answer, on one
// keep-alive connection, by wrk (-t1 -c1) when the machine has it: a C client whose own work
// between two requests is a few microseconds, where a Node client parsing 300 KB answers on the
// same two cores shares them with the server (paired on the same server, undici read p99s 15–35%
// higher). Without wrk, undici times them. Either way every answer is checked (by undici, after).
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
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
  /** The issue's target for p99, in ms. */
  targetMs: number
  /** Asked first, alone: the route's first answer (`firstMs`). */
  first: string
  /** Asked next, not timed with the rest: they let the server compile the route's code first. */
  warmup: string[]
  /** The timed requests. */
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
  /** The warm-up requests' times, by undici (null with no warm-up). */
  warmup: Latencies | null
  requests: number
  /** What was wrong with answers, with how often. */
  problems: Map<string, number>
}

const SEED = 0x0c11_e417

/**
 * Every route's requests, distinct and in a seeded random order: one asked first (`firstMs`),
 * `warmup` more, then `requests` timed ones.
 */
export function planOneClient (lib: IndexedLibrary, requests: number, warmup = 0): OneClientRoute[] {
  const n = requests + 1 + warmup
  const rng = new Rng(SEED)
  const biggest = lib.playlists.reduce((a, b) => (b.trackCount > a.trackCount ? b : a))
  const offsets = (count: number, limit: number): number[] => distinct(rng, n, () => rng.int(Math.max(1, count - limit + 1)))
  const split = (all: string[]): Pick<OneClientRoute, 'first' | 'warmup' | 'paths'> => ({ first: all[0]!, warmup: all.slice(1, 1 + warmup), paths: all.slice(1 + warmup) })
  return [
    {
      key: 'liked',
      label: `\`GET /v1/me/tracks?limit=50&offset=N\` (${fmtInt(lib.summary.likedSongs)} liked songs)`,
      targetMs: 5,
      ...split(offsets(lib.summary.likedSongs, 50).map(o => `/v1/me/tracks?limit=50&offset=${o}`)),
      items: 50
    },
    {
      key: 'playlist',
      label: `\`GET /v1/playlists/{id}/tracks?limit=100&offset=N\` (the largest playlist, ${fmtInt(biggest.trackCount)} tracks)`,
      targetMs: 5,
      ...split(offsets(biggest.trackCount, 100).map(o => `/v1/playlists/${biggest.id}/tracks?limit=100&offset=${o}`)),
      items: 100
    },
    {
      key: 'search',
      label: '`GET /v1/search?type=track&limit=10&offset=N&q=…` (common words, prefixes, field filters)',
      targetMs: 20,
      ...split(distinct(rng, n, () => `/v1/search?type=track&limit=10&offset=${rng.int(100) * 10}&q=${encodeURIComponent(searchQuery(rng))}`)),
      items: 10
    },
    {
      key: 'search-album',
      label: '`GET /v1/search?type=album&limit=10&offset=N&q=…` (common words, prefixes, artist and year filters)',
      targetMs: 20,
      ...split(distinct(rng, n, () => `/v1/search?type=album&limit=10&offset=${rng.int(100) * 10}&q=${encodeURIComponent(namesQuery(rng))}`)),
      items: 10
    },
    {
      key: 'search-artist',
      label: '`GET /v1/search?type=artist&limit=10&offset=N&q=…` (common words, prefixes, names)',
      targetMs: 20,
      ...split(distinct(rng, n, () => `/v1/search?type=artist&limit=10&offset=${rng.int(100) * 10}&q=${encodeURIComponent(namesQuery(rng))}`)),
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

/** Asks one request and checks its answer; its time in ms. */
export async function askOnce (origin: string, token: string, route: OneClientRoute, requestPath: string, problems: Map<string, number>): Promise<number> {
  const client = new Client(origin, { pipelining: 1 })
  try {
    const t0 = performance.now()
    const res = await client.request({ method: 'GET', path: requestPath, headers: { authorization: `Bearer ${token}` } })
    const body = Buffer.from(await res.body.arrayBuffer())
    const ms = performance.now() - t0
    checkAnswer(route, res.statusCode, res.headers['x-proxy-source'], body, problems)
    return ms
  } finally {
    await client.close()
  }
}

/**
 * Asks the route's requests one after another on one connection, timed by wrk when `wrk` names
 * its binary (which checks status and source only: checkAnswers below reads every answer after),
 * else timed and checked by undici. The requests carry `tokens` in turn: the proxy allows a
 * client 600 requests per 10 s, which one client this fast would meet (the limit is the proxy's
 * policy, not what is measured here). `firstMs`: the request asked before them, by undici.
 */
export async function runOneClient (origin: string, tokens: readonly string[], route: OneClientRoute, paths: readonly string[], firstMs: number, wrk: string | null, workDir: string): Promise<OneClientResult> {
  const problems = new Map<string, number>()
  let latencies: Latencies
  if (wrk !== null) {
    const timed = await wrkOneClient(wrk, origin, tokens, paths, workDir)
    for (const [what, n] of timed.problems) problems.set(what, n)
    if (timed.requests !== paths.length) problems.set(`wrk timed ${timed.requests} of ${paths.length} requests`, 1)
    latencies = timed.latencies
  } else {
    latencies = summarise(await undiciOneClient(origin, tokens, route, paths, problems))
  }
  return { route, latencies, firstMs, warmup: null, requests: paths.length, problems }
}

/** Asks the warm-up requests one after another, each answer checked into `problems`: their times, or null for none. */
export async function warmUp (origin: string, tokens: readonly string[], route: OneClientRoute, problems: Map<string, number>): Promise<Latencies | null> {
  if (route.warmup.length === 0) return null
  return summarise(await undiciOneClient(origin, tokens, route, route.warmup, problems))
}

/** Asks every request again (its answer kept by now: src/answers/memo.ts) and checks each answer, into `problems`. */
export async function checkAnswers (origin: string, tokens: readonly string[], route: OneClientRoute, paths: readonly string[], problems: Map<string, number>): Promise<void> {
  await undiciOneClient(origin, tokens, route, paths, problems)
}

/** One request after another on one undici connection, each answer checked: the times in ms. */
async function undiciOneClient (origin: string, tokens: readonly string[], route: OneClientRoute, paths: readonly string[], problems: Map<string, number>): Promise<number[]> {
  const client = new Client(origin, { pipelining: 1 })
  const ms: number[] = []
  try {
    for (const [i, p] of paths.entries()) {
      const t0 = performance.now()
      const res = await client.request({ method: 'GET', path: p, headers: { authorization: `Bearer ${tokens[i % tokens.length]!}` } })
      const body = Buffer.from(await res.body.arrayBuffer())
      ms.push(performance.now() - t0)
      checkAnswer(route, res.statusCode, res.headers['x-proxy-source'], body, problems)
    }
  } finally {
    await client.close()
  }
  return ms
}

function checkAnswer (route: OneClientRoute, status: number, source: unknown, body: Buffer, problems: Map<string, number>): void {
  const note = (what: string): void => { problems.set(what, (problems.get(what) ?? 0) + 1) }
  if (status !== 200) { note(`status ${status}`); return }
  if (source !== 'csv') note(`X-Proxy-Source: ${String(source)}`)
  const n = itemsOf(route.key, JSON.parse(body.toString('utf8')))
  if (SEARCHED[route.key] !== undefined ? n < 0 || n > route.items : n !== route.items) note(`${n} items`)
}

/** Prefixes the one line the Lua script's done() prints. */
const WRK_RESULT = '@@one-client '

/** Prefixes the line the Lua script prints once it has every answer (wrk then waits out its duration: told to stop by SIGINT). */
const WRK_ANSWERED = '@@one-client-answered'

/**
 * wrk with one thread and one connection over `paths`, each asked once in order (a Lua script).
 * wrk runs for a duration: the script stops its thread after the last answer and says so, and
 * wrk is then interrupted (SIGINT, which makes it report at once). wrk records each request's
 * latency to the microsecond; the script counts answers that are not 200 from the CSV library.
 * The counters live in the thread's Lua state: done() runs in another, and reads them there.
 */
async function wrkOneClient (bin: string, origin: string, tokens: readonly string[], paths: readonly string[], workDir: string): Promise<{ latencies: Latencies, requests: number, problems: Map<string, number> }> {
  const script = path.join(workDir, 'one-client.lua')
  const lua = (s: string): string => `"${s.replace(/[^\w/?=&%.,:+~-]/g, c => `\\${String(c.charCodeAt(0)).padStart(3, '0')}`)}"`
  fs.writeFileSync(script, `local paths = {
${paths.map(lua).join(',\n')}
}
local auth = {
${tokens.map(t => lua(`Bearer ${t}`)).join(',\n')}
}
sent, answered, status, source = 0, 0, 0, 0
local threads = {}
setup = function(thread) table.insert(threads, thread) end
request = function()
  sent = sent + 1
  return wrk.format("GET", paths[((sent - 1) % #paths) + 1], { ["Authorization"] = auth[((sent - 1) % #auth) + 1] })
end
response = function(code, headers, body)
  answered = answered + 1
  if code ~= 200 then status = status + 1 end
  if headers["x-proxy-source"] ~= "csv" then source = source + 1 end
  if answered == #paths then
    wrk.thread:stop()
    io.write("${WRK_ANSWERED}\\n")
    io.flush()
  end
end
done = function(summary, latency, requests)
  local e = summary.errors
  local t = threads[1]
  io.write(string.format('${WRK_RESULT}{"requests":%d,"p50":%d,"p99":%d,"max":%d,"mean":%f,"socketErrors":%d,"status":%d,"source":%d}\\n',
    summary.requests, latency:percentile(50), latency:percentile(99), latency.max, latency.mean,
    e.connect + e.read + e.write + e.timeout, t:get("status"), t:get("source")))
end
`)
  // A bound, not a duration: the run ends when the script has every answer.
  const bound = Math.max(60, Math.ceil(paths.length / 10))
  const out = await new Promise<string>((resolve, reject) => {
    const child = spawn(bin, ['-t1', '-c1', `-d${bound}s`, '--timeout', '10s', '-s', script, origin], { stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    let told = false
    child.stdout.setEncoding('utf8').on('data', (s: string) => {
      stdout += s
      // The whole output so far: the line may come in two pieces.
      if (!told && stdout.includes(WRK_ANSWERED)) told = child.kill('SIGINT')
    })
    child.stderr.setEncoding('utf8').on('data', (s: string) => { stderr += s })
    child.once('error', reject)
    child.once('close', code => {
      // wrk reports a script that does not load on stderr and runs on without it.
      if (code !== 0 || stderr.trim() !== '') reject(new Error(`wrk (exit ${code}): ${stderr}${stdout}`))
      else resolve(stdout)
    })
  })
  const line = out.split('\n').find(l => l.startsWith(WRK_RESULT))
  if (line === undefined) throw new Error(`wrk printed no result:\n${out}`)
  const r = JSON.parse(line.slice(WRK_RESULT.length)) as { requests: number, p50: number, p99: number, max: number, mean: number, socketErrors: number, status: number, source: number }
  const problems = new Map<string, number>()
  if (r.socketErrors > 0) problems.set('socket errors (wrk)', r.socketErrors)
  if (r.status > 0) problems.set('status other than 200 (wrk)', r.status)
  if (r.source > 0) problems.set('X-Proxy-Source other than csv (wrk)', r.source)
  const ms = (us: number): number => us / 1000
  return { latencies: { p50: ms(r.p50), p99: ms(r.p99), max: ms(r.max), mean: ms(r.mean) }, requests: r.requests, problems }
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
  /** What timed the requests: wrk's version (`wrk debian/4.1.0-3+b2`) or `undici`. */
  timer: string
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
  lines.push(run.timer === 'undici'
    ? 'Timed by undici (this machine has no wrk: `apt-get install wrk` for a client whose own work does not share the server\'s cores).'
    : `Timed by ${run.timer} (\`-t1 -c1\`, a Lua script asking each request once), every answer then checked by undici.`)
  lines.push('')
  lines.push('| Route | Requests | p50 (ms) | p99 (ms) | Max (ms) | Mean (ms) | Server CPU (ms/request) | Server\'s own clock: p50 / p99 (ms) | Main thread preempted (per request) | Warm-up before them: requests, p50 / p99 (ms) | Before: p50 / p99 (ms) |')
  lines.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|')
  for (const x of run.results) {
    const l = x.latencies
    const cpu = x.cpu === null ? '—' : (x.cpu.server * x.cpu.seconds * 1000 / x.requests).toFixed(2)
    const own = x.server === null ? '—' : `${x.server.p50.toFixed(2)} / ${x.server.p99.toFixed(2)}`
    const preempted = x.server?.preempted == null ? '—' : (x.server.preempted / Math.max(1, x.server.requests)).toFixed(2)
    const warm = x.warmup === null ? 'none' : `${fmtInt(x.route.warmup.length)}: ${x.warmup.p50.toFixed(2)} / ${x.warmup.p99.toFixed(2)}`
    lines.push(`| ${x.route.label} | ${fmtInt(x.requests)} | ${l.p50.toFixed(2)} | ${l.p99.toFixed(2)} | ${l.max.toFixed(2)} | ${l.mean.toFixed(2)} | ${cpu} | ${own} | ${preempted} | ${warm} | ${BEFORE[x.route.key]} |`)
  }
  lines.push('')
  lines.push('The client\'s clock runs from sending a request to reading its whole answer; the server\'s own, from its `request` event to handing the answer to the socket (`res.end`), ' +
    'so sending the answer, a garbage collection between two requests (V8 runs scavenges as tasks) or a client slow to be scheduled counts on the first only. ' +
    'Main thread preempted: the times the kernel gave the server\'s core to another thread or process while the server could run, per request (Linux). ' +
    'Warm-up: the route\'s requests asked just before the timed ones (others, never asked again), timed by undici, while V8 compiles the route\'s code; they are not in the other columns.')
  const verdicts = run.results.map(x => ({
    ok: x.latencies.p99 <= x.route.targetMs,
    text: `p99 ≤ ${x.route.targetMs} ms, one client, for ${x.route.label}: ${x.latencies.p99.toFixed(2)} ms (p50 ${x.latencies.p50.toFixed(2)} ms)${fullSize ? '' : ' (a smaller library: the target is for the full one)'}`
  }))
  return { lines, verdicts }
}
