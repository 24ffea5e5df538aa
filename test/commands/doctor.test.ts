// `doctor` against real files, a real SQLite file, a Spotify double and real ports.
import fs from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import t from 'tap'
import { exitCode, formatChecks, runDoctor, type Check } from '../../src/commands/doctor.js'
import { openDatabase } from '../../src/db.js'
import { importLibrary } from '../../src/library/importer.js'
import { CooldownStore } from '../../src/policy/cooldown.js'
import { DEMO_LIBRARY } from '../../src/config.js'
import { startUpstreamDouble } from '../helpers/upstream-double.js'

const byName = (checks: Check[]): Record<string, Check> => Object.fromEntries(checks.map(c => [c.name, c]))

async function listening (handler: http.RequestListener): Promise<{ port: number, close: () => Promise<void> }> {
  const srv = http.createServer(handler)
  await new Promise<void>(resolve => srv.listen(0, '127.0.0.1', resolve))
  return { port: (srv.address() as AddressInfo).port, close: async () => await new Promise<void>(resolve => srv.close(() => resolve())) }
}

t.test('a fresh set-up on the demo library passes, and says what serve will create', async t => {
  const double = await startUpstreamDouble()
  t.teardown(async () => await double.close())
  const dir = t.testdir()
  const checks = await runDoctor({}, { SPOTIFY_API_BASE_URL: double.url, SPOTIFY_PROXY_DB: path.join(dir, 'data', 'p.sqlite'), PORT: '0' })
  const c = byName(checks)
  t.same(checks.map(x => [x.name, x.verdict]), [['configuration', 'ok'], ['binding', 'ok'], ['library', 'ok'], ['database', 'ok'], ['upstream', 'ok'], ['port', 'ok']])
  t.match(c.library!.detail, /5 CSV file\(s\).*demo library/)
  t.match(c.database!.detail, /does not exist yet/)
  t.match(c.upstream!.detail, /reachable \(HTTP 401/)
  t.equal(double.requests.length, 1, 'one probe, without any token')
  t.equal(double.requests[0]!.headers.authorization, undefined)
  t.equal(exitCode(checks), 0)
  t.match(formatChecks(checks), /All checks passed/)
  t.notOk(fs.existsSync(path.join(dir, 'data', 'p.sqlite')), 'the doctor creates nothing')
})

t.test('warnings: stale index, rejected rows, an active cooldown, no trust yet, upstream down, exposed binding', async t => {
  const dir = t.testdir()
  const lib = path.join(dir, 'lib')
  fs.cpSync(DEMO_LIBRARY, lib, { recursive: true })
  fs.writeFileSync(path.join(lib, 'Broken.csv'), 'Track URI,Track Name,Artist Name(s)\nspotify:track:4uLU6hMCjMI75M1A2tKUQC,"Unclosed,Someone\n')
  const dbFile = path.join(dir, 'p.sqlite')
  const db = openDatabase(dbFile)
  await importLibrary(db, lib)
  new CooldownStore(db).start(3600, 'quota-exceeded')
  db.close()
  fs.appendFileSync(path.join(lib, 'Deep_Focus.csv'), '\n')
  const before = fs.readFileSync(dbFile)
  const checks = await runDoctor({}, { SPOTIFY_API_BASE_URL: 'http://127.0.0.1:9', SPOTIFY_PROXY_DB: dbFile, SPOTIFY_CSV_BACKUP_PATH: lib, HOST: '0.0.0.0', PORT: '0' }, { timeoutMs: 2000 })
  const c = byName(checks)
  t.equal(c.binding!.verdict, 'warn')
  t.match(c.binding!.fix, /SPOTIFY_PROXY_ADMIN_TOKEN/)
  t.equal(c['library index']!.verdict, 'warn')
  t.match(c['library index']!.detail, /1 changed file/)
  t.equal(c.trust!.verdict, 'warn', 'no Spotify token seen and no local token (not the demo library any more)')
  t.equal(c.cooldown!.verdict, 'warn')
  t.match(c.cooldown!.detail, /quota-exceeded/)
  t.equal(c.upstream!.verdict, 'warn')
  t.match(c.upstream!.detail, /not reachable \(ECONNREFUSED\)/)
  t.equal(exitCode(checks), 1)
  t.ok(fs.readFileSync(dbFile).equals(before), 'the database file is untouched')
})

t.test('failures: bad configuration, a missing library, a port held by another program', async t => {
  const bad = await runDoctor({}, { SPOTIFY_PROXY_MODE: 'sometimes' })
  t.same(bad.map(c => [c.name, c.verdict]), [['configuration', 'fail']])
  t.match(bad[0]!.detail, /SPOTIFY_PROXY_MODE/)
  t.equal(exitCode(bad), 2)

  const other = await listening((_req, res) => { res.end('not a proxy') })
  t.teardown(other.close)
  const checks = await runDoctor({}, { SPOTIFY_API_BASE_URL: 'http://127.0.0.1:9', SPOTIFY_CSV_BACKUP_PATH: path.join(t.testdir(), 'nowhere'), SPOTIFY_PROXY_DB: ':memory:', PORT: String(other.port) }, { timeoutMs: 1000 })
  const c = byName(checks)
  t.equal(c.library!.verdict, 'fail')
  t.match(c.library!.detail, /does not exist/)
  t.equal(c.database!.verdict, 'warn', 'in memory')
  t.equal(c.port!.verdict, 'fail')
  t.match(c.port!.fix, /another PORT/)
  t.equal(exitCode(checks), 2)

  const proxy = await listening((_req, res) => { res.setHeader('content-type', 'application/json'); res.end('{"status":"ok"}') })
  t.teardown(proxy.close)
  const running = byName(await runDoctor({}, { SPOTIFY_API_BASE_URL: 'http://127.0.0.1:9', SPOTIFY_PROXY_DB: ':memory:', PORT: String(proxy.port) }, { timeoutMs: 1000 }))
  t.equal(running.port!.verdict, 'ok')
  t.match(running.port!.detail, /already serving/)
})

t.test('the library owner: who it is and how that was decided; owner-on-loopback explained', async t => {
  const dir = t.testdir()
  const lib = path.join(dir, 'lib')
  fs.cpSync(DEMO_LIBRARY, lib, { recursive: true })
  const dbFile = path.join(dir, 'p.sqlite')
  const db = openDatabase(dbFile)
  await importLibrary(db, lib)
  db.close()
  const env = { SPOTIFY_API_BASE_URL: 'http://127.0.0.1:9', SPOTIFY_PROXY_DB: dbFile, SPOTIFY_CSV_BACKUP_PATH: lib, PORT: '0' }
  const fromExports = byName(await runDoctor({}, env, { timeoutMs: 500 }))
  t.match(fromExports['library owner'], { verdict: 'ok', detail: 'demo-user (the only user the exports name)' })
  t.notOk(fromExports['owner-on-loopback'], 'said only when set')
  const configured = byName(await runDoctor({}, { ...env, SPOTIFY_CSV_OWNER: 'alice', SPOTIFY_PROXY_TRUST: 'owner-on-loopback' }, { timeoutMs: 500 }))
  t.match(configured['library owner'], { verdict: 'ok', detail: 'alice (SPOTIFY_CSV_OWNER)' })
  t.match(configured['owner-on-loopback'], { verdict: 'ok', detail: /any token that reaches 127\.0\.0\.1:0 without being verified counts as alice's/ })
  const exposed = byName(await runDoctor({}, { ...env, SPOTIFY_CSV_OWNER: 'alice', SPOTIFY_PROXY_TRUST: 'owner-on-loopback', HOST: '0.0.0.0', SPOTIFY_PROXY_ADMIN_TOKEN: 'x' }, { timeoutMs: 500 }))
  t.match(exposed['owner-on-loopback'], { verdict: 'warn', detail: /without effect: it needs a loopback HOST/ })
  // Two people's exports: nobody is chosen.
  fs.writeFileSync(path.join(lib, 'Bobs_Mix.csv'), fs.readFileSync(path.join(lib, 'Deep_Focus.csv'), 'utf8').replaceAll('demo-user', 'bob'))
  const db2 = openDatabase(dbFile)
  await importLibrary(db2, lib)
  db2.close()
  const mixed = byName(await runDoctor({}, env, { timeoutMs: 500 }))
  t.match(mixed['library owner'], { verdict: 'warn', detail: /not decided: the exports name several users \(demo-user \(5\), bob \(1\)\)/, fix: /SPOTIFY_CSV_OWNER|link --owner/ })
})
