// @spotify/web-api-ts-sdk 1.2.0, pointed at the proxy through its `fetch` option (a supported
// option: the SDK hard-codes https://api.spotify.com/v1/), as docs/clients.md shows. Its
// playlists.getPlaylistItems calls /playlists/{id}/tracks, 403 for development-mode apps since
// March 2026; the proxy serves it through /items.
import { SpotifyApi } from '@spotify/web-api-ts-sdk'
import t from 'tap'
import { ALICE, scenario, sourcesFor, type ClientAdapter, type Condition } from './scenarios.js'

function connect (origin: string): ClientAdapter {
  const sdk = SpotifyApi.withAccessToken('test-client-id', { access_token: ALICE, token_type: 'Bearer', expires_in: 3600, refresh_token: 'unused', expires: Date.now() + 3_600_000 }, {
    fetch: async (input, init) => await fetch(String(input).replace('https://api.spotify.com', origin), init)
  })
  return {
    me: async () => await sdk.currentUser.profile(),
    myPlaylists: async () => (await sdk.currentUser.playlists.playlists(50)).items,
    track: async id => await sdk.tracks.get(id),
    tracks: async ids => await sdk.tracks.get(ids),
    features: async id => await sdk.tracks.audioFeatures(id),
    featuresMany: async ids => await sdk.tracks.audioFeatures(ids),
    playlistItems: async (id, limit, offset) => await sdk.playlists.getPlaylistItems(id, undefined, undefined, limit as 5, offset),
    saved: async (limit, offset) => await sdk.currentUser.tracks.savedTracks(limit as 5, offset),
    search: async q => (await sdk.search(q, ['track'], undefined, 5)).tracks.items
  }
}

for (const condition of ['ok', 'rate-limited', 'down', 'down from the start'] as Condition[]) {
  t.test(`@spotify/web-api-ts-sdk, Spotify ${condition}`, async t => {
    const r = await scenario(t, condition, connect)
    if (condition === 'ok') {
      t.same(sourcesFor(r, '/v1/audio-features/'), ['csv'], 'audio features: closed upstream, answered from the CSV')
      t.ok(r.double.requests.some(q => /^\/v1\/tracks\/[^?]+$/.test(q.url)), 'several tracks fanned out to single ones')
    }
  })
}
