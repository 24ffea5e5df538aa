// The hit lane (src/hit-lane.ts): fresh cache hits answered by the server before Fastify, over a
// real port. What it answers must be what the Fastify route answers (inject never takes the lane),
// it must count against the same rate limit and metrics, and anything it is unsure of must reach
// Fastify untouched.
import net from 'node:net'
import path from 'node:path'
import Database from 'better-sqlite3'
import t, { type Test } from 'tap'
import { ALICE, BOB, proxyRig, type ProxyRig } from '../helpers/proxy.js'

const TRACK = '/v1/tracks/11dFghVXANMlKmJXsNCbNl'
const ALBUM = '/v1/albums/4aawyAB9vmqN3uQ7FjRGTy'
// Headers both paths must agree on (the server adds Connection/Keep-Alive on a real socket only).
const COMPARED = ['content-type', 'cache-control', 'etag', 'date', 'age', 'x-proxy-source', 'x-proxy-fallback-reason', 'content-length', 'retry-after']

async function listening (t: Test, env: Record<string, string> = {}, dbFile?: string): Promise<{ rig: ProxyRig, base: string }> {
  const rig = await proxyRig(t, env, dbFile)
  await rig.app.listen({ host: '127.0.0.1', port: 0 })
  const address = rig.app.server.address()
  if (address === null || typeof address === 'string') throw new Error('no port')
  return { rig, base: `http://127.0.0.1:${address.port}` }
}

async function get (base: string, path: string, token: string | null = ALICE, headers: Record<string, string> = {}): Promise<{ status: number, headers: Record<string, string>, body: Buffer }> {
  const res = await fetch(`${base}${path}`, { headers: { ...(token === null ? {} : { authorization: `Bearer ${token}` }), ...headers } })
  const out: Record<string, string> = {}
  res.headers.forEach((v, k) => { out[k] = v })
  return { status: res.status, headers: out, body: Buffer.from(await res.arrayBuffer()) }
}

/** The request log lines written so far, parsed. */
function requestLines (rig: ProxyRig): Array<Record<string, unknown>> {
  return rig.logs.flatMap(l => l.split('\n')).filter(l => l.includes('"msg":"request"')).map(l => JSON.parse(l) as Record<string, unknown>)
}

function pick (headers: Record<string, string | string[] | number | undefined>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const name of COMPARED) if (headers[name] !== undefined) out[name] = String(headers[name])
  return out
}

/** A raw HTTP/1.1 exchange, for requests fetch will not send. */
async function raw (base: string, text: string): Promise<string> {
  const { port } = new URL(base)
  return await new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), '127.0.0.1', () => socket.end(text))
    let data = ''
    socket.on('data', d => { data += d.toString() })
    socket.on('end', () => resolve(data))
    socket.on('error', reject)
  })
}

t.test('a fresh hit over a real port is the route\'s answer, byte for byte, and is answered before Fastify', async t => {
  const { rig, base } = await listening(t)
  const first = await get(base, TRACK)
  t.equal(first.headers['x-proxy-source'], 'upstream')
  const lane = await get(base, TRACK)
  const route = await rig.get(TRACK)
  t.equal(lane.status, 200)
  t.equal(lane.headers['x-proxy-source'], 'cache')
  t.same(pick(lane.headers), pick(route.headers), 'the same headers as the route gives')
  t.ok(lane.body.equals(route.rawPayload), 'the same bytes as the route gives')
  t.ok(lane.body.equals(first.body), 'the bytes upstream sent')
  t.equal(rig.upstreamCount(), 1, 'asked upstream once')

  const lines = requestLines(rig)
  t.equal(lines.length, 3, 'one log line per answer, the lane\'s included')
  t.same(lines.map(l => [l.source, l.hitLane ?? false, typeof l.reqId]), [['upstream', false, 'string'], ['cache', true, 'undefined'], ['cache', false, 'string']], 'the second answer came from the lane, the injected one from the route')
  t.notOk(rig.logs.join('').includes(ALICE), 'no token in the log')
})

