// GET /v1/me and /v1/me/tracks (Liked Songs) from the demo library and the real fixtures.
import t from 'tap'
import { api, ask, BASE, body, checkSchema, CTX, openDemo, openReal, spotifyErr } from './fixtures/libraries.js'

const dir = t.testdir()
const demo = (await openDemo(t, dir)).store
const real = (await openReal(t, dir)).store

t.test('GET /v1/me: the owner, with only what is known', async t => {
  const me = body(demo, '/v1/me')
  t.strictSame(me, {
    display_name: 'Demo User',
    external_urls: { spotify: 'https://open.spotify.com/user/demo-user' },
    href: `${BASE}/users/demo-user`,
    id: 'demo-user',
    images: [],
    type: 'user',
    uri: 'spotify:user:demo-user'
  })
  t.same(api.validateAgainst('PrivateUserObject', me), [])
  for (const absent of ['country', 'email', 'product', 'explicit_content', 'followers', 'account_id']) t.notOk(absent in me, `no ${absent}`)

  const unnamed = body(demo, '/v1/me', { ...CTX, owner: { id: 'jo.hn+1', displayName: null } })
  t.match(unnamed, { display_name: null, id: 'jo.hn+1', href: `${BASE}/users/jo.hn%2B1`, uri: 'spotify:user:jo.hn+1' })
  t.same(api.validateAgainst('PrivateUserObject', unnamed), ['/display_name must be string'],
    'an unknown name is null, as the spec\'s description says, though its type does not allow it')
})

t.test('GET /v1/me/tracks: Liked Songs, most recently added first', async t => {
  const page = body(demo, '/v1/me/tracks')
  t.match(page, { href: `${BASE}/me/tracks?offset=0&limit=20`, limit: 20, offset: 0, total: 30, previous: null, next: `${BASE}/me/tracks?offset=20&limit=20` })
  t.equal(page.items.length, 20)
  t.strictSame(page.items.slice(0, 3).map((i: any) => [i.track.id, i.added_at]), [
    ['50TY4evMtmFU480Z79J82V', '2026-04-12T21:07:44Z'],
    ['0iq4FdRcSVTqGey49Fx2Bu', '2026-04-04T22:39:56Z'],
    ['436cQ74zKGV2A56VRAZTI9', '2026-03-22T23:04:24Z']
  ])
  t.same(Object.keys(page.items[0]), ['added_at', 'track'])
  checkSchema(t, 'PagingSavedTrackObject', page, [])

  const rest = body(demo, page.next.slice(BASE.length - '/v1'.length))
  t.match(rest, { offset: 20, limit: 20, next: null, previous: `${BASE}/me/tracks?offset=0&limit=20` })
  t.strictSame(rest.items.slice(-2).map((i: any) => [i.track.id, i.added_at]), [
    ['7fsgpDicNpNOfYRCKBYS6V', '2024-12-30T17:07:27Z'],
    ['1R34mvNwllwfJAcbiCuMIN', '2024-12-14T19:53:26Z']
  ])
  const dates = [...page.items, ...rest.items].map((i: any) => i.added_at as string)
  t.same(dates, [...dates].sort().reverse(), 'newest first across pages')
  t.equal(new Set([...page.items, ...rest.items].map((i: any) => i.track.id)).size, 30, 'each song once')
})

t.test('GET /v1/me/tracks: limits', async t => {
  t.equal(body(demo, '/v1/me/tracks?limit=50').items.length, 30)
  t.equal(body(demo, '/v1/me/tracks?limit=1&market=from_token').items.length, 1)
  for (const bad of ['0', '51', 'x']) t.same(ask(demo, `/v1/me/tracks?limit=${bad}`), spotifyErr(400, 'Invalid limit'), `limit=${bad}`)
  t.same(ask(demo, '/v1/me/tracks?offset=-5'), spotifyErr(400, 'Invalid offset'))
  t.same(body(demo, '/v1/me/tracks?offset=30').items, [])
})

t.test('GET /v1/me/tracks: several real Liked Songs exports are one list', async t => {
  const page = body(real, '/v1/me/tracks?limit=50')
  t.equal(page.total, 711)
  t.strictSame(page.items.slice(0, 2).map((i: any) => [i.track.id, i.added_at]), [
    ['3b6RZmPmYzg2mRyfoIznYS', '2026-03-10T13:44:11Z'],
    ['2orh0fTsNokKCIxZ3c4OIN', '2026-03-09T11:29:31Z']
  ])
  checkSchema(t, 'PagingSavedTrackObject', page, [])
  const last = body(real, '/v1/me/tracks?offset=700&limit=50')
  t.same([last.items.length, last.next], [11, null])
  checkSchema(t, 'PagingSavedTrackObject', last)
})

t.test('GET /v1/me/tracks/contains: each id against the Liked Songs, in order', async t => {
  const liked = '456TLP2AylMogQEbXWp18z'
  const notLiked = '5WPzEMeLcuFNHaKWXPmMmW' // in Deep Focus, not saved
  t.strictSame(body(demo, `/v1/me/tracks/contains?ids=${notLiked},${liked},${liked}`), [false, true, true])
  t.strictSame(body(demo, '/v1/me/tracks/contains?ids=0000000000000000000000'), [false], 'an unknown id is simply not saved')
  t.same(ask(demo, '/v1/me/tracks/contains?ids=nope'), spotifyErr(400, 'invalid id'))
  t.equal(ask(demo, `/v1/me/tracks/contains?ids=${Array(51).fill(liked).join(',')}`)?.status, 400, 'at most 50')
  t.equal(ask(demo, '/v1/me/tracks/contains')?.status, 400)
})
