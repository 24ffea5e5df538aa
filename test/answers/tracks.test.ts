// GET /v1/tracks/{id}, /v1/tracks?ids=, /v1/audio-features/{id} and ?ids= from real libraries.
import path from 'node:path'
import t from 'tap'
import { exportifyFile, importInto, randomTrackId, trackCells, writeLibrary } from '../helpers/library.js'
import { ask, BASE, body, checkSchema, openDemo, openReal, spotifyErr } from './fixtures/libraries.js'

const dir = t.testdir()
const demo = (await openDemo(t, dir)).store
const real = (await openReal(t, dir)).store

const GRID_RUNNER = '456TLP2AylMogQEbXWp18z'
const GREENHOUSE = '1NzkCuszl939j2tb9xPmMQ'
const UNKNOWN = '0000000000000000000000'
// watsonbox W6 English (liked.csv): album and artist URIs, so nothing is null.
const TINH_BAN = '3AK7BhcFM7pyRo5ggu8ido'
const NU_CUOI = '5E5jcIt9MNElcmcpVtjdnl'
// watsonbox W6 German (utz_utz_utz.csv): no audio features in that export.
const BONFIRE = '0QIYINh2AwmOmdu8CRYvlw'

const invalidId = spotifyErr(400, 'invalid id')

t.test('GET /v1/tracks/{id}', async t => {
  const a = ask(demo, `/v1/tracks/${GRID_RUNNER}`)
  t.equal(a?.status, 200)
  const track = a?.body as Record<string, any>
  t.match(track, {
    id: GRID_RUNNER,
    name: 'Grid Runner',
    type: 'track',
    uri: `spotify:track:${GRID_RUNNER}`,
    href: `${BASE}/tracks/${GRID_RUNNER}`,
    duration_ms: 255000,
    popularity: 62,
    external_ids: { isrc: 'SEN7A2200151' },
    artists: [{ name: 'Neon Cartographers' }],
    album: { name: 'Night Grid', release_date: '2022-10-07', release_date_precision: 'day' }
  })
  checkSchema(t, 'TrackObject', track, [])
  t.same(ask(demo, `/v1/tracks/${GRID_RUNNER}?market=DE`), a, 'market is accepted and changes nothing')
  t.same(ask(demo, `/v1/tracks/${GRID_RUNNER}?market=from_token&locale=fr`), a)
  t.same(ask(demo, `/v1/tracks/${GRID_RUNNER}/`), a, 'a trailing slash is tolerated')

  const full = body(real, `/v1/tracks/${TINH_BAN}`)
  t.match(full, { name: 'Tình Bạn Diệu Kỳ', album: { id: '5nguViugbVFvI9y562zEC9' }, artists: [{ id: '4jQZaxfgwiUJFQagCyZNV4' }, {}, {}] })
  checkSchema(t, 'TrackObject', full)
})

t.test('GET /v1/tracks/{id}: Spotify\'s errors', async t => {
  t.same(ask(demo, `/v1/tracks/${UNKNOWN}`), spotifyErr(404, 'non existing id'))
  for (const bad of ['abc', `${GRID_RUNNER}x`, GRID_RUNNER.slice(1), `spotify:track:${GRID_RUNNER}`, 'spotify%3Atrack%3A' + GRID_RUNNER, '%ZZ', `${GRID_RUNNER.slice(0, 21)}-`]) {
    t.same(ask(demo, `/v1/tracks/${bad}`), invalidId, `malformed: ${bad}`)
  }
})

t.test('GET /v1/tracks?ids=', async t => {
  const ids = [GRID_RUNNER, UNKNOWN, GREENHOUSE, GRID_RUNNER, 'not-an-id', `spotify:track:${GREENHOUSE}`]
  const { tracks } = body(demo, `/v1/tracks?ids=${ids.join(',')}&market=US`)
  t.same(tracks.map((x: any) => x?.id ?? null), [GRID_RUNNER, null, GREENHOUSE, GRID_RUNNER, null, null],
    'request order, duplicates kept, null for unknown and malformed ids (URIs are not ids)')
  t.same(tracks[0], body(demo, `/v1/tracks/${GRID_RUNNER}`), 'the same object as GET /tracks/{id}')
  for (const x of tracks.filter((x: unknown) => x !== null)) checkSchema(t, 'TrackObject', x, [])

  const full = body(real, `/v1/tracks?ids=${NU_CUOI},${TINH_BAN}`)
  t.same(full.tracks.map((x: any) => x.name), ['Nụ Cười 18 20', 'Tình Bạn Diệu Kỳ'])
  for (const x of full.tracks) checkSchema(t, 'TrackObject', x)

  t.same(body(demo, `/v1/tracks?ids=${encodeURIComponent(`${GRID_RUNNER}, ${GREENHOUSE}`)}`).tracks.map((x: any) => x.id), [GRID_RUNNER, GREENHOUSE], 'spaces around commas')
})

