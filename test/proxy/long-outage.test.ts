// A whole day of QUOTA_EXCEEDED while the script's token rotates every hour: the script refreshes
// its token through the proxy's POST /api/token, and the proxy, knowing each new token's lineage,
// keeps serving that user's data from its cache and CSV library with no Web API request until
// the cooldown is over, and never a 401. Strangers' tokens never get that user's data.
// Time is the proxy's own clock, moved by hours; Spotify is the 2026 double with its Accounts
// service (test/helpers/accounts-double.ts).
import t, { type Test } from 'tap'
import type { LightMyRequestResponse } from 'fastify'
import { accountsDouble, type AccountsDouble } from '../helpers/accounts-double.js'
import { proxyRig, USERS, type ProxyRig } from '../helpers/proxy.js'
import { DEEP_FOCUS, LIKED, OWNER, PICKS, spotify2026 } from '../helpers/spotify-2026.js'
import { behave, type DoubleUser } from '../helpers/upstream-double.js'

const HOUR = 3_600_000
const QUOTA_S = 46_800 // 13 hours, as Spotify sends them
const BASIC = `Basic ${Buffer.from('client-id:client-secret').toString('base64')}`
const BOB = { token: 'tok-bob-9876543210', id: 'bob' }
const STRANGER = 'tok-never-seen-by-anyone'

interface Outage {
  r: ProxyRig
  accounts: AccountsDouble
  users: Record<string, DoubleUser>
  clock: { now: number }
  /** Spotify answers every Web API request with 429 QUOTA_EXCEEDED while true. */
  quota: { on: boolean }
  /** Web API requests (not /api/token) that reached the double. */
  webApi: () => number
  /** Spotify's quota runs out an hour later (the cache has gone stale): the next request starts the cooldown. */
  runOut: () => Promise<void>
}

async function outage (t: Test, env: Record<string, string> = {}): Promise<Outage> {
  const users: Record<string, DoubleUser> = { ...USERS }
  const clock = { now: Date.parse('2026-12-07T06:00:00Z') }
  const r = await proxyRig(t, env, undefined, { now: () => clock.now, users })
  const accounts = accountsDouble({ users, rotate: true })
  const spotify = spotify2026(r.double.url, { users })
  const quota = { on: false }
  r.double.set(req => accounts.answer(req) ?? (quota.on ? behave.quotaExceeded(QUOTA_S) : spotify(req)))
  const webApi = (): number => r.double.requests.filter(q => q.url.startsWith('/v1/')).length
  const runOut = async (): Promise<void> => {
    // Only a token Spotify accepted can start a cooldown for everyone.
    if (!r.app.proxy.trust.identify(OWNER.token).trusted) await r.get('/v1/me', OWNER.token)
    quota.on = true
    clock.now += HOUR + 60_000
    await r.get('/v1/me', OWNER.token)
    if (r.app.proxy.cooldown.active() === null) throw new Error('no cooldown started')
  }
  return { r, accounts, users, clock, quota, webApi, runOut }
}

