// What the fallback bench asks, route by route, as a seeded stream of requests over the library,
// each with its bearer token, and how to count the items an answer carries.
//
// The CSV routes are asked two ways. "Once": every request of the run is a new one (a page at
// another offset, another set of ids), so every answer is built from the library, however many
// answers the app keeps in memory. "Again and again": the first few of those requests, over and
// over (a script retrying through an outage, or re-reading its playlists offline), so the app's
// kept answers serve them. The cache hits are a fixed set of tracks, each already fetched.
import { Rng } from '../rng.js'
import type { IndexedLibrary } from './library.js'

export type RouteKey = 'items' | 'tracks' | 'several' | 'hit'

export interface RouteSpec {
  key: RouteKey
  /** The same few requests again and again, rather than each request once. */
  repeated: boolean
  /** For the report's table. */
  label: string
  /** The X-Proxy-Source every answer must carry. */
  source: 'csv' | 'cache'
  /** Items every answer must carry. */
  items: number
}

/** Requests of the repeated variants: the first ones of the route's stream. */
export const REPEATED = 50
/** Tracks of the cache-hit route, each fetched once with a token of its own. */
export const HIT_TRACKS = 2000
const SEVERAL_IDS = 50
const SEED = 0x0fa1_1bac

export const LABELS: Record<RouteKey, string> = {
  items: '`GET /v1/playlists/{id}/items?limit=50&offset=N`',
  tracks: '`GET /v1/playlists/{id}/tracks?limit=100&offset=N`',
  several: '`GET /v1/tracks?ids=…` (50 ids)',
  hit: '`GET /v1/tracks/{id}` (fresh cache hit)'
}

const ONCE: Partial<Record<RouteKey, string>> = { items: 'each page once', tracks: 'each page once', several: 'each set of ids once' }

function route (key: RouteKey, source: 'csv' | 'cache', items: number, repeated?: boolean): RouteSpec {
  const label = repeated === undefined ? LABELS[key] : repeated ? repeatedLabel(key, REPEATED) : `${LABELS[key]}, ${ONCE[key]!}`
  return { key, repeated: repeated === true, label, source, items }
}

export function repeatedLabel (key: RouteKey, n: number): string {
  return `${LABELS[key]}, the same ${n} again and again`
}

/**
 * /items accepts 1-50 a page (Spotify's own limit since 2026; limit=100 is a 400 `Invalid limit`),
 * /tracks keeps its pre-2026 maximum of 100: each is measured at its largest page.
 */
export const ROUTES: readonly RouteSpec[] = [
  route('items', 'csv', 50, false),
  route('items', 'csv', 50, true),
  route('tracks', 'csv', 100, false),
  route('tracks', 'csv', 100, true),
  route('several', 'csv', 50, false),
  route('several', 'csv', 50, true),
  route('hit', 'cache', 1)
]

const PAGE_LIMIT: Partial<Record<RouteKey, number>> = { items: 50, tracks: 100 }

export interface BenchRequest {
  path: string
  token: string
  /** Several tracks and hits: the ids asked, in order. */
  ids?: string[]
}

export interface RoutePlan {
  spec: RouteSpec
  /** Distinct requests in the stream (Infinity: never repeats); request i + distinct is request i. */
  distinct: number
  /** The route's i-th request. */
  at: (i: number) => BenchRequest
}

/**
 * The request streams of every route. CSV routes carry the local tokens in turn; the cache hits
 * carry the remote tokens, each with a track of its own, disjoint from the several-tracks ids (a
 * track the hit warm-up fetched is also in the proxy's per-track cache, which would answer part
 * of a several-tracks request instead of the CSV library).
 */
