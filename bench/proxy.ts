// Proxy benchmark, in one run on 127.0.0.1:
//   cache hits    autocannon, then wrk (multi-threaded C, so the load generator is not the limit;
//                 the server's CPU is read from /proc meanwhile) on `GET /v1/tracks/{id}` through
//                 this proxy (a cache hit), a bare fastify route answering the same bytes, and
//                 nginx proxy_cache in front of the same upstream double: req/s, p50, p99
//   quota replay  a scripted library sync, run twice through the proxy and twice through nginx,
//                 counting the requests that reach the upstream double
// Each server runs in its own process (bench/proxy/server.ts, nginx); the double and autocannon
// run here. Prints a Markdown table and a pass/fail verdict per target; --write records the run
// in BENCHMARKS.md between the bench:proxy markers.
//
//   npm run bench:proxy -- [--write] [--duration S] [--connections N] [--warmup S] [--tokens N]
//                          [--playlists N] [--dir DIR] [--nginx BIN] [--cpu-prof]
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import readline from 'node:readline'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import autocannon from 'autocannon'
import { startUpstreamDouble } from '../test/helpers/upstream-double.js'
import { libraryRule, makeLibrary, requestKind, runSync, type Library, type SyncResult } from './proxy/library.js'
import { findNginx, NGINX_MISSING, nginxVersion, startNginx } from './proxy/nginx.js'
import { profileMarkdown, summariseProfile } from './proxy/profile.js'
import { PROFILED_PREFIX, READY_PREFIX } from './proxy/wire.js'
import { findWrk, runWrk, wrkScript, wrkVersion, type WrkResult } from './proxy/wrk.js'
import { mapLimit } from '../src/map-limit.js'

const SCRIPT = fileURLToPath(import.meta.url)
const REPO = path.resolve(path.dirname(SCRIPT), '..')
const SERVER = path.join(REPO, 'bench', 'proxy', 'server.ts')
const BENCHMARKS_MD = path.join(REPO, 'BENCHMARKS.md')
const MARK_START = '<!-- bench:proxy:start -->'
const MARK_END = '<!-- bench:proxy:end -->'
const COMMAND = 'npm run bench:proxy -- --write'

const DEFAULTS = { duration: 10, connections: 50, playlists: 60, tokens: 2000 }
const TARGETS = { hitsVsBare: 0.9, replayVsNginx: 0.1 }
/**
 * The proxy limits each client (bearer token) to 600 requests per 10 s (src/plugins/rate-limit.ts),
 * so the hit load is spread over many trusted tokens, each far under that limit (2,000 tokens keep
 * every one under 600 per 10 s up to 120k req/s): many scripts sharing one proxy. The first is
 * the issue's `bench-token`; nginx and the bare route get the same requests.
 */
const TOKEN = 'bench-token'
const hitTokens = (n: number): string[] => Array.from({ length: n }, (_, i) => (i === 0 ? TOKEN : `${TOKEN}-${i}`))
/** One token per replay target, so no replay shares a rate-limit budget with the hit load. */
const REPLAY_TOKENS = { direct: 'replay-direct', proxy: 'replay-proxy', nginx: 'replay-nginx' } as const
/** Run 3's tokens: the same user's next token, as a sync an hour later (access tokens last an hour) has. */
const NEXT_TOKENS = { proxy: 'replay-proxy-next', nginx: 'replay-nginx-next' } as const
const BENCH_USER = { id: 'benchuser', display_name: 'Bench User' }
/** The track of the hit benchmark; not in the replay's library, so the two never share an entry. */
const TRACK_ID = '11dFghVXANMlKmJXsNCbNl'
const TRACK_PATH = `/v1/tracks/${TRACK_ID}`

type ServerKey = 'proxy' | 'bare' | 'nginx'
const LABEL: Record<ServerKey, string> = { proxy: 'this proxy (cache hit)', bare: 'bare fastify route', nginx: 'nginx proxy_cache' }

