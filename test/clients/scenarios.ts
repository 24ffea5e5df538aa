// What a real script does through a real client library, run at the proxy (on a real port) while
// Spotify, played by the 2026 development-mode double (test/helpers/spotify-2026.ts), is fine,
// rate-limited, out of quota, down, or failing from the start. Each client's test file supplies
// a Client over its own library; this file runs the same script through it and checks every
// answer against the demo CSVs, with where the proxy says it came from (X-Proxy-Source and
// X-Proxy-Fallback-Reason as the client received them) and how many requests reached Spotify.
//
// The proxy runs with SPOTIFY_CSV_CACHE_TTL=0: every answer is stale at once, so a second pass
// has to ask Spotify again and the fallbacks show (with the default TTL the cache would answer).
// Its CSV library is the demo library plus Everything.csv (writeLibrary in spotify-2026.ts): the
// same data the double serves, with one playlist longer than an /items page.
import fs from 'node:fs'
import net, { type AddressInfo } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import type { Test } from 'tap'
import { ALICE, proxyRig, type ProxyRig } from '../helpers/proxy.js'
import { CAFE_CLASSICS, DEEP_FOCUS, EVERYTHING, LIKED, OWNER, PICKS, spotify2026, writeLibrary, type AudioFeatures } from '../helpers/spotify-2026.js'
import { behave, type Behaviour, type RecordedRequest } from '../helpers/upstream-double.js'

// The parts of Spotify's objects the script reads.
export interface User { id: string, display_name: string | null }
export interface Artist { name: string }
export interface Track { id: string, name: string, artists: Artist[], album: { name: string }, external_ids: { isrc?: string }, duration_ms: number }
export interface Features extends AudioFeatures { id: string, type: string }
export interface Paging<T> { href: string, items: T[], limit: number, next: string | null, offset: number, previous: string | null, total: number }
export interface Entry { added_at: string | null, item?: Track, track: Track }
export interface Saved { added_at: string, track: Track }
export interface SimplePlaylist { id: string, name: string, owner: { id: string }, snapshot_id: string, tracks: { total: number }, items?: { total: number } }
export interface Playlist extends Omit<SimplePlaylist, 'tracks' | 'items'> { tracks: Paging<Entry>, items?: Paging<Entry> }

/** An answer as the client gave it, with the proxy's headers on it. */
export interface Seen<T> { body: T, source: string | null, reason: string | null }

export interface PageOptions { limit?: number, offset?: number, fields?: string }

/** The script's calls, each made the way that library makes it. */
export interface Client {
  me: () => Promise<Seen<User>>
  /** GET /v1/me/playlists */
  myPlaylists: (limit: number) => Promise<Seen<Paging<SimplePlaylist>>>
  /** GET /v1/users/{id}/playlists: closed to development-mode apps. */
  userPlaylists: (userId: string, limit: number) => Promise<Seen<Paging<SimplePlaylist>>>
  playlist: (id: string) => Promise<Seen<Playlist>>
  track: (id: string) => Promise<Seen<Track>>
  /** GET /v1/tracks?ids=: closed. */
  tracks: (ids: string[]) => Promise<Seen<Array<Track | null>>>
  /** GET /v1/audio-features/{id}: closed. */
  features: (id: string) => Promise<Seen<Features>>
  /** GET /v1/audio-features?ids=: closed. */
  featuresMany: (ids: string[]) => Promise<Seen<Array<Features | null>>>
  /** GET /v1/playlists/{id}/tracks: closed (renamed /items). */
  playlistTracks: (id: string, opts: PageOptions) => Promise<Seen<Paging<Entry>>>
  saved: (limit: number, offset: number) => Promise<Seen<Paging<Saved>>>
  search: (q: string, limit: number) => Promise<Seen<Paging<Track>>>
}

/** Makes a client pointed at the proxy's origin (and undoes any patching in t's teardown). */
export type Connect = (t: Test, origin: string) => Client

