// What a real script does through a real client library, run at the proxy with Spotify ok,
// rate-limited and down: the same calls must succeed with the same data every time. Each client's
// test file supplies an adapter over its own library; the data to expect comes from the demo
// CSVs (test/helpers/spotify-2026.ts reads them directly).
import type { Test } from 'tap'
import { behave, type RecordedRequest } from '../helpers/upstream-double.js'
import { ALICE, proxyRig, USERS, type ProxyRig } from '../helpers/proxy.js'
import { LIKED, PLAYLISTS, spotify2026, type DemoTrack } from '../helpers/spotify-2026.js'

export interface ClientAdapter {
  me: () => Promise<{ id: string }>
  myPlaylists: () => Promise<Array<{ id: string, name: string }>>
  track: (id: string) => Promise<{ id: string, name: string, artists: Array<{ name: string }> }>
  tracks: (ids: string[]) => Promise<Array<{ id: string, name: string } | null>>
  features: (id: string) => Promise<{ id: string, tempo: number }>
  featuresMany: (ids: string[]) => Promise<Array<{ id: string, tempo: number } | null>>
  playlistItems: (id: string, limit: number, offset: number) => Promise<{ total: number, items: Array<{ track: { id: string, name: string } }> }>
  saved: (limit: number, offset: number) => Promise<{ total: number, items: Array<{ track: { id: string } }> }>
  search: (q: string) => Promise<Array<{ id: string, name: string }>>
}

export type Condition = 'ok' | 'rate-limited' | 'down' | 'down from the start'

const FOCUS = PLAYLISTS.find(p => p.name === 'Deep Focus')!
const SOME = FOCUS.tracks.slice(0, 3)
const NEWEST_LIKED = [...LIKED].sort((a, b) => b.addedAt.localeCompare(a.addedAt))

/** The sources the proxy logged for requests whose path starts with `prefix`, in order. */
export function sourcesFor (r: ProxyRig, prefix: string, from = 0): string[] {
  return r.logs.slice(from).map(l => JSON.parse(l) as { msg: string, path?: string, source?: string })
    .filter(l => l.msg === 'request' && (l.path ?? '').startsWith(prefix)).map(l => l.source!)
}

/** A script's pass over the library, with every result checked against the CSV data. */
export async function pass (t: Test, c: ClientAdapter): Promise<void> {
  const lists = await c.myPlaylists()
  const focus = lists.find(p => p.name === 'Deep Focus')
  t.ok(focus, 'Deep Focus is among my playlists')
  const track = await c.track(SOME[0]!.id)
  t.same([track.id, track.name, track.artists.map(a => a.name)], [SOME[0]!.id, SOME[0]!.name, SOME[0]!.artists], 'a track')
  const several = await c.tracks(SOME.map(s => s.id))
  t.same(several.map(x => x?.name), SOME.map(s => s.name), 'several tracks, in order')
  const features = await c.features(SOME[1]!.id)
  t.same([features.id, features.tempo], [SOME[1]!.id, SOME[1]!.tempo], 'audio features (from the CSV: the endpoint is closed)')
  const many = await c.featuresMany(SOME.map(s => s.id))
  t.same(many.map(f => f?.tempo), SOME.map(s => s.tempo), 'several audio features')
  const pageA = await c.playlistItems(focus!.id, 5, 0)
  const pageB = await c.playlistItems(focus!.id, 5, 5)
  t.equal(pageA.total, FOCUS.tracks.length, 'the playlist\'s total')
  t.same([...pageA.items, ...pageB.items].map(i => i.track.id), FOCUS.tracks.slice(0, 10).map(x => x.id), 'playlist items, paged by offset')
  const saved = await c.saved(5, 0)
  t.equal(saved.total, LIKED.length, 'Liked Songs total')
  t.same(saved.items.map(i => i.track.id), NEWEST_LIKED.slice(0, 5).map((x: DemoTrack) => x.id), 'saved tracks, newest first')
  const found = await c.search(SOME[0]!.name)
  t.equal(found[0]?.id, SOME[0]!.id, 'search finds the track')
}

/**
 * One client under one condition: a first pass while Spotify is fine (except 'down from the
 * start', where only /v1/me answers), then the condition, then the same pass again.
 */
export async function scenario (t: Test, condition: Condition, connect: (origin: string) => ClientAdapter): Promise<ProxyRig> {
  const r = await proxyRig(t, { SPOTIFY_CSV_CACHE_TTL: '0', SPOTIFY_PROXY_PACE_PER_30S: '0' })
  const origin = await r.app.listen({ host: '127.0.0.1', port: 0 })
  const spotify = spotify2026(r.double.url, USERS, 'alice')
  const c = connect(origin)
  if (condition === 'down from the start') {
    r.double.set((req: RecordedRequest) => (req.url === '/v1/me' ? spotify(req) : behave.reset()))
  } else {
    r.double.set(spotify)
  }
  t.equal((await c.me()).id, 'alice', 'the token is Alice\'s')
  if (condition === 'ok' || condition === 'down from the start') {
    await pass(t, c)
    return r
  }
  await pass(t, c)
  if (condition === 'rate-limited') r.double.set(behave.status(429, undefined, { 'retry-after': '60' }))
  else r.double.set(behave.reset())
  const before = r.double.requests.length
  const logFrom = r.logs.length
  await pass(t, c)
  const upstream = r.double.requests.length - before
  if (condition === 'rate-limited') t.equal(upstream, 1, 'one request met the 429; none went upstream during the cooldown')
  const sources = new Set(sourcesFor(r, '/v1/', logFrom))
  t.notOk(sources.has('upstream'), `answers came from ${[...sources].join(', ')}`)
  return r
}

export { ALICE }
