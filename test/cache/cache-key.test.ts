// Cache keys: which requests share an answer, which never may (docs/proxy-pitfalls.md §4.6–4.7).
import t from 'tap'
import { cacheKey as keyOfTarget, canonicalPath } from '../../src/cache/cache-key.js'
import { requestTarget } from '../../src/endpoints.js'

/** A key input as a request gives it: the target as sent (parsed here as the proxy parses it). */
interface KeyInput { method: string, path: string, principal: string | null, country: string | null, language?: string | null }
const cacheKey = (i: KeyInput): string => keyOfTarget({ ...i, target: requestTarget(i.method, i.path) })
const userSpecific = (path: string): boolean => requestTarget('GET', path).data === 'user'
const key = (path: string, over: Partial<KeyInput> = {}): string =>
  cacheKey({ method: 'GET', path, principal: 'alice', country: 'US', ...over })

t.test('userSpecific: /me, playlists, users, from_token and unknown paths are per user; catalog is not', async t => {
  const cases: Array<[string, boolean]> = [
    ['/v1/me', true],
    ['/v1/me/', true],
    ['/v1/me/tracks?limit=5', true],
    ['/v1/me/playlists', true],
    ['/v1/me/player/recently-played', true],
    ['/v1/users/bob/playlists', true],
    ['/v1/users/bob', true],
    ['/v1/playlists/37i9dQZF1DXcBWIGoYBM5M', true],
    ['/v1/playlists/37i9dQZF1DXcBWIGoYBM5M/tracks?offset=100', true],
    ['/v1/playlists/37i9dQZF1DXcBWIGoYBM5M/items', true],
    ['/v1/tracks/11dFghVXANMlKmJXsNCbNl?market=from_token', true],
    ['/v1/tracks?ids=a,b&market=FROM_TOKEN', true],
    ['/v1/ME/tracks', true],
    ['/v1/%6De/tracks', true],
    ['/v1/browse/new-releases', true],
    ['/v1/shows/abc', true],
    ['/v1/episodes/abc', true],
    ['/v1/recommendations?seed_tracks=a', true],
    ['/v1/search?q=x&type=track,episode', true],
    ['/v1/search?q=x&type=audiobook', true],
    ['/v1/tracks/%zz', true],
    ['/v2/tracks/abc', true],
    ['/v1/tracks/11dFghVXANMlKmJXsNCbNl', false],
    ['/v1/tracks?ids=a,b&market=US', false],
    ['/v1/TRACKS/abc', false],
    ['/v1/albums/abc/tracks', false],
    ['/v1/artists/abc/top-tracks?market=SE', false],
    ['/v1/audio-features?ids=a,b', false],
    ['/v1/audio-features/abc', false],
    ['/v1/audio-analysis/abc', false],
    ['/v1/search?q=abba&type=track', false],
    ['/v1/search?q=abba&type=track%2Calbum,artist&type=playlist', false],
    ['/v1/markets', false]
  ]
  for (const [path, expected] of cases) t.equal(userSpecific(path), expected, path)
})

t.test('requests that are the same answer share a key', async t => {
  const same: Array<[string, string, Partial<KeyInput>?]> = [
    ['/v1/tracks?market=US&limit=5', '/v1/tracks?limit=5&market=US'],
    ['/v1/tracks?ids=spotify%3Atrack%3Aa', '/v1/tracks?ids=spotify:track:a'],
    ['/v1/tracks?ids=a%2Cb', '/v1/tracks?ids=a,b'],
    ['/v1/search?q=daft+punk&type=track', '/v1/search?type=track&q=daft%20punk'],
    ['/v1/tracks?ids=a&market=', '/v1/tracks?ids=a'],
    ['/v1/tracks?&ids=a&&flag', '/v1/tracks?ids=a'],
    ['/v1/tracks?ids=a&=x', '/v1/tracks?ids=a'],
    ['/v1/tracks/%41bc', '/v1/tracks/Abc'],
    ['/v1/tracks/abc', '/v1/tracks/abc', { method: 'get' }],
    ['/v1/tracks/abc#frag', '/v1/tracks/abc'],
    // The effective market: from_token resolves to the token's country.
    ['/v1/me/tracks?market=from_token', '/v1/me/tracks?market=US'],
    ['/v1/playlists/p?market=from_token&limit=5', '/v1/playlists/p?limit=5&market=from_token']
  ]
  for (const [a, b, over] of same) t.equal(key(a, over), key(b), `${a} == ${b}`)
})

t.test('requests that may be different answers get different keys', async t => {
  const different: Array<[string, string]> = [
    ['/v1/tracks?ids=b,a', '/v1/tracks?ids=a,b'],
    ['/v1/tracks?ids=a&ids=b', '/v1/tracks?ids=b&ids=a'],
    ['/v1/search?q=a+b&type=track', '/v1/search?q=a%2Bb&type=track'],
    ['/v1/tracks/a%2Fb', '/v1/tracks/a/b'],
    ['/v1/tracks/%zz', '/v1/tracks/%25zz'],
    ['/v1/tracks?ids=%zz', '/v1/tracks?ids=%25zz'],
    ['/v1/tracks/abc', '/v1/tracks/abc/'],
    ['/v1/tracks/abc?market=US', '/v1/tracks/abc?market=SE'],
    ['/v1/tracks/abc?market=us', '/v1/tracks/abc?market=US'],
    ['/v1/tracks/abc', '/v1/tracks/ABC']
  ]
  for (const [a, b] of different) t.not(key(a), key(b), `${a} != ${b}`)
  t.not(key('/v1/tracks/abc'), key('/v1/tracks/abc', { method: 'HEAD' }), 'method')
})

