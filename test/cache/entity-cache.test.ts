// EntityCache over a real SQLite file: harvesting every answer shape that carries full tracks or
// audio features, and reading them back in Spotify's several-ids order.
import path from 'node:path'
import t, { type Test } from 'tap'
import { openDatabase } from '../../src/db.js'
import { EntityCache, type SpotifyObject } from '../../src/cache/entity-cache.js'

const API = 'https://api.spotify.com/v1'

// Compact but realistic Spotify objects (field sets from the spec's TrackObject & co).
const artist = (id: string, name: string): SpotifyObject => ({
  external_urls: { spotify: `https://open.spotify.com/artist/${id}` }, href: `${API}/artists/${id}`, id, name, type: 'artist', uri: `spotify:artist:${id}`
})
const album = (id: string): SpotifyObject => ({
  album_type: 'album',
  total_tracks: 10,
  available_markets: ['US', 'SE'],
  external_urls: { spotify: `https://open.spotify.com/album/${id}` },
  href: `${API}/albums/${id}`,
  id,
  images: [{ url: 'https://i.scdn.co/image/x', height: 640, width: 640 }],
  name: `Album ${id}`,
  release_date: '2001-03-12',
  release_date_precision: 'day',
  type: 'album',
  uri: `spotify:album:${id}`,
  artists: [artist('0TnOYISbd1XYRBk9myaseg', 'Artist')]
})
const simplifiedTrack = (id: string): SpotifyObject => ({
  artists: [artist('0TnOYISbd1XYRBk9myaseg', 'Artist')],
  available_markets: ['US'],
  disc_number: 1,
  duration_ms: 200_000,
  explicit: false,
  external_urls: { spotify: `https://open.spotify.com/track/${id}` },
  href: `${API}/tracks/${id}`,
  id,
  is_playable: true,
  name: `Song ${id}`,
  preview_url: null,
  track_number: 1,
  type: 'track',
  uri: `spotify:track:${id}`,
  is_local: false
})
const track = (id: string, extra: SpotifyObject = {}): SpotifyObject => ({
  ...simplifiedTrack(id), album: album('4aawyAB9vmqN3uQ7FjRGTy'), external_ids: { isrc: 'USUM70000001' }, popularity: 50, ...extra
})
const localTrack = (): SpotifyObject => ({
  album: { album_type: null, artists: [], available_markets: [], external_urls: {}, href: null, id: null, images: [], name: 'Home Tapes', release_date: null, release_date_precision: null, type: 'album', uri: null },
  artists: [{ external_urls: {}, href: null, id: null, name: 'Me', type: 'artist', uri: null }],
  available_markets: [],
  disc_number: 0,
  duration_ms: 180_000,
  explicit: false,
  external_ids: {},
  external_urls: {},
  href: null,
  id: null,
  is_local: true,
  name: 'Demo 1',
  popularity: 0,
  preview_url: null,
  track_number: 0,
  type: 'track',
  uri: 'spotify:local:Me:Home+Tapes:Demo+1:180'
})
const features = (id: string, danceability = 0.5): SpotifyObject => ({
  acousticness: 0.1,
  analysis_url: `${API}/audio-analysis/${id}`,
  danceability,
  duration_ms: 200_000,
  energy: 0.8,
  id,
  instrumentalness: 0,
  key: 5,
  liveness: 0.1,
  loudness: -5.2,
  mode: 1,
  speechiness: 0.05,
  tempo: 120.0,
  time_signature: 4,
  track_href: `${API}/tracks/${id}`,
  type: 'audio_features',
  uri: `spotify:track:${id}`,
  valence: 0.6
})
const playlistItem = (entity: SpotifyObject, names: 'both' | 'track' | 'item' = 'both'): SpotifyObject => ({
  added_at: '2024-01-02T03:04:05Z',
  added_by: { id: 'alice', type: 'user' },
  is_local: entity.is_local === true,
  ...(names !== 'item' ? { track: entity } : {}),
  ...(names !== 'track' ? { item: entity } : {})
})
const page = (href: string, items: unknown[]): SpotifyObject => ({ href, items, limit: 20, next: null, offset: 0, previous: null, total: items.length })

// 22-character ids, like Spotify's.
const T = (n: number): string => `track${String(n).padStart(17, '0')}`

function fresh (t: Test, clock = { now: 1_000 }): { cache: EntityCache, file: string, clock: { now: number } } {
  const file = path.join(t.testdir(), 'proxy.sqlite')
  const db = openDatabase(file)
  t.teardown(() => db.close())
  return { cache: new EntityCache(db, { now: () => clock.now }), file, clock }
}

const ids = (xs: Array<SpotifyObject | null>): Array<unknown> => xs.map(x => x?.id ?? null)

