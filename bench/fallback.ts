// Fallback benchmark: answers built from the CSV library, under load, over a 100k-track library,
// next to fresh cache hits, in one run on 127.0.0.1:
//   playlist pages  GET /v1/playlists/{id}/items?limit=50&offset=N and /tracks?limit=100&offset=N
//   several tracks  GET /v1/tracks?ids= with 50 ids
//   cache hits      GET /v1/tracks/{id}, a fresh cache hit (the reference row)
// The library is generated with bench/import.ts's seeded generator and indexed once with the
// project's importer; the app (buildApp, as `serve` builds it) runs in its own process
// (bench/fallback/server.ts); autocannon and the upstream double (for the cache hits) run here.
// Prints a Markdown table and a pass/fail verdict per target; --write records the run in
// BENCHMARKS.md between the bench:fallback markers.
//
//   npm run bench:fallback -- [--write] [--duration S] [--connections N] [--warmup S] [--tracks N]
//                             [--tokens N] [--local-tokens N] [--dir DIR] [--regen] [--cpu-prof]
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import autocannon from 'autocannon'
import { startUpstreamDouble, type UpstreamDouble } from '../test/helpers/upstream-double.js'
import { serveIndexedLibrary, type ServerChild } from './fallback/child.js'
import { measureCpu, type CpuShares } from './fallback/cpu.js'
import { prepareImportLibrary, prepareLibrary, type IndexedLibrary } from './fallback/library.js'
import { askOnce, checkAnswers, oneClientReport, planOneClient, runOneClient, warmUp, type OneClientRun, type ServerTimings } from './fallback/one-client.js'
import { countItems, planRequests, type BenchRequest, type RouteKey, type RouteSpec } from './fallback/requests.js'
import { profileMarkdown, summariseProfile } from './proxy/profile.js'
import { findWrk, wrkVersion } from './proxy/wrk.js'
import { PROFILED_PREFIX, TIMINGS_PREFIX } from './proxy/wire.js'
import { mapLimit } from '../src/map-limit.js'

const SCRIPT = fileURLToPath(import.meta.url)
const REPO = path.resolve(path.dirname(SCRIPT), '..')
const BENCHMARKS_MD = path.join(REPO, 'BENCHMARKS.md')
const MARK_START = '<!-- bench:fallback:start -->'
const MARK_END = '<!-- bench:fallback:end -->'
const COMMAND = 'npm run bench:fallback -- --write'

const DEFAULTS = { duration: 10, connections: 100, warmup: 2, tracks: 100_000, tokens: 2000, localTokens: 2000, oneClientRequests: 2000, oneClientWarmup: 200 }
/**
 * At 100 connections, each CSV route's answers a second as a share of the cache hits' in the same
 * run: a hit writes stored bytes, a CSV answer builds 50 or 100 tracks and serialises them (each
 * twice in a playlist page, as `track` and `item`). The bar: each of an answer's N tracks built
 * and sent in at most 0.4 of a hit's time (0.05× for 50, 0.025× for 100).
 */
const THROUGHPUT_TARGETS: Partial<Record<RouteKey, number>> = { items: 0.05, tracks: 0.025, several: 0.05 }
/** Seconds of the one-connection run of each route (a script alone on the proxy). */
const SINGLE_SECONDS = 5
/** Other processes may use this much CPU (in cores) during a load before the run is invalid. */
const MAX_OTHER_CORES = 0.1
/**
 * Seconds autocannon waits for an answer. Its default (10 s) would count the slowest answers of
 * an overloaded route as errors and leave them out of the latency histogram; they are latency.
 */
const ANSWER_TIMEOUT_S = 60
/** Requests of a CSV route checked before its load (the repeated variants: all of theirs). */
const CHECKED = 200
/** Requests of the measured load checked again after it. */
const RECHECKED = 50
/**
 * The proxy limits each client (bearer token) to 600 requests per 10 s (src/plugins/rate-limit.ts),
 * so every route's requests carry many tokens in turn: many scripts sharing one proxy. Local
 * tokens (SPOTIFY_PROXY_LOCAL_TOKENS) are answered offline, from the CSV library; the remote ones
 * are accepted by the upstream double, whose answers make the cache hits.
 */
const localTokens = (n: number): string[] => Array.from({ length: n }, (_, i) => `bench-local-${i}`)
const remoteTokens = (n: number): string[] => Array.from({ length: n }, (_, i) => `bench-token-${i}`)

interface LoadResult {
  reqPerSec: number
  p50: number
  p99: number
  max: number
  requests: number
  /** Errors of any kind, timeouts included. */
  errors: number
  non2xx: number
  /** Bytes read per answer (headers included), as autocannon counted them. */
  bytesPerAnswer: number
  cpu: CpuShares | null
  /** Requests the double saw during the load. */
  upstream: number
}

interface RouteResult {
  spec: RouteSpec
  distinct: number
  /** Mean body size of the distinct answers (bytes). */
  bodyBytes: number
  load: LoadResult
  single: LoadResult
}

// ---------------------------------------------------------------------------------------------
// Command line