export const CONDITIONS = ['ok', 'rate-limited', 'quota-exceeded', 'down', 'down from the start', 'rate-limited from the start'] as const
export type Condition = typeof CONDITIONS[number]

interface Expect { source: string, reason: string | null }
const UPSTREAM: Expect = { source: 'upstream', reason: null }
const CLOSED: Expect = { source: 'csv', reason: 'endpoint-closed' }

/** What the script asks, pass after pass. */
type Step = 'my playlists' | 'user playlists' | 'playlist' | 'track' | 'several tracks' | 'audio features' | 'several audio features' |
  'playlist page' | 'playlist page with fields' | 'playlist page of 100' | 'saved tracks' | 'search'
const PAGES: ReadonlySet<Step> = new Set(['playlist page', 'playlist page with fields', 'playlist page of 100'])
const FEATURES: ReadonlySet<Step> = new Set(['audio features', 'several audio features'])

const FAILING: Record<Exclude<Condition, 'ok'>, { behaviour: () => Behaviour, reason: string }> = {
  'rate-limited': { behaviour: () => behave.status(429, undefined, { 'retry-after': '30' }), reason: 'rate-limited' },
  'quota-exceeded': { behaviour: () => behave.quotaExceeded(), reason: 'quota-exceeded' },
  down: { behaviour: () => behave.reset(), reason: 'upstream-unreachable' },
  'down from the start': { behaviour: () => behave.reset(), reason: 'upstream-unreachable' },
  'rate-limited from the start': { behaviour: () => behave.status(429, undefined, { 'retry-after': '30' }), reason: 'rate-limited' }
}

/** Where each answer must come from, for a pass under a condition. */
function expectation (condition: Condition, pass: 1 | 2, step: Step): Expect {
  if (condition === 'down from the start' || condition === 'rate-limited from the start') {
    // Nothing was ever cached and no endpoint refused yet: the CSV library answers everything. The
    // playlists then have the ids the library made up for its files (Spotify never named them),
    // which Spotify is not asked for at all.
    return { source: 'csv', reason: step === 'playlist' || PAGES.has(step) ? 'library-id' : FAILING[condition].reason }
  }
  // Audio features: 403 upstream (closed to development-mode apps), remembered; the CSVs answer.
  if (FEATURES.has(step)) return CLOSED
  if (pass === 1) return UPSTREAM
  if (condition === 'ok') {
    // The playlist's snapshot_id, seen unchanged in /me/playlists, keeps its cached pages fresh.
    return PAGES.has(step) ? { source: 'cache', reason: null } : UPSTREAM
  }
  return { source: 'stale', reason: FAILING[condition].reason }
}

/** A port free right now, so the proxy's public URL (SPOTIFY_PROXY_PUBLIC_URL) can name it before it listens. */
export async function freePort (): Promise<number> {
  const server = net.createServer()
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise<void>(resolve => server.close(() => resolve()))
  return port
}

/** Every `href`, `next` and `previous` in `body` that is neither null nor on the proxy. */
export function foreignLinks (body: unknown, origin: string): string[] {
  const out: string[] = []
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) { v.forEach(walk); return }
    if (typeof v !== 'object' || v === null) return
    for (const [k, x] of Object.entries(v)) {
      if ((k === 'href' || k === 'next' || k === 'previous') && x !== null && (typeof x !== 'string' || !x.startsWith(`${origin}/v1/`))) out.push(`${k}: ${String(x)}`)
      else walk(x)
    }
  }
  walk(body)
  return out
}

function describe (err: unknown): string {
  if (typeof err === 'object' && err !== null && 'statusCode' in err) {
    const e = err as { statusCode: number, body?: unknown, headers?: Record<string, string> }
    return `HTTP ${e.statusCode} (${e.headers?.['x-proxy-source'] ?? '?'}) ${JSON.stringify(e.body)}`
  }
  return err instanceof Error ? err.message : String(err)
}

