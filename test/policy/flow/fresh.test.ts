// The fresh-hit step: which cached answers go out without asking Spotify.
import t from 'tap'
import { freshReply } from '../../../src/policy/flow/fresh.js'
import { cached, ctxOf, fakes, type Who } from './fakes.js'

const TRACK = '/v1/tracks/4uLU6hMCjMI75M1A2tKUQC'

const cases: Array<{ name: string, who: Who, ageS: number, ttl?: number, mode?: 'auto' | 'offline' | 'online', method?: string, hit: boolean }> = [
  { name: 'a trusted token, younger than the TTL', who: 'owner', ageS: 10, hit: true },
  { name: 'another trusted user shares catalog answers', who: 'other-user', ageS: 10, hit: true },
  { name: 'a local token', who: 'local', ageS: 10, hit: true },
  { name: 'older than the TTL', who: 'owner', ageS: 4000, hit: false },
  { name: 'a TTL of 0 makes nothing fresh', who: 'owner', ageS: 0, ttl: 0, hit: false },
  { name: 'an unverified token never reads the cache', who: 'unverified', ageS: 10, hit: false },
  { name: 'nor a refused one', who: 'rejected', ageS: 10, hit: false },
  { name: 'online mode always asks Spotify', who: 'owner', ageS: 10, mode: 'online', hit: false },
  { name: 'offline mode reads the cache', who: 'owner', ageS: 10, mode: 'offline', hit: true },
  { name: 'only GETs are cached', who: 'owner', ageS: 10, method: 'PUT', hit: false }
]

for (const c of cases) {
  t.test(c.name, async t => {
    const f = fakes({ ttl: () => c.ttl ?? 3600 })
    const ctx = ctxOf(f, TRACK, c.who, { mode: c.mode ?? 'auto', method: c.method ?? 'GET' })
    if (ctx.key !== null) f.cache.rows.set(ctx.key, cached({ id: 'x' }, c.ageS))
    const reply = freshReply(ctx, f.deps)
    t.equal(reply !== null, c.hit)
    if (reply !== null) t.same([reply.source, reply.headers['x-proxy-source'], reply.headers.age], ['cache', 'cache', String(c.ageS)])
  })
}

t.test('the cache is looked up once per request, however many steps ask', async t => {
  const f = fakes()
  const ctx = ctxOf(f, TRACK, 'owner')
  f.cache.rows.set(ctx.key!, cached({ id: 'x' }, 4000))
  freshReply(ctx, f.deps)
  freshReply(ctx, f.deps)
  t.equal(f.cache.gets, 1)
})

t.test('a playlist page stays fresh past its TTL while its snapshot is confirmed unchanged', async t => {
  const f = fakes()
  const confirmed = new Set<string>()
  f.deps.snapshots = { observe: () => [], confirmedSince: id => confirmed.has(id) }
  const ctx = ctxOf(f, '/v1/playlists/37i9dQZF1DXcBWIGoYBM5M/items?limit=50', 'owner')
  f.cache.rows.set(ctx.key!, cached({ items: [] }, 90_000))
  t.equal(freshReply(ctx, f.deps), null, 'not confirmed: stale')
  confirmed.add('37i9dQZF1DXcBWIGoYBM5M')
  t.not(freshReply(ctxOf(f, '/v1/playlists/37i9dQZF1DXcBWIGoYBM5M/items?limit=50', 'owner'), f.deps), null, 'confirmed: fresh')
  t.equal(freshReply(ctxOf(f, '/v1/playlists/37i9dQZF1DXcBWIGoYBM5M', 'owner'), f.deps), null, 'the playlist itself is no page')
})