const { values: args } = parseArgs({
  options: {
    duration: { type: 'string' },
    connections: { type: 'string' },
    warmup: { type: 'string' },
    tracks: { type: 'string' },
    tokens: { type: 'string' },
    'local-tokens': { type: 'string' },
    'one-client-requests': { type: 'string' },
    'one-client-warmup': { type: 'string' },
    dir: { type: 'string' },
    regen: { type: 'boolean', default: false },
    'cpu-prof': { type: 'boolean', default: false },
    write: { type: 'boolean', default: false }
  },
  strict: true
})

function positiveInt (s: string | undefined, fallback: number, flag: string, min = 1): number {
  if (s === undefined) return fallback
  const n = Number(s)
  if (!Number.isInteger(n) || n < min) fail(`${flag} wants an integer ≥ ${min}, not ${JSON.stringify(s)}`)
  return n
}

/** A load's length in seconds: fractions allowed (the smoke test runs 0.5 s loads). */
function seconds (s: string | undefined, fallback: number, flag: string, zero: boolean): number {
  if (s === undefined) return fallback
  const n = Number(s)
  if (s.trim() === '' || !Number.isFinite(n) || n < 0 || (n === 0 && !zero)) fail(`${flag} wants a number of seconds ${zero ? '≥ 0' : '> 0'}, not ${JSON.stringify(s)}`)
  return n
}

function fail (message: string): never {
  log(`bench:fallback: ${message}`)
  process.exit(2)
}

function log (line: string): void {
  process.stderr.write(`${line}\n`)
}

// ---------------------------------------------------------------------------------------------
// Run

/** Everything started, stopped in reverse order whatever happens. */
const cleanups: Array<() => Promise<void>> = []
async function cleanUp (): Promise<void> {
  for (const stop of cleanups.splice(0).reverse()) await stop().catch(err => log(`cleanup: ${String(err)}`))
}

