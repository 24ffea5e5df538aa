// Smoke runs of bench/proxy.ts (1 s loads, a 3-playlist replay, a temp work folder): every
// server answers, the report has its rows and checks, and without nginx its rows are skipped
// with the install hint. Throughput targets are not asserted (they are for the full run).
import { spawn } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import t, { type Test } from 'tap'
import { findNginx, NGINX_MISSING } from '../../bench/proxy/nginx.js'
import { findWrk } from '../../bench/proxy/wrk.js'

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const SMOKE = ['--duration', '1', '--connections', '5', '--warmup', '0', '--tokens', '1000']

interface Run { code: number | null, stdout: string, stderr: string }

async function bench (args: string[]): Promise<Run> {
  return await new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'bench/proxy.ts', ...args], { cwd: REPO })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (s: string) => { stdout += s })
    child.stderr.setEncoding('utf8').on('data', (s: string) => { stderr += s })
    // The bench stops its servers itself; this only bounds a hung run.
    const timer = setTimeout(() => child.kill('SIGTERM'), 35_000)
    child.on('error', reject)
    child.on('close', code => { clearTimeout(timer); resolve({ code, stdout, stderr }) })
  })
}

/** The body rows of the Markdown table whose header row starts with `| first |`. */
function table (out: string, first: string): string[][] {
  const lines = out.split('\n')
  const at = lines.findIndex(l => l.startsWith(`| ${first} |`))
  if (at === -1) return []
  const rows: string[][] = []
  for (const l of lines.slice(at + 2)) {
    if (!l.startsWith('| ')) break
    rows.push(l.split('|').slice(1, -1).map(c => c.trim()))
  }
  return rows
}

const num = (cell: string | undefined): number => Number((cell ?? '').replaceAll(',', ''))

function checkReport (t: Test, run: Run, withNginx: boolean): void {
  t.equal(run.code, 0, `exits 0\n${run.stderr}`)
  const hits = table(run.stdout, 'Server')
  const servers = ['this proxy (cache hit)', 'bare fastify route', ...(withNginx ? ['nginx proxy_cache'] : [])]
  t.same(hits.map(r => r[0]), servers, `one hit row per server (${servers.length})`)
  for (const r of hits) {
    t.ok(num(r[1]) > 0, `${r[0]}: positive req/s (${r[1]})`)
    t.ok(num(r[4]) > 0, `${r[0]}: requests counted`)
    t.equal(num(r[5]), 0, `${r[0]}: 0 errors`)
    t.equal(num(r[6]), 0, `${r[0]}: 0 non-2xx`)
  }
  const replay = table(run.stdout, 'Through')
  t.same(replay.map(r => r[0]), ['this proxy', ...(withNginx ? ['nginx proxy_cache'] : [])], 'one replay row per caching server')
  for (const r of replay) {
    t.ok(num(r[1]) > 0, `${r[0]}: run 1 reached upstream (${r[1]})`)
    t.ok(Number.isInteger(num(r[2])), `${r[0]}: run 2 counted (${r[2]})`)
    t.equal(num(r[3]), num(r[1]) + num(r[2]), `${r[0]}: total = run 1 + run 2`)
  }
  t.match(run.stdout, /Checks \(\d+, all passed\)/, 'every validity check passed')
  t.match(run.stdout, /cache hits ≥ 0\.9× bare fastify( under wrk| \(autocannon: wrk missing\)): \d/, 'a verdict for the hit target')
  if (findWrk() !== null) {
    // The second table: the same load from wrk, with each server's CPU read from /proc.
    const underWrk = run.stdout.split('The same load from ')[1] ?? ''
    const rows = table(underWrk, 'Server')
    t.same(rows.map(r => r[0]), servers, 'one wrk row per server')
    for (const r of rows.filter(r => r[0] !== 'nginx proxy_cache')) t.ok(num(r[1]) > 0 && num(r[6]) > 0, `${r[0]} under wrk: req/s ${r[1]}, server CPU ${r[6]} cores`)
  }
  t.match(run.stdout, /replay upstream requests ≤ 0\.1× nginx's/, 'a verdict (or "not measured") for the replay target')
}

t.test('bench:proxy smoke run', async (t) => {
  const nginx = findNginx() !== null
  const run = await bench([...SMOKE, '--playlists', '3', '--dir', t.testdir()])
  checkReport(t, run, nginx)
  if (!nginx) {
    t.match(run.stderr, NGINX_MISSING, 'says how to install nginx')
    t.match(run.stdout, /not measured: replay upstream requests/, 'no replay verdict without nginx')
  }
})

// Where nginx is missing (a clean CI machine), the run above already took this path.
t.test('bench:proxy without nginx skips its rows', { skip: findNginx() === null ? 'nginx is missing: the run above checked this' : false }, async (t) => {
  const dir = t.testdir()
  const run = await bench([...SMOKE, '--playlists', '2', '--nginx', path.join(dir, 'no-nginx-here'), '--dir', dir])
  checkReport(t, run, false)
  t.match(run.stderr, NGINX_MISSING, 'says how to install nginx')
  t.match(run.stdout, /not measured: replay upstream requests/, 'no replay verdict without nginx')
})