t.test('harvest finds full tracks in every answer shape', async t => {
  const cases: Array<[string, string, unknown, string[]]> = [
    ['get-track', '/v1/tracks/' + T(1), track(T(1)), [T(1)]],
    ['several tracks (with a null)', `/v1/tracks?ids=${T(2)},nope,${T(3)}`, { tracks: [track(T(2)), null, track(T(3))] }, [T(2), T(3)]],
    ['playlist items page (track + item, item only, track only, a local file)', '/v1/playlists/p/items',
      page(`${API}/playlists/p/items`, [playlistItem(track(T(4))), playlistItem(track(T(5)), 'item'), playlistItem(track(T(6)), 'track'), playlistItem(localTrack())]),
      [T(4), T(5), T(6)]],
    ['playlist object (tracks.items and items.items)', '/v1/playlists/p', {
      collaborative: false,
      description: null,
      id: 'p',
      name: 'P',
      type: 'playlist',
      snapshot_id: 's',
      owner: { id: 'alice', type: 'user' },
      tracks: page(`${API}/playlists/p/tracks`, [playlistItem(track(T(7)), 'track')]),
      items: page(`${API}/playlists/p/items`, [playlistItem(track(T(8)), 'item')])
    }, [T(7), T(8)]],
    ['saved tracks', '/v1/me/tracks', page(`${API}/me/tracks`, [{ added_at: '2024-01-01T00:00:00Z', track: track(T(9)) }]), [T(9)]],
    ['search', '/v1/search?q=x&type=track,album', {
      tracks: page(`${API}/search?q=x&type=track`, [track(T(10)), track(T(11))]),
      albums: page(`${API}/search?q=x&type=album`, [album('4aawyAB9vmqN3uQ7FjRGTy')])
    }, [T(10), T(11)]]
  ]
  for (const [name, p, json, expected] of cases) {
    const { cache } = fresh(t)
    t.equal(cache.harvest(p, null, json), expected.length, `${name}: count`)
    t.same(ids(cache.getTracks(expected, null)), expected, `${name}: stored`)
    t.same(cache.getTracks([expected[0]!], null)[0], track(expected[0]!), `${name}: body kept whole`)
  }
})

t.test('harvest finds audio features, single and several', async t => {
  const { cache } = fresh(t)
  t.equal(cache.harvest(`/v1/audio-features/${T(1)}`, null, features(T(1))), 1)
  t.equal(cache.harvest(`/v1/audio-features?ids=${T(2)},x,${T(3)}`, 'US', { audio_features: [features(T(2)), null, features(T(3))] }), 2)
  t.same(ids(cache.getAudioFeatures([T(3), T(1), 'x', T(2)])), [T(3), T(1), null, T(2)], 'market-independent, request order')
  t.same(cache.getAudioFeatures([T(1)])[0], features(T(1)))
  t.same(cache.stats(), { tracks: 0, audioFeatures: 3 })
})

t.test('simplified tracks, local files and other objects are not stored', async t => {
  const { cache } = fresh(t)
  const albumAnswer = { ...album('4aawyAB9vmqN3uQ7FjRGTy'), tracks: page(`${API}/albums/a/tracks`, [simplifiedTrack(T(1)), simplifiedTrack(T(2))]) }
  t.equal(cache.harvest('/v1/albums/4aawyAB9vmqN3uQ7FjRGTy', null, albumAnswer), 0, 'album tracks are simplified')
  t.equal(cache.harvest('/v1/albums/a/tracks', null, page('x', [simplifiedTrack(T(3))])), 0)
  t.equal(cache.harvest('/v1/playlists/p/items', null, page('x', [playlistItem(localTrack())])), 0, 'local file')
  t.equal(cache.harvest('/v1/playlists/p/items', null, page('x', [playlistItem(track(T(4), { is_local: true }))])), 0, 'is_local with an id')
  t.equal(cache.harvest('/v1/playlists/p/items', null, page('x', [playlistItem({ type: 'episode', id: 'e1', name: 'Ep', show: {} })])), 0, 'episode')
  t.equal(cache.harvest('/v1/x', null, { type: 'track', id: T(5), album: null, artists: [] }), 0, 'album null')
  t.equal(cache.harvest('/v1/x', null, { type: 'track', id: '', album: {}, artists: [] }), 0, 'empty id')
  t.equal(cache.harvest('/v1/x', null, { type: 'audio_features', id: null }), 0, 'features without id')
  t.equal(cache.harvest('/v1/x', null, null), 0)
  t.equal(cache.harvest('/v1/x', null, 'text'), 0)
  t.same(cache.stats(), { tracks: 0, audioFeatures: 0 })
})

t.test('answers shaped by `fields` are not harvested (their tracks may be partial)', async t => {
  const { cache } = fresh(t)
  const partial = page('x', [{ track: { type: 'track', id: T(1), album: { name: 'A' }, artists: [{ name: 'B' }] } }])
  t.equal(cache.harvest('/v1/playlists/p/items?fields=items(track(type,id,album(name),artists(name)))', null, partial), 0)
  t.equal(cache.harvest('/v1/playlists/p?market=US&fields=tracks.items', 'US', partial), 0)
  t.equal(cache.getTracks([T(1)], null)[0], null)
})