const pathOf = (req: RecordedRequest): string => new URL(req.url, 'http://double').pathname
const featuresOf = (f: Features | null | undefined): unknown => f === null || f === undefined
  ? f
  : { danceability: f.danceability, energy: f.energy, key: f.key, loudness: f.loudness, mode: f.mode, speechiness: f.speechiness, acousticness: f.acousticness, instrumentalness: f.instrumentalness, liveness: f.liveness, valence: f.valence, tempo: f.tempo, time_signature: f.time_signature }
const trackOf = (x: Track | null | undefined): unknown => x === null || x === undefined
  ? x
  : { id: x.id, name: x.name, artists: x.artists.map(a => a.name), album: x.album.name, isrc: x.external_ids.isrc, durationMs: x.duration_ms }
const pick = (p: typeof PICKS[keyof typeof PICKS]): unknown => ({ id: p.id, name: p.name, artists: p.artists, album: p.album, isrc: p.isrc, durationMs: p.durationMs })

/** The playlist link `url` must be: on the proxy, the client's /tracks path, and this offset and limit. */
function checkLink (t: Test, url: string | null, origin: string, playlistId: string, offset: number, limit: number, what: string): void {
  if (url === null) { t.fail(`${what}: null`); return }
  const u = new URL(url)
  t.same([u.origin, u.pathname, u.searchParams.get('offset'), u.searchParams.get('limit')], [origin, `/v1/playlists/${playlistId}/tracks`, String(offset), String(limit)], what)
}

export interface Run { r: ProxyRig, origin: string, client: Client }

/**
 * One client under one condition. 'ok': two passes with Spotify fine. 'rate-limited',
 * 'quota-exceeded', 'down': a pass with Spotify fine, then Spotify fails and the same pass runs
 * again, then a playlist the first pass never read. '… from the start': Spotify answers only
 * /v1/me (so the token is trusted and its user owns the library) and fails everything else.
 */
