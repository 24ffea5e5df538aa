// @spotify/web-api-ts-sdk 1.2.0 driven at the proxy, pointed at it through its `fetch` option (a
// supported option: the SDK hard-codes https://api.spotify.com/v1/), as docs/clients.md shows.
// Its getPlaylistItems calls /playlists/{id}/tracks, tracks.get([...]) /tracks?ids= and
// audioFeatures the audio-features endpoints: all closed to development-mode apps in 2026.
// The proxy's headers are read from the responses the SDK's fetch received. Its typings cap
// `limit` at 50; the scenario's page of 100 is cast, as a JavaScript caller would simply pass it.
import { SpotifyApi } from '@spotify/web-api-ts-sdk'
import t from 'tap'
import { ALICE, CONDITIONS, scenario, type Client, type Connect, type Paging, type Seen, type Track } from './scenarios.js'

type Sdk = ReturnType<typeof SpotifyApi.withAccessToken>
type Limit = Parameters<Sdk['playlists']['getPlaylistItems']>[3]

const connect: Connect = (_t, origin) => {
  let last: Response | null = null
  const sdk = SpotifyApi.withAccessToken('test-client-id', { access_token: ALICE, token_type: 'Bearer', expires_in: 3600, refresh_token: '' }, {
    fetch: async (input, init) => {
      last = await fetch(String(input).replace('https://api.spotify.com', origin), init)
      return last
    }
  })
  /** The SDK's result, with the headers of the response it came from. */
  const seen = async <T> (call: Promise<unknown>): Promise<Seen<T>> => {
    last = null
    const body = await call as T
    const res = last as Response | null
    return { body, source: res?.headers.get('x-proxy-source') ?? null, reason: res?.headers.get('x-proxy-fallback-reason') ?? null }
  }
  const client: Client = {
    me: async () => await seen(sdk.currentUser.profile()),
    myPlaylists: async limit => await seen(sdk.currentUser.playlists.playlists(limit as Limit)),
    userPlaylists: async (user, limit) => await seen(sdk.playlists.getUsersPlaylists(user, limit as Limit)),
    playlist: async id => await seen(sdk.playlists.getPlaylist(id)),
    track: async id => await seen(sdk.tracks.get(id)),
    tracks: async ids => await seen(sdk.tracks.get(ids)),
    features: async id => await seen(sdk.tracks.audioFeatures(id)),
    featuresMany: async ids => await seen(sdk.tracks.audioFeatures(ids)),
    playlistTracks: async (id, o) => await seen(sdk.playlists.getPlaylistItems(id, undefined, o.fields, o.limit as Limit, o.offset)),
    saved: async (limit, offset) => await seen(sdk.currentUser.tracks.savedTracks(limit as Limit, offset)),
    search: async (q, limit) => {
      const s = await seen<{ tracks: Paging<Track> }>(sdk.search(q, ['track'], undefined, limit as Limit))
      return { ...s, body: s.body.tracks }
    }
  }
  return client
}

for (const condition of CONDITIONS) {
  t.test(`@spotify/web-api-ts-sdk, Spotify ${condition}`, async t => {
    await scenario(t, condition, connect)
  })
}
