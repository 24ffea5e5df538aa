// ResponseCache over a real SQLite file: round trips, refusals, LRU eviction, invalidation, restart.
import path from 'node:path'
import t, { type Test } from 'tap'
import { openDatabase, type Db } from '../../src/db.js'
import { ResponseCache, type CachedResponse } from '../../src/cache/response-cache.js'

function fresh (t: Test, opts: { maxBytes?: number, clock?: { now: number }, lruResolutionMs?: number } = {}): { db: Db, cache: ResponseCache, file: string } {
  const file = path.join(t.testdir(), 'proxy.sqlite')
  const db = openDatabase(file)
  t.teardown(() => { if (db.open) db.close() })
  const clock = opts.clock
  const cache = new ResponseCache(db, {
    maxBytes: opts.maxBytes ?? 1_000_000,
    ...(clock ? { now: () => clock.now } : {}),
    ...(opts.lruResolutionMs !== undefined ? { lruResolutionMs: opts.lruResolutionMs } : {})
  })
  return { db, cache, file }
}

const answer = (body: Buffer | string, over: Partial<CachedResponse> = {}): CachedResponse => ({
  status: 200,
  headers: { 'content-type': 'application/json; charset=utf-8' },
  body: Buffer.isBuffer(body) ? body : Buffer.from(body),
  etag: null,
  storedAt: 1_000,
  ...over
})

const sumFromTable = (db: Db): { entries: number, bytes: number } =>
  db.prepare('SELECT count(*) AS entries, coalesce(sum(size), 0) AS bytes FROM response_cache').get() as { entries: number, bytes: number }

t.test('put/get round trip keeps status, headers, binary body, etag and storedAt', async t => {
  const { cache } = fresh(t)
  const body = Buffer.from(Array.from({ length: 256 }, (_, i) => i))
  const headers = { 'content-type': 'application/octet-stream', etag: '"abc"', 'cache-control': 'private, max-age=0' }
  t.equal(cache.put('k1', answer(body, { headers, etag: '"abc"', storedAt: 1234 }), { principal: null, path: '/v1/tracks/x' }), true)
  const got = cache.get('k1')
  t.ok(got)
  t.equal(got!.status, 200)
  t.same(got!.headers, headers)
  t.ok(Buffer.isBuffer(got!.body) && got!.body.equals(body), 'all 256 byte values survive')
  t.equal(got!.etag, '"abc"')
  t.equal(got!.storedAt, 1234)
  t.equal(cache.get('nope'), null)

  cache.put('empty', answer(Buffer.alloc(0)), { principal: null, path: '/v1/tracks/y' })
  t.equal(cache.get('empty')!.body.length, 0, 'an empty body round-trips')
})

t.test('only 200 answers are stored; an error never replaces a good answer', async t => {
  const { cache } = fresh(t)
  for (const status of [201, 204, 304, 400, 401, 403, 404, 429, 500, 502, 503, 504]) {
    t.equal(cache.put(`k${status}`, answer('{"error":{}}', { status }), { principal: null, path: '/v1/x' }), false, `${status} refused`)
    t.equal(cache.get(`k${status}`), null)
  }
  cache.put('good', answer('{"ok":true}'), { principal: null, path: '/v1/x' })
  cache.put('good', answer('{"error":{"status":429}}', { status: 429 }), { principal: null, path: '/v1/x' })
  cache.put('good', answer('{"error":{"status":500}}', { status: 500 }), { principal: null, path: '/v1/x' })
  t.equal(cache.get('good')!.body.toString(), '{"ok":true}')
  t.same(cache.stats().entries, 1)
})

t.test('refresh bumps storedAt after a 304', async t => {
  const clock = { now: 10_000 }
  const { cache } = fresh(t, { clock })
  cache.put('k', answer('x', { storedAt: 10_000 }), { principal: null, path: '/v1/x' })
  clock.now = 50_000
  t.equal(cache.refresh('k'), true)
  t.equal(cache.get('k')!.storedAt, 50_000)
  t.equal(cache.refresh('k', 60_000), true)
  t.equal(cache.get('k')!.storedAt, 60_000)
  t.equal(cache.refresh('missing'), false)
})

t.test('LRU eviction by size, with an injected clock', async t => {
  const clock = { now: 0 }
  const body = (c: string): Buffer => Buffer.alloc(1000, c)
  // Probe one row's size, then allow exactly three of them.
  const probe = fresh(t).cache
  probe.put('A', answer(body('a')), { principal: null, path: '/v1/tracks/A' })
  const rowSize = probe.stats().bytes
  const { db, cache } = fresh(t, { clock, maxBytes: rowSize * 3 + 10 })

  const put = (k: string): boolean => cache.put(k, answer(body(k.toLowerCase()), { storedAt: clock.now }), { principal: null, path: `/v1/tracks/${k}` })
  put('A'); clock.now = 10_000
  put('B'); clock.now = 20_000
  put('C'); clock.now = 30_000
  t.same(cache.stats(), { entries: 3, bytes: rowSize * 3 })
  t.ok(cache.get('A'), 'A is used again, so B is now the least recently used')
  clock.now = 40_000
  put('D')
  t.equal(cache.get('B'), null, 'B evicted')
  t.ok(cache.get('A') && cache.get('C') && cache.get('D'))
  t.same(cache.stats(), { entries: 3, bytes: rowSize * 3 })
  t.same(cache.stats(), sumFromTable(db), 'running total matches the table')

  // Replacing a row does not count it twice.
  clock.now = 50_000
  put('D')
  t.same(cache.stats(), { entries: 3, bytes: rowSize * 3 })

  // An answer bigger than the whole cache is refused and evicts nothing.
  t.equal(cache.put('huge', answer(Buffer.alloc(rowSize * 4)), { principal: null, path: '/v1/x' }), false)
  t.same(cache.stats().entries, 3)

  // A big answer evicts as many of the oldest rows as it needs, never itself.
  clock.now = 60_000
  t.equal(cache.put('big', answer(Buffer.alloc(rowSize * 2)), { principal: null, path: '/v1/big' }), true)
  t.ok(cache.get('big'))
  t.ok(cache.stats().bytes <= rowSize * 3 + 10)
  t.same(cache.stats(), sumFromTable(db))
})