export async function scenario (t: Test, condition: Condition, connect: Connect): Promise<Run> {
  const port = await freePort()
  const origin = `http://127.0.0.1:${port}`
  // Not under t.testdir(): the rig's own call to it starts that folder afresh.
  const library = fs.mkdtempSync(path.join(os.tmpdir(), 'clients-library-'))
  t.teardown(() => fs.rmSync(library, { recursive: true, force: true }))
  writeLibrary(library)
  const r = await proxyRig(t, { SPOTIFY_CSV_CACHE_TTL: '0', SPOTIFY_PROXY_PUBLIC_URL: origin, SPOTIFY_CSV_BACKUP_PATH: library })
  await r.app.listen({ host: '127.0.0.1', port })
  const spotify = spotify2026(r.double.url)
  const fromStart = condition.endsWith('from the start')
  if (condition !== 'ok' && fromStart) {
    const failing = FAILING[condition].behaviour
    r.double.set(req => (pathOf(req) === '/v1/me' ? spotify(req) : failing()))
  } else {
    r.double.set(spotify)
  }
  const client = connect(t, origin)

  const me = await client.me()
  t.same([me.body.id, me.body.display_name, me.source], [OWNER.id, OWNER.display_name, 'upstream'], 'GET /v1/me: the token is Alice\'s (upstream): trusted, and she owns the library')

  if (fromStart) {
    await t.test(`one pass, Spotify failing (${condition})`, async t => { await pass(t, { r, origin, client }, condition, 1) })
    const reached = r.double.requests.filter(q => pathOf(q) !== '/v1/me').length
    if (condition === 'rate-limited from the start') t.equal(reached, 1, 'one request met the 429; nothing more went upstream during the cooldown')
    else t.ok(reached >= 5 && reached <= 8, `${reached} requests met the dead upstream before the breaker opened (5 failures, plus fan-out requests in flight)`)
    return { r, origin, client }
  }

  await t.test('first pass, Spotify fine', async t => { await pass(t, { r, origin, client }, condition, 1) })
  const firstPass = r.double.requests.slice(1)
  t.same(firstPass.filter(q => /^\/v1\/playlists\/[^/]+\/tracks$/.test(pathOf(q))).map(q => q.url), [], 'no /playlists/{id}/tracks upstream: the proxy asked /items')
  t.same(firstPass.filter(q => pathOf(q).startsWith('/v1/users/')).map(q => q.url), [], 'no /users/{id}/playlists upstream: the proxy asked /me/playlists')
  t.same(firstPass.filter(q => /\/items$/.test(pathOf(q)) && Number(new URL(q.url, 'http://d').searchParams.get('limit')) > 50).map(q => q.url), [], '/items asked with limit ≤ 50')
  t.same(firstPass.filter(q => pathOf(q) === `/v1/playlists/${EVERYTHING.id}/items`).map(q => [...new URL(q.url, 'http://d').searchParams].sort()),
    [[['limit', '50'], ['offset', '0']], [['limit', '50'], ['offset', '50']]], 'a page of 100 was asked as two /items pages of 50')
  t.same(['/v1/tracks', '/v1/audio-features', `/v1/audio-features/${PICKS.greenhouse.id}`].map(p => firstPass.filter(q => pathOf(q) === p).length), [1, 1, 1],
    'each closed endpoint was asked once (403)')

  const before = r.double.requests.length
  if (condition !== 'ok') r.double.set(FAILING[condition].behaviour())
  await t.test(condition === 'ok' ? 'second pass, Spotify fine' : `second pass, Spotify ${condition}`, async t => { await pass(t, { r, origin, client }, condition, 2) })
  const secondPass = r.double.requests.slice(before)
  if (condition === 'ok') {
    t.same(secondPass.filter(q => ['/v1/tracks', '/v1/audio-features'].includes(pathOf(q)) || pathOf(q).startsWith('/v1/audio-features/')).map(q => q.url), [],
      'a refused endpoint is not asked again: several tracks went straight to /tracks/{id}, audio features straight to the CSV')
    t.same(secondPass.filter(q => pathOf(q).endsWith('/items')).map(q => q.url), [], 'playlist pages: none asked again while the snapshot_id is unchanged')
    return { r, origin, client }
  }
  if (condition === 'down') {
    t.ok(secondPass.length >= 5 && secondPass.length <= 8, `${secondPass.length} requests met the dead upstream before the breaker opened (5 failures, plus fan-out requests in flight)`)
    t.equal(r.app.proxy.breaker.state(), 'open', 'the breaker is open')
  } else {
    t.equal(secondPass.length, 1, 'one request met the 429; nothing more went upstream during the cooldown')
  }

  // Something the first pass never asked: only the CSV library can answer it, under the id Spotify
  // gave the playlist (learned from /me/playlists in the first pass; the CSV file has none).
  const during = r.double.requests.length
  const csv: Expect = { source: 'csv', reason: FAILING[condition].reason }
  await t.test('a playlist the first pass never read: from the CSV, under Spotify\'s id', async t => {
    const meta = await client.playlist(CAFE_CLASSICS.id).catch((err: unknown) => { t.fail(`the client threw: ${describe(err)}`); return null })
    if (meta !== null) {
      t.same({ source: meta.source, reason: meta.reason }, csv, 'X-Proxy-Source')
      t.same([meta.body.id, meta.body.name, meta.body.owner.id, meta.body.tracks.total], [CAFE_CLASSICS.id, CAFE_CLASSICS.name, OWNER.id, CAFE_CLASSICS.entries.length], 'the playlist')
    }
    const page = await client.playlistTracks(CAFE_CLASSICS.id, { limit: 10, offset: 5 }).catch((err: unknown) => { t.fail(`the client threw: ${describe(err)}`); return null })
    if (page !== null) {
      t.same({ source: page.source, reason: page.reason }, csv, 'X-Proxy-Source')
      t.same([page.body.total, page.body.items.map(e => e.track.id)], [CAFE_CLASSICS.entries.length, CAFE_CLASSICS.entries.slice(5, 15).map(e => e.track.id)], 'its items 5-14')
      t.same(page.body.items.map(e => e.added_at), CAFE_CLASSICS.entries.slice(5, 15).map(e => e.addedAt), 'added_at as exported')
      checkLink(t, page.body.previous, origin, CAFE_CLASSICS.id, 0, 10, 'previous')
    }
  })
  t.equal(r.double.requests.length - during, 0, 'nothing went upstream for it')
  return { r, origin, client }
}

