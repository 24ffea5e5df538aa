// Library answers as JSON bytes: byte for byte what Buffer.from(JSON.stringify(body)) gives, for
// every kind of answer the library builds (a playlist page's track, shared by `track` and `item`,
// stringified once) and for the odd values JSON.stringify treats in its own way.
import t, { type Test } from 'tap'
import { answerBytes } from '../../src/answers/serialize.js'
import { Rng } from '../../bench/rng.js'
import { ask, openDemo, openReal } from './fixtures/libraries.js'

const dir = t.testdir()
const demo = (await openDemo(t, dir)).store
const real = (await openReal(t, dir)).store

const same = (t: Test, body: unknown, name: string): void => {
  const bytes = answerBytes(body)
  const plain = Buffer.from(JSON.stringify(body))
  t.ok(bytes.equals(plain), name, bytes.equals(plain) ? {} : { found: bytes.toString().slice(0, 300), wanted: plain.toString().slice(0, 300) })
}

t.test('real library answers: the same bytes as JSON.stringify', async t => {
  let pages = 0
  for (const store of [demo, real]) {
    const playlists = store.listPlaylists({ limit: 50, offset: 0 }).items
    const paths = [
      '/v1/me/tracks?limit=50', '/v1/me/tracks?limit=7&offset=3', '/v1/me/playlists?limit=50',
      ...playlists.flatMap(p => [`/v1/playlists/${p.id}/tracks?limit=100`, `/v1/playlists/${p.id}/items?limit=50&offset=3`, `/v1/playlists/${p.id}`,
        `/v1/playlists/${p.id}/tracks?fields=items(track(name),item(name))`])
    ]
    const first = ask(store, paths[0]!)!.body as { items: Array<{ track: { id: string, name: string, album: { id: string }, artists: Array<{ id: string }> } }> }
    for (const e of first.items.slice(0, 5)) {
      paths.push(`/v1/tracks/${e.track.id}`, `/v1/albums/${e.track.album.id}`, `/v1/artists/${e.track.artists[0]!.id}`,
        `/v1/search?type=track,album,artist&q=${encodeURIComponent(e.track.name)}`)
    }
    paths.push(`/v1/tracks?ids=${first.items.slice(0, 20).map(e => e.track.id).join(',')}`, `/v1/audio-features?ids=${first.items.slice(0, 20).map(e => e.track.id).join(',')}`)
    for (const path of paths) {
      const a = ask(store, path)
      if (a === null) continue
      same(t, a.body, path)
      pages++
    }
  }
  t.ok(pages >= 30, `${pages} answers compared`)
})

t.test('a playlist entry\'s track is stringified once for both names', async t => {
  const p = real.listPlaylists({ limit: 1, offset: 0 }).items[0]!
  const body = ask(real, `/v1/playlists/${p.id}/tracks?limit=20`)!.body as { items: Array<{ track: object, item: object }> }
  t.ok(body.items.length > 0 && body.items.every(e => e.track === e.item), 'the page shares each track between track and item')
  let calls = 0
  const stringify = JSON.stringify
  JSON.stringify = ((...args: Parameters<typeof stringify>) => {
    if (body.items.some(e => e.track === args[0])) calls++
    return stringify(...args)
  }) as typeof stringify
  try {
    answerBytes(body)
  } finally {
    JSON.stringify = stringify
  }
  t.equal(calls, body.items.length, 'one stringify per entry\'s track')
})