async function main (): Promise<number> {
  const duration = seconds(args.duration, DEFAULTS.duration, '--duration', false)
  const connections = positiveInt(args.connections, DEFAULTS.connections, '--connections')
  const warmup = seconds(args.warmup, Math.min(DEFAULTS.warmup, duration), '--warmup', true)
  const tracks = positiveInt(args.tracks, DEFAULTS.tracks, '--tracks', 1000)
  const remote = remoteTokens(positiveInt(args.tokens, DEFAULTS.tokens, '--tokens'))
  const local = localTokens(positiveInt(args['local-tokens'], DEFAULTS.localTokens, '--local-tokens'))
  const oneClientRequests = positiveInt(args['one-client-requests'], DEFAULTS.oneClientRequests, '--one-client-requests')
  const oneClientWarmup = positiveInt(args['one-client-warmup'], DEFAULTS.oneClientWarmup, '--one-client-warmup', 0)
  const fullSize = duration === DEFAULTS.duration && connections === DEFAULTS.connections && warmup === DEFAULTS.warmup &&
    tracks === DEFAULTS.tracks && remote.length === DEFAULTS.tokens && local.length === DEFAULTS.localTokens && oneClientRequests === DEFAULTS.oneClientRequests && oneClientWarmup === DEFAULTS.oneClientWarmup
  if (args.write && !fullSize) fail('--write records the full benchmark only: drop --duration/--connections/--warmup/--tracks/--tokens/--local-tokens/--one-client-requests/--one-client-warmup')
  const dir = path.resolve(args.dir ?? path.join(REPO, 'bench', '.work', 'fallback'))
  fs.mkdirSync(dir, { recursive: true })

  // Checks that make the figures meaningful; any failure makes the run invalid (exit 1).
  const checks: Array<{ ok: boolean, text: string }> = []
  const check = (ok: boolean, text: string): boolean => {
    checks.push({ ok, text })
    if (!ok) log(`check failed: ${text}`)
    return ok
  }

  // A smaller library gets its own files, so it never replaces the full one.
  const lib = await prepareLibrary(dir, tracks === DEFAULTS.tracks ? 'library' : `library-${tracks}`, tracks, args.regen, log)
  check(lib.summary.rows.rejected === 0 && lib.summary.files.skipped === 0, `the importer took every generated row (${lib.summary.rows.rejected} rejected, ${lib.summary.files.skipped} files skipped)`)
  const plans = planRequests(lib, local, remote)

  const double = await startUpstreamDouble()
  cleanups.push(async () => await double.close())

  log('▸ starting the server…')
  const server = await serveLibrary(lib, path.join(dir, 'proxy.sqlite'), local, double.url)

  // The app lists the library's playlists (to a local token) as the index holds them.
  const listed = await listPlaylists(server.url, local[0]!)
  check(listed.length === lib.playlists.length && listed.every((id, i) => id === lib.playlists[i]!.id),
    `GET /v1/me/playlists lists the library's ${lib.playlists.length} playlists, with the index's ids (${listed.length} listed)`)

  const results: RouteResult[] = []
  const profiles: string[] = []
  for (const plan of plans) {
    const { spec } = plan
    log(`▸ ${spec.label}`)
    // The route's stream of requests, taken in order by the checks and every load, so a request
    // asked "once" is never asked again.
    let cursor = 0
    const next = (): BenchRequest => plan.at(cursor++)
    const take = (n: number): BenchRequest[] => Array.from({ length: n }, next)
    let checked: BenchRequest[]
    if (spec.key === 'hit') {
      // One request per track goes upstream (and makes its token trusted); then every track must
      // be a hit, also for another token than the one that fetched it.
      checked = take(plan.distinct)
      const warmed = await mapLimit(checked, 16, async r => (await ask(server.url, r.path, r.token)).status)
      const bad = warmed.filter(s => s !== 200)
      check(bad.length === 0, `${spec.label}: ${bad.length} of ${warmed.length} warming requests did not answer 200 (${[...new Set(bad)].join(', ')})`)
      const rotated = checked.map((r, i) => ({ ...r, token: checked[(i + 1) % checked.length]!.token }))
      await verify(server.url, spec, rotated, check, 'before the load, asked with another token than the one that fetched it')
    } else {
      checked = take(Math.min(CHECKED, plan.distinct))
    }
    const { bodyBytes } = await verify(server.url, spec, checked, check, 'before the load')

    if (warmup > 0) await load(server, double, next, warmup, connections)
    const from = cursor
    const r = await load(server, double, next, duration, connections)
    const to = cursor
    const single = await load(server, double, next, Math.min(SINGLE_SECONDS, duration), 1)
    log(`  ${connections} connections: ${fmtInt(r.reqPerSec)} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms, ${r.errors} errors, ${r.non2xx} non-2xx${r.cpu === null ? '' : `, server ${r.cpu.server.toFixed(2)} cores, autocannon ${r.cpu.bench.toFixed(2)}, others ${r.cpu.others.toFixed(2)}`}`)
    log(`  1 connection: ${fmtInt(single.reqPerSec)} req/s, p50 ${single.p50} ms, p99 ${single.p99} ms`)
    for (const [x, what] of [[r, `${connections} connections`], [single, '1 connection']] as const) {
      check(x.requests > 0 && x.errors === 0 && x.non2xx === 0, `${spec.label}, ${what}: ${fmtInt(x.requests)} requests, ${x.errors} errors, ${x.non2xx} non-2xx`)
      check(x.upstream === 0, `${spec.label}, ${what}: ${x.upstream} requests reached upstream during the load`)
      // Only the full run is recorded; a smaller one (the smoke test, among other tests) just says so.
      const busy = `${spec.label}, ${what}: other processes used ${x.cpu?.others.toFixed(2)} cores during the load (at most ${MAX_OTHER_CORES})`
      if (fullSize && x.cpu !== null) check(x.cpu.others <= MAX_OTHER_CORES, busy)
      else if (x.cpu !== null && x.cpu.others > MAX_OTHER_CORES) log(`warning: ${busy}`)
    }
    if (spec.source === 'csv' && !spec.repeated) {
      check(cursor <= plan.distinct, `${spec.label}: no request asked twice (${fmtInt(cursor)} asked of ${fmtInt(plan.distinct)} distinct)`)
    }
    if (spec.source === 'csv') {
      // The answers under load are as large as the checked ones (headers add well under 1%).
      const ratio = r.bytesPerAnswer / bodyBytes
      check(ratio > 0.9 && ratio < 1.1, `${spec.label}: answers under load averaged ${fmtKb(r.bytesPerAnswer)} KB, as the checked ones (${fmtKb(bodyBytes)} KB)`)
    }
    // A sample of the requests the measured load asked, checked again.
    const step = Math.max(1, Math.floor((to - from) / RECHECKED))
    const again: BenchRequest[] = []
    for (let i = from; i < to && again.length < RECHECKED; i += step) again.push(plan.at(i))
    await verify(server.url, spec, again, check, 'after the load (a sample of those it asked)')
    const distinct = Math.min(r.requests, plan.distinct)
    results.push({ spec, distinct, bodyBytes, load: r, single })

    if (args['cpu-prof']) {
      // An extra run, so the profiler's own overhead never touches the figures above.
      const name = `${spec.key}${spec.repeated ? '-repeated' : ''}`
      const file = path.join(dir, `${name}.cpuprofile`)
      server.send('profile start')
      await server.waitFor(PROFILED_PREFIX)
      const p = await load(server, double, next, duration, connections)
      server.send(`profile stop ${file}`)
      await server.waitFor(PROFILED_PREFIX)
      const label = `the server during a ${duration} s run of ${spec.label} (${fmtInt(p.reqPerSec)} req/s under the profiler)`
      const md = profileMarkdown(summariseProfile(file, REPO), label, p.requests).join('\n')
      fs.writeFileSync(path.join(dir, `${name}-profile.md`), `${md}\n`)
      profiles.push(md)
      log(`  profile: ${file}, summary in ${path.join(dir, `${name}-profile.md`)}`)
    }
  }

  // One client on the import bench's million-row library (a smaller run: on its own library),
  // alone on the machine's cores: the loaded server goes first.
  await server.stop()
  const big = fullSize ? await prepareImportLibrary(path.join(REPO, 'bench', '.work', 'library'), path.join(dir, 'library-1m.sqlite'), args.regen, log) : lib
  if (big !== lib) check(big.summary.rows.rejected === 0, `the importer took every row of the one-client library (${big.summary.rows.rejected} rejected)`)
  log('▸ one client: starting a server over the one-client library…')
  const single = await serveLibrary(big, path.join(dir, 'proxy-one-client.sqlite'), local, double.url)
  const wrk = findWrk()
  const one: OneClientRun = { lib: big, timer: wrk === null ? 'undici' : wrkVersion(wrk), startupSeconds: single.startupSeconds, results: [] }
  for (const route of planOneClient(big, oneClientRequests, oneClientWarmup)) {
    log(`▸ one client: ${route.label} (timed by ${one.timer})`)
    const paths = route.paths
    const firstProblems = new Map<string, number>()
    const firstMs = await askOnce(single.url, local[0]!, route, route.first, firstProblems)
    const asked = [route.first, ...route.warmup, ...paths]
    check(new Set(asked).size === asked.length && paths.length === oneClientRequests && route.warmup.length === oneClientWarmup,
      `one client, ${route.label}: ${fmtInt(oneClientRequests)} timed requests after ${fmtInt(oneClientWarmup)} to warm up and a first one, none asked twice`)
    const warm = await warmUp(single.url, local, route, firstProblems)
    const started = single.waitFor(TIMINGS_PREFIX)
    single.send('timings start')
    await started
    const stop = measureCpu(single.pid)
    const r = await runOneClient(single.url, local, route, paths, firstMs, wrk, dir)
    r.warmup = warm
    for (const [what, n] of firstProblems) r.problems.set(what, (r.problems.get(what) ?? 0) + n)
    const cpu = stop()
    const timings = single.waitFor(TIMINGS_PREFIX)
    single.send('timings stop')
    const server = JSON.parse(await timings) as ServerTimings
    if (wrk !== null) await checkAnswers(single.url, local, route, paths, r.problems)
    log(`  p50 ${r.latencies.p50.toFixed(2)} ms, p99 ${r.latencies.p99.toFixed(2)} ms, max ${r.latencies.max.toFixed(1)} ms; on the server's clock p50 ${server.p50.toFixed(2)}, p99 ${server.p99.toFixed(2)} ms`)
    const wrong = [...r.problems].map(([what, n]) => `${fmtInt(n)}× ${what}`).join(', ')
    check(r.problems.size === 0, `one client, ${route.label}: all ${fmtInt(r.requests)} answers 200 from the CSV library with their items${wrong === '' ? '' : ` (got ${wrong})`}`)
    const busy = `one client, ${route.label}: other processes used ${cpu?.others.toFixed(2)} cores meanwhile (at most ${MAX_OTHER_CORES})`
    if (fullSize && cpu !== null) check(cpu.others <= MAX_OTHER_CORES, busy)
    else if (cpu !== null && cpu.others > MAX_OTHER_CORES) log(`warning: ${busy}`)
    one.results.push({ ...r, cpu, server })
  }

  await cleanUp()

  const report = buildReport({ lib, server, results, one, checks, duration, connections, warmup, local: local.length, remote: remote.length, fullSize })
  process.stdout.write(`\n${report}\n`)
  for (const md of profiles) process.stdout.write(`\n${md}\n`)
  const valid = checks.every(c => c.ok)
  if (args.write) {
    if (!valid) {
      log('bench:fallback: not writing BENCHMARKS.md: some checks failed, the figures are not valid')
    } else {
      writeBenchmarks(report)
      log(`wrote ${path.relative(process.cwd(), BENCHMARKS_MD) || BENCHMARKS_MD}`)
    }
  }
  return valid ? 0 : 1
}

