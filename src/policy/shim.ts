// The February 2026 Web API changes, bridged for clients that still call the old endpoints
// (docs/spotify-api.md §3, §7). Pure functions: what to send upstream instead, and how to turn
// the answers back into what the client asked for. The proxy flow decides when to use them.
//
// - /v1/playlists/{id}/tracks was renamed /items (all verbs; GET limit 1-50 instead of 1-100) and
//   is 403 for development-mode apps: a client's /tracks goes upstream as /items, a page of up to
//   100 as two pages of up to 50, stitched; entries carry both `track` and `item`.
// - /v1/users/{id}/playlists is closed: for the token's own user, /v1/me/playlists answers the same.
// - Paging links in upstream answers point at Spotify; rewritten, a client following `next` stays
//   on the proxy.
// - /v1/search takes `limit` 1-10 (was 1-50): once upstream refuses a larger one, a client's page
//   of up to 50 is asked as pages of 10, stitched per result type.
// - Saving, removing and checking saved tracks, albums, episodes, shows and audiobooks moved to
//   /v1/me/library (URIs instead of ids, at most 40 a request): the old calls are sent there.
import { applyFields } from '../answers/fields-filter.js'
import { parsePage } from '../answers/params.js'

/** /items pages are at most this long (QueryLimit). */
export const ITEMS_PAGE_MAX = 50
/** /tracks took up to 100 a page (and defaults to 20, as /items does). */
const TRACKS_PAGE = { limit: { min: 1, max: 100, fallback: 20 } }

const PLAYLIST_TRACKS = /^\/v1\/playlists\/([^/?]+)\/tracks\/?(?:\?(.*))?$/

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

/**
 * For `GET /v1/playlists/{id}/tracks?…`: the /items pages to ask instead, or the 400 Spotify
 * gives for a bad limit/offset; null for any other request. `fields` is not sent upstream: it is
 * applied to the stitched answer, so a filter naming `track` works on `item` answers too.
 */
export function planPlaylistTracks (path: string): PlanResult | null {
  const m = PLAYLIST_TRACKS.exec(path)
  if (m === null) return null
  const rawQuery = m[2] ?? ''
  const query = new URLSearchParams(rawQuery)
  const page = parsePage(query, TRACKS_PAGE)
  if (!('limit' in page)) return { ok: false, status: 400, message: (page.body as { error: { message: string } }).error.message }
  const kept = new URLSearchParams()
  for (const [k, v] of query) if (k !== 'limit' && k !== 'offset' && k !== 'fields') kept.append(k, v)
  const pages: string[] = []
  for (let offset = page.offset, left = page.limit; left > 0; offset += ITEMS_PAGE_MAX, left -= ITEMS_PAGE_MAX) {
    const q = new URLSearchParams(kept)
    q.set('limit', String(Math.min(left, ITEMS_PAGE_MAX)))
    q.set('offset', String(offset))
    pages.push(`/v1/playlists/${m[1]!}/items?${q.toString().replace(/%2C/g, ',')}`)
  }
  return { ok: true, plan: { playlistId: m[1]!, limit: page.limit, offset: page.offset, fields: query.get('fields'), rawQuery, pages } }
}

type Json = Record<string, unknown>

/** Search pages are at most this long since February 2026 (was 50). */
export const SEARCH_PAGE_MAX = 10
/** What /v1/search took before, and still takes for apps with extended quota. */
const SEARCH_PAGE = { limit: { min: 1, max: 50, fallback: 20 }, maxOffset: 1000 }
const SEARCH = /^\/v1\/search\/?(?:\?(.*))?$/
/** The key under which an upstream refusing search limits over 10 is remembered (refusals.ts). */
export const SEARCH_LIMIT_REFUSAL = 'GET /v1/search?limit>10'

export interface SearchPlan {
  limit: number
  offset: number
  /** The client's query, kept for the stitched answer's links. */
  rawQuery: string
  /** Upstream GETs, in order: pages of at most 10. */
  pages: string[]
}

/**
 * For a search asking more than 10 results a type: the pages of 10 to ask instead. Null for any
 * other request, and for a limit or offset out of range (upstream's own 400 then answers).
 */
