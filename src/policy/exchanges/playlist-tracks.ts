// GET /v1/playlists/{id}/tracks was renamed /items in 2026 (GET limit 1-50 instead of 1-100) and
// is 403 for development-mode apps: asked as /items pages of at most 50 and stitched into the
// page the client asked for, each entry under both its 2026 name (`item`) and the old one
// (`track`); `fields` is applied to the stitched answer, so a filter naming `track` works.
import { applyFields } from '../../answers/fields-filter.js'
import { parsePage } from '../../answers/params.js'
import type { RequestTarget } from '../../endpoints.js'
import { fetchPages, isObject, stitched, type Json } from './pages.js'
import { isPaging, pagingFor, queryString } from './paging.js'
import type { Exchange } from './types.js'

/** /items pages are at most this long (QueryLimit). */
export const ITEMS_PAGE_MAX = 50
/** /tracks took up to 100 a page (and defaults to 20, as /items does). */
const TRACKS_PAGE = { limit: { min: 1, max: 100, fallback: 20 } }
/** The old endpoint, still open to apps with extended quota: remembered once it refuses too. */
const OLD = 'GET /v1/playlists/{id}/tracks'

export interface PlaylistTracksPlan {
  playlistId: string
  limit: number
  offset: number
  fields: string | null
  /** The client's query, kept for the stitched answer's `href`. */
  rawQuery: string
  /** Upstream GETs, in order: /items pages of at most 50 entries. */
  pages: string[]
}

export type PlanResult = { ok: true, plan: PlaylistTracksPlan } | { ok: false, status: 400, message: string }

/** The /items pages to ask instead, or the 400 Spotify gives for a bad limit/offset; null for any other request. */
export function planPlaylistTracks (target: RequestTarget): PlanResult | null {
  if (target.endpoint?.bridge !== 'playlist-tracks') return null
  const page = parsePage(target.params, TRACKS_PAGE)
  if (!('limit' in page)) return { ok: false, status: 400, message: (page.body as { error: { message: string } }).error.message }
  const kept = new URLSearchParams()
  for (const [k, v] of target.params) if (k !== 'limit' && k !== 'offset' && k !== 'fields') kept.append(k, v)
  const id = target.args[0]!
  const pages: string[] = []
  for (let offset = page.offset, left = page.limit; left > 0; offset += ITEMS_PAGE_MAX, left -= ITEMS_PAGE_MAX) {
    const q = new URLSearchParams(kept)
    q.set('limit', String(Math.min(left, ITEMS_PAGE_MAX)))
    q.set('offset', String(offset))
    pages.push(`/v1/playlists/${id}/items?${queryString(q)}`)
  }
  return { ok: true, plan: { playlistId: id, limit: page.limit, offset: page.offset, fields: target.params.get('fields'), rawQuery: target.rawQuery ?? '', pages } }
}

/**
 * One paging object from the /items pages, as the client's /tracks would have answered it. A
 * later page that is not a paging object counts as empty (the playlist ended).
 */
export function stitchPlaylistPages (plan: PlaylistTracksPlan, pages: readonly Json[], apiBase: string): Json {
  const first = pages[0] ?? {}
  const items = pages.flatMap(p => (Array.isArray(p.items) ? p.items as unknown[] : [])).map(withBothNames)
  const total = typeof first.total === 'number' ? first.total : items.length
  const body = pagingFor(apiBase, `/playlists/${plan.playlistId}/tracks`, plan, items, total)
  return plan.fields === null ? body : applyFields(body, plan.fields) as Json
}

/** A playlist entry under both its 2026 name (`item`) and the old one (`track`). */
function withBothNames (entry: unknown): unknown {
  if (!isObject(entry)) return entry
  if (entry.item === undefined && entry.track !== undefined) return { ...entry, item: entry.track }
  if (entry.track === undefined && entry.item !== undefined) return { ...entry, track: entry.item }
  return entry
}

export const playlistTracks: Exchange = {
  name: 'playlist-tracks',
  match: (req) => planPlaylistTracks(req.target)?.ok === true,
  async run (req, io) {
    const { plan } = planPlaylistTracks(req.target) as { ok: true, plan: PlaylistTracksPlan }
    // A short page is the playlist's end: nothing more to ask.
    const got = await fetchPages(io, plan.pages, req.headers, json => (isPaging(json) ? json : null), page => page.items.length < ITEMS_PAGE_MAX)
    if (!got.ok) {
      // /items serves only playlists the user owns or collaborates on; an app with extended
      // quota still reads the others through /tracks, until upstream refuses that too.
      if (got.at === 0 && got.failed.status === 403 && !io.refusals.isRefused(OLD)) {
        const direct = await io.send({ method: 'GET', path: req.target.path, headers: { ...req.headers } })
        if (direct.status === 403) io.refusals.refuse(OLD, 403)
        return direct
      }
      return got.failed
    }
    return stitched(got.first, stitchPlaylistPages(plan, got.pages, io.apiBase), got.ms)
  }
}
