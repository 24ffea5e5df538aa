// GET /v1/albums/{id}, /v1/albums/{id}/tracks and /v1/artists/{id} from the library: albums and
// artists of its tracks, under their Spotify ids or the synthetic ids the library's answers give
// those the exports name without one (src/library/synthetic-ids.ts). Catalog data: the endpoint
// table lets any token read them while Spotify cannot be asked.
import { shapeAlbum, shapeArtist, shapeSimplifiedTrack } from '../library/catalog-shapes.js'
import { shapePage } from '../library/shapes.js'
import type { LibraryAlbum, LibraryTrack, Page } from '../library/types.js'
import type { LibraryStore } from '../library/store.js'
import { resourceHref } from './links.js'
import { isSpotifyId, MESSAGES, parsePage, type PageRules } from './params.js'
import { badRequest, isAnswer, notFound, ok, type Handler, type LibraryAnswer } from './types.js'

/** AlbumObject embeds up to 50 of its tracks (Spotify's own answers). */
const EMBEDDED_TRACKS = { limit: 50, offset: 0 }
/** GET /albums/{id}/tracks: QueryLimit 1-50, default 20 (spec). */
const TRACK_PAGE: PageRules = { limit: { min: 1, max: 50, fallback: 20 } }

function findAlbum (store: LibraryStore, id: string): { album: LibraryAlbum, tracks: LibraryTrack[] } | LibraryAnswer {
  if (!isSpotifyId(id)) return badRequest(MESSAGES.invalidId)
  return store.getAlbum(id) ?? notFound(MESSAGES.nonExistingId)
}

function pageOf (tracks: LibraryTrack[], page: { limit: number, offset: number }): Page<LibraryTrack> {
  return { items: tracks.slice(page.offset, page.offset + page.limit), total: tracks.length, ...page }
}

export const getAlbum: Handler = ({ store, ctx, params }) => {
  const found = findAlbum(store, params[0]!)
  if (isAnswer(found)) return found
  const href = resourceHref(ctx, `/albums/${encodeURIComponent(found.album.id)}/tracks`)
  return ok(shapeAlbum(found.album, pageOf(found.tracks, EMBEDDED_TRACKS), href, ctx))
}

export const getAlbumTracks: Handler = ({ store, ctx, params, query, rawQuery }) => {
  const found = findAlbum(store, params[0]!)
  if (isAnswer(found)) return found
  const page = parsePage(query, TRACK_PAGE)
  if (isAnswer(page)) return page
  const data = pageOf(found.tracks, page)
  const href = resourceHref(ctx, `/albums/${encodeURIComponent(found.album.id)}/tracks`, rawQuery)
  return ok(shapePage(data.items.map(t => shapeSimplifiedTrack(t, ctx)), data, href))
}

export const getArtist: Handler = ({ store, ctx, params }) => {
  const id = params[0]!
  if (!isSpotifyId(id)) return badRequest(MESSAGES.invalidId)
  const artist = store.getArtist(id)
  return artist === null ? notFound(MESSAGES.nonExistingId) : ok(shapeArtist(artist, ctx))
}