export function planSearch (path: string): SearchPlan | null {
  const m = SEARCH.exec(path)
  if (m === null) return null
  const rawQuery = m[1] ?? ''
  const query = new URLSearchParams(rawQuery)
  if (!query.has('limit')) return null
  const page = parsePage(query, SEARCH_PAGE)
  if (!('limit' in page) || page.limit <= SEARCH_PAGE_MAX) return null
  const pages: string[] = []
  for (let offset = page.offset, left = page.limit; left > 0 && offset <= SEARCH_PAGE.maxOffset; offset += SEARCH_PAGE_MAX, left -= SEARCH_PAGE_MAX) {
    const q = new URLSearchParams(query)
    q.set('limit', String(Math.min(left, SEARCH_PAGE_MAX)))
    q.set('offset', String(offset))
    pages.push(`/v1/search?${q.toString().replace(/%2C/g, ',')}`)
  }
  return { limit: page.limit, offset: page.offset, rawQuery, pages }
}

/** Whether a search page is the last one for every type it holds: short, or reaching its total. */
export function lastSearchPage (page: Json): boolean {
  return Object.values(page).every(v => !isPaging(v) || v.items.length < SEARCH_PAGE_MAX ||
    (typeof v.offset === 'number' && typeof v.total === 'number' && v.offset + v.items.length >= v.total))
}

/**
 * One search answer from its pages of 10, as upstream gave it before the cut: per type (tracks,
 * artists, …) the items in order, the first page's total, the client's limit and offset, and links
 * on `apiBase` for the client's query.
 */
export function stitchSearchPages (plan: SearchPlan, pages: readonly Json[], apiBase: string): Json {
  const first = pages[0] ?? {}
  const body: Json = {}
  for (const [type, paging] of Object.entries(first)) {
    if (!isPaging(paging)) {
      body[type] = paging
      continue
    }
    const items = pages.flatMap(p => (isPaging(p[type]) ? (p[type] as { items: unknown[] }).items : []))
    const total = typeof paging.total === 'number' ? paging.total : items.length
    body[type] = { ...paging, ...pagingFor(apiBase, '/search', plan, items, total) }
  }
  return body
}

function isPaging (v: unknown): v is Json & { items: unknown[] } {
  return typeof v === 'object' && v !== null && Array.isArray((v as { items?: unknown }).items)
}

/**
 * One paging object from the /items pages, as the client's /tracks would have answered it:
 * entries with both `track` and `item`, its own limit/offset, and links on `apiBase` (the
 * proxy's public `…/v1`) for the client's path. A later page that is not a paging object counts
 * as empty (the playlist ended).
 */
export function stitchPlaylistPages (plan: PlaylistTracksPlan, pages: readonly Json[], apiBase: string): Json {
  const first = pages[0] ?? {}
  const items = pages.flatMap(p => (Array.isArray(p.items) ? p.items as unknown[] : [])).map(withBothNames)
  const total = typeof first.total === 'number' ? first.total : items.length
  const body = pagingFor(apiBase, `/playlists/${plan.playlistId}/tracks`, plan, items, total)
  return plan.fields === null ? body : applyFields(body, plan.fields) as Json
}

/**
 * A paging object for `resource` (the path after `/v1`) as the client asked for it: its limit and
 * offset, and `href`/`next`/`previous` for its own query on `apiBase`.
 */
function pagingFor (apiBase: string, resource: string, ask: { rawQuery: string, limit: number, offset: number }, items: unknown[], total: number): Json {
  const link = (offset: number): string => {
    const q = new URLSearchParams(ask.rawQuery)
    q.set('offset', String(offset))
    q.set('limit', String(ask.limit))
    return `${apiBase}${resource}?${q.toString().replace(/%2C/g, ',')}`
  }
  return {
    href: `${apiBase}${resource}${ask.rawQuery === '' ? '' : `?${ask.rawQuery}`}`,
    items,
    limit: ask.limit,
    next: ask.offset + ask.limit < total ? link(ask.offset + ask.limit) : null,
    offset: ask.offset,
    previous: ask.offset > 0 ? link(Math.max(0, ask.offset - ask.limit)) : null,
    total
  }
}

/** A playlist entry under both its 2026 name (`item`) and the old one (`track`). */
function withBothNames (entry: unknown): unknown {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return entry
  const e = entry as Json
  if (e.item === undefined && e.track !== undefined) return { ...e, item: e.track }
  if (e.track === undefined && e.item !== undefined) return { ...e, track: e.item }
  return e
}

