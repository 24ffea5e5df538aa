// Search pages past 10 (February 2026: limit 1-10) through the proxy, with @spotify/web-api-ts-sdk
// 1.2.0 as a script would call it (limit 30, then the next 30), against the development-mode
// double: the client gets the pages it asked for, stitched from pages of 10.
import { SpotifyApi } from '@spotify/web-api-ts-sdk'
import t from 'tap'
import { ALICE, proxyRig } from '../helpers/proxy.js'
import { search, spotify2026 } from '../helpers/spotify-2026.js'
import { freePort } from './scenarios.js'

type Sdk = ReturnType<typeof SpotifyApi.withAccessToken>
type Limit = Parameters<Sdk['search']>[3]

t.test('the SDK asks search for 30 tracks, then the next 30', async t => {
  const port = await freePort()
  const origin = `http://127.0.0.1:${port}`
  const r = await proxyRig(t, { SPOTIFY_PROXY_PUBLIC_URL: origin })
  await r.app.listen({ host: '127.0.0.1', port })
  r.double.set(spotify2026(r.double.url))
  const sdk = SpotifyApi.withAccessToken('test-client-id', { access_token: ALICE, token_type: 'Bearer', expires_in: 3600, refresh_token: '' }, {
    fetch: async (input, init) => await fetch(String(input).replace('https://api.spotify.com', origin), init)
  })
  t.equal((await sdk.currentUser.profile()).id, 'alice', 'the token is trusted')

  const expected = search('e').map(x => x.id)
  t.equal(expected.length, 50, 'the double finds 50 tracks for "e"')
  let before = r.upstreamCount()
  const first = (await sdk.search('e', ['track'], undefined, 30 as Limit)).tracks
  t.same([first.limit, first.offset, first.total, first.items.length], [30, 0, 50, 30])
  t.same(first.items.map(x => x.id), expected.slice(0, 30), 'the first 30, in Spotify\'s order')
  const asked = r.double.requests.slice(before).map(q => new URL(q.url, 'http://d').searchParams)
  t.same(asked.map(q => [q.get('limit'), q.get('offset')]), [['30', null], ['10', '0'], ['10', '10'], ['10', '20']], 'refused as asked, then three pages of 10')

  before = r.upstreamCount()
  const second = (await sdk.search('e', ['track'], undefined, 30 as Limit, 30)).tracks
  t.same([second.limit, second.offset, second.items.length, second.next], [30, 30, 20, null])
  t.same(second.items.map(x => x.id), expected.slice(30), 'the other 20')
  t.equal(r.upstreamCount() - before, 2, 'pages of 10 at once, ending where the total ends')
  t.match(second.previous, new RegExp(`^${origin}/v1/search\\?`), 'links on the proxy')
})