/**
 * Asks each request (a few at a time): each must answer 200 in JSON from the expected source,
 * with all its items. Gives the mean body size.
 */
async function verify (origin: string, spec: RouteSpec, requests: BenchRequest[], check: (ok: boolean, text: string) => boolean, when: string): Promise<{ bodyBytes: number }> {
  const problems = new Map<string, number>()
  const note = (what: string): void => { problems.set(what, (problems.get(what) ?? 0) + 1) }
  let bytes = 0
  await mapLimit(requests, 8, async r => {
    const a = await ask(origin, r.path, r.token)
    bytes += a.body.length
    if (a.status !== 200) return note(`status ${a.status}`)
    const source = a.headers.get('x-proxy-source')
    if (source !== spec.source) note(`X-Proxy-Source: ${source ?? 'none'}`)
    let json: unknown
    try {
      json = JSON.parse(a.body.toString('utf8'))
    } catch {
      return note('a body that is not JSON')
    }
    const n = countItems(spec, r, json)
    if (n !== spec.items) note(`${n} of ${spec.items} items`)
  })
  const summary = [...problems].map(([what, n]) => `${fmtInt(n)}× ${what}`).join(', ')
  check(problems.size === 0, `${spec.label}: all ${fmtInt(requests.length)} requests checked ${when} answered 200 with \`X-Proxy-Source: ${spec.source}\` and ${spec.items} items${summary === '' ? '' : ` (got ${summary})`}`)
  return { bodyBytes: bytes / Math.max(1, requests.length) }
}