t.test('tracks are kept per market; relinked tracks answer for the id that was asked', async t => {
  const { cache } = fresh(t)
  cache.harvest(`/v1/tracks/${T(1)}?market=US`, 'US', track(T(1), { is_playable: true }))
  cache.harvest(`/v1/tracks/${T(1)}?market=SE`, 'SE', track(T(1), { is_playable: false, restrictions: { reason: 'market' } }))
  t.equal(cache.getTracks([T(1)], 'US')[0]?.is_playable, true)
  t.equal(cache.getTracks([T(1)], 'SE')[0]?.is_playable, false)
  t.equal(cache.getTracks([T(1)], null)[0], null, 'no market is its own answer')
  t.equal(cache.getTracks([T(1)], 'DE')[0], null)

  const relinked = track(T(9), { linked_from: { external_urls: {}, href: `${API}/tracks/${T(2)}`, id: T(2), type: 'track', uri: `spotify:track:${T(2)}` } })
  t.equal(cache.harvest(`/v1/tracks?ids=${T(2)}&market=US`, 'US', { tracks: [relinked] }), 1)
  t.equal(cache.getTracks([T(2)], 'US')[0]?.id, T(9), 'stored under linked_from.id')
  t.equal(cache.getTracks([T(9)], 'US')[0], null, 'not under its own id')
})

t.test('getTracks: request order, duplicates kept (as separate objects), null for unknown, minStoredAt', async t => {
  const { cache, clock } = fresh(t)
  cache.harvest('/v1/tracks', null, { tracks: [track(T(1)), track(T(2))] })
  clock.now = 5_000
  cache.harvest('/v1/tracks', null, { tracks: [track(T(3))] })
  const got = cache.getTracks([T(2), 'unknown', T(1), T(2), T(3)], null)
  t.same(ids(got), [T(2), null, T(1), T(2), T(3)])
  t.not(got[0], got[3], 'a duplicate is its own object')
  t.same(ids(cache.getTracks([T(1), T(3)], null, { minStoredAt: 2_000 })), [null, T(3)], 'older than minStoredAt counts as unknown')
  t.same(cache.getTracks([], null), [])
})

t.test('harvest upserts, counts distinct entities, and persists', async t => {
  const { cache, file, clock } = fresh(t)
  const both = playlistItem(track(T(1)))
  t.equal(cache.harvest('/v1/playlists/p/items', null, page('x', [both, both])), 1, 'the same track under track, item and twice: one entity')
  clock.now = 2_000
  cache.harvest(`/v1/tracks/${T(1)}`, null, track(T(1), { popularity: 99 }))
  t.equal(cache.getTracks([T(1)], null)[0]?.popularity, 99, 'newest answer wins')
  t.same(cache.stats(), { tracks: 1, audioFeatures: 0 })

  const db2 = openDatabase(file)
  t.teardown(() => db2.close())
  t.equal(new EntityCache(db2).getTracks([T(1)], null)[0]?.popularity, 99, 'visible to a second connection')
})

t.test('a deeply nested answer cannot overflow the stack', async t => {
  const { cache } = fresh(t)
  let nested: unknown = track(T(1))
  for (let i = 0; i < 200_000; i++) nested = [nested]
  t.equal(cache.harvest('/v1/x', null, nested), 1)
})

t.test('the stored JSON is bounded: the oldest entities go first', async t => {
  const file = path.join(t.testdir(), 'proxy.sqlite')
  const db = openDatabase(file)
  t.teardown(() => db.close())
  const clock = { now: 1_000 }
  const one = Buffer.byteLength(JSON.stringify(track(T(1))))
  const cache = new EntityCache(db, { now: () => clock.now, maxBytes: one * 10 + 5 })
  for (let n = 1; n <= 25; n++) {
    clock.now += 1000
    cache.harvest(`/v1/tracks/${T(n)}`, null, track(T(n)))
  }
  t.ok(cache.bytes <= one * 10 + 5, `within the bound (${cache.bytes} bytes)`)
  t.equal(cache.stats().tracks, 10)
  t.same(ids(cache.getTracks([T(15), T(16), T(25)], null)), [null, T(16), T(25)], 'the newest ten remain')
  // Re-storing an entity replaces its size, it does not add to it.
  clock.now += 1000
  cache.harvest(`/v1/tracks/${T(25)}`, null, track(T(25)))
  t.equal(cache.stats().tracks, 10)
  const reopened = new EntityCache(db, { maxBytes: one * 10 + 5 })
  t.equal(reopened.bytes, cache.bytes, 'the running total matches the table')
})

t.test('a language names its own variant of a track', async t => {
  const { cache } = fresh(t)
  cache.harvest(`/v1/tracks/${T(1)}`, 'JP', track(T(1), { name: '日本語' }), 'ja')
  t.same(ids(cache.getTracks([T(1)], 'JP', { language: 'ja' })), [T(1)])
  t.same(ids(cache.getTracks([T(1)], 'JP')), [null], 'not served without the language')
  t.same(ids(cache.getTracks([T(1)], 'JP', { language: 'en' })), [null], 'nor to another one')
})