/** The script: every call, its data checked against the CSVs, its source against `expectation`. */
async function pass (t: Test, run: Run, condition: Condition, n: 1 | 2): Promise<void> {
  const { origin, client } = run
  const fromStart = condition.endsWith('from the start')
  const found: { id: string | null, everything: string | null } = { id: null, everything: null }

  async function step<T> (name: Step, call: () => Promise<Seen<T>>, check: (t: Test, body: T) => void): Promise<void> {
    await t.test(name, async t => {
      let seen: Seen<T>
      try {
        seen = await call()
      } catch (err) {
        t.fail(`the client threw: ${describe(err)}`)
        return
      }
      t.same({ source: seen.source, reason: seen.reason }, expectation(condition, n, name), 'X-Proxy-Source and X-Proxy-Fallback-Reason')
      t.same(foreignLinks(seen.body, origin), [], 'every href/next/previous on the proxy')
      check(t, seen.body)
    })
  }

  const checkLists = (t: Test, body: Paging<SimplePlaylist>): void => {
    const lists = [DEEP_FOCUS, CAFE_CLASSICS, EVERYTHING].map(p => body.items.find(x => x.name === p.name))
    t.ok(lists.every(x => x !== undefined), 'Deep Focus, Café Classics and Everything are listed')
    if (lists.some(x => x === undefined)) return
    const [focus, , everything] = lists as SimplePlaylist[]
    found.id = focus!.id
    found.everything = everything!.id
    // From the start, nothing told the proxy Spotify's ids: the CSV library's own ids are listed.
    if (!fromStart) t.same(lists.map(x => x!.id), [DEEP_FOCUS.id, CAFE_CLASSICS.id, EVERYTHING.id], 'under Spotify\'s ids')
    t.same(lists.map(x => [x!.tracks.total, x!.items?.total]), [[12, 12], [15, 15], [52, 52]], 'totals, under `tracks` and `items`')
    t.same(lists.map(x => x!.owner.id), [OWNER.id, OWNER.id, OWNER.id], 'owned by Alice')
  }

  await step('my playlists', async () => await client.myPlaylists(50), checkLists)
  await step('user playlists', async () => await client.userPlaylists(OWNER.id, 50), checkLists)
  if (found.id === null) {
    t.fail('no Deep Focus to read: the rest of the pass is skipped')
    return
  }
  const id = found.id
  const focusIds = DEEP_FOCUS.entries.map(e => e.track.id)

  await step('playlist', async () => await client.playlist(id), (t, p) => {
    t.same([p.id, p.name, p.owner.id], [id, DEEP_FOCUS.name, OWNER.id], 'id, name, owner')
    t.same([p.tracks.total, p.tracks.items.map(e => e.track.id)], [12, focusIds], 'first page embedded under `tracks`')
    t.same([p.items?.total, p.items?.items.map(e => e.item?.id ?? e.track.id)], [12, focusIds], 'and under `items`')
  })

  await step('track', async () => await client.track(PICKS.greenhouse.id), (t, x) => {
    t.same(trackOf(x), pick(PICKS.greenhouse), 'Greenhouse at Dawn')
  })

  const several = [PICKS.saudade, PICKS.greenhouse, PICKS.paperLanterns, PICKS.yoake]
  await step('several tracks', async () => await client.tracks(several.map(p => p.id)), (t, list) => {
    t.same(list.map(trackOf), several.map(pick), 'every track, in the order asked')
  })

  await step('audio features', async () => await client.features(PICKS.greenhouse.id), (t, f) => {
    t.same([f.id, f.type], [PICKS.greenhouse.id, 'audio_features'], 'id and type')
    t.same(featuresOf(f), PICKS.greenhouse.features, 'the CSV\'s audio features (key -1: none detected)')
  })

  const featured = [PICKS.cafeAuLait, PICKS.clockmaker, PICKS.saudade]
  await step('several audio features', async () => await client.featuresMany(featured.map(p => p.id)), (t, list) => {
    t.same(list.map(f => f?.id), featured.map(p => p.id), 'in the order asked')
    t.same(list.map(featuresOf), featured.map(p => p.features), 'the CSV\'s audio features')
  })

  // Paging by offset, 5 at a time (the way these clients page: neither follows `next`).
  const pages: Array<Paging<Entry>> = []
  for (const offset of [0, 5, 10]) {
    await step('playlist page', async () => await client.playlistTracks(id, { limit: 5, offset }), (t, page) => {
      pages.push(page)
      t.same([page.total, page.limit, page.offset, page.items.length], [12, 5, offset, Math.min(5, 12 - offset)], `total, limit, offset ${offset}`)
      t.same(page.items.map(e => e.track.id), focusIds.slice(offset, offset + 5), 'the entries, in playlist order')
      t.same(page.items.map(e => e.item?.id), focusIds.slice(offset, offset + 5), 'each under `item` too')
      t.same(page.items.map(e => e.added_at), DEEP_FOCUS.entries.slice(offset, offset + 5).map(e => e.addedAt), 'added_at as exported')
      t.equal(new URL(page.href).pathname, `/v1/playlists/${id}/tracks`, 'href: the path the client asked')
      if (offset + 5 < 12) checkLink(t, page.next, origin, id, offset + 5, 5, 'next')
      else t.equal(page.next, null, 'next: null on the last page')
      if (offset > 0) checkLink(t, page.previous, origin, id, offset - 5, 5, 'previous')
      else t.equal(page.previous, null, 'previous: null on the first page')
    })
  }
  t.same(pages.flatMap(p => p.items.map(e => e.track.name)), DEEP_FOCUS.entries.map(e => e.track.name), 'the three pages: the whole playlist')

  await step('playlist page with fields', async () => await client.playlistTracks(id, { limit: 3, offset: 0, fields: 'total,items(track(id,name))' }), (t, page) => {
    t.same(page, { total: 12, items: DEEP_FOCUS.entries.slice(0, 3).map(e => ({ track: { id: e.track.id, name: e.track.name } })) }, 'only the fields asked for')
  })

  // The old /tracks allowed 100 a page, /items 50: the proxy asks two pages and stitches them.
  const everything = fromStart ? found.everything : EVERYTHING.id
  await step('playlist page of 100', async () => await client.playlistTracks(everything ?? '', { limit: 100 }), (t, page) => {
    t.same([page.total, page.limit, page.offset, page.next, page.items.length], [52, 100, 0, null, 52], 'limit 100 (allowed on /tracks), one page of 52')
    t.same(page.items.map(e => e.track.id), EVERYTHING.entries.map(e => e.track.id), 'every entry, in playlist order')
    t.same(page.items.map(e => e.item?.id), EVERYTHING.entries.map(e => e.track.id), 'each under `item` too')
  })

  for (const offset of [0, 25]) {
    await step('saved tracks', async () => await client.saved(5, offset), (t, page) => {
      t.same([page.total, page.offset, page.items.length], [LIKED.length, offset, 5], 'Liked Songs: total 30')
      t.same(page.items.map(s => [s.track.id, s.added_at]), LIKED.slice(offset, offset + 5).map(e => [e.track.id, e.addedAt]), 'newest first')
    })
  }

  for (const p of [PICKS.greenhouse, PICKS.yoake]) {
    await step('search', async () => await client.search(p.name, 10), (t, res) => {
      t.equal(res.items[0]?.id, p.id, `"${p.name}" first`)
      t.ok(res.items.length <= 10 && res.limit === 10, 'at most the limit')
    })
  }
}

export { ALICE }