/**
 * The route's stream of requests, handed out in turn across all connections. (Each connection
 * cycling through one list on its own, autocannon's way, would keep the connections in step: a
 * hundred of them asking the same request within a few milliseconds, one answer kept hot.)
 */
async function load (server: ServerChild, double: UpstreamDouble, next: () => BenchRequest, duration: number, connections: number): Promise<LoadResult> {
  const setupRequest = (req: Record<string, unknown>): Record<string, unknown> => {
    const r = next()
    return { ...req, method: 'GET', path: r.path, headers: { authorization: `Bearer ${r.token}` } }
  }
  // autocannon calls setupRequest before every request (bench/proxy/autocannon.d.ts leaves it out).
  const list = [{ setupRequest }] as unknown as NonNullable<autocannon.Options['requests']>
  const before = double.requests.length
  const stop = measureCpu(server.pid)
  // autocannon checks its end at each sample, every second by default: a shorter load (the smoke
  // test's) samples at its own length, and its rate is then its total over its time.
  const short = duration < 1
  const r = await autocannon({ url: server.url, duration, connections, requests: list, timeout: ANSWER_TIMEOUT_S, ...(short ? { sampleInt: duration * 1000 } : {}) })
  const cpu = stop()
  return {
    reqPerSec: short ? r.requests.total / r.duration : r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    max: r.latency.max,
    requests: r.requests.total,
    errors: r.errors,
    non2xx: r.non2xx,
    bytesPerAnswer: r.throughput.total / Math.max(1, r.requests.total),
    cpu,
    upstream: double.requests.length - before
  }
}

/**
 * The app over a fresh copy of the library's index (the library as imported: no cache, no trusted
 * token, no learned owner from an earlier run; its startup import finds every file unchanged),
 * stopped by cleanUp.
 */
async function serveLibrary (lib: IndexedLibrary, db: string, local: readonly string[], upstream: string): Promise<ServerChild> {
  const server = await serveIndexedLibrary(lib, db, local, upstream)
  cleanups.push(server.stop)
  return server
}

async function ask (origin: string, pathAndQuery: string, token: string): Promise<{ status: number, headers: Headers, body: Buffer }> {
  const res = await fetch(`${origin}${pathAndQuery}`, { headers: { authorization: `Bearer ${token}` } })
  return { status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()) }
}

/** The ids of /v1/me/playlists, every page, in order. */
async function listPlaylists (origin: string, token: string): Promise<string[]> {
  const ids: string[] = []
  for (let offset = 0, total = 1; offset < total; offset += 50) {
    const a = await ask(origin, `/v1/me/playlists?limit=50&offset=${offset}`, token)
    if (a.status !== 200) return ids
    const page = JSON.parse(a.body.toString('utf8')) as { total: number, items: Array<{ id: string }> }
    total = page.total
    ids.push(...page.items.map(p => p.id))
  }
  return ids
}

// ---------------------------------------------------------------------------------------------
// Report

interface ReportInput {
  lib: IndexedLibrary
  server: ServerChild
  results: RouteResult[]
  one: OneClientRun
  checks: Array<{ ok: boolean, text: string }>
  duration: number
  connections: number
  warmup: number
  local: number
  remote: number
  fullSize: boolean
}