t.test('user-specific answers are keyed by principal; catalog answers are shared', async t => {
  for (const path of ['/v1/me', '/v1/me/tracks', '/v1/playlists/p', '/v1/playlists/p/items', '/v1/users/bob/playlists', '/v1/tracks/abc?market=from_token', '/v1/search?q=x&type=episode']) {
    t.not(key(path, { principal: 'alice' }), key(path, { principal: 'bob' }), `${path} per user`)
    t.not(key(path, { principal: 'alice' }), key(path, { principal: null }), `${path}: no principal is not alice`)
  }
  for (const path of ['/v1/tracks/abc', '/v1/tracks?ids=a,b&market=US', '/v1/albums/x', '/v1/search?q=x&type=track', '/v1/audio-features?ids=a']) {
    t.equal(key(path, { principal: 'alice', country: 'US' }), key(path, { principal: 'bob', country: 'SE' }), `${path} shared`)
    t.equal(key(path, { principal: 'alice' }), key(path, { principal: null }), `${path} shared with no principal`)
  }
  // The same user whose account moved country gets a new key for from_token answers.
  t.not(key('/v1/me/tracks?market=from_token', { country: 'US' }), key('/v1/me/tracks?market=from_token', { country: 'SE' }))
  // Country unknown: from_token stays as is, still keyed by user.
  t.not(key('/v1/tracks/a?market=from_token', { country: null }), key('/v1/tracks/a?market=from_token', { country: null, principal: 'bob' }))
})

t.test('no delimiter collisions', async t => {
  const naive = (i: KeyInput): string => {
    const [p, q = ''] = i.path.split('?')
    const query = new URLSearchParams(q)
    query.sort()
    return `${i.method}:${p}:${[...query].map(([k, v]) => `${k}=${v}`).join('&')}:${i.principal ?? ''}`
  }
  const pairs: Array<[KeyInput, KeyInput]> = [
    // `:` inside a principal vs inside the path.
    [{ method: 'GET', path: '/v1/me', principal: ':y', country: null }, { method: 'GET', path: '/v1/me:', principal: 'y', country: null }],
    // An encoded `&` and `=` inside a value vs two parameters.
    [{ method: 'GET', path: '/v1/tracks?a=1%26b%3D2', principal: null, country: null }, { method: 'GET', path: '/v1/tracks?a=1&b=2', principal: null, country: null }],
    // An encoded `=` inside a key vs inside a value.
    [{ method: 'GET', path: '/v1/tracks?a%3Db=c', principal: null, country: null }, { method: 'GET', path: '/v1/tracks?a=b%3Dc', principal: null, country: null }]
  ]
  for (const [a, b] of pairs) {
    t.equal(naive(a), naive(b), `naive joining collides: ${naive(a)}`)
    t.not(cacheKey(a), cacheKey(b), `${a.path} vs ${b.path}`)
  }
  t.doesNotThrow(() => JSON.parse(cacheKey(pairs[0]![0])), 'the key is JSON')
})

t.test('canonicalPath decodes path segments and keeps the query raw', async t => {
  t.equal(canonicalPath('/v1/playlists/%41bc/items?offset=100&fields=a%2Cb'), '/v1/playlists/Abc/items?offset=100&fields=a%2Cb')
  t.equal(canonicalPath('/v1/me'), '/v1/me')
  t.equal(canonicalPath('/v1/tracks/%zz'), '/v1/tracks/%zz')
  t.equal(canonicalPath('/v1/me/'), '/v1/me/')
})

t.test('a remembered path still keys each caller apart', async t => {
  // The second and third calls for each path take the remembered shape; they must agree with a
  // first computation in a fresh process (the JSON layout) and keep principals and countries apart.
  const personal = '/v1/me/tracks?limit=50&offset=0'
  const a = key(personal, { principal: 'alice' })
  const b = key(personal, { principal: 'bob' })
  t.not(a, b, 'personal paths differ by principal')
  t.equal(key(personal, { principal: 'alice' }), a, 'and are stable')
  t.same(JSON.parse(b).at(-2), 'bob', 'the principal, before the language')
  const catalog = '/v1/tracks/4iV5W9uYEdYUVa79Axb7Rh?market=SE'
  t.equal(key(catalog, { principal: 'alice' }), key(catalog, { principal: 'bob' }), 'catalog paths are shared')
  t.same(JSON.parse(key(catalog)).at(-2), null)
  const fromToken = '/v1/tracks/4iV5W9uYEdYUVa79Axb7Rh?market=from_token'
  t.not(key(fromToken, { country: 'SE' }), key(fromToken, { country: 'DE' }), 'from_token follows the country every time')
  t.equal(key(fromToken, { country: 'SE', principal: 'bob' }), key('/v1/tracks/4iV5W9uYEdYUVa79Axb7Rh?market=SE', { principal: 'bob' }).replace(',null,null]', ',"bob",null]'), 'from_token resolved keys carry the principal')
})
