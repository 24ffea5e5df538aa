// Method + path → the handler that answers it from the library. Only the routes CONTRACT.md lists
// ("Routes served from the library") are here; anything else matches nothing.
import { getPlaylist, getPlaylistItems, getUserPlaylists, getMyPlaylists } from './playlists.js'
import { getMe, getSavedTracks } from './me.js'
import { search } from './search.js'
import { getAudioFeatures, getSeveralAudioFeatures, getSeveralTracks, getTrack } from './tracks.js'
import type { Handler } from './types.js'

interface Route {
  /** Path segments after `/v1`; `:` marks a parameter. */
  segments: readonly string[]
  handler: Handler
}

const GET_ROUTES: readonly Route[] = [
  { segments: ['tracks', ':id'], handler: getTrack },
  { segments: ['tracks'], handler: getSeveralTracks },
  { segments: ['audio-features', ':id'], handler: getAudioFeatures },
  { segments: ['audio-features'], handler: getSeveralAudioFeatures },
  { segments: ['playlists', ':id'], handler: getPlaylist },
  { segments: ['playlists', ':id', 'tracks'], handler: getPlaylistItems('tracks') },
  { segments: ['playlists', ':id', 'items'], handler: getPlaylistItems('items') },
  { segments: ['me'], handler: getMe },
  { segments: ['me', 'tracks'], handler: getSavedTracks },
  { segments: ['me', 'playlists'], handler: getMyPlaylists },
  { segments: ['users', ':id', 'playlists'], handler: getUserPlaylists },
  { segments: ['search'], handler: search }
]

export interface RouteMatch {
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
    if (params !== null) return { handler: route.handler, params, query: new URLSearchParams(rawQuery), rawQuery }
  }
  return null
}
