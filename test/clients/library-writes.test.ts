// Saving, checking and removing saved tracks with the two npm clients, unchanged: both still call
// PUT/DELETE /v1/me/tracks and /v1/me/tracks/contains, which development-mode apps lost in 2026.
// Through the proxy on a real port, against the 2026 double (which only takes /v1/me/library).
import { createRequire } from 'node:module'
import { SpotifyApi } from '@spotify/web-api-ts-sdk'
import t, { type Test } from 'tap'
import { ALICE, proxyRig } from '../helpers/proxy.js'
import { LIKED, TRACKS, spotify2026 } from '../helpers/spotify-2026.js'
import { freePort } from './scenarios.js'

const require = createRequire(import.meta.url)
const NEW = [...TRACKS.keys()].filter(id => !LIKED.some(e => e.track.id === id)).slice(0, 2)
const OLD = LIKED[0]!.track.id

interface Library {
  save: (ids: string[]) => Promise<unknown>
  contains: (ids: string[]) => Promise<boolean[]>
  remove: (ids: string[]) => Promise<unknown>
  savedTotal: () => Promise<number>
}

async function proxied (t: Test): Promise<{ origin: string, upstream: () => string[] }> {
  const port = await freePort()
  const origin = `http://127.0.0.1:${port}`
  const r = await proxyRig(t, { SPOTIFY_PROXY_PUBLIC_URL: origin })
  await r.app.listen({ host: '127.0.0.1', port })
  r.double.set(spotify2026(r.double.url))
  return { origin, upstream: () => r.double.requests.map(q => `${q.method} ${q.url.split('?')[0]}`) }
}

async function exercise (t: Test, lib: Library, upstream: () => string[]): Promise<void> {
  const total = await lib.savedTotal()
  t.equal(total, LIKED.length)
  await lib.save(NEW)
  t.same(await lib.contains([...NEW, OLD]), [true, true, true], 'saved, and the liked one still is')
  t.equal(await lib.savedTotal(), total + 2, 'the saved list read after the write shows them')
  await lib.remove([NEW[0]!, OLD])
  t.same(await lib.contains([...NEW, OLD]), [false, true, false])
  t.equal(await lib.savedTotal(), total, 'two saved, two removed')
  const writes = upstream().filter(x => !x.startsWith('GET /v1/me/tracks') && !x.endsWith('/v1/me'))
  t.same(writes, ['PUT /v1/me/library', 'GET /v1/me/library/contains', 'DELETE /v1/me/library', 'GET /v1/me/library/contains'], 'Spotify saw only /v1/me/library')
}

t.test('spotify-web-api-node: addToMySavedTracks, containsMySavedTracks, removeFromMySavedTracks', async t => {
  const { origin, upstream } = await proxied(t)
  const WebApiRequest = require('spotify-web-api-node/src/webapi-request') as { builder: (token: string) => { withScheme: (s: string) => { withHost: (h: string) => { withPort: (p: number) => unknown } } } }
  const original = WebApiRequest.builder
  const { hostname, port } = new URL(origin)
  WebApiRequest.builder = (token: string) => original(token).withScheme('http').withHost(hostname).withPort(Number(port)) as ReturnType<typeof original>
  t.teardown(() => { WebApiRequest.builder = original })
  type Call = (...args: unknown[]) => Promise<{ body: unknown }>
  const SpotifyWebApi = require('spotify-web-api-node') as new (opts: { accessToken: string }) => Record<'getMe' | 'addToMySavedTracks' | 'containsMySavedTracks' | 'removeFromMySavedTracks' | 'getMySavedTracks', Call>
  const api = new SpotifyWebApi({ accessToken: ALICE })
  await api.getMe()
  await exercise(t, {
    save: async ids => await api.addToMySavedTracks(ids),
    contains: async ids => (await api.containsMySavedTracks(ids)).body as boolean[],
    remove: async ids => await api.removeFromMySavedTracks(ids),
    savedTotal: async () => ((await api.getMySavedTracks({ limit: 1 })).body as { total: number }).total
  }, upstream)
})

t.test('@spotify/web-api-ts-sdk: saveTracks, hasSavedTracks, removeSavedTracks', async t => {
  const { origin, upstream } = await proxied(t)
  const sdk = SpotifyApi.withAccessToken('test-client-id', { access_token: ALICE, token_type: 'Bearer', expires_in: 3600, refresh_token: '' }, {
    fetch: async (input, init) => await fetch(String(input).replace('https://api.spotify.com', origin), init)
  })
  await sdk.currentUser.profile()
  await exercise(t, {
    save: async ids => { await sdk.currentUser.tracks.saveTracks(ids) },
    contains: async ids => await sdk.currentUser.tracks.hasSavedTracks(ids),
    remove: async ids => { await sdk.currentUser.tracks.removeSavedTracks(ids) },
    savedTotal: async () => (await sdk.currentUser.tracks.savedTracks(1)).total
  }, upstream)
})
