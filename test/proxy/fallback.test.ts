// What the client sees when Spotify cannot answer: for each upstream behaviour, the status,
// body and headers, and how many requests reached the double.
import t from 'tap'
import { buildApp } from '../../src/http/app.js'
import { loadConfig } from '../../src/config.js'
import { behave } from '../helpers/upstream-double.js'
import { ALICE, BOB, DEMO_TRACK, proxyRig } from '../helpers/proxy.js'

const TRACK = '4uLU6hMCjMI75M1A2tKUQC'

t.test('429 with Retry-After: the CSV answers, and no request goes upstream until it has passed', async t => {
  const r = await proxyRig(t)
  await r.get('/v1/me')
  r.double.set(behave.status(429, undefined, { 'retry-after': '1' }))
  const first = await r.get(`/v1/tracks/${DEMO_TRACK}`)
  t.equal(first.statusCode, 200)
  t.equal(first.headers['x-proxy-source'], 'csv')
  t.equal(first.headers['x-proxy-fallback-reason'], 'rate-limited')
  t.equal(first.headers['cache-control'], 'private, max-age=0')
  t.equal(first.json().name, 'Grid Runner')
  const during = r.upstreamCount()
  const many = await Promise.all(Array.from({ length: 20 }, async (_, i) => await r.get(i % 2 === 0 ? `/v1/tracks/${DEMO_TRACK}` : `/v1/tracks/${TRACK}`)))
  t.equal(r.upstreamCount(), during, 'nothing upstream during the cooldown')
  const uncached = many.find((_, i) => i % 2 === 1)!
  t.equal(uncached.statusCode, 503, 'nothing to serve: an honest miss with the time left')
  t.equal(uncached.headers['x-proxy-source'], 'local')
  t.equal(uncached.headers['x-proxy-fallback-reason'], 'rate-limited,not-in-library')
  t.equal(uncached.headers['retry-after'], '1')
  t.equal(uncached.headers['x-proxy-upstream-retry-after'], '1')
  t.match(uncached.json(), { error: { status: 503, message: /rate-limiting this app, and neither the cache nor the CSV library holds this/ } })
  await new Promise(resolve => setTimeout(resolve, 1100))
  r.double.set(behave.ok())
  const after = await r.get(`/v1/tracks/${TRACK}`)
  t.equal(after.headers['x-proxy-source'], 'upstream')
  t.equal(r.upstreamCount(), during + 1, 'one request once the cooldown is over')
})

t.test('429 without Retry-After cools down for 5 s; the stale cache answers meanwhile', async t => {
  const r = await proxyRig(t, { SPOTIFY_CSV_CACHE_TTL: '0' })
  await r.get(`/v1/tracks/${TRACK}`)
  r.double.set(behave.status(429))
  const res = await r.get(`/v1/tracks/${TRACK}`)
  t.equal(res.headers['x-proxy-source'], 'stale')
  t.equal(res.headers['x-proxy-fallback-reason'], 'rate-limited')
  t.match(res.headers.age, /^\d+$/)
  t.equal(res.json().id, TRACK)
  t.ok(r.app.proxy.cooldown.secondsLeft() >= 4 && r.app.proxy.cooldown.secondsLeft() <= 5)
})

