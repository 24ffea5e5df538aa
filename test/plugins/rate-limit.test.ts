// The local rate limit on a real fastify instance (inject): Spotify's 429, an integer
// Retry-After, one budget per token (kept as a hash) or per IP, and health routes exempt.
import { createHash } from 'node:crypto'
import type { FastifyRateLimitStore } from '@fastify/rate-limit'
import Fastify, { type FastifyInstance } from 'fastify'
import t, { type Test } from 'tap'
import rateLimit, { clientKey, DEFAULT_EXEMPT, DEFAULT_RATE_LIMIT_MAX, DEFAULT_RATE_LIMIT_WINDOW_MS, type LocalRateLimitOptions } from '../../src/plugins/rate-limit.js'

const TOKEN = 'BQD-secret-token-4f9a1c'
const OTHER_TOKEN = 'BQC-other-token-77e0b2'
const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex')

async function build (t: Test, opts: LocalRateLimitOptions = {}): Promise<FastifyInstance> {
  const app = Fastify()
  await app.register(rateLimit, { max: 3, timeWindowMs: 10_000, ...opts })
  app.get('/v1/*', async () => ({ ok: true }))
  app.get('/healthz', async () => ({ status: 'ok' }))
  app.get('/readyz', async () => ({ status: 'ready' }))
  app.get('/unlimited', { config: { rateLimit: false } }, async () => ({ ok: true }))
  await app.ready()
  t.teardown(() => app.close())
  return app
}

const auth = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` })

async function statuses (app: FastifyInstance, n: number, url: string, headers: Record<string, string> = {}): Promise<number[]> {
  const out: number[] = []
  for (let i = 0; i < n; i++) out.push((await app.inject({ url, headers })).statusCode)
  return out
}

t.test('past max in the window: Spotify\'s 429 with an integer Retry-After, from the proxy itself', async t => {
  const app = await build(t)
  t.same(await statuses(app, 3, '/v1/me', auth(TOKEN)), [200, 200, 200])
  const res = await app.inject({ url: '/v1/me/tracks?limit=50', headers: auth(TOKEN) })
  t.equal(res.statusCode, 429)
  t.same(res.json(), { error: { status: 429, message: 'API rate limit exceeded' } })
  t.match(res.headers['content-type'], /^application\/json/)
  t.equal(res.headers['x-proxy-source'], 'local')
  const retryAfter = String(res.headers['retry-after'])
  t.match(retryAfter, /^[1-9]\d*$/, 'a whole number of seconds, as int() parses it')
  t.equal(Number(retryAfter), 10, 'the rest of the 10 s window, rounded up')
  t.equal((await app.inject({ url: '/v1/me', headers: auth(TOKEN) })).statusCode, 429, 'still limited')
})

t.test('each token has its own budget, and requests without one are counted per IP', async t => {
  const app = await build(t)
  t.same(await statuses(app, 4, '/v1/me', auth(TOKEN)), [200, 200, 200, 429])
  t.same(await statuses(app, 4, '/v1/me', auth(OTHER_TOKEN)), [200, 200, 200, 429], 'the other token is not affected by the first')
  t.same(await statuses(app, 4, '/v1/me'), [200, 200, 200, 429], 'no token: the IP, counted apart from the tokens')
})

t.test('health routes are exempt and do not count', async t => {
  const app = await build(t)
  t.same(DEFAULT_EXEMPT, ['/healthz', '/readyz'])
  t.same(await statuses(app, 5, '/healthz', auth(TOKEN)), [200, 200, 200, 200, 200])
  t.same(await statuses(app, 5, '/readyz'), [200, 200, 200, 200, 200])
  t.same(await statuses(app, 4, '/v1/me', auth(TOKEN)), [200, 200, 200, 429], 'the health checks took nothing from the budget')
  t.equal((await app.inject({ url: '/healthz', headers: auth(TOKEN) })).statusCode, 200, 'answered while the client is limited')
  t.equal((await app.inject({ url: '/readyz?x=1' })).statusCode, 200, 'matched by route, not by raw URL')
  t.same(await statuses(app, 5, '/unlimited', auth(TOKEN)), [200, 200, 200, 200, 200], 'a route may opt out with config.rateLimit: false')
})

t.test('unknown paths are limited too: a runaway loop on a typo is stopped', async t => {
  const app = await build(t)
  t.same(await statuses(app, 4, '/nope', auth(TOKEN)), [404, 404, 404, 429])
})

t.test('the key is a SHA-256 of the token, never the token itself', async t => {
  const seen: string[] = []
  // A store recording every key the limiter uses, counting like the default one.
  class RecordingStore implements FastifyRateLimitStore {
    readonly #counts = new Map<string, number>()
    incr (key: string, cb: (err: Error | null, result?: { current: number, ttl: number }) => void): void {
      seen.push(key)
      const current = (this.#counts.get(key) ?? 0) + 1
      this.#counts.set(key, current)
      cb(null, { current, ttl: 5_000 })
    }

    child (): FastifyRateLimitStore { return this }
  }
  const app = await build(t, { store: RecordingStore })
  await app.inject({ url: '/v1/me', headers: auth(TOKEN) })
  await app.inject({ url: '/v1/me', headers: { authorization: `bearer   ${OTHER_TOKEN}` } })
  await app.inject({ url: '/v1/me' })
  await app.inject({ url: '/v1/me', headers: { authorization: 'Basic dXNlcjpwYXNz' } })
  t.same(seen, [`token:${sha256(TOKEN)}`, `token:${sha256(OTHER_TOKEN)}`, 'ip:127.0.0.1', 'ip:127.0.0.1'])
  t.notOk(seen.some(k => k.includes(TOKEN) || k.includes(OTHER_TOKEN) || k.includes('dXNlcjpwYXNz')), 'no credential in any key')

  // The exported generator gives the same key for the same request.
  const req = { headers: auth(TOKEN), ip: '10.0.0.1' } as unknown as Parameters<typeof clientKey>[0]
  t.equal(clientKey(req), `token:${sha256(TOKEN)}`)
})

t.test('the window ends: the client may send again', async t => {
  const app = await build(t, { max: 2, timeWindowMs: 200 })
  t.same(await statuses(app, 3, '/v1/me', auth(TOKEN)), [200, 200, 429])
  const limited = await app.inject({ url: '/v1/me', headers: auth(TOKEN) })
  t.equal(limited.headers['retry-after'], '1', 'under a second left still says 1, never 0')
  await new Promise(resolve => setTimeout(resolve, 250))
  t.same(await statuses(app, 3, '/v1/me', auth(TOKEN)), [200, 200, 429])
})

t.test('defaults: generous for sync scripts', async t => {
  t.equal(DEFAULT_RATE_LIMIT_MAX, 600)
  t.equal(DEFAULT_RATE_LIMIT_WINDOW_MS, 10_000)
  const app = Fastify()
  await app.register(rateLimit)
  app.get('/v1/*', async () => ({ ok: true }))
  t.teardown(() => app.close())
  t.same(await statuses(app, 1, '/v1/me'), [200])
})
