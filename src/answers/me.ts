// GET /v1/me and /v1/me/tracks: the library's owner and their Liked Songs.
import { shapePage, shapeSavedTrack } from '../library/shapes.js'
import { resourceHref } from './links.js'
import { isSpotifyId, MESSAGES, parseIds, parsePage } from './params.js'
import { badRequest, isAnswer, ok, type Handler } from './types.js'

/** GET /me/tracks/contains takes up to 50 ids (spec). */
const MAX_CONTAINS_IDS = 50

/**
 * A PrivateUserObject with what the library honestly knows. country, email, product,
 * explicit_content and followers are left out, as Spotify leaves them out for development-mode
 * apps since February 2026 (docs/spotify-api.md §5); account_id and images are not known.
 */
export const getMe: Handler = ({ ctx }) => {
  const { id, displayName } = ctx.owner
  const segment = encodeURIComponent(id)
  return ok({
    display_name: displayName,
    external_urls: { spotify: `https://open.spotify.com/user/${segment}` },
    href: `${ctx.apiBase}/users/${segment}`,
    id,
    images: [],
    type: 'user',
    uri: `spotify:user:${id}`
  })
}

/** GET /v1/me/tracks/contains?ids=: whether each track is among the Liked Songs, in order. */
export const savedTracksContain: Handler = ({ store, query }) => {
  const ids = parseIds(query.get('ids'), { max: MAX_CONTAINS_IDS, emptyEntries: 'reject' })
  if (!Array.isArray(ids)) return ids
  if (!ids.every(isSpotifyId)) return badRequest(MESSAGES.invalidId)
  return ok(store.likedContains(ids))
}

/** Liked Songs, most recently added first; QueryLimit 1-50, default 20 (spec). */
export const getSavedTracks: Handler = ({ store, ctx, query, rawQuery }) => {
  const page = parsePage(query, { limit: { min: 1, max: 50, fallback: 20 } })
  if (isAnswer(page)) return page
  const data = store.entriesWithSpotifyFacts(store.getLikedSongs(page))
  return ok(shapePage(data.items.map(pt => shapeSavedTrack(pt, ctx)), data, resourceHref(ctx, '/me/tracks', rawQuery)))
}
