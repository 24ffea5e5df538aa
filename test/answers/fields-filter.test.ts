// The `fields` filter on its own: Spotify's documented examples and the cases the spec leaves open.
import t from 'tap'
import { applyFields, FieldsFilterError, MAX_FIELDS_LENGTH, parseFields } from '../../src/answers/fields-filter.js'

const track = (name: string): Record<string, unknown> => ({
  album: { external_urls: { spotify: 'https://open.spotify.com/album/A' }, href: 'https://api/albums/A', images: [], name: `${name} LP` },
  href: `https://api/tracks/${name}`,
  name,
  uri: `spotify:track:${name}`
})

const item = (name: string, addedBy: string | null): Record<string, unknown> => ({
  added_at: '2024-01-01T00:00:00Z',
  added_by: addedBy === null ? null : { id: addedBy, type: 'user' },
  is_local: false,
  item: track(name),
  track: track(name)
})

const page = (): Record<string, unknown> => ({
  href: 'https://api/playlists/P/tracks?offset=0&limit=2',
  items: [item('One', 'ann'), item('Two', null)],
  limit: 2,
  next: null,
  offset: 0,
  previous: null,
  total: 2
})

const PLAYLIST = {
  description: '',
  name: 'Road trip',
  owner: { display_name: 'Ann', id: 'ann', type: 'user' },
  tracks: page(),
  items: page(),
  type: 'playlist',
  uri: 'spotify:playlist:P'
}

const withItems = (items: unknown): Record<string, unknown> => ({ ...page(), items })

interface Case { name: string, fields: string, on?: unknown, want: unknown }

