// @spotify/web-api-ts-sdk 1.2.0 through a 13-hour QUOTA_EXCEEDED, refreshing its own token when
// it expires. The SDK sends token refreshes with the global fetch to accounts.spotify.com (its
// `fetch` option covers API calls only), so, as docs/clients.md shows, a wrapper around
// globalThis.fetch sends them to the proxy's POST /api/token: the proxy learns each new token's
// lineage and keeps serving the user's data, with no Web API request, until the cooldown is over.
// The proxy runs on a real port; its clock moves by hours, the SDK's by seconds (its tokens are
// issued for 1 s, so it refreshes before every hour's sync).
import { SpotifyApi, type AccessToken } from '@spotify/web-api-ts-sdk'
import t from 'tap'
import { accountsDouble } from '../helpers/accounts-double.js'
import { USERS, proxyRig } from '../helpers/proxy.js'
import { DEEP_FOCUS, LIKED, OWNER, PICKS, spotify2026 } from '../helpers/spotify-2026.js'
import { behave, type DoubleUser } from '../helpers/upstream-double.js'

const HOUR = 3_600_000

t.test('the ts SDK refreshes its token through the proxy and keeps syncing through a day-long quota cooldown', async t => {
  const users: Record<string, DoubleUser> = { ...USERS }
  const clock = { now: Date.now() }
  const r = await proxyRig(t, {}, undefined, { now: () => clock.now, users })
  await r.app.listen({ host: '127.0.0.1', port: 0 })
  const origin = `http://127.0.0.1:${(r.app.server.address() as { port: number }).port}`
  const accounts = accountsDouble({ users, rotate: true, expiresIn: 1 })
  const spotify = spotify2026(r.double.url, { users })
  let quota = false
  r.double.set(req => accounts.answer(req) ?? (quota ? behave.quotaExceeded(46_800) : spotify(req)))

  // docs/clients.md: token requests to the proxy, through the global fetch the SDK uses for them.
  const realFetch = globalThis.fetch
  globalThis.fetch = async (input, init) => await realFetch(String(input instanceof Request ? input.url : input).replace('https://accounts.spotify.com', origin), init)
  t.teardown(() => { globalThis.fetch = realFetch })

  // Signed in with an authorization code exchanged through the proxy.
  const code = accounts.code(OWNER)
  const signIn = await fetch('https://accounts.spotify.com/api/token', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ client_id: 'test-client-id', grant_type: 'authorization_code', code }) })
  const token = await signIn.json() as AccessToken
  const seen: Array<{ what: string, source: string | null, status: number }> = []
  const sdk = SpotifyApi.withAccessToken('test-client-id', token, {
    fetch: async (input, init) => {
      const res = await fetch(String(input).replace('https://api.spotify.com', origin), init)
      seen.push({ what: String(input).replace('https://api.spotify.com', ''), source: res.headers.get('x-proxy-source'), status: res.status })
      return res
    }
  })
  const sync = async (label: string): Promise<void> => {
    seen.length = 0
    t.equal((await sdk.currentUser.profile()).id, OWNER.id, `${label}: profile`)
    t.ok((await sdk.currentUser.playlists.playlists(50)).items.some(p => p.id === DEEP_FOCUS.id), `${label}: playlists`)
    t.equal((await sdk.playlists.getPlaylistItems(DEEP_FOCUS.id, undefined, undefined, 50)).items.length, DEEP_FOCUS.entries.length, `${label}: playlist items`)
    t.equal((await sdk.currentUser.tracks.savedTracks(50)).items.length, LIKED.length, `${label}: saved tracks`)
    t.equal((await sdk.tracks.get(PICKS.greenhouse.id)).name, PICKS.greenhouse.name, `${label}: a track`)
    t.equal((await sdk.tracks.audioFeatures(PICKS.yoake.id)).tempo, PICKS.yoake.features.tempo, `${label}: audio features`)
    t.ok(seen.every(s => s.status === 200), `${label}: every answer 200 (${seen.map(s => `${s.status} ${s.source}`).join(', ')})`)
  }
  const webApi = (): number => r.double.requests.filter(q => q.url.startsWith('/v1/')).length
  const sleep = async (ms: number): Promise<void> => { await new Promise(resolve => setTimeout(resolve, ms)) }

  await sleep(1100) // the first token has expired: the SDK refreshes before its first call
  await sync('hour 0')
  quota = true
  clock.now += HOUR + 60_000
  await sleep(1100)
  await sync('the quota runs out')
  t.ok(r.app.proxy.cooldown.secondsLeft() > 46_000, 'a 13-hour cooldown')
  const during = webApi()
  for (const hour of [2, 6, 10]) {
    clock.now += 4 * HOUR
    await sleep(1100)
    await sync(`hour ${hour}, after the SDK refreshed its token`)
    t.ok(seen.every(s => s.source !== 'upstream'), `hour ${hour}: nothing from Spotify`)
  }
  t.equal(webApi(), during, 'no Web API request during the cooldown')
  t.ok(accounts.exchanges() >= 6, `the SDK refreshed through the proxy (${accounts.exchanges()} token requests)`)
  t.ok(r.double.requests.filter(q => q.url === '/api/token').every(q => q.body.includes('client_id=test-client-id')), 'the SDK\'s own refresh requests, as sent')
})