async function tokenRequest (r: ProxyRig, form: Record<string, string>): Promise<{ access_token: string, refresh_token?: string }> {
  const res = await r.app.inject({ method: 'POST', url: '/api/token', headers: { authorization: BASIC, 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams(form).toString() })
  if (res.statusCode !== 200) throw new Error(`token request ${res.statusCode}: ${res.body}`)
  return res.json()
}

interface Seen { what: string, status: number, source: string, reason: string | null, body: LightMyRequestResponse }

/** What a library sync does: who am I, my playlists and their pages, my saved tracks, tracks, audio features. */
async function sync (r: ProxyRig, token: string): Promise<Seen[]> {
  const seen: Seen[] = []
  const get = async (what: string): Promise<LightMyRequestResponse> => {
    const res = await r.get(what, token)
    seen.push({ what, status: res.statusCode, source: String(res.headers['x-proxy-source']), reason: (res.headers['x-proxy-fallback-reason'] as string | undefined) ?? null, body: res })
    return res
  }
  await get('/v1/me')
  await get('/v1/me/playlists?limit=50')
  await get(`/v1/playlists/${DEEP_FOCUS.id}/items?limit=50`)
  await get(`/v1/playlists/${DEEP_FOCUS.id}/tracks?limit=100`)
  await get('/v1/me/tracks?limit=50')
  await get(`/v1/tracks/${PICKS.greenhouse.id}`)
  await get(`/v1/tracks?ids=${PICKS.cafeAuLait.id},${PICKS.saudade.id}`)
  await get(`/v1/audio-features?ids=${PICKS.greenhouse.id},${PICKS.yoake.id}`)
  return seen
}

/** Every answer of a sync is the owner's data, as the script needs it. */
function checkData (t: Test, seen: Seen[], label: string): void {
  for (const s of seen) t.equal(s.status, 200, `${label}: ${s.what} → 200 (${s.source}${s.reason === null ? '' : `, ${s.reason}`})`)
  const [me, playlists, items, tracks, saved, one, several, features] = seen.map(s => s.body.json())
  t.equal(me.id, OWNER.id, `${label}: /v1/me is the owner`)
  t.ok(playlists.items.some((p: { id: string }) => p.id === DEEP_FOCUS.id), `${label}: Deep Focus is listed`)
  t.equal(items.items.length, DEEP_FOCUS.entries.length, `${label}: its /items page`)
  t.equal(tracks.items.length, DEEP_FOCUS.entries.length, `${label}: its /tracks page`)
  t.equal(saved.items.length, LIKED.length, `${label}: the saved tracks`)
  t.equal(one.name, PICKS.greenhouse.name)
  t.same(several.tracks.map((x: { id: string }) => x.id), [PICKS.cafeAuLait.id, PICKS.saudade.id])
  t.same(features.audio_features.map((x: { tempo: number }) => x.tempo), [PICKS.greenhouse.features.tempo, PICKS.yoake.features.tempo])
}

t.test('a 13-hour QUOTA_EXCEEDED with a token refreshed through the proxy three times: every answer 200, no Web API request, never a 401', async t => {
  const o = await outage(t)
  const { r } = o
  // Hour 0: the script signs in (authorization code through the proxy) and syncs while Spotify is fine.
  let tokens = await tokenRequest(r, { grant_type: 'authorization_code', code: o.accounts.code(OWNER), redirect_uri: 'http://127.0.0.1:8080/callback' })
  const first = await sync(r, tokens.access_token)
  checkData(t, first, 'hour 0')
  t.ok(first.every(s => ['upstream', 'cache', 'csv'].includes(s.source)))

  // An hour later Spotify's daily quota is spent: the next Web API request gets 429
  // QUOTA_EXCEEDED for 13 hours, and the sync goes on from what the proxy holds.
  o.quota.on = true
  o.clock.now += HOUR + 60_000
  const hit = await sync(r, tokens.access_token)
  checkData(t, hit, 'the 429')
  const cooldownStartedAt = o.webApi()
  t.ok(r.app.proxy.cooldown.secondsLeft() > QUOTA_S - 5, 'a 13-hour cooldown')

  let statuses: number[] = []
  for (const hour of [2, 6, 10]) {
    o.clock.now += hour === 2 ? 55 * 60_000 : 4 * HOUR
    tokens = { ...tokens, ...await tokenRequest(r, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token! }) }
    const seen = await sync(r, tokens.access_token)
    checkData(t, seen, `hour ${hour}, a new token`)
    t.ok(seen.every(s => ['cache', 'stale', 'csv'].includes(s.source)), `hour ${hour}: from the cache and the library (${[...new Set(seen.map(s => s.source))].join()})`)
    t.ok(seen.every(s => s.source === 'cache' || s.reason === 'quota-exceeded' || s.reason === 'endpoint-closed'), `hour ${hour}: every fallback says why (${[...new Set(seen.map(s => s.reason))].join()})`)
    statuses = statuses.concat(seen.map(s => s.status))
  }
  t.equal(o.webApi(), cooldownStartedAt, 'no Web API request during the cooldown: only the three token refreshes reached Spotify')
  t.notOk(statuses.includes(401), 'never a 401')
  t.equal(o.accounts.exchanges(), 4)

  // Hour 15: the cooldown is over and Spotify answers again.
  o.clock.now += 5 * HOUR
  o.quota.on = false
  const before = o.webApi()
  const meAfter = await r.get('/v1/me', tokens.access_token)
  t.equal(meAfter.headers['x-proxy-source'], 'upstream', 'the first request after the cooldown asks Spotify')
  t.equal(o.webApi(), before + 1, 'exactly one probe')
  const after = await sync(r, tokens.access_token)
  checkData(t, after, 'after the cooldown')
  t.ok(after.some(s => s.source === 'upstream'), 'and Spotify is asked again')
})