const CASES: Case[] = [
  { name: 'empty filter: everything', fields: '', want: PLAYLIST },
  { name: 'blank filter: everything', fields: '  ', want: PLAYLIST },
  { name: 'one field', fields: 'name', want: { name: 'Road trip' } },
  { name: 'several, in the object\'s own order', fields: 'uri,name', want: { name: 'Road trip', uri: 'spotify:playlist:P' } },
  { name: 'spec: description,uri', fields: 'description,uri', want: { description: '', uri: 'spotify:playlist:P' } },
  { name: 'dot into an object', fields: 'owner.id', want: { owner: { id: 'ann' } } },
  { name: 'parentheses into an object', fields: 'owner(id,display_name)', want: { owner: { display_name: 'Ann', id: 'ann' } } },
  { name: 'dots chain', fields: 'tracks.items.track.name', want: { tracks: { items: [{ track: { name: 'One' } }, { track: { name: 'Two' } }] } } },
  {
    name: 'spec: tracks.items(added_at,added_by.id); a null object stays null',
    fields: 'tracks.items(added_at,added_by.id)',
    want: { tracks: { items: [{ added_at: '2024-01-01T00:00:00Z', added_by: { id: 'ann' } }, { added_at: '2024-01-01T00:00:00Z', added_by: null }] } }
  },
  {
    name: 'spec: tracks.items(track(name,href,album(name,href)))',
    fields: 'tracks.items(track(name,href,album(name,href)))',
    want: {
      tracks: {
        items: ['One', 'Two'].map(n => ({ track: { album: { href: 'https://api/albums/A', name: `${n} LP` }, href: `https://api/tracks/${n}`, name: n } }))
      }
    }
  },
  {
    name: 'spec: album(!name,href) keeps the album without its name',
    fields: 'tracks.items(track(name,album(!name,href)))',
    want: {
      tracks: {
        items: ['One', 'Two'].map(n => ({ track: { album: { external_urls: { spotify: 'https://open.spotify.com/album/A' }, href: 'https://api/albums/A', images: [] }, name: n } }))
      }
    }
  },
  {
    name: 'spec (/items): items.track.album(!external_urls,images), dot through the items array',
    on: page(),
    fields: 'items.track.album(!external_urls,images)',
    want: { items: ['One', 'Two'].map(n => ({ track: { album: { href: 'https://api/albums/A', images: [], name: `${n} LP` } } })) }
  },
  { name: 'spec (/items): total,limit', on: page(), fields: 'total,limit', want: { limit: 2, total: 2 } },
  {
    name: 'new names: items.items(item(name))',
    fields: 'items.items(item(name))',
    want: { items: { items: [{ item: { name: 'One' } }, { item: { name: 'Two' } }] } }
  },
  {
    name: 'old names on the same answer: tracks.items(track(name))',
    fields: 'tracks.items(track(name))',
    want: { tracks: { items: [{ track: { name: 'One' } }, { track: { name: 'Two' } }] } }
  },
  {
    name: 'spec (GET /playlists/{id}): items(added_by.id,track(name)) selects inside the paging object\'s items',
    fields: 'items(added_by.id,track(name))',
    want: { items: { items: [{ added_by: { id: 'ann' }, track: { name: 'One' } }, { added_by: null, track: { name: 'Two' } }] } }
  },
  {
    name: 'paging fields and item fields side by side',
    fields: 'tracks(total,next,track(name))',
    want: { tracks: { items: [{ track: { name: 'One' } }, { track: { name: 'Two' } }], next: null, total: 2 } }
  },
  { name: '!field drops it and keeps the rest', on: { a: 1, b: 2, c: 3 }, fields: '!b', want: { a: 1, c: 3 } },
  { name: 'several exclusions', on: { a: 1, b: 2, c: 3 }, fields: '!a,!c', want: { b: 2 } },
  { name: 'a plain name beside an exclusion is a no-op', on: { a: 1, b: 2, c: 3 }, fields: 'a,!b', want: { a: 1, c: 3 } },
  {
    name: '!a.b keeps a without b',
    fields: '!owner.display_name,!tracks,!items',
    want: { description: '', name: 'Road trip', owner: { id: 'ann', type: 'user' }, type: 'playlist', uri: 'spotify:playlist:P' }
  },
  {
    name: '!a(b,c) keeps a without b and c',
    on: { owner: PLAYLIST.owner, name: 'x' },
    fields: '!owner(id,display_name)',
    want: { owner: { type: 'user' }, name: 'x' }
  },
  {
    name: 'an exclusion inside a paging object reaches its items',
    on: page(),
    fields: '!added_by,!item,!track',
    want: withItems([{ added_at: '2024-01-01T00:00:00Z', is_local: false }, { added_at: '2024-01-01T00:00:00Z', is_local: false }])
  },
  { name: 'excluding a paging field', on: page(), fields: '!items,!href', want: { limit: 2, next: null, offset: 0, previous: null, total: 2 } },
  { name: 'a plain name wins over a refinement of it', fields: 'owner,owner.id', want: { owner: PLAYLIST.owner } },
  { name: 'refinements of one field merge', fields: 'owner.id,owner.type', want: { owner: { id: 'ann', type: 'user' } } },
  { name: 'a repeated name', fields: 'name,name', want: { name: 'Road trip' } },
  { name: 'unknown names select nothing', fields: 'nope,owner.nope', want: { owner: {} } },
  { name: 'a sub-selection of a scalar keeps the scalar', fields: 'name.first', want: { name: 'Road trip' } },
  { name: 'whitespace around names', fields: ' name , owner( id ) ', want: { name: 'Road trip', owner: { id: 'ann' } } },
  { name: 'forgiving: a stray )', fields: 'name)', want: { name: 'Road trip' } },
  { name: 'forgiving: an unclosed (', fields: 'owner(id', want: { owner: { id: 'ann' } } },
  { name: 'forgiving: empty names', fields: ',,name,', want: { name: 'Road trip' } },
  { name: 'forgiving: empty parentheses select the whole field', fields: 'owner()', want: { owner: PLAYLIST.owner } },
  { name: 'forgiving: nothing nameable selects nothing', fields: '()', want: {} },
  { name: 'arrays at the top apply per element', on: [{ a: 1, b: 2 }, { a: 3 }], fields: 'a', want: [{ a: 1 }, { a: 3 }] }
]

