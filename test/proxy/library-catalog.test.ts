// Through the proxy: albums and artists by id from the library go to the owner's tokens while
// Spotify cannot be asked (they list the owner's tracks: docs/trust.md), and what Spotify answered for a track fills what the
// track's exports lack in the library's later answers (entity cache → src/library/spotify-facts.ts).
import t from 'tap'
import { ALICE, BOB, DEMO_TRACK, proxyRig } from '../helpers/proxy.js'

const OFFLINE = { 'x-proxy-mode': 'offline' }

t.test('GET /v1/albums/{id} and /v1/artists/{id} from the library, for the owner\'s tokens', async t => {
  const r = await proxyRig(t)
  await r.get('/v1/me') // the proxy learns whose token ALICE is
  await r.get('/v1/me', BOB)
  const track = (await r.get(`/v1/tracks/${DEMO_TRACK}`, ALICE, OFFLINE)).json()
  const album = await r.get(`/v1/albums/${track.album.id}`, ALICE, OFFLINE)
  t.same([album.statusCode, album.headers['x-proxy-source'], album.json().name], [200, 'csv', 'Night Grid'])
  const albumTracks = await r.get(`/v1/albums/${track.album.id}/tracks`, ALICE, OFFLINE)
  t.ok(albumTracks.json().items.some((i: { id: string }) => i.id === DEMO_TRACK), 'the album\'s tracks the library holds')
  const artist = await r.get(`/v1/artists/${track.artists[0].id}`, ALICE, OFFLINE)
  t.same([artist.statusCode, artist.json().name], [200, 'Neon Cartographers'])
  for (const path of [`/v1/albums/${track.album.id}`, `/v1/albums/${track.album.id}/tracks`, `/v1/artists/${track.artists[0].id}`]) {
    const other = await r.get(path, BOB, OFFLINE)
    t.same([other.statusCode, other.headers['x-proxy-source']], [503, 'local'], `another user's token does not learn what the library holds: ${path}`)
    t.notMatch(other.body, /Night Grid|Neon Cartographers/)
  }
  const miss = await r.get('/v1/albums/0000000000000000000000', ALICE, OFFLINE)
  t.same([miss.statusCode, miss.headers['x-proxy-fallback-reason']], [503, 'offline-mode,not-in-library'], 'an unknown album is a miss, not Spotify\'s 404')
  const search = await r.get('/v1/search?q=grid&type=album', ALICE, OFFLINE)
  t.same(search.json().albums.items.map((a: { id: string }) => a.id), [track.album.id])
  t.equal(r.upstreamCount(), 2, 'offline: Spotify asked only for /v1/me, once per user')
})

t.test('Spotify\'s cached answer for a track fills the gaps of its exports in later library answers', async t => {
  const r = await proxyRig(t)
  await r.get('/v1/me')
  const late = (await r.get('/v1/me/playlists', ALICE, OFFLINE)).json().items.find((p: { name: string }) => p.name === 'Late Night Drive')
  const entry = async (): Promise<any> => (await r.get(`/v1/playlists/${late.id}/items?limit=50`, ALICE, OFFLINE)).json().items.find((i: any) => i.track.id === DEMO_TRACK).track
  const before = await entry()
  t.equal(before.album.external_urls.spotify, undefined, 'the export names no album id: a synthetic one')

  const spotify = (await r.get(`/v1/tracks/${DEMO_TRACK}`, ALICE)).json()
  t.match(spotify.album.id, /^[0-9A-Za-z]{22}$/, 'Spotify answered (the double)')
  const after = await entry()
  t.equal(after.album.id, spotify.album.id, 'the album id Spotify gave')
  t.same(after.artists.map((a: { id: string }) => a.id), spotify.artists.map((a: { id: string }) => a.id), 'artist ids too')
  t.equal(after.album.release_date, before.album.release_date, 'what the export knows is kept')
  t.equal(after.name, before.name)
})

t.test('ids the library made up are answered from it while Spotify is up: Spotify knows none of them', async t => {
  const r = await proxyRig(t)
  await r.get('/v1/me')
  await r.get('/v1/me', BOB)
  const late = (await r.get('/v1/me/playlists', ALICE, OFFLINE)).json().items.find((p: { name: string }) => p.name === 'Late Night Drive')
  const track = (await r.get(`/v1/playlists/${late.id}/items?limit=50`, ALICE, OFFLINE)).json().items.find((i: any) => i.track.id === DEMO_TRACK).track
  t.same(track.album.external_urls, {}, 'the export names no album id: the library made one up')
  const before = r.upstreamCount()
  for (const path of [`/v1/albums/${track.album.id}`, `/v1/albums/${track.album.id}/tracks`, `/v1/artists/${track.artists[0].id}`, `/v1/playlists/${late.id}`, `/v1/playlists/${late.id}/items?limit=5`, `/v1/playlists/${late.id}/tracks?limit=5`]) {
    const a = await r.get(path)
    t.same([a.statusCode, a.headers['x-proxy-source'], a.headers['x-proxy-fallback-reason']], [200, 'csv', 'library-id'], `${path}: the library's own answer`)
    const other = await r.get(path, BOB)
    t.same([other.statusCode, other.headers['x-proxy-source'], other.headers['x-proxy-fallback-reason']], [503, 'local', 'library-id,not-in-library'], `${path}: another user's token does not read the owner's library`)
  }
  t.equal(r.upstreamCount(), before, 'Spotify was not asked for any of them')
  const told = await r.get(`/v1/albums/${track.album.id}`, ALICE, { 'x-proxy-mode': 'online' })
  t.equal(told.headers['x-proxy-source'], 'upstream', 'online mode asks Spotify as told')
  t.equal(r.upstreamCount(), before + 1)
  const real = await r.get('/v1/albums/4aawyAB9vmqN3uQ7FjRGTy')
  t.equal(real.headers['x-proxy-source'], 'upstream', 'an id the library did not make up goes to Spotify')
})
