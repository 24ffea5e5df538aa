// GET /v1/me/player/recently-played and /v1/me/top/{tracks,artists} from the streaming history of
// Spotify's account export (library/account-export.ts), in Spotify's shapes. A track played is the
// library's track when the library holds it (by id, or by folded name and artist for the account
// history, which names tracks only); a track the extended history names by id and the library
// lacks is shaped from what the history says of it; one known only by name is left out, never
// invented. With no history imported the library has no answer (the request is a miss).
import { trackOf } from '../library/account-export.js'
import type { PlayedRow } from '../library/history-reader.js'
import { shapeArtist } from '../library/catalog-shapes.js'
import { shapePage, shapeTrack } from '../library/shapes.js'
import { syntheticArtistId } from '../library/synthetic-ids.js'
import type { LibraryStore } from '../library/store.js'
import type { LibraryTrack } from '../library/types.js'
import { resourceHref } from './links.js'
import { MESSAGES, parseInteger, parsePage } from './params.js'
import { badRequest, isAnswer, ok, type Handler } from './types.js'

const DAY = 86_400
/** Spotify's ranges: "approximately last 4 weeks", "approximately last 6 months", "calculated from ~1 year of data". */
const RANGES: Readonly<Record<string, number>> = { short_term: 28 * DAY, medium_term: 182 * DAY, long_term: 365 * DAY }
/** Ranked rows looked at for a top list: a client pages at most 50 at a time. */
const TOP_CANDIDATES = 500

function trackPlayed (store: LibraryStore, row: PlayedRow): LibraryTrack | null {
  if (row.id !== null) {
    const known = store.getTrackById(row.id)
    if (known !== null) return known
    const t = trackOf(row.name, row.artist === '' ? null : row.artist, row.album, `spotify:track:${row.id}`)
    return typeof t === 'string' ? null : t
  }
  return row.artist === '' ? null : store.getTrackByNameArtist(row.name, row.artist)
}

const iso = (seconds: number): string => new Date(seconds * 1000).toISOString()

/** Recently played, most recent first: `limit` 1–50 (20), `before` or `after` in Unix ms (spec). */
export const getRecentlyPlayed: Handler = ({ store, ctx, query }) => {
  const history = store.history
  if (history.latest() === null) return null
  const limit = parseInteger(query.get('limit'), { min: 1, max: 50, fallback: 20 }, MESSAGES.invalidLimit)
  if (isAnswer(limit)) return limit
  const after = query.get('after')
  const before = query.get('before')
  if (after !== null && before !== null) return badRequest('Only one of before and after may be given')
  const cursor = after ?? before
  if (cursor !== null && !/^\d{1,15}$/.test(cursor)) return badRequest(`Invalid ${after !== null ? 'after' : 'before'}`)
  const at = cursor === null ? Number.MAX_SAFE_INTEGER : Math.floor(Number(cursor) / 1000)
  const items: Array<{ track: unknown, played_at: string, context: null, ts: number }> = []
  let from = at
  for (let more = true; more && items.length < limit;) {
    const rows = after !== null ? history.playsAfter(from, limit * 2) : history.playsBefore(from, limit * 2)
    more = rows.length === limit * 2
    for (const row of rows) {
      from = row.ts
      const track = trackPlayed(store, row)
      if (track !== null) items.push({ track: shapeTrack(track, ctx), played_at: iso(row.ts), context: null, ts: row.ts })
      if (items.length === limit) break
    }
  }
  if (after !== null) items.reverse()
  const href = `${ctx.apiBase}/me/player/recently-played`
  const oldest = items.at(-1)?.ts
  const newest = items[0]?.ts
  return ok({
    href: `${href}?${[`limit=${limit}`, ...(cursor === null ? [] : [`${after !== null ? 'after' : 'before'}=${cursor}`])].join('&')}`,
    items: items.map(({ ts, ...item }) => item),
    limit,
    next: oldest === undefined || items.length < limit ? null : `${href}?before=${oldest * 1000}&limit=${limit}`,
    cursors: newest === undefined ? null : { after: String(newest * 1000), before: String(oldest! * 1000) }
  })
}

function range (query: URLSearchParams): number | ReturnType<typeof badRequest> {
  const name = query.get('time_range') ?? 'medium_term'
  return RANGES[name] ?? badRequest('Invalid time range')
}

/** Where a top list's plays start (its `time_range` before the history's last play) and the page asked; null with no history. */
function topWindow (store: LibraryStore, query: URLSearchParams): { since: number, page: { limit: number, offset: number } } | ReturnType<typeof badRequest> | null {
  const latest = store.history.latest()
  if (latest === null) return null
  const span = range(query)
  if (isAnswer(span)) return span
  const page = parsePage(query, { limit: { min: 1, max: 50, fallback: 20 } })
  if (isAnswer(page)) return page
  return { since: latest - span, page }
}

/** The user's top tracks over `time_range`, counted from the history's last play. */
export const getTopTracks: Handler = ({ store, ctx, query, rawQuery }) => {
  const w = topWindow(store, query)
  if (w === null || isAnswer(w)) return w
  const { since, page } = w
  const tracks = store.history.topTracks(since, TOP_CANDIDATES).map(r => trackPlayed(store, r)).filter(t => t !== null)
  const items = tracks.slice(page.offset, page.offset + page.limit).map(t => shapeTrack(t, ctx))
  return ok(shapePage(items, { ...page, total: tracks.length }, resourceHref(ctx, '/me/top/tracks', rawQuery)))
}

/** The user's top artists over `time_range`: the artists the history names, as the library knows them (a synthetic id for one it names without an id). */
export const getTopArtists: Handler = ({ store, ctx, query, rawQuery }) => {
  const w = topWindow(store, query)
  if (w === null || isAnswer(w)) return w
  const { since, page } = w
  const ranked = store.history.topArtists(since, TOP_CANDIDATES)
  const items = ranked.slice(page.offset, page.offset + page.limit).map(a => {
    // The library's artist of that name (its id, genres), else the synthetic id an id-less artist has.
    const id = store.history.artistId(a.artist)
    const artist = store.getArtist(id ?? syntheticArtistId(a.artist))
    return shapeArtist(artist ?? { id: id ?? syntheticArtistId(a.artist), synthetic: id === null, name: a.artist, genres: [] }, ctx)
  })
  return ok(shapePage(items, { ...page, total: ranked.length }, resourceHref(ctx, '/me/top/artists', rawQuery)))
}