/**
 * A write to /v1/playlists/{id}/tracks, sent to /items: the same query and body, except that
 * DELETE names its list `items` instead of `tracks`. Null for any other request.
 */
export function translatePlaylistWrite (method: string, path: string, body: Buffer | undefined): { path: string, body: Buffer | undefined } | null {
  if (method === 'GET' || method === 'HEAD') return null
  const m = PLAYLIST_TRACKS.exec(path)
  if (m === null) return null
  const target = `/v1/playlists/${m[1]!}/items${m[2] === undefined ? '' : `?${m[2]}`}`
  if (method !== 'DELETE' || body === undefined || body.length === 0) return { path: target, body }
  try {
    const json = JSON.parse(body.toString('utf8')) as unknown
    if (typeof json === 'object' && json !== null && !Array.isArray(json) && 'tracks' in json && !('items' in json)) {
      const { tracks, ...rest } = json as Json
      return { path: target, body: Buffer.from(JSON.stringify({ items: tracks, ...rest })) }
    }
  } catch {
    // Not JSON: upstream judges it as sent.
  }
  return { path: target, body }
}

const USER_PLAYLISTS = /^\/v1\/users\/([^/?]+)\/playlists\/?(\?.*)?$/

/** The user id of a `GET /v1/users/{id}/playlists` request, or null. */
export function userPlaylistsOwner (path: string): string | null {
  const m = USER_PLAYLISTS.exec(path)
  if (m === null) return null
  try {
    return decodeURIComponent(m[1]!)
  } catch {
    return null
  }
}

/** `/v1/users/{id}/playlists?q` → `/v1/me/playlists?q`. */
export function ownPlaylistsPath (path: string): string {
  return path.replace(USER_PLAYLISTS, (_all, _id, query: string | undefined) => `/v1/me/playlists${query ?? ''}`)
}

const LINK_FIELDS = new Set(['href', 'next', 'previous'])

/**
 * Rewrites `href`, `next` and `previous` strings that start with one of `from` (Spotify's API
 * bases, ending in `/v1`) to start with `to` instead, everywhere in `json`, in place. Walks
 * iteratively (a deep body cannot overflow the stack). Returns how many links changed.
 */
export function rewriteLinks (json: unknown, from: readonly string[], to: string): number {
  let changed = 0
  const stack: unknown[] = [json]
  while (stack.length > 0) {
    const node = stack.pop()
    if (typeof node !== 'object' || node === null) continue
    if (Array.isArray(node)) {
      for (const v of node) if (typeof v === 'object' && v !== null) stack.push(v)
      continue
    }
    const o = node as Json
    for (const key of Object.keys(o)) {
      const v = o[key]
      if (typeof v === 'string') {
        if (!LINK_FIELDS.has(key)) continue
        for (const base of from) {
          if (v === base || v.startsWith(`${base}/`) || v.startsWith(`${base}?`)) {
            o[key] = to + v.slice(base.length)
            changed++
            break
          }
        }
      } else if (typeof v === 'object' && v !== null) {
        stack.push(v)
      }
    }
  }
  return changed
}

// Endpoints Spotify has closed to development-mode apps: a 403 there is about the app, not the
// user or the resource, so it is remembered (refusals.ts) and not asked again for a while.
const CLOSED: ReadonlyArray<[RegExp, string]> = [
  [/^\/v1\/tracks\?/, 'GET /v1/tracks?ids'],
  [/^\/v1\/audio-features\?/, 'GET /v1/audio-features?ids'],
  [/^\/v1\/audio-features\/[^/?]+(\?|$)/, 'GET /v1/audio-features/{id}'],
  [/^\/v1\/audio-analysis\/[^/?]+(\?|$)/, 'GET /v1/audio-analysis/{id}'],
  [/^\/v1\/albums\?/, 'GET /v1/albums?ids'],
  [/^\/v1\/artists\?/, 'GET /v1/artists?ids'],
  [/^\/v1\/artists\/[^/?]+\/top-tracks(\?|$)/, 'GET /v1/artists/{id}/top-tracks'],
  [/^\/v1\/artists\/[^/?]+\/related-artists(\?|$)/, 'GET /v1/artists/{id}/related-artists'],
  [/^\/v1\/recommendations(\?|$)/, 'GET /v1/recommendations'],
  [/^\/v1\/playlists\/[^/?]+\/tracks\/?(\?|$)/, 'GET /v1/playlists/{id}/tracks'],
  [/^\/v1\/users\/[^/?]+\/playlists\/?(\?|$)/, 'GET /v1/users/{id}/playlists']
]