export function planRequests (lib: IndexedLibrary, localTokens: readonly string[], remoteTokens: readonly string[]): RoutePlan[] {
  const rng = new Rng(SEED)
  const ids = shuffle(rng, [...lib.trackIds])
  const hitIds = ids.slice(0, Math.min(HIT_TRACKS, Math.floor(ids.length / 4)))
  const severalPool = ids.slice(hitIds.length)
  if (severalPool.length < SEVERAL_IDS * 2) throw new Error(`the library has ${lib.trackIds.length} music tracks: too few for the bench`)
  const local = (i: number): string => localTokens[i % localTokens.length]!

  const plans: RoutePlan[] = []
  for (const spec of ROUTES) {
    if (spec.repeated) {
      const base = plans.find(p => p.spec.key === spec.key && !p.spec.repeated)!
      // (Fewer when the library has fewer distinct requests: a smoke run's.)
      const n = Math.min(REPEATED, base.distinct)
      plans.push({ spec: { ...spec, label: repeatedLabel(spec.key, n) }, distinct: n, at: i => base.at(i % n) })
      continue
    }
    const limit = PAGE_LIMIT[spec.key]
    if (limit !== undefined) {
      // Every page of the library at every offset (a full page each), in random order, so long
      // playlists weigh in proportion to their length. As [playlist index, offset] pairs.
      const pages: number[] = []
      for (const [p, pl] of lib.playlists.entries()) for (let offset = 0; offset + limit <= pl.trackCount; offset++) pages.push(p * 2 ** 16 + offset)
      if (pages.length === 0) throw new Error(`no request for ${spec.label}: no playlist of ${limit} tracks in the library`)
      shuffle(rng, pages)
      plans.push({
        spec,
        distinct: pages.length,
        at: i => {
          const page = pages[i % pages.length]!
          const id = lib.playlists[Math.floor(page / 2 ** 16)]!.id
          return { path: `/v1/playlists/${id}/${spec.key}?limit=${limit}&offset=${page % 2 ** 16}`, token: local(i) }
        }
      })
    } else if (spec.key === 'several') {
      // A new random set each time (from its own seed, so request i is always the same set).
      plans.push({
        spec,
        distinct: Infinity,
        at: i => {
          const chosen = sample(new Rng(SEED ^ Math.imul(i + 1, 0x9e3779b1)), severalPool, SEVERAL_IDS)
          return { path: `/v1/tracks?ids=${chosen.join(',')}`, token: local(i), ids: chosen }
        }
      })
    } else {
      plans.push({ spec, distinct: hitIds.length, at: i => { const id = hitIds[i % hitIds.length]!; return { path: `/v1/tracks/${id}`, token: remoteTokens[i % remoteTokens.length]!, ids: [id] } } })
    }
  }
  return plans
}

/** Items in an answer that are what was asked: page entries with a track, or the ids asked, in order. */
export function countItems (spec: RouteSpec, req: BenchRequest, body: unknown): number {
  if (!isObject(body)) return 0
  if (spec.key === 'items' || spec.key === 'tracks') {
    const items = Array.isArray(body.items) ? body.items as unknown[] : []
    // /items entries name their track `item`, /tracks entries `track` (the proxy writes both); a
    // local file is a track object too, with a null id, as Spotify sends it.
    return items.filter(e => isObject(e) && isObject(e[spec.key === 'items' ? 'item' : 'track'])).length
  }
  if (spec.key === 'several') {
    const tracks = Array.isArray(body.tracks) ? body.tracks as unknown[] : []
    return tracks.length === req.ids!.length ? tracks.filter((t, i) => isObject(t) && t.id === req.ids![i]).length : 0
  }
  return body.id === req.ids![0] ? 1 : 0
}

function isObject (x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x)
}

function shuffle<T> (rng: Rng, xs: T[]): T[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const k = rng.int(i + 1)
    const t = xs[i]!
    xs[i] = xs[k]!
    xs[k] = t
  }
  return xs
}

/** `n` distinct items of `xs` (n ≤ xs.length), in random order. */
function sample<T> (rng: Rng, xs: readonly T[], n: number): T[] {
  const picked = new Set<number>()
  while (picked.size < n) picked.add(rng.int(xs.length))
  return [...picked].map(i => xs[i]!)
}
