// GET /v1/tracks/{id}, /v1/tracks?ids=, /v1/audio-features/{id}, /v1/audio-features?ids=.
// Only music tracks answer here: an episode id is not a track (Spotify serves it under /episodes),
// and local files have no id to ask by. What no export of a track holds comes from Spotify's own
// answer for it, when the proxy has one cached (LibraryStore.withSpotifyFacts).
import type { LibraryStore } from '../library/store.js'
import { shapeAudioFeatures, shapeTrack } from '../library/shapes.js'
import type { AnsweredTrack, LibraryTrack } from '../library/types.js'
import { isSpotifyId, MESSAGES, parseIds } from './params.js'
import { badRequest, notFound, ok, type Handler, type LibraryAnswer } from './types.js'

// Spotify's caps: 50 ids for tracks, 100 for audio features (docs/spotify-api.md §3.2, §3.4).
const MAX_TRACK_IDS = 50
const MAX_FEATURE_IDS = 100

function findTrack (store: LibraryStore, id: string): LibraryTrack | null {
  if (!isSpotifyId(id)) return null
  const t = store.getTrackById(id)
  return t?.kind === 'track' ? store.withSpotifyFacts([t])[0]! : null
}

/** findTrack for each id, in one query (and one for Spotify's cached answers); `read` reads them with or without their audio features. */
function findTracks<T extends AnsweredTrack> (store: LibraryStore, ids: readonly string[], read: (ids: readonly string[]) => Array<T | null>): Array<T | null> {
  return store.withSpotifyFacts(read(ids).map((t, i) => (t?.kind === 'track' && isSpotifyId(ids[i]!) ? t : null)))
}

export const getTrack: Handler = ({ store, ctx, params }) => {
  const id = params[0]!
  if (!isSpotifyId(id)) return badRequest(MESSAGES.invalidId)
  const t = findTrack(store, id)
  return t === null ? notFound(MESSAGES.nonExistingId) : ok(shapeTrack(t, ctx))
}

/** In request order, duplicates kept, `null` for unknown or malformed ids (docs/spotify-api.md §2). */
export const getSeveralTracks: Handler = ({ store, ctx, query }) => {
  const ids = parseIds(query.get('ids'), { max: MAX_TRACK_IDS, emptyEntries: 'reject' })
  if (!Array.isArray(ids)) return ids
  return batch('tracks', ids, findTracks(store, ids, ids => store.getAnsweredTracksByIds(ids)).map(t => t && shapeTrack(t, ctx)))
}

export const getAudioFeatures: Handler = ({ store, ctx, params }) => {
  const id = params[0]!
  if (!isSpotifyId(id)) return badRequest(MESSAGES.invalidId)
  const t = findTrack(store, id)
  const features = t && shapeAudioFeatures(t, ctx)
  return features === null ? notFound(MESSAGES.analysisNotFound) : ok(features)
}

export const getSeveralAudioFeatures: Handler = ({ store, ctx, query }) => {
  const ids = parseIds(query.get('ids'), { max: MAX_FEATURE_IDS, emptyEntries: 'skip' })
  if (!Array.isArray(ids)) return ids
  return batch('audio_features', ids, findTracks(store, ids, ids => store.getTracksByIds(ids)).map(t => t && shapeAudioFeatures(t, ctx)))
}

/**
 * Spotify's batch shape, with how many well-formed ids the library lacks (the proxy says so in
 * X-Proxy-Missing) and how many it holds (none held: a miss, policy/flow/fallback.ts).
 */
function batch (field: 'tracks' | 'audio_features', ids: readonly string[], items: unknown[]): LibraryAnswer {
  let missing = 0
  let held = 0
  items.forEach((x, i) => {
    if (x !== null) held++
    else if (isSpotifyId(ids[i]!)) missing++
  })
  return { ...ok({ [field]: items }), missing, held }
}
