// The fallback step: what each kind of token gets, for each kind of data, when Spotify could not
// answer (docs/trust.md), and what it is told when nothing holds the answer.
import t from 'tap'
import { fallback } from '../../../src/policy/flow/fallback.js'
import { fromUpstream, type FallbackReason } from '../../../src/policy/flow/reply.js'
import { cached, ctxOf, fakes, json, NOW, type Fakes, type Who } from './fakes.js'

const TRACK = '/v1/tracks/4uLU6hMCjMI75M1A2tKUQC'
const SAVED = '/v1/me/tracks?limit=20'
const SEARCH = '/v1/search?q=grid&type=track'

interface Case {
  name: string
  path: string
  who: Who
  reason?: FallbackReason
  holds?: Array<'cache' | 'library' | 'entity'>
  set?: (f: Fakes) => void
  origin?: boolean
  /** status source reason-header */
  want: string
}

const cases: Case[] = [
  // Catalog data: any bearer token, from Spotify's cached answers; from the library single items by id.
  { name: 'catalog, cached: the owner', path: TRACK, who: 'owner', holds: ['cache'], want: '200 stale quota-exceeded' },
  { name: 'catalog, cached: an unverified token', path: TRACK, who: 'unverified', holds: ['cache'], want: '200 stale quota-exceeded' },
  { name: 'catalog, one entity known: an unverified token', path: TRACK, who: 'unverified', holds: ['entity'], want: '200 stale quota-exceeded' },
  { name: 'catalog by id from the library: an unverified token', path: TRACK, who: 'unverified', holds: ['library'], want: '200 csv quota-exceeded' },
  { name: 'catalog by id from the library: not for a web page with an unverified token', path: TRACK, who: 'unverified', holds: ['library'], origin: true, want: '503 local quota-exceeded,not-in-library' },
  { name: 'catalog by id from the library: a verified web page may', path: TRACK, who: 'other-user', holds: ['library'], origin: true, want: '200 csv quota-exceeded' },
  { name: 'search built from the library: the owner', path: SEARCH, who: 'owner', holds: ['library'], want: '200 csv quota-exceeded' },
  { name: 'search built from the library: never another user', path: SEARCH, who: 'other-user', holds: ['library'], want: '503 local quota-exceeded,not-in-library' },
  { name: 'search built from the library: never an unverified token', path: SEARCH, who: 'unverified', holds: ['library'], want: '503 local quota-exceeded,not-in-library' },
  // User data: only tokens verified as that user.
  { name: 'user data from the library: the owner', path: SAVED, who: 'owner', holds: ['library'], want: '200 csv quota-exceeded' },
  { name: 'user data from the library: a local token', path: SAVED, who: 'local', reason: 'offline-mode', holds: ['library'], want: '200 csv offline-mode' },
  { name: 'user data from the library: not another verified user', path: SAVED, who: 'other-user', holds: ['library'], want: '503 local quota-exceeded,not-in-library' },
  { name: 'user data: an unverified token gets an honest 503, never a 401', path: SAVED, who: 'unverified', holds: ['library'], want: '503 local quota-exceeded,token-unverified' },
  { name: 'user data, owner-on-loopback: an unverified token reads as the owner', path: SAVED, who: 'unverified', holds: ['library'], set: f => { f.deps.settings.ownerOnLoopback = true }, want: '200 csv quota-exceeded' },
  { name: 'owner-on-loopback needs a known owner', path: SAVED, who: 'unverified', holds: ['library'], set: f => { f.deps.settings.ownerOnLoopback = true; f.owner.owner = null }, want: '503 local quota-exceeded,token-unverified' },
  { name: 'the library has no owner: nobody but local tokens', path: SAVED, who: 'owner', holds: ['library'], set: f => { f.owner.owner = null }, want: '503 local quota-exceeded,not-in-library' },
  // A token Spotify refused gets nothing.
  { name: 'a refused token: a 401, even for catalog data held', path: TRACK, who: 'rejected', holds: ['cache', 'library'], want: '401 local quota-exceeded' },
  // Honest misses: never a 404 of the proxy's own.
  { name: 'offline, not in the library: 503', path: TRACK, who: 'owner', reason: 'offline-mode', set: f => { f.library.set(TRACK, { status: 404, body: { error: { status: 404, message: 'non existing id' } } }) }, want: '503 local offline-mode,not-in-library' },
  { name: 'unreachable, nothing held: 502', path: TRACK, who: 'owner', reason: 'upstream-unreachable', want: '502 local upstream-unreachable,not-in-library' },
  { name: 'timed out, nothing held: 504', path: TRACK, who: 'owner', reason: 'upstream-timeout', want: '504 local upstream-timeout,not-in-library' },
  { name: 'paced, nothing held: 503', path: TRACK, who: 'owner', reason: 'paced', want: '503 local paced,not-in-library' },
  { name: 'a closed endpoint, nothing held: Spotify\'s 403', path: '/v1/audio-features/4uLU6hMCjMI75M1A2tKUQC', who: 'owner', reason: 'endpoint-closed', want: '403 local endpoint-closed' },
  { name: 'a bad request is bad everywhere: the library\'s 400', path: '/v1/tracks/x', who: 'owner', set: f => { f.library.set('/v1/tracks/x', { status: 400, body: { error: { status: 400, message: 'invalid id' } } }) }, want: '400 csv quota-exceeded' }
]

