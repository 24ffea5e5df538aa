// GET /v1/playlists/{id}, /v1/playlists/{id}/tracks and /items, /v1/me/playlists and
// /v1/users/{id}/playlists, from the library's playlists (Liked Songs is not one, as on Spotify).
import type { LibraryStore } from '../library/store.js'
import { shapePage, shapePlaylist, shapePlaylistTrack, shapeSimplifiedPlaylist } from '../library/shapes.js'
import type { LibraryPlaylist } from '../library/types.js'
import { applyFields, fieldsProblem } from './fields-filter.js'
import { resourceHref } from './links.js'
import { isSpotifyId, MESSAGES, parsePage, type PageRules } from './params.js'
import { badRequest, isAnswer, notFound, ok, type Handler, type LibraryAnswer } from './types.js'

/** GET /playlists/{id} embeds the first 100 items (docs/spotify-api.md §3.5). */
const EMBEDDED_PAGE = { limit: 100, offset: 0 }

// /tracks keeps its pre-2026 maximum of 100 (sonallux's patch of the spec); /items has the
// shared QueryLimit, 1-50. Both default to 20 (spec).
const ITEM_PAGES: Record<'tracks' | 'items', PageRules> = {
  tracks: { limit: { min: 1, max: 100, fallback: 20 } },
  items: { limit: { min: 1, max: 50, fallback: 20 } }
}

/** Playlist lists: QueryLimit 1-50 (default 20), "Maximum offset: 100.000" (spec). */
const LIST_PAGE: PageRules = { limit: { min: 1, max: 50, fallback: 20 }, maxOffset: 100_000 }

function findPlaylist (store: LibraryStore, id: string): LibraryPlaylist | LibraryAnswer {
  if (!isSpotifyId(id)) return badRequest(MESSAGES.invalidBase62Id)
  const p = store.getPlaylist(id)
  return p === null || p.isLiked ? notFound(MESSAGES.resourceNotFound) : p
}

function filtered (body: unknown, fields: string | null): LibraryAnswer {
  if (fields === null) return ok(body)
  const problem = fieldsProblem(fields)
  return problem === null ? ok(applyFields(body, fields)) : badRequest(problem)
}

export const getPlaylist: Handler = ({ store, ctx, params, query }) => {
  const p = findPlaylist(store, params[0]!)
  if (isAnswer(p)) return p
  const page = store.entriesWithSpotifyFacts(store.getPlaylistTracks(p.id, EMBEDDED_PAGE)!)
  return filtered(shapePlaylist(p, page, ctx), query.get('fields'))
}

export function getPlaylistItems (kind: 'tracks' | 'items'): Handler {
  return ({ store, ctx, params, query, rawQuery }) => {
    const p = findPlaylist(store, params[0]!)
    if (isAnswer(p)) return p
    const page = parsePage(query, ITEM_PAGES[kind])
    if (isAnswer(page)) return page
    const data = store.entriesWithSpotifyFacts(store.getPlaylistTracks(p.id, page)!)
    const href = resourceHref(ctx, `/playlists/${encodeURIComponent(p.id)}/${kind}`, rawQuery)
    return filtered(shapePage(data.items.map(pt => shapePlaylistTrack(pt, ctx)), data, href), query.get('fields'))
  }
}

// The href stays on /me/playlists even where Spotify writes /users/{id}/playlists: that endpoint
// is closed to development-mode apps since 2026, and a client following `next` must land on a live one.
export const getMyPlaylists: Handler = ({ store, ctx, query, rawQuery }) => {
  const page = parsePage(query, LIST_PAGE)
  if (isAnswer(page)) return page
  const data = store.listPlaylists(page)
  return ok(shapePage(data.items.map(p => shapeSimplifiedPlaylist(p, ctx)), data, resourceHref(ctx, '/me/playlists', rawQuery)))
}

/** The owner's playlists; any other user's list is empty, since the library only knows its owner's. */
export const getUserPlaylists: Handler = ({ store, ctx, params, query, rawQuery }) => {
  const page = parsePage(query, LIST_PAGE)
  if (isAnswer(page)) return page
  const user = params[0]!
  const href = resourceHref(ctx, `/users/${encodeURIComponent(user)}/playlists`, rawQuery)
  if (user !== ctx.owner.id) return ok(shapePage([], { total: 0, ...page }, href))
  const data = store.listPlaylists(page)
  return ok(shapePage(data.items.map(p => shapeSimplifiedPlaylist(p, ctx)), data, href))
}