t.test('GET /v1/tracks?ids=: limits and errors', async t => {
  const fifty = Array.from({ length: 50 }, (_, i) => (i % 2 === 0 ? GRID_RUNNER : UNKNOWN))
  const { tracks } = body(demo, `/v1/tracks?ids=${fifty.join(',')}`)
  t.equal(tracks.length, 50, '50 ids are accepted')
  t.equal(tracks.filter((x: unknown) => x === null).length, 25)
  t.same(ask(demo, `/v1/tracks?ids=${[...fifty, GRID_RUNNER].join(',')}`), spotifyErr(400, 'too many ids requested'))
  t.same(ask(demo, '/v1/tracks'), spotifyErr(400, 'invalid request'), 'no ids at all')
  t.same(ask(demo, '/v1/tracks?market=US'), spotifyErr(400, 'invalid request'))
  t.same(ask(demo, '/v1/tracks?ids='), invalidId, 'an empty id')
  t.same(ask(demo, `/v1/tracks?ids=${GRID_RUNNER},`), invalidId, 'a trailing comma (spotify/web-api#1572)')
  t.same(ask(demo, `/v1/tracks?ids=${GRID_RUNNER},,${GREENHOUSE}`), invalidId)
})

t.test('only music tracks answer as tracks', async t => {
  t.same(ask(real, '/v1/tracks/spotify%3Alocal%3AX%3AY%3AZ%3A1'), invalidId, 'a local file\'s URI is not an id')
  const song = randomTrackId('song')
  const episode = randomTrackId('episode')
  const rows = [trackCells(song, { name: 'Harbour Lights' }), [`spotify:episode:${episode}`, ...trackCells(episode, { name: 'Harbour Talk' }).slice(1)]]
  const lib = writeLibrary(path.join(dir, 'podcast'), { 'Mixed.csv': exportifyFile(rows) })
  const mixed = (await importInto(lib, path.join(dir, 'mixed.sqlite'), t)).store
  t.equal(mixed.getTrackById(episode)?.kind, 'episode', 'the library holds the episode')
  t.same(ask(mixed, `/v1/tracks/${episode}`), spotifyErr(404, 'non existing id'), 'an episode is not a track')
  t.same(body(mixed, `/v1/tracks?ids=${episode},${song}`).tracks.map((x: any) => x?.id ?? null), [null, song])
  t.same(ask(mixed, `/v1/audio-features/${episode}`), spotifyErr(404, 'analysis not found'))
  t.same(body(mixed, '/v1/search?q=harbour&type=track').tracks.items.map((x: any) => x.id), [song], 'search lists tracks only')
  const playlist = mixed.listPlaylists({ limit: 1, offset: 0 }).items[0]!
  t.same(body(mixed, `/v1/playlists/${playlist.id}/items`).items.map((i: any) => i.track.type), ['track', 'episode'], 'playlists keep their episodes')
})

t.test('GET /v1/audio-features/{id}', async t => {
  const f = body(demo, `/v1/audio-features/${GRID_RUNNER}`)
  t.strictSame(f, {
    danceability: 0.583,
    energy: 0.862,
    key: 1,
    loudness: -4.912,
    mode: 0,
    speechiness: 0.0412,
    acousticness: 0.00214,
    instrumentalness: 0.812,
    liveness: 0.186,
    valence: 0.402,
    tempo: 150.011,
    time_signature: 4,
    analysis_url: `${BASE}/audio-analysis/${GRID_RUNNER}`,
    duration_ms: 255000,
    id: GRID_RUNNER,
    track_href: `${BASE}/tracks/${GRID_RUNNER}`,
    type: 'audio_features',
    uri: `spotify:track:${GRID_RUNNER}`
  })
  checkSchema(t, 'AudioFeaturesObject', f)
  const analysisNotFound = spotifyErr(404, 'analysis not found')
  t.same(ask(demo, `/v1/audio-features/${UNKNOWN}`), analysisNotFound, 'unknown track')
  t.same(ask(real, `/v1/audio-features/${BONFIRE}`), analysisNotFound, 'a known track whose export has no features')
  t.same(ask(demo, '/v1/audio-features/nope'), invalidId)
})

t.test('GET /v1/audio-features?ids=', async t => {
  const { audio_features: features } = body(real, `/v1/audio-features?ids=${TINH_BAN},${UNKNOWN},${BONFIRE},${TINH_BAN},bad`)
  t.same(features.map((x: any) => x?.id ?? null), [TINH_BAN, null, null, TINH_BAN, null], 'null for unknown ids and tracks without features')
  checkSchema(t, 'AudioFeaturesObject', features[0])

  const hundred = Array.from({ length: 100 }, () => GREENHOUSE)
  t.equal(body(demo, `/v1/audio-features?ids=${hundred.join(',')}`).audio_features.length, 100)
  t.same(ask(demo, `/v1/audio-features?ids=${[...hundred, GREENHOUSE].join(',')}`), spotifyErr(400, 'too many ids requested'))
  t.same(body(demo, `/v1/audio-features?ids=${GREENHOUSE},`).audio_features.map((x: any) => x.id), [GREENHOUSE], 'a trailing comma is tolerated here')
  t.same(ask(demo, '/v1/audio-features'), spotifyErr(400, 'invalid request'))
  t.same(ask(demo, '/v1/audio-features?ids='), spotifyErr(400, 'invalid request'))
})

t.test('real exports\' odd meters pass through', async t => {
  const odd = [...real.iterateTracks()].filter(x => x.features !== null && x.features.time_signature < 3 && x.id !== null)
  t.ok(odd.length > 0, 'the fixtures hold time signatures below 3')
  for (const x of odd) checkSchema(t, 'AudioFeaturesObject', body(real, `/v1/audio-features/${x.id!}`), ['odd-meter'])
})
