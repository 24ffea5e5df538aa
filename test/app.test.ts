// The Fastify app built as the server builds it: health, readiness, Spotify-shaped errors.
import fs from 'node:fs'
import path from 'node:path'
import t from 'tap'
import { buildApp } from '../src/http/app.js'
import { DEMO_LIBRARY, isDemoLibrary, loadConfig } from '../src/config.js'
import { stageRealExports } from './helpers/fixtures.js'

function config (dir: string, env: Record<string, string> = {}): ReturnType<typeof loadConfig> {
  // Port 9 (discard) on loopback: nothing listens, so no test here can reach any real host.
  return loadConfig({}, { SPOTIFY_PROXY_DB: path.join(dir, 'proxy.sqlite'), SPOTIFY_API_BASE_URL: 'http://127.0.0.1:9', LOG_LEVEL: 'silent', ...env })
}

t.test('healthz and readyz on the default (demo) library', async t => {
  const app = await buildApp(config(t.testdir()))
  t.teardown(() => app.close())
  t.ok(app.config.demoLibrary)
  const health = await app.inject('/healthz')
  t.equal(health.statusCode, 200)
  t.same(health.json(), { status: 'ok' })
  const ready = await app.inject('/readyz')
  t.equal(ready.statusCode, 200)
  t.same(ready.json(), { status: 'ready', checks: { database: true, library: true } })
  t.equal(app.libraryState.summary?.playlists, 4)
})

t.test('the library named by SPOTIFY_CSV_BACKUP_PATH is indexed before the app is ready', async t => {
  const dir = t.testdir()
  const app = await buildApp(config(dir, { SPOTIFY_CSV_BACKUP_PATH: stageRealExports(path.join(dir, 'lib')) }))
  t.teardown(() => app.close())
  t.notOk(app.config.demoLibrary)
  t.equal(app.libraryState.summary?.rows.read, 1493)
  t.equal(app.library.getTrackById('3b6RZmPmYzg2mRyfoIznYS')?.name, '福气马上来')
})

t.test('a startup import longer than any plugin time limit still starts the app', async t => {
  // Fastify stops a plugin that takes over its limit (10 s by default; a million-row library's
  // first import takes 20–30 s). Asked for a 1 ms limit, the app must still import and start.
  const dir = t.testdir()
  const app = await buildApp(config(dir, { SPOTIFY_CSV_BACKUP_PATH: stageRealExports(path.join(dir, 'lib')) }), { pluginTimeout: 1 })
  t.teardown(() => app.close())
  await app.ready()
  t.ok(app.libraryState.summary !== null && app.libraryState.summary.durationMs > 1, `imported (${app.libraryState.summary?.durationMs} ms)`)
  t.equal((await app.inject({ method: 'GET', url: '/readyz' })).statusCode, 200, 'ready')
})

t.test('with the library disabled, the app is still ready', async t => {
  const app = await buildApp(config(t.testdir(), { SPOTIFY_CSV_BACKUP_ENABLED: 'false' }))
  t.teardown(() => app.close())
  t.equal((await app.inject('/readyz')).statusCode, 200)
  t.equal(app.libraryState.summary, null)
})

t.test('readyz says 503 once the database is closed', async t => {
  const app = await buildApp(config(t.testdir()))
  app.db.close()
  const ready = await app.inject('/readyz')
  t.equal(ready.statusCode, 503)
  t.same(ready.json().checks, { database: false, library: true })
  await app.close()
})

t.test('unknown routes and bad methods answer in Spotify\'s error shape', async t => {
  const app = await buildApp(config(t.testdir()))
  t.teardown(() => app.close())
  const r = await app.inject('/no/such/thing?x=1')
  t.equal(r.statusCode, 404)
  t.same(r.json(), { error: { status: 404, message: 'Service not found: GET /no/such/thing' } })
  t.equal(r.headers['x-proxy-source'], 'local')
  const unreachable = await app.inject({ url: '/v1/tracks/0000000000000000000009', headers: { authorization: 'Bearer nobody' } })
  t.equal(unreachable.statusCode, 502, 'upstream unreachable, an unknown token and nothing held: a 502, never an invented 401')
  t.equal(unreachable.headers['x-proxy-fallback-reason'], 'upstream-unreachable,not-in-library')
  t.match(unreachable.json(), { error: { status: 502, message: /could not be reached, and neither the cache nor the CSV library holds this/ } })
  const bad = await app.inject({ method: 'POST', url: '/healthz', headers: { 'content-type': 'application/json' }, payload: '{not json' })
  t.ok(bad.statusCode === 400 || bad.statusCode === 404)
  t.match(bad.json(), { error: { status: bad.statusCode, message: String } })
})

t.test('an unreadable library path fails startup with a clear error', async t => {
  const dir = t.testdir()
  await t.rejects(buildApp(config(dir, { SPOTIFY_CSV_BACKUP_PATH: path.join(dir, 'missing') })), /library path .*missing does not exist/)
})

t.test('cache settings: per-endpoint TTL rules are checked at startup', async t => {
  const dir = t.testdir()
  t.throws(() => config(dir, { SPOTIFY_PROXY_CACHE_TTLS: 'tracks=soon' }), /SPOTIFY_PROXY_CACHE_TTLS: TTL rule "tracks=soon"/)
  const c = config(dir, { SPOTIFY_PROXY_CACHE_TTLS: 'audio-features=604800', SPOTIFY_PROXY_CACHE_MAX_MB: '64' })
  t.same(c.cacheTtlRules.map(r => r.segments.join('/')), ['me/player', 'audio-features'], 'built-in rules first, the user\'s after')
  t.equal(c.cacheMaxBytes, 64 * 1024 * 1024)
  t.equal(c.rewriteLinks, true)
  t.equal(config(dir, { SPOTIFY_PROXY_REWRITE_LINKS: 'false' }).rewriteLinks, false)
})

t.test('the demo token follows the demo library wherever it is mounted, and only while it is unchanged', async t => {
  const copy = path.join(t.testdir(), 'library')
  fs.cpSync(DEMO_LIBRARY, copy, { recursive: true })
  t.ok(isDemoLibrary(DEMO_LIBRARY))
  t.ok(isDemoLibrary(copy), 'a copy elsewhere (compose mounts it at /library) is still the demo')
  t.ok(config(copy, { SPOTIFY_CSV_BACKUP_PATH: copy }).demoLibrary)
  fs.writeFileSync(path.join(copy, 'Mine.csv'), 'Track URI,Track Name\n')
  t.notOk(isDemoLibrary(copy), 'an added file makes it someone\'s own library')
  fs.rmSync(path.join(copy, 'Mine.csv'))
  t.ok(isDemoLibrary(copy))
  fs.appendFileSync(path.join(copy, 'Deep_Focus.csv'), '\n')
  t.notOk(isDemoLibrary(copy), 'so does an edited one')
  t.notOk(isDemoLibrary(path.join(copy, 'nope')), 'a missing folder is not the demo')
})
