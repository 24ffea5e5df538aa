// GET /v1/search from the library: tracks through the library's index (Spotify's field filters
// included), and the albums and artists of its tracks and its playlists, each type a page of its
// own in Spotify's shapes. Shows, episodes and audiobooks come back as empty pages: the library
// holds none that would pass as Spotify's (a playlist's podcast episodes name no show id).
import { shapeArtist, shapeSimplifiedAlbum } from '../library/catalog-shapes.js'
import { shapePage, shapeSimplifiedPlaylist, shapeTrack } from '../library/shapes.js'
import type { Page } from '../library/types.js'
import { resourceHref } from './links.js'
import { badSearchType, MESSAGES, parsePage, type PageRules } from './params.js'
import { badRequest, isAnswer, ok, type Handler, type RouteInput } from './types.js'

const RESULT_KEYS = {
  album: 'albums',
  artist: 'artists',
  playlist: 'playlists',
  track: 'tracks',
  show: 'shows',
  episode: 'episodes',
  audiobook: 'audiobooks'
} as const
type SearchType = keyof typeof RESULT_KEYS

function isSearchType (t: string): t is SearchType {
  return Object.hasOwn(RESULT_KEYS, t)
}

// Since February 2026 Spotify takes limit 1-10 (default 5); clients written before still send up
// to 50, which the library accepts. Offset 0-1000 (spec).
const MAX_OFFSET = 1000
const SEARCH_PAGE: PageRules = { limit: { min: 1, max: 50, fallback: 5 }, maxOffset: MAX_OFFSET }

/** One type's matches, shaped; null for the types the library holds nothing of. */
function found (type: SearchType, q: string, page: { limit: number, offset: number }, { store, ctx }: RouteInput): Page<unknown> | null {
  switch (type) {
    case 'track': {
      const r = store.searchTracks(q, page)
      // The index also holds podcast episodes from playlists; they are not TrackObjects. (They
      // still count in `total`: the store pages before this filter.)
      return { ...r, items: store.withSpotifyFacts(r.items.filter(t => t.kind !== 'episode')).map(t => shapeTrack(t, ctx)) }
    }
    case 'album': {
      const r = store.searchAlbums(q, page)
      return { ...r, items: r.items.map(a => shapeSimplifiedAlbum(a, ctx)) }
    }
    case 'artist': {
      const r = store.searchArtists(q, page)
      return { ...r, items: r.items.map(a => shapeArtist(a, ctx)) }
    }
    case 'playlist': {
      const r = store.searchPlaylists(q, page)
      return { ...r, items: r.items.map(p => shapeSimplifiedPlaylist(p, ctx)) }
    }
    default:
      return null
  }
}

export const search: Handler = (input) => {
  const { ctx, query } = input
  // Spotify's own `next` links spell the query `query=` (spotipy#868), so both names are read.
  const q = query.get('q') ?? query.get('query')
  if (q === null || q === '') return badRequest(MESSAGES.noSearchQuery)
  const types = (query.get('type') ?? '').split(',').map(s => s.trim()).filter(s => s !== '')
  if (types.length === 0) return badRequest(MESSAGES.missingType)
  const unknown = types.find(t => !isSearchType(t))
  if (unknown !== undefined) return badRequest(badSearchType(unknown))
  const page = parsePage(query, SEARCH_PAGE)
  if (isAnswer(page)) return page

  const market = query.get('market')
  const body: Record<string, unknown> = {}
  for (const type of new Set(types as SearchType[])) {
    const params = new URLSearchParams({ query: q, type })
    if (market !== null) params.set('market', market)
    const href = resourceHref(ctx, '/search', params.toString())
    const r = found(type, q, page, input) ?? { items: [], total: 0, ...page }
    const paged = shapePage(r.items, r, href)
    // No `next` past the offset Spotify would refuse.
    body[RESULT_KEYS[type]] = page.offset + page.limit > MAX_OFFSET ? { ...paged, next: null } : paged
  }
  return ok(body)
}
