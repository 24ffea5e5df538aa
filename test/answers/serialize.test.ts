// Library answers as JSON bytes: a playlist page writes each entry's track once for both names, and
// reads back equal to what JSON.stringify writes; every other answer is JSON.stringify's own text.
// Non-ASCII text included (the tracks are encoded apart from the rest).
import t from 'tap'
import { answerBytes } from '../../src/answers/serialize.js'
import { ask, openDemo, openReal } from './fixtures/libraries.js'

const dir = t.testdir()
const demo = (await openDemo(t, dir)).store
const real = (await openReal(t, dir)).store

t.test('real playlist pages: equal to JSON.stringify once parsed, each track written once', async t => {
  let pages = 0
  for (const store of [demo, real]) {
    for (const p of store.listPlaylists({ limit: 50, offset: 0 }).items) {
      for (const endpoint of ['tracks?limit=100', 'items?limit=50&offset=3']) {
        const a = ask(store, `/v1/playlists/${p.id}/${endpoint}`)!
        t.equal(a.status, 200)
        const text = answerBytes(a.body).toString()
        const plain = JSON.stringify(a.body)
        t.same(JSON.parse(text), JSON.parse(plain), `${p.name} ${endpoint}`)
        const { items } = a.body as { items: Array<{ track: unknown }> }
        if (items.length > 0) {
          const trackText = JSON.stringify(items[0]!.track)
          t.equal(text.length, plain.length, 'as long (the same members, in another order)')
          t.equal(text.split(trackText).length - 1, 2, 'the first track appears under both names')
          pages++
        }
      }
    }
  }
  t.ok(pages >= 10, `${pages} pages with entries compared`)
})

t.test('answers without shared tracks are JSON.stringify\'s text, byte for byte', async t => {
  const page = ask(demo, '/v1/me/tracks?limit=5')!.body
  const filtered = ask(demo, `/v1/playlists/${demo.listPlaylists({ limit: 1, offset: 0 }).items[0]!.id}/tracks?fields=items(track(name),item(name))`)!.body
  const track = { id: 'x', name: 'a' }
  for (const [name, body] of Object.entries({
    'saved tracks (no item)': page,
    'a fields-filtered page (copies, not one object)': filtered,
    'an error': { error: { status: 404, message: 'Resource not found' } },
    'an empty page': { items: [], total: 0 },
    'an array': [{ track, item: track }],
    null: null,
    'entries with another object under each name': { items: [{ track, item: { ...track } }] },
    'an entry without a track': { items: [{ added_at: null, track: null, item: null }] }
  })) {
    t.equal(answerBytes(body).toString(), JSON.stringify(body), name)
  }
})

t.test('edge shapes of shared-track pages read back the same', async t => {
  const track = { id: 'x', name: 'quote " and \u2028 and \\ and Motörhead 東京 🎧', n: 1 }
  for (const body of [
    { items: [{ track, item: track }] },
    { href: 'h', items: [{ added_at: undefined, track, item: track }], next: null },
    { items: [{ item: track, track, is_local: false }, { track, item: track, extra: [1, { a: 2 }] }], total: 2 }
  ]) {
    t.same(JSON.parse(answerBytes(body).toString()), JSON.parse(JSON.stringify(body)))
  }
})