function buildReport (r: ReportInput): string {
  const lines: string[] = []
  const { lib } = r
  const m = lib.manifest
  const sizes = lib.playlists.map(p => p.trackCount)
  const localFiles = lib.summary.tracks - lib.trackIds.length
  lines.push(`Run ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC · ${machine()}, autocannon ${autocannonVersion()}`)
  lines.push('')
  lines.push(`Library: ${fmtInt(lib.summary.tracks)} tracks (${fmtInt(localFiles)} of them local files) in ${fmtInt(m.files)} CSV files (${fmtInt(m.rows)} rows, ${fmtMb(m.bytes)} MB): ${fmtInt(lib.playlists.length)} playlists of ${fmtInt(Math.min(...sizes))} to ${fmtInt(Math.max(...sizes))} entries and ${fmtInt(lib.summary.likedSongs)} liked songs. ` +
    `Index ${fmtMb(fileSize(lib.index))} MB, ${lib.reused ? `reused from an earlier run (every file unchanged, ${lib.importSeconds.toFixed(2)} s)` : `built in ${lib.importSeconds.toFixed(1)} s`}; the server's own import at startup found every file unchanged and it listened ${r.server.startupSeconds.toFixed(2)} s after loading its configuration.`)
  lines.push('')
  lines.push(`Load: ${r.connections} connections, ${r.duration} s per route after a ${r.warmup} s warm-up, the route's requests handed out in turn across the connections, up to ${ANSWER_TIMEOUT_S} s allowed for an answer; the CSV routes carry ${fmtInt(r.local)} local tokens in turn, the cache hits ${fmtInt(r.remote)} bearer tokens the upstream double accepted. "Once": every request of the route is a new one (a page at another offset, another set of ids), so every answer is built from the library; "again and again": the first of them over and over.`)
  lines.push('')
  lines.push('| Route | Source | Items | Distinct requests | Answer (KB) | Req/s | p50 (ms) | p99 (ms) | Max (ms) | Requests | Errors | Non-2xx | Server CPU (ms/request) | CPU cores: server / autocannon |')
  lines.push('|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|')
  for (const x of r.results) {
    const l = x.load
    lines.push(`| ${x.spec.label} | ${x.spec.source} | ${x.spec.items} | ${fmtInt(x.distinct)} | ${fmtKb(x.bodyBytes)} | ${fmtInt(l.reqPerSec)} | ${l.p50} | ${l.p99} | ${fmtInt(l.max)} | ${fmtInt(l.requests)} | ${l.errors} | ${l.non2xx} | ${cpuPerRequest(l)} | ${l.cpu === null ? '—' : `${l.cpu.server.toFixed(2)} / ${l.cpu.bench.toFixed(2)}`} |`)
  }
  lines.push('')
  lines.push('Server CPU is the server process\'s CPU time during the load ÷ requests answered (one core serves at most 1,000 ÷ that many requests a second). ' +
    'CPU cores are CPU seconds ÷ seconds of load: the server\'s (all its threads, V8\'s garbage-collector helpers too), and this process\'s (autocannon, one thread, and the idle double); where autocannon nears a whole core, it is the limit, not the server. ' +
    cpuNote(r.results))
  const hit = r.results.find(y => y.spec.key === 'hit')
  lines.push('')
  lines.push(`With ${r.connections} connections each sending again as soon as it is answered, the mean latency is ${r.connections} ÷ req/s (Little's law), whatever the server does: so these loads are judged by throughput, each CSV route's answers a second as a share of the cache hits' in the same run (below), and latency by one client alone (the next section).`)
  lines.push('')
  lines.push(`One connection (a script alone on the proxy), ${Math.min(SINGLE_SECONDS, r.duration)} s per route:`)
  lines.push('')
  lines.push('| Route | Req/s | p50 (ms) | p99 (ms) | Max (ms) | Requests |')
  lines.push('|---|---:|---:|---:|---:|---:|')
  for (const x of r.results) lines.push(`| ${x.spec.label} | ${fmtInt(x.single.reqPerSec)} | ${x.single.p50} | ${x.single.p99} | ${fmtInt(x.single.max)} | ${fmtInt(x.single.requests)} |`)
  lines.push('')
  lines.push(`One client, one request after another, on the million-row library (every request a new one: the requests above ask this run's smaller library over and over): latency from sending a request to the last byte of its answer, ${fmtInt(r.one.results[0]?.requests ?? 0)} requests a route.`)
  lines.push('')
  lines.push(...oneClientReport(r.one, r.fullSize).lines)

  lines.push('')
  const failed = r.checks.filter(c => !c.ok)
  lines.push(failed.length === 0
    ? `Checks (${r.checks.length}, all passed): the importer took every generated row; the app listed the index's playlists; the requests checked before each load (the first ${CHECKED} of a CSV route, all the repeated ones, every hit, also for another token than the one that fetched it) and a sample of those each load asked, after it, answered 200 with their source (\`csv\`, \`cache\` for the hits) and all their items; no request of a "once" route was asked twice, and the answers under load were as large as the checked ones; every load had 0 errors and 0 non-2xx and sent nothing upstream${r.fullSize && r.results.some(x => x.load.cpu !== null) ? `, and no other process used more than ${MAX_OTHER_CORES} cores meanwhile` : ''}.`
    : `**Checks failed** (the figures are not valid): ${failed.map(c => c.text).join('; ')}.`)

  lines.push('')
  lines.push(`Targets${r.fullSize ? '' : ' (set for the full run; this is a smaller one)'}:`)
  lines.push('')
  for (const x of r.results.filter(y => y.spec.source === 'csv' && !y.spec.repeated)) {
    const target = THROUGHPUT_TARGETS[x.spec.key]!
    const ratio = hit === undefined ? NaN : x.load.reqPerSec / hit.load.reqPerSec
    lines.push(`- ${verdict(ratio >= target)}: at ${r.connections} connections, ${x.spec.label} ≥ ${target}× the cache hits' req/s: ${ratio.toFixed(3)}× (${fmtInt(x.load.reqPerSec)} vs ${fmtInt(hit?.load.reqPerSec ?? NaN)} req/s; ${fmtInt(x.load.reqPerSec * x.spec.items)} tracks a second)`)
  }
  for (const v of oneClientReport(r.one, r.fullSize).verdicts) lines.push(`- ${verdict(v.ok)}: ${v.text}`)
  if (hit !== undefined) lines.push(`- no target: cache hits beside them at ${r.connections} connections, p99 ${hit.load.p99} ms (p50 ${hit.load.p50} ms, ${fmtInt(hit.load.reqPerSec)} req/s)`)
  return lines.join('\n')
}