t.test('values JSON.stringify treats in its own way', async t => {
  const track = { id: 'x', name: 'quote " and \u2028 and \\ and Motörhead 東京 🎧 and a lone \ud800', n: 1 }
  class Thing { a = 1 }
  const cases: Record<string, unknown> = {
    'an error': { error: { status: 404, message: 'Resource not found' } },
    'an empty page': { items: [], total: 0 },
    'an empty object': {},
    'an array of shared tracks': [{ track, item: track }],
    null: null,
    'a string': 'abc',
    'a number': 42,
    'shared tracks with other members between': { href: 'h', items: [{ added_at: undefined, item: track, primary_color: null, track }], next: null },
    'another object under each name': { items: [{ track, item: { ...track } }] },
    'an entry without a track': { items: [{ added_at: null, track: null, item: null }] },
    'undefined, functions and symbols': { a: undefined, b: () => 1, c: Symbol('s'), d: [undefined, () => 1, Symbol('s'), 1], e: 2 },
    'toJSON and dates': { at: new Date(0), custom: { toJSON: () => 'custom' }, items: [{ toJSON: () => ({ deep: [1, 2] }) }] },
    'numbers JSON cannot hold': { a: NaN, b: Infinity, c: -0, d: [NaN, -Infinity], e: 1e21 },
    'keys needing escapes': { 'a"b': 1, 'line\nbreak': { '\u2028': [true, false] }, '': '' },
    'integer-like keys (in JSON\'s order)': { b: 1, 10: 2, 2: 3, a: { 1: 'x', z: 'y', 0: 'w' } },
    'a sparse array': [1, , 3], // eslint-disable-line no-sparse-arrays
    'class instances and null-prototype objects': { t: new Thing(), n: Object.assign(Object.create(null) as object, { a: 1, b: [Object.assign(Object.create(null) as object, { c: 2 })] }) },
    'boxed primitives': { s: Object('str') as unknown, n: Object(1) as unknown, b: Object(false) as unknown },
    'a large leaf': { items: [{ track: { ...track, big: 'y'.repeat(100_000), more: 'ü'.repeat(70_000) } }] },
    'deep nesting': { a: [{ b: [{ c: [{ d: [track, track] }] }] }] }
  }
  for (const [name, body] of Object.entries(cases)) same(t, body, name)
})

t.test('random nested values: the same bytes as JSON.stringify', async t => {
  const rng = new Rng(0x5e71a1)
  const texts = ['', 'a', 'é', '東京', '🎧', '"', '\\', '\n', '\u2028', 'x'.repeat(300), 'ü'.repeat(200)]
  const shared: object[] = [{ s: 1 }, { long: 'z'.repeat(400) }]
  const value = (depth: number): unknown => {
    const k = rng.int(depth > 4 ? 6 : 10)
    switch (k) {
      case 0: return null
      case 1: return rng.int(2) === 0
      case 2: return rng.int(1000) - 500 + (rng.int(2) === 0 ? 0.5 : 0)
      case 3: return rng.pick(texts)
      case 4: return undefined
      case 5: return rng.pick(shared)
      case 6: case 7: return Array.from({ length: rng.int(5) }, () => value(depth + 1))
      default: return Object.fromEntries(Array.from({ length: rng.int(6) }, () => [rng.pick(['a', 'b', 'track', 'item', '1', 'é', 'x"y']), value(depth + 1)]))
    }
  }
  for (let i = 0; i < 500; i++) {
    const body = value(0)
    if (body === undefined) continue
    const bytes = answerBytes(body)
    const plain = Buffer.from(JSON.stringify(body))
    if (!bytes.equals(plain)) {
      t.fail(`value ${i} differs`, { body: JSON.stringify(body).slice(0, 500), found: bytes.toString().slice(0, 500) })
      return
    }
  }
  t.pass('500 random values')
})

t.test('random strings and numbers: escaped and encoded as JSON.stringify does', async t => {
  const rng = new Rng(0x57a1e5)
  // Code units of every kind the writer tells apart: ASCII, escapes, controls, DEL, two- and
  // three-byte UTF-8, surrogate pairs and lone surrogates, \u2028.
  const units = [0x41, 0x7a, 0x20, 0x22, 0x5c, 0x2f, 0x00, 0x01, 0x08, 0x09, 0x0a, 0x0c, 0x0d, 0x1f, 0x7f, 0x80, 0xe9, 0x7ff, 0x800, 0x6771, 0x2028, 0xfffd, 0xffff, 0xd800, 0xdbff, 0xdc00, 0xdfff, 0xd83c, 0xdfa7]
  const strings = Array.from({ length: 2_000 }, () => String.fromCharCode(...Array.from({ length: rng.int(12) }, () => rng.pick(units))))
  const numbers = [0, -0, 1, -1, 9, 10, 99, 100, 1234567890, -987654321, 2 ** 53 - 1, -(2 ** 53 - 1), 2 ** 53, 2 ** 64, 1e21, 1e-7, 0.1 + 0.2, -1.5, 5e-324, Number.MAX_VALUE,
    ...Array.from({ length: 500 }, () => (rng.int(2) === 0 ? 1 : -1) * rng.int(1_000_000_000) / (rng.int(3) === 0 ? 1000 : 1))]
  same(t, { strings, numbers, keys: Object.fromEntries(strings.slice(0, 300).map((s, i) => [s, i])) }, '2,000 strings, 520 numbers, 300 keys')
})
