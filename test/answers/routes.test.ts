// Which requests the library answers at all: the routes README lists, GET only. Everything
// else is null, so the caller sends upstream's own error (or its 502/504).
import t from 'tap'
import { ask, openDemo } from './fixtures/libraries.js'

const demo = (await openDemo(t, t.testdir())).store
const TRACK = '456TLP2AylMogQEbXWp18z'

t.test('the routes served from the library', async t => {
  for (const target of [
    `/v1/tracks/${TRACK}`, `/v1/tracks?ids=${TRACK}`, `/v1/audio-features/${TRACK}`, `/v1/audio-features?ids=${TRACK}`,
    '/v1/me', '/v1/me/tracks', '/v1/me/playlists', '/v1/users/demo-user/playlists', '/v1/search?q=grid&type=track',
    '/v1/me/', '/v1/me/tracks/?limit=2', `/v1/me/tracks/contains?ids=${TRACK}`
  ]) {
    t.equal(ask(demo, target)?.status, 200, target)
  }
  for (const target of ['/v1/playlists/0000000000000000000000', '/v1/playlists/0000000000000000000000/tracks', '/v1/playlists/0000000000000000000000/items']) {
    t.equal(ask(demo, target)?.status, 404, `${target}: answered (not found)`)
  }
  // Catalog albums and artists by id: the library's own (answers/catalog.ts), or not found.
  for (const target of ['/v1/albums/4aawyAB9vmqN3uQ7FjRGTy', '/v1/albums/4aawyAB9vmqN3uQ7FjRGTy/tracks', '/v1/artists/0TnOYISbd1XYRBk9myaseg']) {
    t.equal(ask(demo, target)?.status, 404, `${target}: answered (not found)`)
  }
})

t.test('everything else: null', async t => {
  for (const [method, target] of [
    ['POST', `/v1/tracks/${TRACK}`], ['PUT', '/v1/me/tracks'], ['DELETE', '/v1/me/tracks'], ['HEAD', '/v1/me'], ['get', '/v1/me'],
    ['POST', '/v1/playlists/0000000000000000000000/items'], ['PUT', '/v1/playlists/0000000000000000000000'],
    ['GET', '/v1/albums?ids=4aawyAB9vmqN3uQ7FjRGTy'], ['GET', '/v1/artists/0TnOYISbd1XYRBk9myaseg/top-tracks'], ['GET', '/v1/me/player'],
    ['GET', '/v1/me/albums'], ['GET', '/v1/users/demo-user'], ['GET', '/v1/playlists/0000000000000000000000/followers'],
    ['GET', '/v1/audio-analysis/' + TRACK], ['GET', '/v1/recommendations?seed_tracks=' + TRACK], ['GET', '/v1/markets'],
    ['GET', '/v1/tracks/a/b'], ['GET', '/v1/Tracks/' + TRACK], ['GET', '/v1//tracks'], ['GET', '/v1/'], ['GET', '/v1'],
    ['GET', '/v2/me'], ['GET', '/me'], ['GET', '/v1/users//playlists']
  ]) {
    t.equal(ask(demo, target!, undefined, method), null, `${method} ${target}`)
  }
})

t.test('hostile targets never throw', async t => {
  for (const target of [
    '/v1/tracks/%', '/v1/tracks/%E0%A4%A', '/v1/playlists/%ZZ/items', '/v1/users/%ZZ/playlists', '/v1/search?q=%ZZ&type=track',
    '/v1/search?q=' + '('.repeat(5000) + '&type=track', '/v1/playlists/0000000000000000000000?fields=' + '('.repeat(10000),
    '/v1/me/tracks?limit=1&limit=2', '/v1/tracks?ids=' + ','.repeat(100), '/v1/search?q=a&q=b&type=track&type=album',
    '/v1/me/playlists?offset=' + '9'.repeat(400), '/v1/me?' + '&'.repeat(1000)
  ]) {
    t.doesNotThrow(() => ask(demo, target), target.slice(0, 80))
  }
  t.equal(ask(demo, '/v1/users/%ZZ/playlists')?.status, 200, 'an undecodable user id is just another user')
  t.equal(ask(demo, '/v1/me/tracks?limit=1&limit=2')?.status, 200)
})