interface HitResult {
  server: ServerKey
  reqPerSec: number
  p50: number
  p99: number
  requests: number
  errors: number
  non2xx: number
  /** Requests the double saw during the measured run (0 when every answer was a hit). */
  upstream: number
  /** The same load from wrk, with the server's CPU (null when wrk is missing). */
  wrk: WrkResult | null
}

interface ReplayResult {
  server: 'proxy' | 'nginx'
  /** Runs 1 and 2 with one token, run 3 with the same user's next token. */
  runs: [SyncResult, SyncResult, SyncResult]
  upstream: [number, number, number]
  /** Run 1's upstream requests by kind. */
  kinds: Record<string, number>
}

// ---------------------------------------------------------------------------------------------
// Command line

const { values: args } = parseArgs({
  options: {
    duration: { type: 'string' },
    connections: { type: 'string' },
    warmup: { type: 'string' },
    playlists: { type: 'string' },
    tokens: { type: 'string' },
    dir: { type: 'string' },
    nginx: { type: 'string' },
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

function fail (message: string): never {
  log(`bench:proxy: ${message}`)
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
  const duration = positiveInt(args.duration, DEFAULTS.duration, '--duration')
  const connections = positiveInt(args.connections, DEFAULTS.connections, '--connections')
  const warmup = positiveInt(args.warmup, Math.min(2, duration), '--warmup', 0)
  const playlists = positiveInt(args.playlists, DEFAULTS.playlists, '--playlists')
  const tokens = hitTokens(positiveInt(args.tokens, DEFAULTS.tokens, '--tokens'))
  const fullSize = duration === DEFAULTS.duration && connections === DEFAULTS.connections && playlists === DEFAULTS.playlists && tokens.length === DEFAULTS.tokens
  if (args.write && !fullSize) fail('--write records the full benchmark only: drop --duration/--connections/--playlists/--tokens')
  const dir = path.resolve(args.dir ?? path.join(REPO, 'bench', '.work', 'proxy'))
  fs.mkdirSync(dir, { recursive: true })

  const wrkBin = findWrk()
  if (wrkBin === null) log('wrk not found (apt-get install wrk): the wrk columns are skipped')
  let nginxBin = args.nginx ?? findNginx()
  if (nginxBin !== null && !fs.existsSync(nginxBin)) nginxBin = null
  if (nginxBin === null) log(`${NGINX_MISSING} (the nginx columns are skipped)`)

  // Every token is the bench user's, as Spotify's /v1/me says.
  const users = Object.fromEntries([TOKEN, ...Object.values(REPLAY_TOKENS), ...Object.values(NEXT_TOKENS)].map(t => [t, BENCH_USER]))
  const double = await startUpstreamDouble({ users })
  cleanups.push(async () => await double.close())
  const lib = makeLibrary(playlists)
  double.set(libraryRule(lib, double.url, [...Object.values(REPLAY_TOKENS), ...Object.values(NEXT_TOKENS)]))

  // The reference answer: what the double says for the track, which the bare route replays.
  const reference = await fetchAnswer(`${double.url}${TRACK_PATH}`, TOKEN)
  if (reference.status !== 200) throw new Error(`the double answered ${reference.status} for ${TRACK_PATH}`)
  const bodyFile = path.join(dir, 'track.json')
  fs.writeFileSync(bodyFile, reference.body)
  const replayed: Record<string, string> = {}
  for (const name of ['content-type', 'cache-control', 'etag']) {
    const v = reference.headers.get(name)
    if (v !== null) replayed[name] = v
  }

  log('▸ starting the servers…')
  const db = path.join(dir, 'proxy.sqlite')
  for (const suffix of ['', '-wal', '-shm']) fs.rmSync(db + suffix, { force: true })
  const proxy = await startChild(['--role', 'proxy', '--upstream', double.url, '--db', db])
  cleanups.push(proxy.stop)
  const bare = await startChild(['--role', 'bare', '--body', bodyFile, '--headers', JSON.stringify(replayed)])
  cleanups.push(bare.stop)
  const urls: Partial<Record<ServerKey, string>> = { proxy: proxy.url, bare: bare.url }
  let nginxVer: string | null = null
  if (nginxBin !== null) {
    nginxVer = nginxVersion(nginxBin)
    const nginx = await startNginx(nginxBin, path.join(dir, 'nginx'), double.url)
    cleanups.push(nginx.stop)
    urls.nginx = nginx.url
  }
  const servers = (['proxy', 'bare', 'nginx'] as const).filter(s => urls[s] !== undefined)

  // Checks that make the figures meaningful; any failure makes the run invalid (exit 1).
  const checks: Array<{ ok: boolean, text: string }> = []
  const check = (ok: boolean, text: string): void => {
    checks.push({ ok, text })
    if (!ok) log(`check failed: ${text}`)
  }

  // Warm: one request per token fills nginx's per-token entries and makes the proxy trust every
  // token (its first request goes upstream); the next request must be a hit, with the double's bytes.
  for (const s of servers) {
    const url = `${urls[s]}${TRACK_PATH}`
    const statuses = await mapLimit(s === 'bare' ? [TOKEN] : tokens, 16, async t => (await fetchAnswer(url, t)).status)
    const bad = statuses.filter(x => x !== 200)
    check(bad.length === 0, `${LABEL[s]}: ${bad.length} of ${statuses.length} warming requests did not answer 200 (${[...new Set(bad)].join(', ')})`)
    const second = await fetchAnswer(url, TOKEN)
    check(second.body.equals(reference.body), `${LABEL[s]}: answers the double's exact body (${second.body.length} bytes)`)
    check(second.headers.get('content-type') === reference.headers.get('content-type'), `${LABEL[s]}: answers the double's content type`)
    hitCheck(s, second.headers, 'after one warming request', check)
  }

  log(`▸ cache hits: ${servers.length} servers × (${warmup} s warm-up + ${duration} s), ${connections} connections`)
  const hits: HitResult[] = []
  const profiles: string[] = []
  const script = wrkBin === null ? null : wrkScript(dir, TRACK_PATH, tokens)
  const children: Partial<Record<ServerKey, Child>> = { proxy, bare }
  for (const s of servers) {
    const url = `${urls[s]}${TRACK_PATH}`
    if (warmup > 0) await load(urls[s]!, tokens, warmup, connections)
    const before = double.requests.length
    const r = await load(urls[s]!, tokens, duration, connections)
    const hit: HitResult = {
      server: s,
      reqPerSec: r.requests.average,
      p50: r.latency.p50,
      p99: r.latency.p99,
      requests: r.requests.total,
      errors: r.errors + r.timeouts,
      non2xx: r.non2xx,
      upstream: double.requests.length - before,
      wrk: wrkBin === null || script === null ? null : await runWrk(wrkBin, urls[s]!, script, { seconds: duration, connections, threads: 1, serverPid: children[s]?.pid ?? null })
    }
    hits.push(hit)
    log(`  ${LABEL[s]}: ${fmtInt(hit.reqPerSec)} req/s, p50 ${hit.p50} ms, p99 ${hit.p99} ms, ${hit.errors} errors, ${hit.non2xx} non-2xx, ${hit.upstream} upstream`)
    if (hit.wrk !== null) log(`  ${LABEL[s]} under wrk: ${fmtInt(hit.wrk.reqPerSec)} req/s, p50 ${hit.wrk.p50} ms, p99 ${hit.wrk.p99} ms, ${hit.wrk.errors} errors, server CPU ${hit.wrk.cpu?.server.toFixed(2) ?? '—'} cores`)
    if (hit.wrk !== null) check(hit.wrk.requests > 0 && hit.wrk.errors === 0, `${LABEL[s]} under wrk: ${fmtInt(hit.wrk.requests)} requests, ${hit.wrk.errors} errors or non-2xx`)
    check(hit.requests > 0 && hit.errors === 0 && hit.non2xx === 0, `${LABEL[s]}: ${fmtInt(hit.requests)} requests, ${hit.errors} errors, ${hit.non2xx} non-2xx`)
    if (s !== 'bare') check(hit.upstream === 0, `${LABEL[s]}: ${hit.upstream} upstream requests during the load`)
    hitCheck(s, (await fetchAnswer(url, TOKEN)).headers, 'after the load', check)

    const child = children[s]
    if (child !== undefined && args['cpu-prof']) {
      // An extra run, so the profiler's own overhead never touches the figures above; the bare
      // route is profiled too, as the floor the proxy's per-request cost compares with.
      const file = path.join(dir, `${s}-hits.cpuprofile`)
      child.send('profile start')
      await child.waitFor(PROFILED_PREFIX)
      const p = await load(urls[s]!, tokens, duration, connections)
      child.send(`profile stop ${file}`)
      await child.waitFor(PROFILED_PREFIX)
      const label = `${LABEL[s]} during a ${duration} s hit run (${fmtInt(p.requests.average)} req/s under the profiler)`
      const md = profileMarkdown(summariseProfile(file, REPO), label, p.requests.total).join('\n')
      fs.writeFileSync(path.join(dir, `${s}-hits-profile.md`), `${md}\n`)
      profiles.push(md)
      log(`  profile: ${file}, summary in ${path.join(dir, `${s}-hits-profile.md`)}`)
    }
  }

  log('▸ quota replay…')
  const directFrom = double.requests.length
  const direct = await runSync(double.url, REPLAY_TOKENS.direct)
  const directKinds = countKinds(double.requests.slice(directFrom).map(q => q.url))
  const replays: ReplayResult[] = []
  for (const s of ['proxy', 'nginx'] as const) {
    const origin = urls[s]
    if (origin === undefined) continue
    const runs: SyncResult[] = []
    const upstream: number[] = []
    let kinds: Record<string, number> = {}
    for (let run = 1; run <= 3; run++) {
      const before = double.requests.length
      const r = await runSync(origin, run === 3 ? NEXT_TOKENS[s] : REPLAY_TOKENS[s])
      const seen = double.requests.slice(before)
      if (run === 1) kinds = countKinds(seen.map(q => q.url))
      runs.push(r)
      upstream.push(seen.length)
      log(`  ${s} run ${run}: ${r.requests} requests, ${seen.length} upstream, ${r.seconds.toFixed(2)} s`)
      check(r.digest === direct.digest, `${s} replay run ${run}: reads the same library as a sync straight to the double`)
    }
    replays.push({ server: s, runs: [runs[0]!, runs[1]!, runs[2]!], upstream: [upstream[0]!, upstream[1]!, upstream[2]!], kinds })
  }

  await cleanUp()

  const report = buildReport({ duration, connections, warmup, bodyBytes: reference.body.length, tokens: tokens.length, nginxVer, wrkVer: wrkBin === null ? null : wrkVersion(wrkBin), hits, lib, direct, directKinds, replays, checks, fullSize })
  process.stdout.write(`\n${report}\n`)
  // The profile is printed, never recorded: the recorded command runs without it.
  for (const md of profiles) process.stdout.write(`\n${md}\n`)
  const valid = checks.every(c => c.ok)
  if (args.write) {
    if (!valid) {
      log('bench:proxy: not writing BENCHMARKS.md: some checks failed, the figures are not valid')
    } else {
      writeBenchmarks(report)
      log(`wrote ${path.relative(process.cwd(), BENCHMARKS_MD) || BENCHMARKS_MD}`)
    }
  }
  return valid ? 0 : 1
}

function hitCheck (s: ServerKey, headers: Headers, when: string, check: (ok: boolean, text: string) => void): void {
  if (s === 'proxy') {
    const source = headers.get('x-proxy-source')
    check(source === 'cache', `this proxy answers X-Proxy-Source: cache ${when} (${source ?? 'none'})`)
  } else if (s === 'nginx') {
    const status = headers.get('x-cache-status')
    check(status === 'HIT', `nginx answers X-Cache-Status: HIT ${when} (${status ?? 'none'})`)
  }
}

/** Every connection sends the track request with each token in turn. */
async function load (origin: string, tokens: string[], duration: number, connections: number): Promise<autocannon.Result> {
  const requests = tokens.map(t => ({ method: 'GET', path: TRACK_PATH, headers: { authorization: `Bearer ${t}` } }))
  return await autocannon({ url: origin, duration, connections, requests })
}

async function fetchAnswer (url: string, token: string): Promise<{ status: number, headers: Headers, body: Buffer }> {
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } })
  return { status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()) }
}

