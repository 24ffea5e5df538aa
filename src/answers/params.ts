// Query and path parameters read the way Spotify reads them, and the 400s it sends when they are
// wrong. Messages are Spotify's own as users have reported them (see the sources by each one).
import type { PageRequest } from '../library/store.js'
import { badRequest, type LibraryAnswer } from './types.js'

export const MESSAGES = {
  /** GET /v1/tracks/{id} with a malformed id (thelinmichael/spotify-web-api-node#338, spotify/web-api#1272). */
  invalidId: 'invalid id',
  /** A malformed playlist id (fjlein/hitster#2, 2025: /v1/playlists/xxxxx/tracks). */
  invalidBase62Id: 'Invalid base62 id',
  /** More than 50 ids on /v1/tracks (docs/spotify-api.md §3.2). */
  tooManyIds: 'too many ids requested',
  /** No `ids` at all: Spotify's generic 400 (spotipy#686). */
  invalidRequest: 'invalid request',
  /** limit out of range (spotipy#697 on /me/tracks?limit=51; hrkfdn/ncspot#1866 on /search, 2026). */
  invalidLimit: 'Invalid limit',
  invalidOffset: 'Invalid offset',
  /** GET /v1/search without q, or with q= (chakram's live tests; slevin48/music#5). */
  noSearchQuery: 'No search query',
  /** GET /v1/search without type (chakram's live tests; JohnnyCrazy/SpotifyAPI-NET#467). */
  missingType: 'Missing parameter type',
  /** A track id that decodes but names nothing (Ringobot/SpotifyApi.NetCore#47 on /tracks/{id}). */
  nonExistingId: 'non existing id',
  /** An unknown playlist (Chimildic/goofy#261, fondberg/spotcast#570, 2024-2025). */
  resourceNotFound: 'Resource not found',
  /** What the audio analysis service answers for a track it has nothing for (spotify/web-api#1570). */
  analysisNotFound: 'analysis not found'
} as const

/** Spotify's unknown `type` message names the value: "Bad search type field test" (live Cypress test). */
export function badSearchType (type: string): string {
  return `Bad search type field ${type}`
}

const SPOTIFY_ID = /^[0-9A-Za-z]{22}$/

/** A bare 22-character base62 id; URIs (`spotify:track:…`) are not ids, as on Spotify. */
export function isSpotifyId (s: string): boolean {
  return SPOTIFY_ID.test(s)
}

export interface IntRange {
  min: number
  max: number
  fallback: number
}

// Digits only: Spotify rejects signs, decimals and words alike. Ten digits bound the value.
const UNSIGNED = /^\d{1,10}$/

/** An absent or empty parameter takes the default; anything else must be an integer in range. */
export function parseInteger (raw: string | null, range: IntRange, message: string): number | LibraryAnswer {
  if (raw === null || raw === '') return range.fallback
  if (!UNSIGNED.test(raw)) return badRequest(message)
  const n = Number(raw)
  return n < range.min || n > range.max ? badRequest(message) : n
}

export interface PageRules {
  limit: IntRange
  /** Largest accepted offset: 100,000 for playlist lists, 1,000 for search, else unbounded. */
  maxOffset?: number
}

export function parsePage (query: URLSearchParams, rules: PageRules): PageRequest | LibraryAnswer {
  const limit = parseInteger(query.get('limit'), rules.limit, MESSAGES.invalidLimit)
  if (typeof limit !== 'number') return limit
  const offsetRange = { min: 0, max: rules.maxOffset ?? Number.MAX_SAFE_INTEGER, fallback: 0 }
  const offset = parseInteger(query.get('offset'), offsetRange, MESSAGES.invalidOffset)
  if (typeof offset !== 'number') return offset
  return { limit, offset }
}

export interface IdListRules {
  max: number
  /** `reject`: an empty entry (`ids=a,,b`, a trailing comma) is a 400 `invalid id`, as /v1/tracks
   *  does; `skip`: it is dropped, as /v1/audio-features does (spotify/web-api#1572). */
  emptyEntries: 'reject' | 'skip'
}

/** The `ids` list as sent: order and duplicates kept. Malformed ids stay in, for a `null` in place. */
export function parseIds (raw: string | null, rules: IdListRules): string[] | LibraryAnswer {
  if (raw === null) return badRequest(MESSAGES.invalidRequest)
  let ids = raw.split(',').map(s => s.trim())
  if (ids.includes('')) {
    if (rules.emptyEntries === 'reject') return badRequest(MESSAGES.invalidId)
    ids = ids.filter(s => s !== '')
  }
  if (ids.length === 0) return badRequest(MESSAGES.invalidRequest)
  if (ids.length > rules.max) return badRequest(MESSAGES.tooManyIds)
  return ids
}