function cpuPerRequest (l: LoadResult): string {
  return l.cpu === null || l.requests === 0 ? '—' : (l.cpu.server * l.cpu.seconds * 1000 / l.requests).toFixed(2)
}

function cpuNote (results: RouteResult[]): string {
  const loads = results.map(x => x.load.cpu).filter((c): c is CpuShares => c !== null)
  if (loads.length === 0) return 'CPU time was not measured (no /proc).'
  const range = (f: (c: CpuShares) => number): string => {
    const [lo, hi] = [Math.min(...loads.map(f)).toFixed(2), Math.max(...loads.map(f)).toFixed(2)]
    return lo === hi ? lo : `${lo}–${hi}`
  }
  return `Other processes used ${range(c => c.others)} cores during the loads.`
}

function verdict (ok: boolean): string {
  return ok ? 'pass' : '**FAIL**'
}

function machine (): string {
  const cpus = os.cpus()
  return `${cpus.length} × ${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${Math.round(os.totalmem() / 2 ** 30)} GB RAM, Node ${process.version}`
}

function autocannonVersion (): string {
  const pkg = JSON.parse(fs.readFileSync(path.join(REPO, 'node_modules', 'autocannon', 'package.json'), 'utf8')) as { version: string }
  return pkg.version
}

function fileSize (file: string): number {
  try {
    return fs.statSync(file).size
  } catch {
    return 0
  }
}

function fmtInt (n: number): string {
  return Math.round(n).toLocaleString('en-US')
}

function fmtKb (bytes: number): string {
  return (bytes / 1024).toFixed(1)
}

function fmtMb (bytes: number): string {
  return (bytes / 2 ** 20).toFixed(0)
}