t.test('QUOTA_EXCEEDED cools down for the full Retry-After, across a restart', async t => {
  const r = await proxyRig(t)
  await r.get('/v1/me')
  r.double.set(behave.quotaExceeded(48925))
  const res = await r.get(`/v1/tracks/${TRACK}`)
  t.equal(res.statusCode, 429, 'nothing cached: Spotify\'s own 429 goes back')
  t.equal(res.headers['x-proxy-source'], 'upstream')
  t.equal(res.json().error.reason, 'QUOTA_EXCEEDED')
  t.ok(Number(res.headers['retry-after']) > 48900)
  const csv = await r.get(`/v1/tracks/${DEMO_TRACK}`)
  t.equal(csv.headers['x-proxy-fallback-reason'], 'quota-exceeded')
  await r.app.close()

  const again = await buildApp(loadConfig({}, { SPOTIFY_API_BASE_URL: r.double.url, SPOTIFY_PROXY_DB: r.dbFile, LOG_LEVEL: 'silent' }))
  t.teardown(() => again.close())
  const before = r.upstreamCount()
  const later = await again.inject({ url: `/v1/tracks/${TRACK}`, headers: { authorization: `Bearer ${ALICE}` } })
  t.equal(later.statusCode, 503)
  t.equal(later.headers['x-proxy-source'], 'local')
  t.equal(later.headers['x-proxy-fallback-reason'], 'quota-exceeded,not-in-library')
  t.equal(later.headers['retry-after'], undefined, 'a wait of hours is no Retry-After: clients would sleep through it')
  t.ok(Number(later.headers['x-proxy-upstream-retry-after']) > 48800, 'the whole wait, in the proxy\'s own header')
  t.equal(r.upstreamCount(), before, 'the restarted proxy still waits')
})

for (const status of [500, 502, 503, 504]) {
  t.test(`${status}: stale cache, else CSV, else Spotify's own error`, async t => {
    const r = await proxyRig(t, { SPOTIFY_CSV_CACHE_TTL: '0' })
    await r.get(`/v1/tracks/${TRACK}`)
    r.double.set(behave.status(status))
    const stale = await r.get(`/v1/tracks/${TRACK}`)
    t.same([stale.statusCode, stale.headers['x-proxy-source'], stale.headers['x-proxy-fallback-reason']], [200, 'stale', 'upstream-5xx'])
    const csv = await r.get(`/v1/tracks/${DEMO_TRACK}`)
    t.same([csv.statusCode, csv.headers['x-proxy-source']], [200, 'csv'])
    const none = await r.get('/v1/tracks/0000000000000000000009')
    t.equal(none.statusCode, status, 'unknown everywhere: upstream\'s error unchanged')
    t.equal(none.headers['x-proxy-source'], 'upstream')
  })
}

const failures = [
  { name: 'reset', behaviour: behave.reset(), status: 502, reason: 'upstream-unreachable' },
  { name: 'hang', behaviour: behave.hang(), status: 504, reason: 'upstream-timeout' },
  { name: 'slow body', behaviour: behave.slowBody(50), status: 504, reason: 'upstream-timeout' },
  { name: 'truncated JSON', behaviour: behave.truncated({ declared: 500, sent: 20, connectionClose: true }), status: 502, reason: 'upstream-unreachable' },
  { name: 'invalid JSON', behaviour: behave.invalidJson(), status: 502, reason: 'upstream-5xx' }
]
for (const f of failures) {
  t.test(`${f.name}: fallback, else a ${f.status} in Spotify's shape`, async t => {
    const r = await proxyRig(t)
    await r.get('/v1/me')
    r.double.set(f.behaviour)
    const started = Date.now()
    const none = await r.get(`/v1/tracks/${TRACK}`)
    t.ok(Date.now() - started < 2000, 'bounded by the upstream timeout')
    t.equal(none.statusCode, f.status)
    t.equal(none.headers['x-proxy-source'], 'local')
    t.same(none.json().error.status, f.status)
    const csv = await r.get(`/v1/tracks/${DEMO_TRACK}`)
    t.same([csv.statusCode, csv.headers['x-proxy-source'], csv.headers['x-proxy-fallback-reason']], [200, 'csv', f.reason])
  })
}

t.test('a dead upstream opens the breaker: later requests fall back at once', async t => {
  const r = await proxyRig(t)
  await r.get('/v1/me')
  r.double.set(behave.hang())
  for (let i = 0; i < 5; i++) await r.get(`/v1/tracks/${TRACK}`)
  const before = r.upstreamCount()
  const started = Date.now()
  const fast = await r.get(`/v1/tracks/${DEMO_TRACK}`)
  t.ok(Date.now() - started < 200, 'no timeout paid')
  t.equal(fast.headers['x-proxy-source'], 'csv')
  t.equal(r.upstreamCount(), before, 'the open breaker sends nothing')
  t.equal(r.app.proxy.breaker.state(), 'open')
})

