// The upstream client against a real HTTP server on 127.0.0.1 (the Spotify double): answers,
// base paths, keep-alive, and every failure kind classified as the policy expects. No mocks.
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { inspect } from 'node:util'
import t, { type Test } from 'tap'
import { createUpstreamClient, type UpstreamClientOptions } from '../../src/upstream/client.js'
import { forwardRequestHeaders } from '../../src/upstream/headers.js'
import { UpstreamFailure, type ForwardRequest, type UpstreamClient, type UpstreamFailureKind } from '../../src/upstream/types.js'
import { behave, startUpstreamDouble, type UpstreamDouble } from '../helpers/upstream-double.js'

const TOKEN = 'BQD-secret-token-4f9a1c'
const OTHER_TOKEN = 'BQC-other-token-77e0b2'
const TIMEOUT_MS = 400

async function setup (t: Test, opts: Partial<UpstreamClientOptions> = {}): Promise<{ double: UpstreamDouble, client: UpstreamClient }> {
  const double = await startUpstreamDouble({ users: { [TOKEN]: { id: 'alice', country: 'SE' }, [OTHER_TOKEN]: { id: 'bob', country: 'DE' } } })
  const client = createUpstreamClient({ baseUrl: double.url, timeoutMs: TIMEOUT_MS, ...opts })
  // Double first: closing it ends any request still in flight, so the client closes promptly.
  t.teardown(async () => { await double.close(); await client.close() })
  return { double, client }
}

function get (path: string, token = TOKEN, extra: Record<string, string> = {}): ForwardRequest {
  return { method: 'GET', path, headers: forwardRequestHeaders({ authorization: `Bearer ${token}`, ...extra }) }
}