function countKinds (urls: string[]): Record<string, number> {
  const out: Record<string, number> = {}
  for (const u of urls) {
    const k = requestKind(u)
    out[k] = (out[k] ?? 0) + 1
  }
  return out
}

// ---------------------------------------------------------------------------------------------
// Server children (bench/proxy/server.ts)

interface Child {
  url: string
  pid: number
  stop: () => Promise<void>
  send: (line: string) => void
  /** The next stdout line starting with `prefix`. */
  waitFor: (prefix: string) => Promise<string>
}

async function startChild (argv: string[]): Promise<Child> {
  const child = spawn(process.execPath, ['--import', 'tsx', SERVER, ...argv], { cwd: REPO, stdio: ['pipe', 'pipe', 'inherit'] })
  const exited = new Promise<void>(resolve => child.once('exit', () => resolve()))
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return
    child.stdin.end('exit\n')
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000)
    await exited
    clearTimeout(timer)
  }
  const waiting: Array<{ prefix: string, resolve: (line: string) => void, reject: (err: Error) => void }> = []
  readline.createInterface({ input: child.stdout }).on('line', line => {
    const i = waiting.findIndex(w => line.startsWith(w.prefix))
    if (i === -1) return
    const w = waiting.splice(i, 1)[0]!
    w.resolve(line.slice(w.prefix.length))
  })
  child.once('exit', code => {
    for (const w of waiting.splice(0)) w.reject(new Error(`bench server ${argv[1]} exited (${code}) before saying ${w.prefix.trim()}`))
  })
  const waitFor = async (prefix: string): Promise<string> => await new Promise((resolve, reject) => waiting.push({ prefix, resolve, reject }))
  try {
    const { port } = JSON.parse(await waitFor(READY_PREFIX)) as { port: number }
    return { url: `http://127.0.0.1:${port}`, pid: child.pid!, stop, send: line => child.stdin.write(`${line}\n`), waitFor }
  } catch (err) {
    await stop()
    throw err
  }
}