t.test('401: a verified token gets the fallback, an unknown token gets Spotify\'s 401', async t => {
  const r = await proxyRig(t)
  await r.get('/v1/me')
  r.double.set(behave.status(401, { error: { status: 401, message: 'The access token expired' } }))
  const verified = await r.get(`/v1/tracks/${DEMO_TRACK}`)
  t.same([verified.statusCode, verified.headers['x-proxy-source'], verified.headers['x-proxy-fallback-reason']], [200, 'csv', 'auth-expired'])
  const unknown = await r.get(`/v1/tracks/${DEMO_TRACK}`, 'tok-forged')
  t.equal(unknown.statusCode, 401)
  t.equal(unknown.headers['x-proxy-source'], 'upstream')
  t.equal(unknown.json().error.message, 'The access token expired')
})

t.test('403 from a closed endpoint: the library answers; other 403s pass through', async t => {
  const r = await proxyRig(t)
  await r.get('/v1/me')
  r.double.set(behave.status(403))
  const features = await r.get(`/v1/audio-features/${DEMO_TRACK}`)
  t.same([features.statusCode, features.headers['x-proxy-source'], features.headers['x-proxy-fallback-reason']], [200, 'csv', 'endpoint-closed'])
  t.equal(features.json().tempo, 150.011)
  const other = await r.get(`/v1/tracks/${DEMO_TRACK}`)
  t.equal(other.statusCode, 403)
  t.equal(other.headers['x-proxy-source'], 'upstream')
})

t.test('offline mode never contacts upstream; online mode never falls back', async t => {
  const r = await proxyRig(t)
  await r.get('/v1/me')
  const before = r.upstreamCount()
  const offline = await r.get(`/v1/tracks/${DEMO_TRACK}`, ALICE, { 'x-proxy-mode': 'offline' })
  t.same([offline.statusCode, offline.headers['x-proxy-source'], offline.headers['x-proxy-fallback-reason']], [200, 'csv', 'offline-mode'])
  const missing = await r.get('/v1/tracks/0000000000000000000009', ALICE, { 'x-proxy-mode': 'offline' })
  t.equal(missing.statusCode, 503, 'not in the library: a miss, never Spotify\'s "non existing id"')
  t.equal(missing.headers['x-proxy-source'], 'local')
  t.equal(missing.headers['x-proxy-fallback-reason'], 'offline-mode,not-in-library')
  t.equal(missing.headers['retry-after'], undefined, 'offline has no wait to tell')
  t.equal(r.upstreamCount(), before)
  r.double.set(behave.status(503))
  const online = await r.get(`/v1/tracks/${DEMO_TRACK}`, ALICE, { 'x-proxy-mode': 'online' })
  t.same([online.statusCode, online.headers['x-proxy-source']], [503, 'upstream'])
  const bad = await r.get(`/v1/tracks/${DEMO_TRACK}`, ALICE, { 'x-proxy-mode': 'sometimes' })
  t.equal(bad.statusCode, 400)
  t.equal(bad.json().error.status, 400)
})

t.test('SPOTIFY_PROXY_MODE=offline: a batch over the whole library with 0 API calls', async t => {
  const r = await proxyRig(t, { SPOTIFY_PROXY_MODE: 'offline' })
  const playlists = await r.get('/v1/me/playlists?limit=50', 'demo')
  t.equal(playlists.statusCode, 200)
  for (const p of playlists.json().items as Array<{ id: string }>) {
    const page = await r.get(`/v1/playlists/${p.id}/tracks?limit=100`, 'demo')
    t.equal(page.statusCode, 200)
    const ids = (page.json().items as Array<{ track: { id: string | null } }>).map(i => i.track.id).filter((id): id is string => id !== null)
    const features = await r.get(`/v1/audio-features?ids=${ids.join(',')}`, 'demo')
    t.equal(features.statusCode, 200)
  }
  t.equal(r.upstreamCount(), 0)
})