t.test('an unverified token during the cooldown: catalog data yes, user data an honest 503, never a 401', async t => {
  const o = await outage(t)
  const { r } = o
  await sync(r, OWNER.token)
  await o.runOut()
  const me = await r.get('/v1/me', STRANGER)
  t.equal(me.statusCode, 503)
  t.equal(me.headers['x-proxy-source'], 'local')
  t.equal(me.headers['x-proxy-fallback-reason'], 'quota-exceeded,token-unverified')
  t.equal(me.headers['retry-after'], undefined, 'no 13-hour Retry-After: clients would sleep through it')
  t.ok(Number(me.headers['x-proxy-upstream-retry-after']) > QUOTA_S - 10, 'the wait, in the proxy\'s own header')
  t.match(me.json(), { error: { status: 503, message: /not verified/ } })
  for (const path of ['/v1/me/tracks?limit=50', '/v1/me/playlists', `/v1/playlists/${DEEP_FOCUS.id}/items?limit=50`]) {
    const res = await r.get(path, STRANGER)
    t.same([res.statusCode, res.headers['x-proxy-fallback-reason']], [503, 'quota-exceeded,token-unverified'], path)
  }
  const track = await r.get(`/v1/tracks/${PICKS.greenhouse.id}`, STRANGER)
  t.same([track.statusCode, track.json().name], [200, PICKS.greenhouse.name], 'a catalog track: Spotify gives it to any token')
  const features = await r.get(`/v1/audio-features/${PICKS.yoake.id}`, STRANGER)
  t.same([features.statusCode, features.headers['x-proxy-source']], [200, 'csv'], 'audio features by id from the library')
  const search = await r.get('/v1/search?q=greenhouse&type=track', STRANGER)
  t.not(search.headers['x-proxy-source'], 'csv', 'search results built from the library are the owner\'s')
  const browser = await r.get(`/v1/audio-features/${PICKS.yoake.id}`, STRANGER, { origin: 'https://some.site' })
  t.equal(browser.statusCode, 503, 'a web page with an unverified token learns nothing of the library')
})

t.test('a stranger\'s token never gets another user\'s data: before, during and after the cooldown, in every mode', async t => {
  const o = await outage(t)
  const { r } = o
  await sync(r, OWNER.token)
  const leaks = (res: LightMyRequestResponse): boolean => res.body.includes(`"${OWNER.id}"`) || res.body.includes('Greenhouse at Dawn') || res.body.includes(DEEP_FOCUS.name)
  const privatePaths = ['/v1/me', '/v1/me/tracks?limit=50', '/v1/me/playlists', `/v1/playlists/${DEEP_FOCUS.id}/items?limit=50`, `/v1/me/tracks/contains?ids=${PICKS.greenhouse.id}`]
  const check = async (label: string): Promise<void> => {
    for (const token of [STRANGER, BOB.token]) {
      for (const mode of ['auto', 'offline']) {
        for (const path of privatePaths) {
          const res = await r.get(path, token, { 'x-proxy-mode': mode })
          t.notOk(leaks(res), `${label}, ${token === STRANGER ? 'a stranger' : 'bob'}, ${mode}: ${path} → ${res.statusCode} ${String(res.headers['x-proxy-source'])}`)
          // A 401 only where Spotify refused that very token (the stranger's, once asked).
          if (res.statusCode === 401) t.ok(token === STRANGER && (res.headers['x-proxy-source'] === 'upstream' || r.app.proxy.trust.identify(STRANGER).rejected), `a 401 only as Spotify said it: ${path}`)
        }
        // Search is catalog data, but results built from the library are the owner's.
        const search = await r.get('/v1/search?q=greenhouse&type=track', token, { 'x-proxy-mode': mode })
        t.not(search.headers['x-proxy-source'], 'csv', `${label}: no library search results for others`)
      }
    }
  }
  await check('before')
  await o.runOut()
  await check('during')
  o.clock.now += QUOTA_S * 1000 + 1000
  o.quota.on = false
  await check('after')
})

t.test('a stranger\'s 429 or 403 moves nothing shared; requests without a token never go upstream', async t => {
  const o = await outage(t)
  const { r } = o
  o.quota.on = true
  const mine = await r.get(`/v1/tracks/${PICKS.greenhouse.id}`, STRANGER)
  t.same([mine.statusCode, mine.headers['x-proxy-source']], [429, 'upstream'], 'its own 429, relayed')
  t.equal(r.app.proxy.cooldown.active(), null, 'no cooldown for everyone')
  o.quota.on = false
  const before = o.webApi()
  const anonymous = await r.get('/v1/tracks/' + PICKS.greenhouse.id, null)
  t.same([anonymous.statusCode, anonymous.json()], [401, { error: { status: 401, message: 'No token provided' } }])
  t.equal(o.webApi(), before, 'never sent upstream')
  await r.get(`/v1/audio-features/${PICKS.yoake.id}`, STRANGER)
  t.same(r.app.proxy.refusals.list(), [], 'a stranger\'s 403 marks no endpoint refused')
})