t.test('a hit rewrites last_used only when it is older than the resolution', async t => {
  const clock = { now: 0 }
  const { db, cache } = fresh(t, { clock, lruResolutionMs: 5_000 })
  const lastUsed = (): number => db.prepare('SELECT last_used FROM response_cache WHERE key = ?').pluck().get('k') as number
  cache.put('k', answer('x'), { principal: null, path: '/v1/x' })
  clock.now = 4_999
  cache.get('k')
  t.equal(lastUsed(), 0, 'no write within the resolution')
  clock.now = 5_000
  cache.get('k')
  t.equal(lastUsed(), 5_000)
})

t.test('invalidate by path prefix (whole segments) and principal', async t => {
  const { db, cache } = fresh(t)
  const rows: Array<[string, string | null, string]> = [
    ['p1', null, '/v1/playlists/abc'],
    ['p2', null, '/v1/playlists/abc?offset=100&limit=50'],
    ['p3', null, '/v1/playlists/abc/items?offset=0'],
    ['p4', 'alice', '/v1/playlists/abc/tracks'],
    ['p5', null, '/v1/playlists/abcd'],
    ['m1', 'alice', '/v1/me/playlists'],
    ['m2', 'bob', '/v1/me/playlists?offset=20'],
    ['m3', 'alice', '/v1/me/playlistsX'],
    ['u1', 'alice', '/v1/users/alice/playlists'],
    ['u2', 'bob', '/v1/users/alice/playlists'],
    ['t1', null, '/v1/tracks/abc']
  ]
  for (const [key, principal, p] of rows) cache.put(key, answer(key), { principal, path: p })
  const left = (): string[] => (db.prepare('SELECT key FROM response_cache ORDER BY key').pluck().all() as string[])

  t.equal(cache.invalidate({ pathPrefix: '/v1/playlists/abc' }), 4, 'everyone: the playlist, its pages and sub-paths')
  t.same(left(), ['m1', 'm2', 'm3', 'p5', 't1', 'u1', 'u2'], '/v1/playlists/abcd is another playlist')

  t.equal(cache.invalidate({ pathPrefix: '/v1/me/playlists', principal: 'alice' }), 1)
  t.same(left(), ['m2', 'm3', 'p5', 't1', 'u1', 'u2'])

  t.equal(cache.invalidate({ pathPrefix: '/v1/users/', principal: 'bob' }), 1, 'a trailing slash is a plain prefix')
  t.same(left(), ['m2', 'm3', 'p5', 't1', 'u1'])

  t.equal(cache.invalidate({ pathPrefix: '/v1/', principal: null }), 2, 'null: only shared rows')
  t.same(left(), ['m2', 'm3', 'u1'])

  t.equal(cache.invalidate({ pathPrefix: '/v1/%6De/playlists' }), 1, 'the prefix is decoded like stored paths')
  t.equal(cache.invalidate({ pathPrefix: '/v1/nothing' }), 0)
  t.same(cache.stats(), sumFromTable(db))
  t.equal(cache.delete('u1'), true)
  t.equal(cache.delete('u1'), false)
  t.same(cache.stats(), sumFromTable(db))
})

t.test('a second ResponseCache on the same file sees the rows (restart)', async t => {
  const { db, cache, file } = fresh(t)
  cache.put('catalog', answer(Buffer.from([0, 1, 2, 255]), { etag: '"e"', storedAt: 77 }), { principal: null, path: '/v1/tracks/a' })
  cache.put('mine', answer('{"id":"alice"}'), { principal: 'alice', path: '/v1/me' })
  const before = cache.stats()
  db.close()

  const db2 = openDatabase(file)
  t.teardown(() => db2.close())
  const again = new ResponseCache(db2, { maxBytes: 1_000_000 })
  t.same(again.stats(), before, 'totals recounted on open')
  const got = again.get('catalog')
  t.ok(got?.body.equals(Buffer.from([0, 1, 2, 255])))
  t.equal(got?.etag, '"e"')
  t.equal(got?.storedAt, 77)
  t.equal(again.get('mine')?.body.toString(), '{"id":"alice"}')
})

t.test('a smaller maxBytes after restart evicts on the next put', async t => {
  const { db, cache, file } = fresh(t)
  for (let i = 0; i < 10; i++) cache.put(`k${i}`, answer(Buffer.alloc(500)), { principal: null, path: `/v1/tracks/${i}` })
  db.close()
  const db2 = openDatabase(file)
  t.teardown(() => db2.close())
  const small = new ResponseCache(db2, { maxBytes: 2_000 })
  small.put('new', answer(Buffer.alloc(500)), { principal: null, path: '/v1/tracks/new' })
  t.ok(small.stats().bytes <= 2_000)
  t.ok(small.get('new'))
  t.same(small.stats(), sumFromTable(db2))
})
