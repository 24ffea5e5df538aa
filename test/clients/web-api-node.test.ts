// spotify-web-api-node 5.0.2 driven at the proxy, pointed at it by patching its request builder
// (it has no base-URL option), as docs/clients.md shows. Its getPlaylistTracks calls
// /playlists/{id}/tracks, getUserPlaylists(id) /users/{id}/playlists, getTracks /tracks?ids= and
// getAudioFeaturesForTrack(s) the audio-features endpoints: all closed to development-mode apps
// in 2026. The proxy's headers are read from the `headers` of each response.
import { createRequire } from 'node:module'
import t from 'tap'
import { ALICE, CONDITIONS, scenario, type Client, type Connect, type Seen } from './scenarios.js'

const require = createRequire(import.meta.url)

interface Builder { withScheme: (s: string) => Builder, withHost: (h: string) => Builder, withPort: (p: number) => Builder }
interface Response { body: unknown, headers: Record<string, string | undefined>, statusCode: number }
type Call = (...args: unknown[]) => Promise<Response>
interface WebApi {
  getMe: Call
  getUserPlaylists: Call
  getPlaylist: Call
  getTrack: Call
  getTracks: Call
  getAudioFeaturesForTrack: Call
  getAudioFeaturesForTracks: Call
  getPlaylistTracks: Call
  getMySavedTracks: Call
  searchTracks: Call
}

const WebApiRequest = require('spotify-web-api-node/src/webapi-request') as { builder: (token: string) => Builder }
const SpotifyWebApi = require('spotify-web-api-node') as new (opts: { accessToken: string }) => WebApi

const connect: Connect = (t, origin) => {
  const { hostname, port } = new URL(origin)
  const original = WebApiRequest.builder
  WebApiRequest.builder = (token: string) => original(token).withScheme('http').withHost(hostname).withPort(Number(port))
  t.teardown(() => { WebApiRequest.builder = original })
  const api = new SpotifyWebApi({ accessToken: ALICE })

  /** The response's body (or a part of it), with the proxy's headers. */
  const seen = async <T> (call: Promise<Response>, part?: string): Promise<Seen<T>> => {
    const res = await call
    const body = part === undefined ? res.body : (res.body as Record<string, unknown>)[part]
    return { body: body as T, source: res.headers['x-proxy-source'] ?? null, reason: res.headers['x-proxy-fallback-reason'] ?? null }
  }
  const client: Client = {
    me: async () => await seen(api.getMe()),
    myPlaylists: async limit => await seen(api.getUserPlaylists({ limit })),
    userPlaylists: async (user, limit) => await seen(api.getUserPlaylists(user, { limit })),
    playlist: async id => await seen(api.getPlaylist(id)),
    track: async id => await seen(api.getTrack(id)),
    tracks: async ids => await seen(api.getTracks(ids), 'tracks'),
    features: async id => await seen(api.getAudioFeaturesForTrack(id)),
    featuresMany: async ids => await seen(api.getAudioFeaturesForTracks(ids), 'audio_features'),
    playlistTracks: async (id, o) => await seen(api.getPlaylistTracks(id, Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)))),
    saved: async (limit, offset) => await seen(api.getMySavedTracks({ limit, offset })),
    search: async (q, limit) => await seen(api.searchTracks(q, { limit }), 'tracks')
  }
  return client
}

for (const condition of CONDITIONS) {
  t.test(`spotify-web-api-node, Spotify ${condition}`, async t => {
    await scenario(t, condition, connect)
  })
}
