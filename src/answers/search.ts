// GET /v1/search from the library: tracks through the library's index (Spotify's field filters
// included), every other requested type as an empty page, since the library holds no album,
// artist, playlist, show, episode or audiobook objects that would pass as Spotify's.
import { shapePage, shapeTrack } from '../library/shapes.js'
import { resourceHref } from './links.js'
import { badSearchType, MESSAGES, parsePage, type PageRules } from './params.js'
import { badRequest, isAnswer, ok, type Handler } from './types.js'

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

export const search: Handler = ({ store, ctx, query }) => {
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
    if (type !== 'track') {
      body[RESULT_KEYS[type]] = shapePage([], { total: 0, ...page }, href)
      continue
    }
    const found = store.searchTracks(q, page)
    // The index also holds podcast episodes from playlists; they are not TrackObjects. (They still
    // count in `total`: the store pages before this filter.)
    const items = found.items.filter(t => t.kind !== 'episode').map(t => shapeTrack(t, ctx))
    const paged = shapePage(items, found, href)
    // No `next` past the offset Spotify would refuse.
    body.tracks = page.offset + page.limit > MAX_OFFSET ? { ...paged, next: null } : paged
  }
  return ok(body)
}
