// Method + path → the handler that answers it from the library, and whose that answer is. Only
// the routes README's "What the CSVs can answer" lists are here; anything else matches nothing.
import { getPlaylist, getPlaylistItems, getUserPlaylists, getMyPlaylists } from './playlists.js'
import { getMe, getSavedTracks, savedTracksContain } from './me.js'
import { search } from './search.js'
import { getAudioFeatures, getSeveralAudioFeatures, getSeveralTracks, getTrack } from './tracks.js'
import type { Handler } from './types.js'

/**
 * `by-id`: catalog items asked by id, which any token may read while Spotify cannot be asked
 * (Spotify gives them to any app token). `owner`: the rest is the library owner's (what they
 * saved, their playlists, searches over what they hold).
 */
export type LibraryScope = 'by-id' | 'owner'

interface Route {
  /** Path segments after `/v1`; `:` marks a parameter. */
  segments: readonly string[]
  handler: Handler
  scope: LibraryScope
}

const GET_ROUTES: readonly Route[] = [
  { segments: ['tracks', ':id'], handler: getTrack, scope: 'by-id' },
  { segments: ['tracks'], handler: getSeveralTracks, scope: 'by-id' },
  { segments: ['audio-features', ':id'], handler: getAudioFeatures, scope: 'by-id' },
  { segments: ['audio-features'], handler: getSeveralAudioFeatures, scope: 'by-id' },
  { segments: ['playlists', ':id'], handler: getPlaylist, scope: 'owner' },
  { segments: ['playlists', ':id', 'tracks'], handler: getPlaylistItems('tracks'), scope: 'owner' },
  { segments: ['playlists', ':id', 'items'], handler: getPlaylistItems('items'), scope: 'owner' },
  { segments: ['me'], handler: getMe, scope: 'owner' },
  { segments: ['me', 'tracks'], handler: getSavedTracks, scope: 'owner' },
  { segments: ['me', 'tracks', 'contains'], handler: savedTracksContain, scope: 'owner' },
  { segments: ['me', 'playlists'], handler: getMyPlaylists, scope: 'owner' },
  { segments: ['users', ':id', 'playlists'], handler: getUserPlaylists, scope: 'owner' },
  { segments: ['search'], handler: search, scope: 'owner' }
]

export interface RouteMatch {
  scope: LibraryScope
  handler: Handler
  params: string[]
  query: URLSearchParams
  rawQuery: string
}

function decodeSegment (s: string): string {
  try {
    return decodeURIComponent(s)
  } catch {
    return s // left as sent: it then fails the id check, as Spotify's own decoding would
  }
}

function matchSegments (pattern: readonly string[], actual: readonly string[]): string[] | null {
  if (pattern.length !== actual.length) return null
  const params: string[] = []
  for (const [i, p] of pattern.entries()) {
    const a = actual[i]!
    if (p.startsWith(':')) {
      if (a === '') return null
      params.push(decodeSegment(a))
    } else if (p !== a) {
      return null
    }
  }
  return params
}

/** The route for `GET /v1/…`, or null. One trailing slash is tolerated, as Spotify does. */
export function matchRoute (method: string, target: string): RouteMatch | null {
  if (method !== 'GET') return null
  const q = target.indexOf('?')
  let pathname = q === -1 ? target : target.slice(0, q)
  const rawQuery = q === -1 ? '' : target.slice(q + 1)
  if (!pathname.startsWith('/v1/')) return null
  if (pathname.endsWith('/')) pathname = pathname.slice(0, -1)
  const actual = pathname.slice('/v1/'.length).split('/')
  for (const route of GET_ROUTES) {
    const params = matchSegments(route.segments, actual)
    if (params !== null) return { scope: route.scope, handler: route.handler, params, query: new URLSearchParams(rawQuery), rawQuery }
  }
  return null
}
