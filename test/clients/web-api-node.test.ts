// spotify-web-api-node 5.0.2, pointed at the proxy by its request builder (the only way: it has no
// base-URL option), as docs/clients.md shows. Its getPlaylistTracks calls /playlists/{id}/tracks,
// its getTracks and getAudioFeaturesForTracks call endpoints closed to development-mode apps.
import { createRequire } from 'node:module'
import t from 'tap'
import { ALICE, scenario, sourcesFor, type ClientAdapter, type Condition } from './scenarios.js'

const require = createRequire(import.meta.url)
interface Builder { withScheme: (s: string) => Builder, withHost: (h: string) => Builder, withPort: (p: number) => Builder }
const WebApiRequest = require('spotify-web-api-node/src/webapi-request') as { builder: (token: string) => Builder }
const SpotifyWebApi = require('spotify-web-api-node') as new (opts: { accessToken: string }) => Record<string, (...args: unknown[]) => Promise<{ body: unknown }>>

function connect (origin: string): ClientAdapter {
  const url = new URL(origin)
  const original = WebApiRequest.builder
  WebApiRequest.builder = (token: string) => original(token).withScheme('http').withHost(url.hostname).withPort(Number(url.port))
  t.teardown(() => { WebApiRequest.builder = original })
  const api = new SpotifyWebApi({ accessToken: ALICE })
  const body = async <T> (p: Promise<{ body: unknown }>): Promise<T> => (await p).body as T
  return {
    me: async () => await body(api.getMe!()),
    myPlaylists: async () => (await body<{ items: Array<{ id: string, name: string }> }>(api.getUserPlaylists!({ limit: 50 }))).items,
    track: async id => await body(api.getTrack!(id)),
    tracks: async ids => (await body<{ tracks: Array<{ id: string, name: string } | null> }>(api.getTracks!(ids))).tracks,
    features: async id => await body(api.getAudioFeaturesForTrack!(id)),
    featuresMany: async ids => (await body<{ audio_features: Array<{ id: string, tempo: number } | null> }>(api.getAudioFeaturesForTracks!(ids))).audio_features,
    playlistItems: async (id, limit, offset) => await body(api.getPlaylistTracks!(id, { limit, offset })),
    saved: async (limit, offset) => await body(api.getMySavedTracks!({ limit, offset })),
    search: async q => (await body<{ tracks: { items: Array<{ id: string, name: string }> } }>(api.searchTracks!(q, { limit: 5 }))).tracks.items
  }
}

for (const condition of ['ok', 'rate-limited', 'down', 'down from the start'] as Condition[]) {
  t.test(`spotify-web-api-node, Spotify ${condition}`, async t => {
    const r = await scenario(t, condition, connect)
    if (condition === 'ok') {
      t.same(sourcesFor(r, '/v1/audio-features/'), ['csv'], 'audio features: closed upstream, answered from the CSV')
      t.ok(r.double.requests.some(q => q.url.startsWith('/v1/playlists/') && q.url.includes('/items?')), '/tracks went upstream as /items')
    }
    if (condition === 'down from the start') t.ok(new Set(sourcesFor(r, '/v1/tracks')).has('csv'), 'tracks from the CSV')
  })
}
