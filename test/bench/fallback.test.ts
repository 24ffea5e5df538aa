// Smoke run of bench/fallback.ts (a 3,000-track library, 0.5 s loads, a temp work folder): every
// route answers from its source with all its items, the report has its rows, checks and
// verdicts, and --write refuses a smaller run. Latency targets are not asserted (they are for
// the full run).
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { LABELS, REPEATED, ROUTES } from '../../bench/fallback/requests.js'

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const SMOKE = ['--tracks', '3000', '--duration', '0.5', '--warmup', '0', '--connections', '5', '--tokens', '100', '--local-tokens', '500', '--one-client-requests', '40', '--one-client-warmup', '10']

interface Run { code: number | null, stdout: string, stderr: string }

async function bench (args: string[]): Promise<Run> {
  return await new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'bench/fallback.ts', ...args], { cwd: REPO })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (s: string) => { stdout += s })
    child.stderr.setEncoding('utf8').on('data', (s: string) => { stderr += s })
    // The bench stops its server itself; this only bounds a hung run. Alone it takes ~30 s; beside
    // the rest of the suite on two cores it has taken over 50 (tap stops a file at 240 s: package.json).
    const timer = setTimeout(() => child.kill('SIGTERM'), 100_000)
    child.on('error', reject)
    child.on('close', code => { clearTimeout(timer); resolve({ code, stdout, stderr }) })
  })
}

/** The body rows of the Markdown table whose header row starts with `| first |`, from `after` on. */
function table (out: string, first: string, after = 0): string[][] {
  const lines = out.split('\n')
  const at = lines.findIndex((l, i) => i >= after && l.startsWith(`| ${first} |`))
  if (at === -1) return []
  const rows: string[][] = []
  for (const l of lines.slice(at + 2)) {
    if (!l.startsWith('| ')) break
    rows.push(l.split('|').slice(1, -1).map(c => c.trim()))
  }
  return rows
}

const num = (cell: string | undefined): number => Number((cell ?? '').replaceAll(',', ''))
const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

t.test('bench:fallback smoke run', async (t) => {
  const run = await bench([...SMOKE, '--dir', t.testdir()])
  t.equal(run.code, 0, `exits 0\n${run.stderr}`)

  const loaded = table(run.stdout, 'Route')
  t.equal(loaded.length, ROUTES.length, 'one row per route')
  for (const [i, r] of loaded.entries()) {
    const spec = ROUTES[i]!
    t.equal(r[0], spec.repeated ? `${LABELS[spec.key]}, the same ${r[3]} again and again` : spec.label, `row ${i + 1}: ${spec.label}`)
    t.equal(r[1], ROUTES[i]!.source, `${r[0]}: served from ${ROUTES[i]!.source}`)
    t.equal(num(r[2]), ROUTES[i]!.items, `${r[0]}: ${ROUTES[i]!.items} items an answer`)
    t.ok(num(r[3]) > 0 && (!spec.repeated || num(r[3]) <= REPEATED), `${r[0]}: distinct requests (${r[3]})`)
    t.ok(num(r[4]) > 0, `${r[0]}: answer size (${r[4]} KB)`)
    t.ok(num(r[5]) > 0, `${r[0]}: positive req/s (${r[5]})`)
    t.ok(num(r[7]) >= num(r[6]) && num(r[8]) >= num(r[7]), `${r[0]}: p50 ≤ p99 ≤ max`)
    t.ok(num(r[9]) > 0, `${r[0]}: requests counted`)
    t.equal(num(r[10]), 0, `${r[0]}: 0 errors`)
    t.equal(num(r[11]), 0, `${r[0]}: 0 non-2xx`)
  }
  const lines = run.stdout.split('\n')
  const single = table(run.stdout, 'Route', lines.findIndex(l => l.startsWith('One connection')))
  t.same(single.map(r => r[0]), loaded.map(r => r[0]), 'a one-connection row per route')
  for (const r of single) t.ok(num(r[1]) > 0, `${r[0]}: positive req/s on one connection`)

  t.match(run.stdout, /Library: [\d,]+ tracks/, 'describes the library')
  t.match(run.stdout, /Checks \(\d+, all passed\)/, 'every validity check passed')
  for (const [i, r] of loaded.entries()) {
    const spec = ROUTES[i]!
    if (spec.source === 'csv' && !spec.repeated) t.match(run.stdout, new RegExp(`at 5 connections, ${escape(r[0]!)} ≥ [\\d.]+× the cache hits' req/s: [\\d.]+×`), `a throughput verdict for ${r[0]}`)
  }
  t.match(run.stdout, /no target: cache hits beside them at 5 connections, p99 \d+ ms/, 'the cache hits beside them')

  // One client, one request after another (on the run's own library in a smaller run).
  const one = table(run.stdout, 'Route', lines.findIndex(l => l.startsWith('One client, one request after another')))
  t.same(one.map(r => r[0]?.split('&')[0]), ['`GET /v1/me/tracks?limit=50', '`GET /v1/playlists/{id}/tracks?limit=100', '`GET /v1/search?type=track', '`GET /v1/search?type=album', '`GET /v1/search?type=artist'], 'saved tracks, the largest playlist, search for tracks, albums, artists')
  for (const r of one) {
    t.equal(num(r[1]), 40, `${r[0]}: every request answered`)
    t.ok(num(r[2]) > 0 && num(r[3]) >= num(r[2]) && num(r[4]) >= num(r[3]), `${r[0]}: 0 < p50 ≤ p99 ≤ max`)
    // The server's clock (to handing the answer to the socket) runs within the client's, request by request.
    const [ownP50, ownP99] = r[7]!.split(' / ').map(num) as [number, number]
    t.ok(ownP50 > 0 && ownP99 >= ownP50, `${r[0]}: the server's own 0 < p50 ≤ p99 (${r[7]})`)
    t.ok(ownP50 <= num(r[2]) && ownP99 <= num(r[3]), `${r[0]}: the server's own p50 and p99 within the client's (${r[7]} against ${r[2]} / ${r[3]})`)
    if (process.platform === 'linux') t.ok(num(r[8]) >= 0, `${r[0]}: preemptions counted (${r[8]} per request)`)
    // The warm-up before the timed requests: how many, and their own p50 / p99.
    const warm = /^10: ([\d.]+) \/ ([\d.]+)$/.exec(r[9] ?? '')
    t.ok(warm !== null && Number(warm[1]) > 0 && Number(warm[2]) >= Number(warm[1]), `${r[0]}: 10 warm-up requests timed apart (${r[9]})`)
  }
  for (const key of ['/v1/me/tracks', '/v1/playlists/{id}/tracks', '/v1/search']) t.match(run.stdout, new RegExp(`p99 ≤ \\d+ ms, one client, for \`GET ${escape(key)}`), `a latency verdict for ${key}`)
})

t.test('bench:fallback --write refuses a smaller run', async (t) => {
  const dir = t.testdir()
  const run = await bench(['--write', '--duration', '1', '--dir', dir])
  t.equal(run.code, 2, 'exits 2')
  t.match(run.stderr, /--write records the full benchmark only/, 'says why')
  t.same(fs.readdirSync(dir), [], 'stops before generating anything (and so before writing)')
})