t.test('offline, a batch with malformed ids: their nulls are Spotify\'s own answer, not missing from the library', async t => {
  const r = await proxyRig(t, { SPOTIFY_PROXY_MODE: 'offline' })
  const UNKNOWN = '0000000000000000000009'
  const ask = async (ids: string[]): Promise<{ status: number, ids: Array<string | null> | null, missing: unknown, reason: unknown }> => {
    const res = await r.get(`/v1/tracks?ids=${ids.join(',')}`, 'demo')
    const tracks = res.statusCode === 200 ? (res.json().tracks as Array<{ id: string } | null>).map(x => x?.id ?? null) : null
    return { status: res.statusCode, ids: tracks, missing: res.headers['x-proxy-missing'], reason: res.headers['x-proxy-fallback-reason'] }
  }
  t.same(await ask([DEMO_TRACK, 'not-an-id']), { status: 200, ids: [DEMO_TRACK, null], missing: undefined, reason: 'offline-mode' }, 'a known track and a malformed id: nothing missing')
  t.same(await ask(['not-an-id']), { status: 200, ids: [null], missing: undefined, reason: 'offline-mode' }, 'a malformed id alone: Spotify\'s null, an answer')
  t.same(await ask([DEMO_TRACK, UNKNOWN, 'not-an-id']), { status: 200, ids: [DEMO_TRACK, null, null], missing: '1', reason: 'offline-mode,not-in-library' }, 'only the well-formed unknown id is counted')
  t.same(await ask(['not-an-id', UNKNOWN]), { status: 503, ids: null, missing: undefined, reason: 'offline-mode,not-in-library' }, 'none of its well-formed ids held: a miss')
  t.equal(r.upstreamCount(), 0)
})

t.test('the demo token is local: answered from the library, never forwarded', async t => {
  const r = await proxyRig(t)
  const res = await r.get('/v1/me/playlists', 'demo')
  t.equal(res.statusCode, 200)
  t.equal(res.headers['x-proxy-source'], 'csv')
  t.equal(res.json().total, 4)
  t.equal(r.upstreamCount(), 0)
})

t.test('the CSV library\'s /me data goes to its owner only', async t => {
  const r = await proxyRig(t)
  await r.get('/v1/me', ALICE)
  await r.get('/v1/me', BOB)
  r.double.set(behave.status(503))
  const alice = await r.get('/v1/me/tracks?limit=5', ALICE)
  t.same([alice.statusCode, alice.headers['x-proxy-source']], [200, 'csv'], 'the first user seen owns the library')
  const bob = await r.get('/v1/me/tracks?limit=5', BOB)
  t.equal(bob.statusCode, 503, 'Bob gets upstream\'s error, not Alice\'s library')
})

t.test('hostile targets get a 400 in Spotify\'s shape and reach no host (raw bytes on a real socket)', async t => {
  const r = await proxyRig(t)
  const base = await r.app.listen({ host: '127.0.0.1', port: 0 })
  const { port } = new URL(base)
  const targets = [
    'http://evil.example/v1/me',
    'https://api.spotify.com/v1/me',
    '//evil.example/v1/me',
    '/v1/%2e%2e/admin',
    '/v1/tracks/..%2f..%2fadmin',
    '/v1/tracks/%2E%2E/%2E%2E/etc',
    '/v1//evil.example/x',
    '/v1/tracks%2F1',
    '/v1/tracks\\..\\x'
  ]
  for (const target of targets) {
    const raw = await rawRequest(Number(port), `GET ${target} HTTP/1.1\r\nHost: evil.example\r\nAuthorization: Bearer ${ALICE}\r\nConnection: close\r\n\r\n`)
    t.match(raw, /^HTTP\/1\.1 400 /, target)
    t.match(raw, /\{"error":\{"status":400,"message":"[^"]+"\}\}/, `${target}: Spotify's shape`)
  }
  t.equal(r.upstreamCount(), 0, 'nothing forwarded')
  const ok = await rawRequest(Number(port), `GET /v1/tracks/${TRACK} HTTP/1.1\r\nHost: evil.example\r\nAuthorization: Bearer ${ALICE}\r\nConnection: close\r\n\r\n`)
  t.match(ok, /^HTTP\/1\.1 200 /, 'the Host header does not steer where requests go')
  t.equal(r.double.requests[0]?.headers.host, new URL(r.double.url).host)
})

async function rawRequest (port: number, text: string): Promise<string> {
  const { connect } = await import('node:net')
  return await new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    const socket = connect(port, '127.0.0.1', () => socket.write(text))
    socket.on('data', (c: Buffer) => chunks.push(c))
    socket.on('end', () => resolve(Buffer.concat(chunks).toString()))
    socket.on('error', reject)
    socket.setTimeout(3000, () => { socket.destroy(); resolve(Buffer.concat(chunks).toString()) })
  })
}

