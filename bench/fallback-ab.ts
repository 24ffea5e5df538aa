// Paired A/B of two builds of the proxy on bench/fallback.ts's one-client routes (the million-row
// library, every request a new one). This machine's speed moves by half within an hour, so two
// runs minutes apart cannot tell a change of 10–20% from noise; here both builds serve at once, and
// each request is asked of both, one after the other (which first alternates), on one keep-alive
// connection each, so both meet the same moment of the machine. `--base` is a commit, checked out
// into a worktree under bench/.work/; the other side is this checkout, as it is on disk. Run with
// `--base HEAD` against itself, it shows what "no difference" looks like (BENCHMARKS.md).
//
//   npm run bench:fallback-ab -- [--base REF] [--routes liked,playlist,…] [--requests N]
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { Client } from 'undici'
import { serveIndexedLibrary, type ServerChild } from './fallback/child.js'
import { prepareImportLibrary } from './fallback/library.js'
import { planOneClient, type OneClientKey } from './fallback/one-client.js'

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const WORK = path.join(REPO, 'bench', '.work')
const BASE_TREE = path.join(WORK, 'ab-base')
const LOCAL = Array.from({ length: 50 }, (_, i) => `ab-local-${i}`)

const { values: args } = parseArgs({
  options: {
    base: { type: 'string', default: 'HEAD' },
    routes: { type: 'string', default: 'liked,playlist,search,search-album,search-artist' },
    requests: { type: 'string', default: '2000' }
  },
  strict: true
})

function log (line: string): void {
  process.stderr.write(`${line}\n`)
}

function git (...argv: string[]): string {
  return execFileSync('git', argv, { cwd: REPO, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim()
}

/** `ref` checked out (detached) where the base server runs from, sharing this checkout's packages. */
function checkOutBase (ref: string): string {
  const commit = git('rev-parse', '--verify', `${ref}^{commit}`)
  if (fs.existsSync(BASE_TREE)) git('worktree', 'remove', '--force', BASE_TREE)
  git('worktree', 'prune')
  git('worktree', 'add', '--detach', BASE_TREE, commit)
  fs.symlinkSync(path.join(REPO, 'node_modules'), path.join(BASE_TREE, 'node_modules'), 'dir')
  return commit
}

interface Side { name: string, server: ServerChild, client: Client | null, ms: number[] }

async function ask (side: Side, target: string, token: string): Promise<void> {
  const t0 = performance.now()
  const res = await side.client!.request({ method: 'GET', path: target, headers: { authorization: `Bearer ${token}` } })
  const body = Buffer.from(await res.body.arrayBuffer())
  side.ms.push(performance.now() - t0)
  if (res.statusCode !== 200 || res.headers['x-proxy-source'] !== 'csv') {
    throw new Error(`${side.name}: ${target} answered ${res.statusCode} from ${String(res.headers['x-proxy-source'])}: ${body.toString('utf8', 0, 200)}`)
  }
  // Read as a client would: a malformed answer fails the run.
  JSON.parse(body.toString('utf8'))
}

function percentile (sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] ?? NaN
}

async function main (): Promise<number> {
  const requests = Number(args.requests)
  if (!Number.isInteger(requests) || requests < 10) throw new Error(`--requests wants an integer ≥ 10, not ${args.requests}`)
  const keys = new Set(args.routes.split(',') as OneClientKey[])
  const lib = await prepareImportLibrary(path.join(WORK, 'library'), path.join(WORK, 'fallback', 'library-1m.sqlite'), false, log)
  // planOneClient adds a first request to each route (bench:fallback times it apart): not asked here.
  const routes = planOneClient(lib, requests).filter(r => keys.has(r.key))
  if (routes.length === 0) throw new Error(`no route among ${args.routes}`)
  const commit = checkOutBase(args.base)
  log(`base: ${args.base} (${commit.slice(0, 10)}) in ${path.relative(REPO, BASE_TREE)}; this side: the checkout as it is on disk`)
  // Nothing answers upstream: local tokens are answered from the library alone.
  const upstream = 'http://127.0.0.1:9'
  const sides: Side[] = []
  try {
    sides.push({ name: 'base', server: await serveIndexedLibrary(lib, path.join(WORK, 'ab-base.sqlite'), LOCAL, upstream, BASE_TREE), client: null, ms: [] })
    sides.push({ name: 'this', server: await serveIndexedLibrary(lib, path.join(WORK, 'ab-this.sqlite'), LOCAL, upstream), client: null, ms: [] })
    const rows: string[] = []
    for (const route of routes) {
      log(`▸ ${route.label}`)
      for (const s of sides) { s.client = new Client(s.server.url, { pipelining: 1 }); s.ms = [] }
      for (const [i, target] of route.paths.entries()) {
        const order = i % 2 === 0 ? sides : [...sides].reverse()
        for (const s of order) await ask(s, target, LOCAL[i % LOCAL.length]!)
      }
      const [base, mine] = sides.map(s => [...s.ms].sort((a, b) => a - b)) as [number[], number[]]
      const cell = (p: number): string => `${percentile(base, p).toFixed(2)} / ${percentile(mine, p).toFixed(2)} (${(percentile(mine, p) / percentile(base, p)).toFixed(2)}×)`
      rows.push(`| ${route.label} | ${route.paths.length} | ${cell(0.5)} | ${cell(0.9)} | ${cell(0.99)} |`)
      log(`  p50 ${cell(0.5)}, p99 ${cell(0.99)}`)
      for (const s of sides) await s.client!.close()
    }
    process.stdout.write([
      `Paired A/B, ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC: base ${args.base} (${commit.slice(0, 10)}) against this checkout, each request asked of both; ms, base / this (ratio).`,
      '',
      '| Route | Requests | p50 | p90 | p99 |',
      '|---|---:|---:|---:|---:|',
      ...rows,
      ''
    ].join('\n'))
    return 0
  } finally {
    for (const s of sides) await s.server.stop()
    git('worktree', 'remove', '--force', BASE_TREE)
  }
}

process.exitCode = await main()