// ---------------------------------------------------------------------------------------------
// Report

interface ReportInput {
  duration: number
  connections: number
  warmup: number
  bodyBytes: number
  tokens: number
  nginxVer: string | null
  wrkVer: string | null
  hits: HitResult[]
  lib: Library
  direct: SyncResult
  directKinds: Record<string, number>
  replays: ReplayResult[]
  checks: Array<{ ok: boolean, text: string }>
  fullSize: boolean
}

function buildReport (r: ReportInput): string {
  const lines: string[] = []
  const hit = (s: ServerKey): HitResult | undefined => r.hits.find(h => h.server === s)
  const ratio = (a: HitResult | undefined, b: HitResult | undefined): number | null => (a !== undefined && b !== undefined && b.reqPerSec > 0 ? a.reqPerSec / b.reqPerSec : null)
  const fmtRatio = (x: number | null): string => (x === null ? '—' : `${x.toFixed(2)}×`)

  lines.push(`Run ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC · ${machine()}, ${r.nginxVer ?? 'nginx missing'}`)
  lines.push('')
  if (r.nginxVer === null) {
    lines.push(`**${NGINX_MISSING}**: the nginx rows are skipped.`)
    lines.push('')
  }
  lines.push(`**Cache hits**: \`GET ${TRACK_PATH}\` (a ${fmtInt(r.bodyBytes)}-byte answer), ${r.connections} connections, ${r.duration} s per server after a ${r.warmup} s warm-up, ${fmtInt(r.tokens)} bearer tokens in turn, autocannon ${autocannonVersion()}.`)
  lines.push('')
  lines.push('| Server | Req/s | p50 (ms) | p99 (ms) | Requests | Errors | Non-2xx | Upstream requests |')
  lines.push('|---|---:|---:|---:|---:|---:|---:|---:|')
  for (const h of r.hits) {
    lines.push(`| ${LABEL[h.server]} | ${fmtInt(h.reqPerSec)} | ${h.p50} | ${h.p99} | ${fmtInt(h.requests)} | ${h.errors} | ${h.non2xx} | ${h.server === 'bare' ? '—' : fmtInt(h.upstream)} |`)
  }
  const proxyVsBare = ratio(hit('proxy'), hit('bare'))
  const proxyVsNginx = ratio(hit('proxy'), hit('nginx'))
  lines.push('')
  lines.push(`Req/s ratios under autocannon: proxy ÷ bare fastify **${fmtRatio(proxyVsBare)}**, proxy ÷ nginx **${fmtRatio(proxyVsNginx)}**, bare fastify ÷ nginx ${fmtRatio(ratio(hit('bare'), hit('nginx')))}.`)
  const wrkHit = (s: ServerKey): HitResult | undefined => { const h = hit(s); return h?.wrk == null ? undefined : { ...h, reqPerSec: h.wrk.reqPerSec } }
  const wrkVsBare = ratio(wrkHit('proxy'), wrkHit('bare'))
  if (r.wrkVer !== null) {
    lines.push('')
    lines.push(`The same load from ${r.wrkVer} (one thread, which leaves the other core to the server; same connections, duration and tokens), with each server's CPU in cores (its process, from /proc) and everything else's (wrk, the double, the machine):`)
    lines.push('')
    lines.push('| Server | Req/s | p50 (ms) | p99 (ms) | Requests | Errors | Server CPU | Others\' CPU |')
    lines.push('|---|---:|---:|---:|---:|---:|---:|---:|')
    for (const h of r.hits) {
      if (h.wrk === null) continue
      lines.push(`| ${LABEL[h.server]} | ${fmtInt(h.wrk.reqPerSec)} | ${h.wrk.p50} | ${h.wrk.p99} | ${fmtInt(h.wrk.requests)} | ${h.wrk.errors} | ${h.wrk.cpu?.server.toFixed(2) ?? '—'} | ${h.wrk.cpu === null ? '—' : (h.wrk.cpu.others + h.wrk.cpu.bench).toFixed(2)} |`)
    }
    lines.push('')
    lines.push(`Req/s ratios under wrk: proxy ÷ bare fastify **${fmtRatio(wrkVsBare)}**, proxy ÷ nginx ${fmtRatio(ratio(wrkHit('proxy'), wrkHit('nginx')))}. A server near 1.00 core is itself the limit (Node serves on one thread); well under it, the load generator is.`)
  }

  const d = r.direct
  const pages = r.lib.playlists.reduce((n, p) => n + Math.ceil(p.trackIds.length / 50), 0)
  lines.push('')
  lines.push(`**Quota replay**: a library of ${fmtInt(r.lib.playlists.length)} playlists (${fmtInt(r.lib.entries)} entries, ${fmtInt(r.lib.distinctTracks)} distinct tracks). One sync is ${fmtInt(d.requests)} requests, one at a time: ${plural(Math.ceil(r.lib.playlists.length / 50), 'page')} of the playlist list, ${fmtInt(pages)} playlist pages, ${Math.ceil(d.distinctTracks / 100)} audio-features batches of 100, ${Math.ceil(d.distinctTracks / 50)} several-tracks batches of 50 (${d.seconds.toFixed(2)} s straight to the double).`)
  lines.push('')
  lines.push('| Through | Run 1 upstream | Run 2 upstream | Runs 1 + 2 | Run 3 upstream (next token) | 429s retried | Run 1 (s) | Run 2 (s) | Run 3 (s) |')
  lines.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|')
  for (const x of r.replays) {
    lines.push(`| ${x.server === 'proxy' ? 'this proxy' : 'nginx proxy_cache'} | ${fmtInt(x.upstream[0])} | ${fmtInt(x.upstream[1])} | ${fmtInt(x.upstream[0] + x.upstream[1])} | ${fmtInt(x.upstream[2])} | ${x.runs[0].retried + x.runs[1].retried + x.runs[2].retried} | ${x.runs[0].seconds.toFixed(2)} | ${x.runs[1].seconds.toFixed(2)} | ${x.runs[2].seconds.toFixed(2)} |`)
  }
  lines.push('')
  lines.push('Run 3 is the same sync with the same user\'s next token, as a sync an hour later has (access tokens last an hour): nginx keys on the token, so it asks everything again; the proxy keys private answers by user, and asks once whose a new token is (`/v1/me`, counted in run 1 and run 3).')
  lines.push('')
  for (const x of r.replays) {
    const kinds = Object.entries(x.kinds).map(([k, n]) => `${k} ${fmtInt(n)}`).join(', ')
    lines.push(`Run 1 upstream through ${x.server === 'proxy' ? 'this proxy' : 'nginx'}: ${kinds === '' ? 'none' : kinds}.`)
  }
  const total = (s: 'proxy' | 'nginx'): number | null => {
    const x = r.replays.find(y => y.server === s)
    return x === undefined ? null : x.upstream[0] + x.upstream[1]
  }
  const proxyTotal = total('proxy')
  const nginxTotal = total('nginx')
  const replayRatio = proxyTotal !== null && nginxTotal !== null && nginxTotal > 0 ? proxyTotal / nginxTotal : null
  // What no cache can avoid: the data behind every request but the several-tracks batches is
  // seen for the first time in run 1 (the full tracks all came inside the playlist pages).
  const floor = d.requests - (r.directKinds['several tracks'] ?? 0)
  lines.push('')
  lines.push(`Lower bound for any cache on this replay: ${fmtInt(floor)} upstream requests (run 1's playlist-list pages, playlist pages and audio-features batches, whose data nothing before them held; run 2 can be all hits)${nginxTotal !== null && nginxTotal > 0 ? `, ${(floor / nginxTotal).toFixed(2)}× nginx's total` : ''}.${(r.replays.find(x => x.server === 'proxy')?.kinds['the token\'s user'] ?? 0) > 0 ? ' The proxy adds one request per new token: `/v1/me`, whose token it is, which run 3 needs.' : ''}`)

  lines.push('')
  const failed = r.checks.filter(c => !c.ok)
  lines.push(failed.length === 0
    ? `Checks (${r.checks.length}, all passed): every autocannon run had 0 errors and 0 non-2xx; every server answered the double's exact bytes and content type; the proxy answered \`X-Proxy-Source: cache\`${r.nginxVer === null ? '' : ' and nginx `X-Cache-Status: HIT`'} before and after its load, and no request reached the double during it; every replay run read the same library as a sync straight to the double.`
    : `**Checks failed** (the figures are not valid): ${failed.map(c => c.text).join('; ')}.`)

  lines.push('')
  lines.push(`Targets${r.fullSize ? '' : ' (set for the full run; this is a smaller one)'}:`)
  lines.push('')
  const judged = wrkVsBare ?? proxyVsBare
  lines.push(`- ${verdict(judged !== null && judged >= TARGETS.hitsVsBare)}: cache hits ≥ ${TARGETS.hitsVsBare}× bare fastify${wrkVsBare === null ? ' (autocannon: wrk missing)' : ' under wrk'}: ${fmtRatio(judged)} (autocannon ${fmtRatio(proxyVsBare)}; proxy ÷ nginx ${fmtRatio(proxyVsNginx)})`)
  if (replayRatio === null) {
    lines.push(`- not measured: replay upstream requests ≤ ${TARGETS.replayVsNginx}× nginx's (${r.nginxVer === null ? 'nginx missing' : 'nginx sent nothing upstream'}; this proxy: ${fmtInt(proxyTotal ?? 0)})`)
  } else {
    lines.push(`- ${verdict(replayRatio <= TARGETS.replayVsNginx)}: replay upstream requests ≤ ${TARGETS.replayVsNginx}× nginx's: ${replayRatio.toFixed(2)}× (${fmtInt(proxyTotal ?? 0)} vs ${fmtInt(nginxTotal ?? 0)} over both runs)`)
  }
  return lines.join('\n')
}