for (const c of cases) {
  t.test(c.name, async t => {
    const f = fakes()
    f.cooldown.current = { until: NOW + 46_800_000, reason: 'quota-exceeded' }
    c.set?.(f)
    const ctx = ctxOf(f, c.path, c.who, c.origin === true ? { headers: { origin: 'https://a.page' } } : {})
    const key = ctx.key ?? ctxOf(f, c.path, 'owner').key!
    if (c.holds?.includes('cache') === true) f.cache.rows.set(key, cached({ from: 'cache' }, 7200))
    if (c.holds?.includes('entity') === true) f.entities.tracks.set('4uLU6hMCjMI75M1A2tKUQC', { id: '4uLU6hMCjMI75M1A2tKUQC' })
    if (c.holds?.includes('library') === true) f.library.set(c.path, { status: 200, body: { from: 'library' } })
    const r = fallback(ctx, c.reason ?? 'quota-exceeded', f.deps)
    t.equal(`${r.status} ${r.source} ${r.headers['x-proxy-fallback-reason'] ?? ''}`.trim(), c.want)
    t.not(r.status, 404, 'never a 404 of the proxy\'s own')
  })
}

t.test('a wait of hours is in X-Proxy-Upstream-Retry-After, never in Retry-After; a short one in both', async t => {
  const f = fakes()
  f.cooldown.current = { until: NOW + 46_800_000, reason: 'quota-exceeded' }
  const long = fallback(ctxOf(f, TRACK, 'owner'), 'quota-exceeded', f.deps)
  t.same([long.headers['retry-after'], long.headers['x-proxy-upstream-retry-after']], [undefined, '46800'])
  f.cooldown.current = { until: NOW + 30_000, reason: 'rate-limited' }
  const short = fallback(ctxOf(f, TRACK, 'owner'), 'rate-limited', f.deps)
  t.same([short.headers['retry-after'], short.headers['x-proxy-upstream-retry-after']], ['30', '30'])
  const offline = fallback(ctxOf(f, TRACK, 'owner'), 'offline-mode', f.deps)
  t.same([offline.headers['retry-after'], offline.headers['x-proxy-upstream-retry-after']], [undefined, undefined], 'offline has no wait')
})

t.test('nothing held: Spotify\'s own error goes back unchanged', async t => {
  const f = fakes()
  const relayed = fromUpstream(json(429, { error: { status: 429, message: 'Too many requests', reason: 'QUOTA_EXCEEDED' } }, { 'retry-after': '48925' }))
  const r = fallback(ctxOf(f, TRACK, 'owner'), 'quota-exceeded', f.deps, { relayed })
  t.equal(r, relayed)
  t.equal(r.headers['retry-after'], '48925', 'Spotify\'s own answers keep their Retry-After')
})

t.test('a batch the library holds partly: null in place and counted; none of it: a miss', async t => {
  const f = fakes()
  const path = '/v1/tracks?ids=4uLU6hMCjMI75M1A2tKUQC,1301WleyT98MSxVHPZCA6M'
  f.library.set(path, { status: 200, body: { tracks: [{ id: '4uLU6hMCjMI75M1A2tKUQC' }, null] }, missing: 1, held: 1 })
  const partly = fallback(ctxOf(f, path, 'owner'), 'offline-mode', f.deps)
  t.same([partly.status, partly.headers['x-proxy-missing'], partly.headers['x-proxy-fallback-reason']], [200, '1', 'offline-mode,not-in-library'])
  f.library.set(path, { status: 200, body: { tracks: [null, null] }, missing: 2, held: 0 })
  const none = fallback(ctxOf(f, path, 'owner'), 'offline-mode', f.deps)
  t.same([none.status, none.headers['x-proxy-fallback-reason']], [503, 'offline-mode,not-in-library'])
  // Malformed ids only: their nulls are what Spotify sends for them, nothing is missing.
  const malformed = '/v1/tracks?ids=not-an-id'
  f.library.set(malformed, { status: 200, body: { tracks: [null] }, missing: 0, held: 0 })
  const answered = fallback(ctxOf(f, malformed, 'owner'), 'offline-mode', f.deps)
  t.same([answered.status, answered.headers['x-proxy-missing'], answered.headers['x-proxy-fallback-reason']], [200, undefined, 'offline-mode'])
})