/** The closed endpoint a GET belongs to, e.g. `GET /v1/tracks?ids`, or null. */
export function closedEndpoint (method: string, path: string): string | null {
  if (method !== 'GET') return null
  for (const [re, name] of CLOSED) if (re.test(path)) return name
  return null
}

// Library types whose save/remove/contains calls moved to /v1/me/library, and their URI kind.
const LIBRARY_KINDS: Readonly<Record<string, string>> = { tracks: 'track', albums: 'album', episodes: 'episode', shows: 'show', audiobooks: 'audiobook' }
const SAVED = /^\/v1\/me\/(tracks|albums|episodes|shows|audiobooks)\/?(?:\?(.*))?$/
const SAVED_CONTAINS = /^\/v1\/me\/(tracks|albums|episodes|shows|audiobooks)\/contains\/?(?:\?(.*))?$/
/** URIs /v1/me/library takes in one request. */
export const LIBRARY_URIS_MAX = 40

/**
 * `PUT`/`DELETE /v1/me/{tracks|albums|…}` with ids in the query (`ids=a,b`) or the body
 * (`{"ids": […]}`, a bare array, or `{"timestamped_ids": [{"id": …}]}`, whose dates
 * /me/library cannot keep):
 * the /v1/me/library requests that do the same, at most 40 URIs each. Null for any other request,
 * and when no ids can be read (upstream then judges the request as sent).
 */
export function translateLibraryWrite (method: string, path: string, body: Buffer | undefined): string[] | null {
  if (method !== 'PUT' && method !== 'DELETE') return null
  const m = SAVED.exec(path)
  if (m === null) return null
  const ids = idsFromQuery(m[2]) ?? idsFromBody(body)
  return ids === null ? null : libraryPaths('/v1/me/library', LIBRARY_KINDS[m[1]!]!, ids)
}

/** `GET /v1/me/{tracks|albums|…}/contains?ids=…`: the /v1/me/library/contains requests to ask instead. */
export function planLibraryContains (path: string): string[] | null {
  const m = SAVED_CONTAINS.exec(path)
  if (m === null) return null
  const ids = idsFromQuery(m[2])
  return ids === null ? null : libraryPaths('/v1/me/library/contains', LIBRARY_KINDS[m[1]!]!, ids)
}

function idsFromQuery (rawQuery: string | undefined): string[] | null {
  const raw = new URLSearchParams(rawQuery ?? '').get('ids')
  if (raw === null) return null
  const ids = raw.split(',').map(id => id.trim()).filter(id => id !== '')
  return ids.length === 0 ? null : ids
}

function idsFromBody (body: Buffer | undefined): string[] | null {
  if (body === undefined || body.length === 0) return null
  let json: unknown
  try {
    json = JSON.parse(body.toString('utf8'))
  } catch {
    return null
  }
  if (typeof json !== 'object' || json === null) return null
  // A bare array is what @spotify/web-api-ts-sdk sends.
  const o = (Array.isArray(json) ? { ids: json } : json) as { ids?: unknown, timestamped_ids?: unknown }
  const list = Array.isArray(o.ids) ? o.ids : Array.isArray(o.timestamped_ids) ? o.timestamped_ids.map(x => (typeof x === 'object' && x !== null ? (x as { id?: unknown }).id : undefined)) : null
  if (list === null || list.length === 0 || !list.every(id => typeof id === 'string' && id !== '')) return null
  return list as string[]
}

function libraryPaths (base: string, kind: string, ids: readonly string[]): string[] {
  const paths: string[] = []
  for (let i = 0; i < ids.length; i += LIBRARY_URIS_MAX) {
    const uris = ids.slice(i, i + LIBRARY_URIS_MAX).map(id => `spotify:${kind}:${encodeURIComponent(id)}`)
    paths.push(`${base}?uris=${uris.join(',')}`)
  }
  return paths
}