t.test('SPOTIFY_PROXY_TRUST=owner-on-loopback: a token refreshed outside the proxy counts as the owner\'s while Spotify cannot be asked', async t => {
  const o = await outage(t, { SPOTIFY_PROXY_TRUST: 'owner-on-loopback' })
  const { r } = o
  await sync(r, OWNER.token)
  // The script refreshes straight at Spotify (its client cannot use the proxy's /api/token).
  const code = o.accounts.code(OWNER)
  const direct = await fetch(`${r.double.url}/api/token`, { method: 'POST', headers: { authorization: BASIC, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ grant_type: 'authorization_code', code }) })
  const outside = (await direct.json() as { access_token: string }).access_token
  await o.runOut()
  const before = o.webApi()
  checkData(t, await sync(r, outside), 'an unverified token of the owner')
  const forged = await r.get('/v1/me', 'tok-forged-by-nobody')
  t.equal(forged.statusCode, 200, 'any unverified token counts: the option trusts whoever reaches the loopback port')
  t.equal(o.webApi(), before, 'nothing upstream')
  // Spotify can be asked again: both are checked by Spotify itself on their next request.
  o.clock.now += QUOTA_S * 1000 + 1000
  o.quota.on = false
  t.equal((await r.get('/v1/me', outside)).headers['x-proxy-source'], 'upstream')
  t.equal((await r.get('/v1/me', outside)).json().id, OWNER.id, 'the real one is verified')
  const refused = await r.get('/v1/me', 'tok-forged-by-nobody')
  t.same([refused.statusCode, refused.headers['x-proxy-source']], [401, 'upstream'], 'Spotify refuses the forged one')
  t.ok(r.logs.some(l => l.includes('owner-on-loopback') && l.includes('no longer trusted')), 'and the event is logged')
  await o.runOut()
  const later = await r.get('/v1/me', 'tok-forged-by-nobody')
  t.equal(later.statusCode, 401, 'in the next cooldown it gets nothing')
})

t.test('POST /api/token is relayed as sent and never cached, paced or held by a cooldown; tokens never reach the log', async t => {
  const o = await outage(t)
  const { r } = o
  const code = o.accounts.code(OWNER)
  const res = await r.app.inject({ method: 'POST', url: '/api/token', headers: { authorization: BASIC, 'content-type': 'application/x-www-form-urlencoded' }, payload: `grant_type=authorization_code&code=${code}` })
  t.equal(res.statusCode, 200)
  t.equal(res.headers['x-proxy-source'], 'upstream')
  t.equal(res.headers['cache-control'], 'no-store')
  const sent = r.double.requests.at(-1)!
  t.same([sent.method, sent.url, sent.headers.authorization, sent.body.toString()], ['POST', '/api/token', BASIC, `grant_type=authorization_code&code=${code}`], 'body and Authorization as sent')
  const bad = await r.app.inject({ method: 'POST', url: '/api/token', headers: { authorization: BASIC, 'content-type': 'application/x-www-form-urlencoded' }, payload: 'grant_type=refresh_token&refresh_token=nope' })
  t.same([bad.statusCode, bad.json()], [400, { error: 'invalid_grant', error_description: 'Invalid refresh token' }], 'Spotify\'s own error, unchanged')
  // A cooldown and a spent pacing budget hold the Web API only.
  await o.runOut()
  const { refresh_token: refresh } = res.json() as { refresh_token: string }
  const during = await r.app.inject({ method: 'POST', url: '/api/token', headers: { authorization: BASIC, 'content-type': 'application/x-www-form-urlencoded' }, payload: `grant_type=refresh_token&refresh_token=${refresh}` })
  t.equal(during.statusCode, 200, 'refreshed during the cooldown')
  const newToken = (during.json() as { access_token: string }).access_token
  const log = r.logs.join('\n')
  for (const secret of [newToken, refresh, (res.json() as { access_token: string }).access_token, code]) t.notOk(log.includes(secret), 'no token in the log')
  const down = await proxyRig(t, { SPOTIFY_ACCOUNTS_BASE_URL: 'http://127.0.0.1:9' })
  const unreachable = await down.app.inject({ method: 'POST', url: '/api/token', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'grant_type=refresh_token&refresh_token=x' })
  t.same([unreachable.statusCode, unreachable.headers['x-proxy-source'], unreachable.json().error], [502, 'local', 'temporarily_unavailable'], 'unreachable: the token endpoint\'s own error shape')
  const paced = await outage(t, { SPOTIFY_PROXY_PACE_PER_30S: '1' })
  await paced.r.get('/v1/me', OWNER.token)
  t.equal((await paced.r.get('/v1/me/tracks', OWNER.token)).headers['x-proxy-fallback-reason'], 'paced', 'the pacing budget is spent')
  await tokenRequest(paced.r, { grant_type: 'authorization_code', code: paced.accounts.code(OWNER) })
  t.equal(paced.accounts.exchanges(), 1, 'the token request went through all the same')
})