t.test('the lane counts in the metrics and the dashboard\'s traffic like the route', async t => {
  const { base } = await listening(t)
  await get(base, TRACK)
  for (let i = 0; i < 3; i++) t.equal((await get(base, TRACK)).headers['x-proxy-source'], 'cache')
  const text = (await get(base, '/metrics', null)).body.toString()
  t.match(text, 'spotify_proxy_requests_total{route="/v1/tracks/{id}",source="cache",reason="",status="200"} 3')
  t.match(text, 'spotify_proxy_cache_lookups_total{result="hit"} 3')
  t.match(text, 'spotify_proxy_cache_lookups_total{result="miss"} 1')
  await get(base, '/no/such/path/123', null)
  const after = (await get(base, '/metrics', null)).body.toString()
  t.match(after, 'spotify_proxy_requests_total{route="/metrics",source="local",reason="",status="200"} 1', 'routes outside /v1 keep their registered name')
  t.match(after, 'route="not-found",source="local",reason="",status="404"', 'unknown paths share one label')
  t.notMatch(after, '/no/such/path', 'no label per unknown path')
})

t.test('the local rate limit is one budget across the lane and the route', async t => {
  const { rig, base } = await listening(t)
  t.equal((await rig.get(TRACK)).statusCode, 200, 'request 1, through the route')
  // Requests 2–600 are hits; the lane answers them.
  const statuses = new Set<number>()
  for (let i = 2; i <= 600; i++) statuses.add((await get(base, TRACK)).status)
  t.same([...statuses], [200])
  const limited = await get(base, TRACK)
  t.equal(limited.status, 429, 'request 601, in the lane')
  t.same(JSON.parse(limited.body.toString()), { error: { status: 429, message: 'API rate limit exceeded' } })
  t.match(limited.headers['retry-after'], /^[1-9]\d*$/)
  t.equal(limited.headers['x-proxy-source'], 'local')
  const routed = await rig.get(TRACK)
  t.equal(routed.statusCode, 429, 'request 602, through the route: the same count')
  t.same(pick(limited.headers), { ...pick(routed.headers), 'retry-after': limited.headers['retry-after']! }, 'the same 429 from both')
  t.equal((await get(base, TRACK, BOB)).status, 200, 'another token has its own budget')
  const lane429 = requestLines(rig).filter(l => l.status === 429)
  t.same(lane429.map(l => l.hitLane ?? false), [true, false])
})

t.test('anything the lane is not sure of reaches Fastify untouched', async t => {
  const { rig, base } = await listening(t)
  await get(base, TRACK)
  const count = rig.upstreamCount()

  const online = await get(base, TRACK, ALICE, { 'x-proxy-mode': 'online' })
  t.equal(rig.upstreamCount(), count + 1, 'X-Proxy-Mode: online asks upstream')
  t.equal(rig.double.requests.at(-1)!.headers['if-none-match'], online.headers.etag, 'revalidating what it holds')
  t.equal(online.status, 200)

  const bad = await get(base, TRACK, ALICE, { 'x-proxy-mode': 'sideways' })
  t.equal(bad.status, 400, 'a bad X-Proxy-Mode gets the route\'s 400')

  const untrusted = await get(base, TRACK, 'tok-never-seen-before-42')
  t.equal(untrusted.headers['x-proxy-source'], 'upstream', 'an unknown token is never served from the cache')

  // fetch would resolve the dot segment itself.
  const dotted = await raw(base, `GET /v1/tracks/%2e%2e/me HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${ALICE}\r\nConnection: close\r\n\r\n`)
  t.match(dotted, /^HTTP\/1\.1 400 /, 'an encoded dot segment is refused')
  t.match(dotted, /must not contain \. or \.\. segments/)

  const twoHosts = await raw(base, `GET ${TRACK} HTTP/1.1\r\nHost: 127.0.0.1\r\nHost: evil.example\r\nAuthorization: Bearer ${ALICE}\r\nConnection: close\r\n\r\n`)
  t.match(twoHosts, /^HTTP\/1\.1 400 /, 'two Host fields: 400')
  t.match(twoHosts, /More than one Host header field/)

  const withBody = await raw(base, `GET ${TRACK} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${ALICE}\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}`)
  t.match(withBody, /^HTTP\/1\.1 200 /, 'a GET with a body is answered by the route')
  t.match(withBody, /x-proxy-source: cache/)

  const head = await fetch(`${base}${TRACK}`, { method: 'HEAD', headers: { authorization: `Bearer ${ALICE}` } })
  t.equal(head.status, 200, 'HEAD is the route\'s')

  const laneLines = requestLines(rig).filter(l => l.hitLane === true)
  t.equal(laneLines.length, 0, 'none of these went through the lane')
})