t.test('pacing: beyond the 30-second budget requests are not sent; the library answers, labelled paced, else an honest miss', async t => {
  const r = await proxyRig(t, { SPOTIFY_PROXY_PACE_PER_30S: '3' })
  await r.get('/v1/me')
  const ids = ['0000000000000000000001', '0000000000000000000002', DEMO_TRACK, '0000000000000000000003']
  const answers = []
  for (const id of ids) answers.push(await r.get(`/v1/tracks/${id}`))
  t.equal(r.upstreamCount(), 3, '/v1/me and two tracks: the budget of 3')
  t.same(answers.map(a => a.headers['x-proxy-source']), ['upstream', 'upstream', 'csv', 'local'])
  t.equal(answers[2]!.headers['x-proxy-fallback-reason'], 'paced', 'the proxy\'s own pacing, not Spotify\'s rate limit')
  t.equal(answers[3]!.statusCode, 503)
  t.equal(answers[3]!.headers['x-proxy-fallback-reason'], 'paced,not-in-library')
  const wait = Number(answers[3]!.headers['x-proxy-upstream-retry-after'])
  t.ok(wait >= 25 && wait <= 30, `the next free slot, ${wait} s`)
  t.equal(answers[3]!.headers['retry-after'], String(wait), 'under a minute: Retry-After too')
  t.same(r.app.proxy.pacer?.stats(), { queued: 0, sentInWindow: 3 })
  const online = await r.get('/v1/tracks/0000000000000000000004', ALICE, { 'x-proxy-mode': 'online' })
  t.equal(online.statusCode, 429, 'online mode never falls back: a 429 with the wait')
  t.equal(online.headers['retry-after'], online.headers['x-proxy-upstream-retry-after'])
})

t.test('5xx answers never open the breaker: each is relayed or falls back as upstream-5xx, and the next request asks again', async t => {
  const r = await proxyRig(t)
  await r.get('/v1/me')
  r.double.set(behave.status(500))
  for (let i = 0; i < 8; i++) await r.get(`/v1/tracks/000000000000000000000${i}`)
  t.equal(r.app.proxy.breaker.state(), 'closed', 'Spotify is answering: nothing to break')
  const before = r.upstreamCount()
  const csv = await r.get(`/v1/tracks/${DEMO_TRACK}`)
  t.same([csv.statusCode, csv.headers['x-proxy-source'], csv.headers['x-proxy-fallback-reason']], [200, 'csv', 'upstream-5xx'])
  const none = await r.get('/v1/tracks/0000000000000000000099')
  t.same([none.statusCode, none.headers['x-proxy-source']], [500, 'upstream'], 'Spotify\'s own 500, not an invented 502')
  t.equal(r.upstreamCount(), before + 2, 'both asked Spotify')
})

t.test('HEAD is answered like GET, without a body', async t => {
  const r = await proxyRig(t, { SPOTIFY_PROXY_MODE: 'offline' })
  const get = await r.get('/v1/me/playlists', 'demo')
  await r.app.listen({ host: '127.0.0.1', port: 0 })
  const head = await fetch(`http://127.0.0.1:${(r.app.server.address() as { port: number }).port}/v1/me/playlists`, { method: 'HEAD', headers: { authorization: 'Bearer demo' } })
  t.same([head.status, head.headers.get('x-proxy-source'), head.headers.get('content-length')], [200, 'csv', String(Buffer.byteLength(get.body))])
  t.equal(await head.text(), '', 'a real socket carries no body')
})
