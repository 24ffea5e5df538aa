// Graceful shutdown of `serve` as users run it (a real child process): on SIGTERM, a request in
// flight still gets its answer, the process exits 0, and the SQLite file is closed clean.
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import net, { type AddressInfo } from 'node:net'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import Database from 'better-sqlite3'
import t from 'tap'
import { cliArgs } from '../helpers/cli.js'
import { behave, startUpstreamDouble } from '../helpers/upstream-double.js'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')

async function freePort (): Promise<number> {
  const srv = net.createServer()
  await new Promise<void>(resolve => srv.listen(0, '127.0.0.1', resolve))
  const { port } = srv.address() as AddressInfo
  await new Promise<void>(resolve => srv.close(() => resolve()))
  return port
}

t.test('SIGTERM: the request in flight is answered, then the process exits 0 with SQLite closed', async t => {
  const double = await startUpstreamDouble({ users: { 'tok-shutdown-1': { id: 'shut' } } })
  t.teardown(async () => await double.close())
  const port = await freePort()
  const dbFile = path.join(t.testdir(), 'shutdown.sqlite')
  const env = { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SPOTIFY_'))), SPOTIFY_API_BASE_URL: double.url, SPOTIFY_PROXY_DB: dbFile, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info' }
  const child = spawn(process.execPath, cliArgs(['serve']), { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] })
  const out: string[] = []
  child.stdout.setEncoding('utf8').on('data', (s: string) => out.push(s))
  child.stderr.setEncoding('utf8').on('data', (s: string) => out.push(s))
  const exited = new Promise<number | null>(resolve => child.once('exit', code => resolve(code)))
  t.teardown(() => { if (child.exitCode === null) child.kill('SIGKILL') })
  for (let i = 0; i < 100 && !out.join('').includes('Server listening'); i++) await new Promise(resolve => setTimeout(resolve, 100))
  t.match(out.join(''), /Server listening/)

  const origin = `http://127.0.0.1:${port}`
  t.equal((await fetch(`${origin}/v1/me`, { headers: { authorization: 'Bearer tok-shutdown-1' } })).status, 200)
  // Spotify takes 800 ms over this one; SIGTERM arrives while it is in flight.
  double.set(behave.delay(800, behave.ok()))
  const inFlight = fetch(`${origin}/v1/tracks/4uLU6hMCjMI75M1A2tKUQC`, { headers: { authorization: 'Bearer tok-shutdown-1' } })
  await new Promise(resolve => setTimeout(resolve, 200))
  child.kill('SIGTERM')
  const res = await inFlight
  t.equal(res.status, 200, 'the request in flight got its answer')
  t.equal((await res.json() as { id: string }).id, '4uLU6hMCjMI75M1A2tKUQC')
  const code = await exited
  if (!t.equal(code, 0, 'exit code 0')) t.comment(out.join('').slice(-1500))
  t.match(out.join(''), /shutting down/)
  await t.rejects(fetch(`${origin}/healthz`), 'no longer listening')

  t.notOk(fs.existsSync(`${dbFile}-wal`) && fs.statSync(`${dbFile}-wal`).size > 0, 'the WAL was checkpointed on close')
  const db = new Database(dbFile, { readonly: true })
  t.teardown(() => db.close())
  t.equal(db.pragma('integrity_check', { simple: true }), 'ok')
  t.equal(db.prepare('SELECT count(*) FROM response_cache').pluck().get(), 2, 'both answers stored whole')
})