/** Awaits a send that must fail, checks its kind, and checks the token appears nowhere in it. */
async function failure (t: Test, pending: Promise<unknown>, kind: UpstreamFailureKind): Promise<UpstreamFailure> {
  const err: unknown = await pending.then(() => undefined, (e: unknown) => e)
  if (!(err instanceof UpstreamFailure)) throw new Error(`expected an UpstreamFailure, got ${inspect(err)}`)
  t.equal(err.kind, kind, `kind ${kind}: ${err.message}`)
  t.match(err.message, /^Upstream GET \/v1\//, 'the message names method and path')
  for (const text of [err.message, String(err), err.stack ?? '', inspect(err, { depth: 8 })]) {
    t.notOk(text.includes(TOKEN) || text.includes('Bearer'), 'no credential in the error')
  }
  return err
}

async function closedPort (): Promise<number> {
  const server = http.createServer()
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise<void>(resolve => server.close(() => resolve()))
  return port
}

async function until (condition: () => boolean, ms = 1000): Promise<boolean> {
  const end = Date.now() + ms
  while (!condition() && Date.now() < end) await new Promise(resolve => setTimeout(resolve, 10))
  return condition()
}

t.test('an answer: status, body, end-to-end headers; what upstream received', async t => {
  const { double, client } = await setup(t)
  const incoming = {
    authorization: `Bearer ${TOKEN}`,
    accept: 'application/json',
    'accept-encoding': 'gzip, deflate, br',
    host: '127.0.0.1:8888',
    cookie: 'sp_dc=secret',
    'x-forwarded-for': '10.1.2.3',
    'x-forwarded-host': 'evil.example',
    connection: 'keep-alive, x-private',
    'x-private': '1',
    'user-agent': 'spotipy/2.24.0'
  }
  const answer = await client.send({ method: 'GET', path: '/v1/me?fields=id', headers: forwardRequestHeaders(incoming) })

  t.equal(answer.status, 200)
  t.match(JSON.parse(answer.body.toString()), { id: 'alice', country: 'SE', type: 'user', uri: 'spotify:user:alice' })
  t.equal(answer.headers['content-type'], 'application/json; charset=utf-8')
  t.equal(answer.headers['cache-control'], 'private, max-age=0')
  t.match(answer.headers.etag, /^"[0-9a-f]{32}"$/)
  for (const name of ['connection', 'keep-alive', 'content-length', 'transfer-encoding']) t.notOk(name in answer.headers, `no ${name}`)
  t.ok(answer.ms > 0 && answer.ms < TIMEOUT_MS, `ms measured (${answer.ms.toFixed(1)})`)

  t.equal(double.requests.length, 1)
  const seen = double.requests[0]
  t.equal(seen?.method, 'GET')
  t.equal(seen?.url, '/v1/me?fields=id')
  t.equal(seen?.headers.authorization, `Bearer ${TOKEN}`, 'authorization passed through')
  t.equal(seen?.headers['accept-encoding'], 'identity')
  t.equal(seen?.headers.accept, 'application/json')
  t.equal(seen?.headers['user-agent'], 'spotipy/2.24.0')
  t.equal(seen?.headers.host, new URL(double.url).host, 'Host is the upstream origin, never the client’s')
  for (const name of ['cookie', 'x-forwarded-for', 'x-forwarded-host', 'x-private']) t.notOk(name in (seen?.headers ?? {}), `no ${name} upstream`)
})

t.test('two tokens are two users; an unknown token gets upstream’s 401 as an answer', async t => {
  const { client } = await setup(t)
  t.equal(JSON.parse((await client.send(get('/v1/me'))).body.toString()).id, 'alice')
  t.equal(JSON.parse((await client.send(get('/v1/me', OTHER_TOKEN))).body.toString()).id, 'bob')
  const unknown = await client.send(get('/v1/me', 'nobody'))
  t.equal(unknown.status, 401)
  t.strictSame(JSON.parse(unknown.body.toString()), { error: { status: 401, message: 'Invalid access token' } })
})

t.test('a track answer is a plausible TrackObject built from the id', async t => {
  const { client } = await setup(t)
  const answer = await client.send(get('/v1/tracks/3b6RZmPmYzg2mRyfoIznYS?market=from_token'))
  t.equal(answer.status, 200)
  const track = JSON.parse(answer.body.toString())
  t.match(track, { id: '3b6RZmPmYzg2mRyfoIznYS', type: 'track', uri: 'spotify:track:3b6RZmPmYzg2mRyfoIznYS', album: { type: 'album' }, artists: [{ type: 'artist' }], is_local: false })
  t.equal(typeof track.duration_ms, 'number')
})

t.test('a base path in baseUrl is prepended to every request path', async t => {
  for (const suffix of ['/prefix', '/prefix/', '/a/b']) {
    const { double, client } = await setup(t)
    const scoped = createUpstreamClient({ baseUrl: double.url + suffix, timeoutMs: TIMEOUT_MS })
    t.teardown(() => scoped.close())
    const answer = await scoped.send(get('/v1/tracks?ids=a,b&market=SE'))
    const expected = suffix.replace(/\/$/, '') + '/v1/tracks?ids=a,b&market=SE'
    t.equal(double.requests[0]?.url, expected, suffix)
    t.equal(answer.status, 200)
    await client.close()
  }
})

t.test('connections are kept alive and reused', async t => {
  const { double, client } = await setup(t)
  for (let i = 0; i < 5; i++) {
    t.equal((await client.send(get(`/v1/tracks/id${i}`))).status, 200)
    // undici marks a connection free again a tick after the body ends; without this pause the
    // Pool may open a second socket for back-to-back requests (harmless, but not what we test).
    await new Promise(resolve => setImmediate(resolve))
  }
  t.equal(double.connections().opened, 1, 'one TCP connection for five sequential requests')
})

t.test('a body is sent for POST, never for GET; Content-Length comes from the body', async t => {
  const { double, client } = await setup(t)
  const body = Buffer.from(JSON.stringify({ name: 'New', public: false }))
  const headers = forwardRequestHeaders({ authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', 'content-length': '999' })
  t.equal((await client.send({ method: 'POST', path: '/v1/users/alice/playlists', headers, body })).status, 200)
  t.equal((await client.send({ method: 'GET', path: '/v1/me', headers, body })).status, 200)
  t.equal(double.requests[0]?.body.toString(), body.toString())
  t.equal(double.requests[0]?.headers['content-length'], String(body.length))
  t.equal(double.requests[1]?.body.length, 0)
  t.notOk('content-length' in (double.requests[1]?.headers ?? {}))
})

t.test('HEAD and 304 answers have no body and are not short', async t => {
  const { client } = await setup(t)
  const first = await client.send(get('/v1/tracks/abc'))
  const etag = first.headers.etag ?? ''
  const head = await client.send({ ...get('/v1/tracks/abc'), method: 'HEAD' })
  t.equal(head.status, 200)
  t.equal(head.body.length, 0)
  const revalidated = await client.send(get('/v1/tracks/abc', TOKEN, { 'if-none-match': etag }))
  t.equal(revalidated.status, 304)
  t.equal(revalidated.headers.etag, etag)
  t.equal(revalidated.body.length, 0)
})

t.test('a body that is not JSON is still an answer: the policy judges it', async t => {
  const { double, client } = await setup(t)
  double.set(behave.invalidJson())
  const answer = await client.send(get('/v1/me'))
  t.equal(answer.status, 200)
  t.equal(answer.body.toString(), '{"broken":')
})

t.test('redirects are answers, never followed', async t => {
  const { double, client } = await setup(t)
  double.set(behave.status(302, null, { location: 'http://evil.example/v1/me' }))
  const answer = await client.send(get('/v1/me'))
  t.equal(answer.status, 302)
  t.equal(answer.headers.location, 'http://evil.example/v1/me')
  t.equal(double.requests.length, 1)
})

t.test('429s are answers with their headers and bodies', async t => {
  const { double, client } = await setup(t)
  double.set(behave.status(429, undefined, { 'retry-after': '2' }))
  const limited = await client.send(get('/v1/me'))
  t.equal(limited.status, 429)
  t.equal(limited.headers['retry-after'], '2')
  t.strictSame(JSON.parse(limited.body.toString()), { error: { status: 429, message: 'API rate limit exceeded' } })

  double.set(behave.status(429))
  const bare = await client.send(get('/v1/me'))
  t.equal(bare.status, 429)
  t.notOk('retry-after' in bare.headers, 'no Retry-After when upstream sent none')

  double.set(behave.quotaExceeded())
  const quota = await client.send(get('/v1/me'))
  t.equal(quota.status, 429)
  t.equal(quota.headers['retry-after'], '48925')
  t.strictSame(JSON.parse(quota.body.toString()), { error: { status: 429, message: 'Too many requests', reason: 'QUOTA_EXCEEDED' } })
})

t.test('4xx and 5xx are answers, not failures', async t => {
  const { double, client } = await setup(t)
  for (const status of [401, 403, 404, 500, 502, 503, 504]) {
    double.set(behave.status(status, undefined, { 'retry-after': '7' }))
    const answer = await client.send(get('/v1/me'))
    t.equal(answer.status, status)
    t.equal(JSON.parse(answer.body.toString()).error.status, status)
    t.equal(answer.headers['retry-after'], '7')
  }
})

t.test('per-path behaviour through a matcher', async t => {
  const { double, client } = await setup(t)
  double.set(req => req.url.startsWith('/v1/me') ? behave.status(503) : behave.ok())
  t.equal((await client.send(get('/v1/me'))).status, 503)
  t.equal((await client.send(get('/v1/tracks/abc'))).status, 200)
})

t.test('refused connection → unreachable', async t => {
  const client = createUpstreamClient({ baseUrl: `http://127.0.0.1:${await closedPort()}`, timeoutMs: TIMEOUT_MS })
  t.teardown(() => client.close())
  const err = await failure(t, client.send(get('/v1/me')), 'unreachable')
  t.match(err.message, /ECONNREFUSED/)
})

t.test('unknown host → unreachable', async t => {
  const client = createUpstreamClient({ baseUrl: 'http://spotify-double.invalid', timeoutMs: 2000 })
  t.teardown(() => client.close())
  const err = await failure(t, client.send(get('/v1/me')), 'unreachable')
  t.match(err.message, /ENOTFOUND|EAI_AGAIN/)
})

t.test('connection reset (RST) without an answer → reset', async t => {
  const { double, client } = await setup(t)
  double.set(behave.reset())
  await failure(t, client.send(get('/v1/me')), 'reset')
})

t.test('connection closed (FIN) without an answer → reset', async t => {
  const { double, client } = await setup(t)
  double.set(behave.reset({ graceful: true }))
  await failure(t, client.send(get('/v1/me')), 'reset')
})

t.test('no answer at all → timeout, within timeoutMs', async t => {
  const { double, client } = await setup(t)
  double.set(behave.hang())
  const started = Date.now()
  const err = await failure(t, client.send(get('/v1/me')), 'timeout')
  const elapsed = Date.now() - started
  t.ok(elapsed >= TIMEOUT_MS - 20 && elapsed < TIMEOUT_MS + 300, `timed out after ${elapsed} ms`)
  t.match(err.message, /within 400 ms/)
})

t.test('an endless slow body → timeout: the deadline covers the body too', async t => {
  const { double, client } = await setup(t)
  double.set(behave.slowBody(20))
  const started = Date.now()
  await failure(t, client.send(get('/v1/me')), 'timeout')
  const elapsed = Date.now() - started
  t.ok(elapsed >= TIMEOUT_MS - 20 && elapsed < TIMEOUT_MS + 300, `timed out after ${elapsed} ms`)
})

t.test('slow headers after a delay still count against the whole deadline', async t => {
  const { double, client } = await setup(t)
  double.set(behave.delay(250, behave.slowBody(20)))
  const started = Date.now()
  await failure(t, client.send(get('/v1/me')), 'timeout')
  t.ok(Date.now() - started < TIMEOUT_MS + 300)
})

t.test('a body shorter than its Content-Length → truncated', async t => {
  for (const connectionClose of [false, true]) {
    const { double, client } = await setup(t)
    double.set(behave.truncated({ declared: 100, sent: 10, connectionClose }))
    const err = await failure(t, client.send(get('/v1/me')), 'truncated')
    t.comment(`connection: ${connectionClose ? 'close' : 'keep-alive'} → ${err.message}`)
  }
})

t.test('a chunked body cut off mid-way → reset', async t => {
  const { double, client } = await setup(t)
  double.set(behave.slowBody(10))
  const pending = client.send(get('/v1/me'))
  await until(() => double.requests.length === 1)
  await new Promise(resolve => setTimeout(resolve, 50))
  await double.close() // destroys the socket mid-body
  await failure(t, pending, 'reset')
})

t.test('a declared Content-Length over the limit → too-large, socket dropped at once', async t => {
  const { double, client } = await setup(t, { maxResponseBytes: 1024 * 1024 })
  double.set(behave.huge(4))
  const err = await failure(t, client.send(get('/v1/me')), 'too-large')
  t.match(err.message, /4194304 bytes exceeds 1048576/)
  // The connection that carried the body is closed. (undici then opens a fresh idle one: it
  // re-queues the aborted request before discarding it, so only `closed` is meaningful here.)
  t.ok(await until(() => double.connections().closed === 1), 'the double sees the connection closed')
})

t.test('a chunked body growing past the limit → too-large, socket dropped', async t => {
  const { double, client } = await setup(t, { maxResponseBytes: 1024 * 1024 })
  double.set(behave.huge(4, { chunked: true }))
  const err = await failure(t, client.send(get('/v1/me')), 'too-large')
  t.match(err.message, /exceeds 1048576 bytes/)
  t.ok(await until(() => double.connections().closed === 1), 'the double sees the connection closed')
})

t.test('a large body within the limit is read whole', async t => {
  const { double, client } = await setup(t)
  double.set(behave.huge(2, { chunked: true }))
  const answer = await client.send(get('/v1/me'))
  t.equal(answer.body.length, 2 * 1024 * 1024)
  t.equal(JSON.parse(answer.body.toString()).padding.length, 2 * 1024 * 1024 - 14)
})

t.test('after a failure the client keeps working', async t => {
  const { double, client } = await setup(t)
  double.set(behave.reset())
  await failure(t, client.send(get('/v1/me')), 'reset')
  double.set(behave.ok())
  t.equal((await client.send(get('/v1/me'))).status, 200)
})

t.test('a closed client fails fast as unreachable; close is idempotent', async t => {
  const { client } = await setup(t)
  await client.close()
  await client.close()
  const err = await failure(t, client.send(get('/v1/me')), 'unreachable')
  t.match(err.message, /client is closed/)
})

t.test('bad options are refused at construction', async t => {
  t.throws(() => createUpstreamClient({ baseUrl: 'ftp://example.com', timeoutMs: 100 }), /http: or https:/)
  t.throws(() => createUpstreamClient({ baseUrl: 'https://user:pw@example.com', timeoutMs: 100 }), /credentials/)
  t.throws(() => createUpstreamClient({ baseUrl: 'https://example.com/?x=1', timeoutMs: 100 }), /query/)
  t.throws(() => createUpstreamClient({ baseUrl: 'https://example.com', timeoutMs: 0 }), /timeoutMs/)
  t.throws(() => createUpstreamClient({ baseUrl: 'https://example.com', timeoutMs: 100, maxResponseBytes: -1 }), /maxResponseBytes/)
  t.throws(() => createUpstreamClient({ baseUrl: 'not a url', timeoutMs: 100 }))
})

t.test('a request waits for a connection of its own, then beforeSend decides whether it goes', async t => {
  const { double, client } = await setup(t, { connections: 1 })
  // The first request takes the one connection for 150 ms and comes back 429.
  double.set(behave.delay(150, behave.status(429, undefined, { 'retry-after': '2' })))
  let cooling = false
  const first = client.send(get('/v1/tracks/a')).then(r => { cooling = r.status === 429; return r })
  const calledAt: boolean[] = []
  const second = client.send(get('/v1/tracks/b'), {
    beforeSend: () => {
      calledAt.push(cooling)
      if (cooling) throw new Error('cooling down')
    }
  })
  t.equal((await first).status, 429)
  const err = await second.then(() => null, (e: unknown) => e)
  t.ok(err instanceof Error && err.message === 'cooling down', 'beforeSend\'s error reaches the caller as thrown')
  t.same(calledAt, [true], 'called once, when the connection was free: after the 429 was read')
  t.same(double.requests.map(r => r.url), ['/v1/tracks/a'], 'the second request never reached upstream')

  // With nothing to stop it, it goes when the connection frees, and the slot is given back after a refusal.
  double.set(behave.delay(100, behave.ok()))
  const [a, b] = await Promise.all([client.send(get('/v1/tracks/c')), client.send(get('/v1/tracks/d'), { beforeSend: () => {} })])
  t.same([a.status, b.status], [200, 200])
})

t.test('the wait for a connection counts against the deadline', async t => {
  const { double, client } = await setup(t, { connections: 1 })
  double.set(behave.hang())
  const held = client.send(get('/v1/tracks/a'))
  await new Promise(resolve => setTimeout(resolve, 100))
  const started = Date.now()
  const waiting = client.send(get('/v1/tracks/b'))
  // It waits ~300 ms for the connection, then has what is left of its own 400, not 400 more.
  await Promise.all([failure(t, waiting, 'timeout'), failure(t, held, 'timeout')])
  const elapsed = Date.now() - started
  t.ok(elapsed >= TIMEOUT_MS - 20 && elapsed < TIMEOUT_MS + 150, `timed out ${elapsed} ms after it was asked`)
})