const SECTION = `## CSV fallback answers under load (\`bench/fallback.ts\`)

Command: \`${COMMAND}\`

Generates (once; \`--regen\` to redo) a library of 100,000 distinct tracks with the import
bench's seeded generator (\`bench/import.ts\`, the pavelkomarov 2025-09+ Exportify format,
tracks repeating across playlists): 166,667 rows in 100 files, 99 playlists of log-normal sizes
up to Spotify's 10,000 and a 5,000-row \`Liked_Songs.csv\`. It is indexed with \`importLibrary\`
into a SQLite file kept under \`bench/.work/fallback/\` (an unchanged library re-imports in
milliseconds), of which the server gets a fresh copy on every run: the library as imported, no
cache, no trusted token, no learned owner.

Starts, on 127.0.0.1, the upstream double (\`test/helpers/upstream-double.ts\`, in the bench's
own process, which also runs autocannon) and the app in a process of its own: \`buildApp\` over
\`loadConfig\`, as \`serve\` builds it, \`LOG_LEVEL=silent\`, \`SPOTIFY_CSV_BACKUP_PATH\` the
generated library, \`SPOTIFY_PROXY_DB\` the copy, \`SPOTIFY_PROXY_LOCAL_TOKENS\` the bench's
local tokens, the double as upstream and pacing off (\`SPOTIFY_PROXY_PACE_PER_30S=0\`: the hit
warm-up sends one request per token upstream; no CSV answer or hit ever meets the pacer). Then,
route by route, autocannon with 100 connections, for 2 s unmeasured, then 10 s measured, then
5 s with one connection (a script alone on the proxy), waiting up to 60 s for an answer (its
default, 10 s, would count the slowest answers as errors and leave them out of the latencies).
Each route is a seeded stream of requests, handed out in turn across the connections (autocannon's
own way, each connection cycling through one list, keeps the connections in step: a hundred of
them asking the same request within milliseconds, one answer kept hot):

- **Playlist pages** from the CSV library, asked with local tokens, which the proxy answers
  offline (\`X-Proxy-Source: csv\`): \`GET /v1/playlists/{id}/items?limit=50&offset=N\` and
  \`GET /v1/playlists/{id}/tracks?limit=100&offset=N\`, **each page once**: the full pages of every
  playlist at every offset (~150,000 of each), in random order, so long playlists weigh in
  proportion to their length and no page is asked twice in the run. \`/items\` is measured at
  50, the most it accepts (as on Spotify, \`limit=100\` is a 400 \`Invalid limit\`), \`/tracks\`
  at its old maximum of 100.
- **Several tracks** from the CSV library, \`GET /v1/tracks?ids=\` with 50 ids, **each set of ids
  once**: a new random set of the library's tracks every time.
- **The same 50 again and again**: each of these routes again over the first 50 requests of its
  stream only, over and over (a script retrying through an outage, or re-reading its playlists
  offline). The app keeps its library answers serialised in memory (\`src/answers/memo.ts\`):
  these rows are served from there, the "once" rows are built from the library every time.
- **Cache hits**, beside them: \`GET /v1/tracks/{id}\` over 2,000 of the library's tracks (none of
  them among the several-tracks ids), each fetched once from the double with a bearer token of its
  own, which the proxy then trusts; every measured request is a fresh hit (\`X-Proxy-Source:
  cache\`), as in \`bench/proxy.ts\`.

The proxy limits each client to 600 requests per 10 s, so the requests carry their tokens in
turn, each far under the limit: 2,000 local tokens for the CSV routes, 2,000 bearer tokens for
the hits (many scripts sharing one proxy). Before each load the first 200 requests of a CSV
route (all 50 of a repeated one, every hit) are asked, and after it a sample of those the load
asked: each must answer 200, in JSON, from its source, with all it asked for (50 or 100 page
entries, each with its track; the 50 tracks, in order; the track); the hits also for another
token than the one that fetched them. Every load must have 0 errors and 0 non-2xx and send
nothing upstream, its answers must be as large on average as the checked ones, no request of a
"once" row may have been asked twice, and the app must list the index's playlists through
\`GET /v1/me/playlists\`. The server and autocannon have a core each on the 2-core machine, so
the bench reads \`/proc\` too: a load during which other processes used more than 0.1 cores is
invalid as well. An invalid run writes nothing.

**One client** (a sync script alone on the proxy during an outage), on the import bench's own
1,000,000-row library (\`bench/import.ts\`: 30,000 liked songs, playlists up to 10,000 tracks,
600,000 tracks; indexed once into \`bench/.work/fallback/library-1m.sqlite\`), with a server of its
own over a fresh copy of that index: 2,000 requests a route, one after another on one keep-alive
connection, each a new one (a random offset; for search a random query too), timed from sending
to the last byte of the answer by \`wrk -t1 -c1\` (a Lua script asks each request once; without
wrk on the machine, by undici). wrk is C: between two requests it does a few microseconds of
work, where a Node client parsing 300 KB answers shares the two cores with the server (on the
same server, paired, undici's p99s read 15–35% higher). A route's first request (the server's
first of the run, for the first route) is asked before, by undici, and reported on its own; then
200 more of the route's requests (others again, never asked twice), timed by undici and reported
in their own column, let V8 compile the route's code before the timed ones, as the 2 s warm-up
does for the loads above (on a fresh server, the first 200 pages of saved tracks held 43–50 of the
58–105 answers over 5 ms of a 2,000-request run, paired on one server, 2026-12-07):

- \`GET /v1/me/tracks?limit=50&offset=N\`, N anywhere in the 30,000 liked songs;
- \`GET /v1/playlists/{id}/tracks?limit=100&offset=N\` on the largest playlist;
- \`GET /v1/search?type=track&limit=10&offset=N&q=…\`, N from 0 to 990, q from the generator's own
  words (so most match thousands of tracks): one or two common words, a word and a partly typed
  one, a word and a number, an artist filter with a word, a genre filter with a span of years;
- \`GET /v1/search?type=album&limit=10&offset=N&q=…\` and \`type=artist\`, N from 0 to 990: a
  common word, a word and a partly typed one, a surname, an artist filter, a word with a span of
  years (albums and artists are found through the tracks' index: docs/library-storage.md).

Each answer must be 200 from the CSV library with its items (50, 100, up to 10: wrk's script
checks status and source, then undici asks every request again and reads each answer), and other
processes may use at most 0.1 cores meanwhile. The requests carry the local tokens in turn (the
proxy's per-client limit, 600 requests per 10 s, is its policy, not what is measured).

Targets: at 100 connections, each CSV route "each … once" answers at least a share of the cache
hits' req/s in the same run (0.05× for 50 entries or 50 ids, 0.025× for 100 entries: each track
of an answer built and sent in at most 0.4 of a cache hit's time); one client, p99 ≤ 5 ms for a page of 50 saved
tracks and for a page of 100 playlist entries, at any offset, and p99 ≤ 20 ms for each search.
\`--duration S --connections N --warmup S --tracks N --tokens N --local-tokens N
--one-client-requests N --one-client-warmup N\` make a smaller run (smoke test; the one-client section then serves the
run's own library), \`--dir\` moves the work folder, \`--cpu-prof\` adds a profiled run of each
loaded route (V8's CPU profiler in the server's process) and prints where its time goes.
`

function writeBenchmarks (markdown: string): void {
  const block = `${MARK_START}\n${markdown}\n${MARK_END}`
  let doc = fs.readFileSync(BENCHMARKS_MD, 'utf8')
  const start = doc.indexOf(MARK_START)
  const end = doc.indexOf(MARK_END)
  if (start !== -1 && end > start) {
    doc = doc.slice(0, start) + block + doc.slice(end + MARK_END.length)
  } else {
    doc = `${doc.trimEnd()}\n\n${SECTION}\n${block}\n`
  }
  fs.writeFileSync(BENCHMARKS_MD, doc)
}

// ---------------------------------------------------------------------------------------------
// Entry point: last, so every declaration above is initialised.

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => { cleanUp().finally(() => process.exit(130)) })
}
let code: number
try {
  code = await main()
} catch (err) {
  log(`bench:fallback: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`)
  code = 1
} finally {
  await cleanUp()
}
process.exit(code!)