t.test('one user\'s cached /me never reaches another token through the lane', async t => {
  const { rig, base } = await listening(t)
  const alice1 = await get(base, '/v1/me', ALICE)
  const alice2 = await get(base, '/v1/me', ALICE)
  t.equal(alice2.headers['x-proxy-source'], 'cache')
  t.equal(JSON.parse(alice2.body.toString()).id, 'alice')
  t.ok(alice1.body.equals(alice2.body))
  const bob = await get(base, '/v1/me', BOB)
  t.equal(bob.headers['x-proxy-source'], 'upstream')
  t.equal(JSON.parse(bob.body.toString()).id, 'bob')
  const bob2 = await get(base, '/v1/me', BOB)
  t.equal(JSON.parse(bob2.body.toString()).id, 'bob')
  t.same(requestLines(rig).map(l => l.hitLane ?? false), [false, true, false, true])
})

t.test('Age grows with the answer, also when the lane reuses its headers', async t => {
  const { base } = await listening(t)
  await get(base, TRACK)
  t.equal((await get(base, TRACK)).headers.age, '0')
  await new Promise(resolve => setTimeout(resolve, 1100))
  t.equal((await get(base, TRACK)).headers.age, '1')
  t.equal((await get(base, TRACK)).headers.age, '1')
})

t.test('an answer past its TTL is not the lane\'s: the route revalidates it', async t => {
  const { rig, base } = await listening(t, { SPOTIFY_CSV_CACHE_TTL: '1' })
  await get(base, TRACK)
  t.equal((await get(base, TRACK)).headers['x-proxy-source'], 'cache')
  await new Promise(resolve => setTimeout(resolve, 1100))
  const count = rig.upstreamCount()
  const late = await get(base, TRACK)
  t.equal(rig.upstreamCount(), count + 1, 'asked upstream again')
  t.equal(rig.double.requests.at(-1)!.headers['if-none-match'] !== undefined, true, 'with the ETag it holds')
  t.equal(late.status, 200)
})

t.test('a cache that cannot be read or written is gone around: the answer comes from upstream, and the server keeps running', async t => {
  const dir = t.testdir()
  const file = path.join(dir, 'proxy.sqlite')
  {
    // Fill the cache, then start again on the same file so the next hit is read from SQLite.
    const first = await proxyRig(t, {}, file)
    t.equal((await first.get(ALBUM)).statusCode, 200)
    await first.app.close()
  }
  const { rig, base } = await listening(t, {}, file)
  // An album: only the response cache holds it (tracks are also kept one by one, elsewhere).
  // A real fault: the table under the cache disappears (another process, a damaged file).
  const db = new Database(file)
  db.exec('DROP TABLE response_cache')
  db.close()
  const before = rig.upstreamCount()
  const res = await get(base, ALBUM)
  t.equal(res.status, 200, 'answered')
  t.equal(res.headers['x-proxy-source'], 'upstream', 'as a miss: from upstream (and not stored)')
  t.equal(rig.upstreamCount(), before + 1)
  t.equal((await get(base, ALBUM)).headers['x-proxy-source'], 'upstream', 'again: nothing could be stored')
  const warnings = rig.logs.filter(l => l.includes('response cache unavailable'))
  t.equal(warnings.length, 1, 'logged once, not per request')
  t.notOk(warnings[0]!.includes(ALICE), 'without the token')
  t.equal((await get(base, '/healthz', null)).status, 200, 'still serving')
})