function plural (n: number, noun: string): string {
  return `${fmtInt(n)} ${noun}${n === 1 ? '' : 's'}`
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

function fmtInt (n: number): string {
  return Math.round(n).toLocaleString('en-US')
}

const SECTION = `## Proxy cache hits and quota replay (\`bench/proxy.ts\`)

Command: \`${COMMAND}\`

Starts, on 127.0.0.1, the upstream double (\`test/helpers/upstream-double.ts\`, in the bench's
own process, which also runs autocannon) and three servers, each in its own process:

- **this proxy**: \`buildApp\` as \`serve\` builds it, \`LOG_LEVEL=silent\`, a fresh SQLite file,
  upstream pacing off (\`SPOTIFY_PROXY_PACE_PER_30S=0\`: pacing decides when requests go
  upstream, not how many, and would stretch the replay to minutes);
- **bare fastify**: one route answering the double's bytes for the track, with its content
  type, \`Cache-Control\` and \`ETag\` (the floor for any fastify app);
- **nginx** from Debian's package (\`apt-get install nginx-light\`; the script only looks for it,
  and skips its rows when it is missing), configured by the script under \`bench/.work/proxy/nginx/\`:
  one worker, \`proxy_cache\` keyed on \`$request_uri$http_authorization\` (its honest equivalent
  of per-token keys), \`proxy_ignore_headers Cache-Control Set-Cookie Expires\` so Spotify's
  \`max-age=0\` answers are cached at all, \`proxy_cache_valid 200 1h\`, \`proxy_cache_lock on\`,
  upstream keep-alive, a buffered access log.

Then:

- **Cache hits**: autocannon sends \`GET /v1/tracks/{id}\` with 50 connections, for 2 s
  unmeasured, then 10 s measured. The proxy limits each client to 600 requests per 10 s, so the
  requests carry 2,000 bearer tokens in turn (\`bench-token\`, \`bench-token-1\`, …), each far
  under the limit: many scripts sharing one proxy. Each server is warmed first with one request
  per token (nginx then holds the track under every token's key, and the proxy trusts every
  token, which its first request took upstream). On the 2-core machine the server under load
  and autocannon have a core each; autocannon is one thread, so at 40–55k req/s it can be the
  limit rather than the server (profiled, the bare route idles a third of the time): the bare
  and nginx figures are lower bounds of what those servers could do. Every run must have 0 errors
  and 0 non-2xx, every server must answer the double's exact bytes, the proxy
  \`X-Proxy-Source: cache\` (nginx \`X-Cache-Status: HIT\`), and no request may reach the double
  during the load; otherwise the run is invalid and nothing is written.
- **Quota replay**: a seeded library (60 playlists of 1 to 400 entries, popular tracks repeating
  across playlists) served by the double in Spotify's shapes; a sync script, one request at a
  time: list the playlists (50 a page), page every playlist (\`/v1/playlists/{id}/items\`, 50 a
  page), audio features for every distinct track (100 ids a request), several tracks (50 ids a
  request); a 429 is retried after its \`Retry-After\`, as clients do. It runs twice through the
  proxy and twice through nginx, one token each, then a third time with the same user's next
  token (a sync an hour later has a new access token); the double counts what reaches it. Every
  run must read the same data as a sync straight to the double. The target counts runs 1 and 2.

Targets: cache hits ≥ 0.8× bare fastify's req/s (the ratio to nginx beside it); upstream requests
over both replay runs ≤ 0.1× nginx's. \`--duration S --connections N --warmup S --tokens N --playlists N\`
make a smaller run (smoke test), \`--dir\` moves the work folder, \`--cpu-prof\` adds a profiled
hit run of the proxy (V8's CPU profiler in the proxy's process) and prints where its time goes.
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
  // fetch's "fetch failed" says why only in its cause (a refused or reset connection, …).
  const cause = err instanceof Error && err.cause !== undefined ? `\n  cause: ${err.cause instanceof Error ? (err.cause.stack ?? err.cause.message) : String(err.cause)}` : ''
  log(`bench:proxy: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}${cause}`)
  code = 1
} finally {
  await cleanUp()
}
process.exit(code!)