t.test('applyFields', async t => {
  for (const c of CASES) {
    const on = c.on ?? PLAYLIST
    const before = structuredClone(on)
    t.strictSame(applyFields(on, c.fields), c.want, `${c.name} (${JSON.stringify(c.fields)})`)
    t.same(on, before, `${c.name}: the input is not changed`)
  }
  t.equal(JSON.stringify(applyFields(PLAYLIST, 'uri,name')), '{"name":"Road trip","uri":"spotify:playlist:P"}', 'key order is the object\'s')
})

t.test('parseFields', async t => {
  t.same(parseFields('a,b.c'), [{ name: 'a', exclude: false, sub: null }, { name: 'b', exclude: false, sub: [{ name: 'c', exclude: false, sub: null }] }])
  t.same(parseFields('!a.b'), [{ name: 'a', exclude: true, sub: [{ name: 'b', exclude: true, sub: null }] }], '! reaches the leaf of a path')
  t.same(parseFields('!a(b(c),d)'), [{
    name: 'a',
    exclude: true,
    sub: [{ name: 'b', exclude: true, sub: [{ name: 'c', exclude: true, sub: null }] }, { name: 'd', exclude: true, sub: null }]
  }], '! reaches every leaf of a group')
  t.same(parseFields('a(!b,c)'), [{ name: 'a', exclude: false, sub: [{ name: 'b', exclude: true, sub: null }, { name: 'c', exclude: false, sub: null }] }])
  for (const junk of [')', '(((', '.', '!', ',,', ').(', 'a..b']) {
    t.doesNotThrow(() => parseFields(junk), `${JSON.stringify(junk)} parses`)
  }
  t.same(parseFields('a..b'), [{ name: 'a', exclude: false, sub: null }], 'an empty path step ends the path')
})

t.test('hostile nesting is bounded', async t => {
  const deep = (n: number): Record<string, unknown> => n === 0 ? { leaf: 1, other: 2 } : { a: deep(n - 1), b: n }
  t.strictSame(applyFields(deep(3), 'a.a.a.leaf'), { a: { a: { a: { leaf: 1 } } } }, 'ordinary depths select exactly')
  // Names 1-32 select; the 33rd keeps its field whole and the rest of the path is skipped.
  const path40 = Array.from({ length: 40 }, () => 'a').join('.') + '.leaf'
  let want: unknown = deep(7)
  for (let i = 0; i < 33; i++) want = { a: want }
  t.strictSame(applyFields(deep(40), path40), want)
  t.strictSame(applyFields(deep(40), `${path40},b`), { ...(want as object), b: 40 }, 'entries after a skipped one still count')
  for (const hostile of ['('.repeat(MAX_FIELDS_LENGTH), 'a.'.repeat(MAX_FIELDS_LENGTH / 2), '!a('.repeat(MAX_FIELDS_LENGTH / 4), `${'a('.repeat(MAX_FIELDS_LENGTH / 4)}${')'.repeat(MAX_FIELDS_LENGTH / 2)}`]) {
    t.doesNotThrow(() => applyFields(deep(3), hostile), `${hostile.slice(0, 6)}… (${hostile.length} chars)`)
  }
})

t.test('a filter longer than the cap is refused with a 400; up to it, any shape is applied', async t => {
  for (const long of ['('.repeat(200_000), 'a.'.repeat(100_000), `${'name,'.repeat(MAX_FIELDS_LENGTH / 5)}x`]) {
    const err = t.throws(() => applyFields(PLAYLIST, long)) as FieldsFilterError
    t.ok(err instanceof FieldsFilterError, `${long.slice(0, 6)}… (${long.length} chars)`)
    t.equal(err.statusCode, 400)
    t.match(err.message, `longer than ${MAX_FIELDS_LENGTH} characters`)
  }
  // The shape that took 0.9 s a request when each object re-merged the filter: hundreds of
  // entries, many naming the same field, over a page of items.
  const many = Array.from({ length: 180 }, (_, i) => `items(track(name,album(name${i % 3 === 0 ? ',href' : ''})))`).join(',').slice(0, MAX_FIELDS_LENGTH)
  const applied = applyFields(PLAYLIST, many.slice(0, many.lastIndexOf(',')))
  t.same(applied, applyFields(PLAYLIST, 'items(track(name,album(name,href)))'), 'repeated refinements merge to the same answer')
})
