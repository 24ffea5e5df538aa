// What each Web API endpoint is, in one table: catalog or user data, the entity a request by id
// asks for, whether and whose the library's answer is, the 2026 bridge that asks Spotify
// instead, the closed-endpoint name a 403 is remembered under, what a write makes stale, and the
// label metrics use. Every part of the request path reads this table through the parsed request
// target; none matches paths on its own.
//
// A request target is parsed once (memoised per method and target: clients repeat the same few):
// its path segments and query decoded (`{ raw }` where the percent-encoding is malformed), the
// endpoint it names, and that endpoint's parameters.

import type { LibraryIdKind } from './library/types.js'

/** A path segment or query component: decoded, or `{ raw }` when its percent-encoding is malformed. */
export type Part = string | { raw: string }

export type DataKind = 'catalog' | 'user'
export type EntityKind = 'track' | 'audio_features'
/** The 2026 bridges (src/policy/exchanges/): what is asked upstream instead of the request itself. */
export type BridgeName = 'playlist-tracks' | 'playlist-write' | 'search-pages' | 'library-write' | 'library-contains' | 'several-tracks' | 'own-playlists'
/** What a successful write makes stale (src/policy/learn.ts). */
export type WriteEffect = 'playlist' | 'my-playlists' | 'my-library'

export interface Endpoint {
  /** The row's path pattern after /v1/ (`playlists/:id/items`): the endpoint's name in the table. */
  pattern: string
  /** A track or audio features asked by id (`single`: /…/{id}; else ?ids=). */
  entity?: { kind: EntityKind, single: boolean }
  /**
   * The library answers it (src/answers/): `by-id` catalog items any token may read while Spotify
   * cannot be asked, or the `owner`'s data.
   */
  library?: 'by-id' | 'owner'
  /**
   * Its `:id` may be one the library made up for an album, artist or playlist its exports name
   * without one: Spotify knows none of them, so such a request is answered from the library.
   */
  libraryId?: LibraryIdKind
  /** Closed to development-mode apps in 2026: a 403 is remembered under this name (refusals.ts). */
  closed?: string
  bridge?: BridgeName
  /** A page of a playlist's entries: fresh while the playlist's snapshot_id holds. */
  playlistPage?: boolean
  /** Answers naming the caller's playlists, from which library playlists learn their real ids. */
  teachesPlaylists?: boolean
  writes?: WriteEffect
}

export interface RequestTarget {
  method: string
  /** The target as received (validated origin-form, starting with /v1/). */
  path: string
  pathname: string
  /** The query string without `?`, or null when there is none. */
  rawQuery: string | null
  /** Decoded path segments after the leading `/` (`v1` first). */
  segments: readonly Part[]
  /** Decoded query pairs, in order (`+` is a space). */
  query: ReadonlyArray<readonly [Part, Part]>
  /** The same query for lookups by name. */
  params: URLSearchParams
  endpoint: Endpoint | null
  /** The endpoint's path parameters, decoded, in order. */
  args: readonly string[]
  /** Catalog data is the same for every app token; user data depends on who asks (unknown paths fail closed). */
  data: DataKind
  /** For metrics and the dashboard: the path with its values as `{id}` (`?ids` for a batch). */
  label: string
}

interface Row { method: 'GET' | 'WRITE', pattern: string, endpoint: Omit<Endpoint, 'pattern'> }

// `:id` is one segment (a parameter), `a|b` one of these words, `**` one or more further
// segments. The first row that matches wins. Resources Spotify serves the same to every app
// (tracks, albums, artists, audio features and analysis, markets, catalog search) are catalog
// data; everything else is user data, including paths this table does not know. `library`: who
// may read the library's answer: 'by-id' any token, 'owner' the owner's (an album or artist from
// the library lists, or is known by, the owner's tracks: docs/trust.md).
const ROWS: readonly Row[] = [
  { method: 'GET', pattern: 'tracks/:id', endpoint: { entity: { kind: 'track', single: true }, library: 'by-id' } },
  { method: 'GET', pattern: 'tracks', endpoint: { entity: { kind: 'track', single: false }, library: 'by-id', closed: 'GET /v1/tracks?ids', bridge: 'several-tracks' } },
  { method: 'GET', pattern: 'audio-features/:id', endpoint: { entity: { kind: 'audio_features', single: true }, library: 'by-id', closed: 'GET /v1/audio-features/{id}' } },
  { method: 'GET', pattern: 'audio-features', endpoint: { entity: { kind: 'audio_features', single: false }, library: 'by-id', closed: 'GET /v1/audio-features?ids' } },
  { method: 'GET', pattern: 'audio-analysis/:id', endpoint: { closed: 'GET /v1/audio-analysis/{id}' } },
  { method: 'GET', pattern: 'albums', endpoint: { closed: 'GET /v1/albums?ids' } },
  { method: 'GET', pattern: 'albums/:id', endpoint: { library: 'owner', libraryId: 'album' } },
  { method: 'GET', pattern: 'albums/:id/tracks', endpoint: { library: 'owner', libraryId: 'album' } },
  { method: 'GET', pattern: 'artists', endpoint: { closed: 'GET /v1/artists?ids' } },
  { method: 'GET', pattern: 'artists/:id', endpoint: { library: 'owner', libraryId: 'artist' } },
  { method: 'GET', pattern: 'artists/:id/top-tracks', endpoint: { closed: 'GET /v1/artists/{id}/top-tracks' } },
  { method: 'GET', pattern: 'artists/:id/related-artists', endpoint: { closed: 'GET /v1/artists/{id}/related-artists' } },
  { method: 'GET', pattern: 'recommendations', endpoint: { closed: 'GET /v1/recommendations' } },
  { method: 'GET', pattern: 'search', endpoint: { library: 'owner', bridge: 'search-pages' } },
  { method: 'GET', pattern: 'me', endpoint: { library: 'owner' } },
  { method: 'GET', pattern: 'me/tracks', endpoint: { library: 'owner' } },
  { method: 'GET', pattern: 'me/tracks/contains', endpoint: { library: 'owner', bridge: 'library-contains' } },
  { method: 'GET', pattern: 'me/albums|episodes|shows|audiobooks/contains', endpoint: { bridge: 'library-contains' } },
  { method: 'GET', pattern: 'me/playlists', endpoint: { library: 'owner', teachesPlaylists: true } },
  { method: 'GET', pattern: 'me/player/recently-played', endpoint: { library: 'owner' } },
  { method: 'GET', pattern: 'me/top/tracks', endpoint: { library: 'owner' } },
  { method: 'GET', pattern: 'me/top/artists', endpoint: { library: 'owner' } },
  { method: 'GET', pattern: 'users/:id/playlists', endpoint: { library: 'owner', closed: 'GET /v1/users/{id}/playlists', bridge: 'own-playlists' } },
  { method: 'GET', pattern: 'playlists/:id', endpoint: { library: 'owner', libraryId: 'playlist', teachesPlaylists: true } },
  { method: 'GET', pattern: 'playlists/:id/tracks', endpoint: { library: 'owner', libraryId: 'playlist', closed: 'GET /v1/playlists/{id}/tracks', bridge: 'playlist-tracks', playlistPage: true } },
  { method: 'GET', pattern: 'playlists/:id/items', endpoint: { library: 'owner', libraryId: 'playlist', playlistPage: true } },
  { method: 'WRITE', pattern: 'playlists/:id/tracks', endpoint: { bridge: 'playlist-write', writes: 'playlist' } },
  { method: 'WRITE', pattern: 'playlists/:id/**', endpoint: { writes: 'playlist' } },
  { method: 'WRITE', pattern: 'playlists/:id', endpoint: { writes: 'playlist' } },
  { method: 'WRITE', pattern: 'me/playlists', endpoint: { writes: 'my-playlists' } },
  { method: 'WRITE', pattern: 'users/:id/playlists', endpoint: { writes: 'my-playlists' } },
  { method: 'WRITE', pattern: 'me/tracks|albums|episodes|shows|audiobooks', endpoint: { bridge: 'library-write', writes: 'my-library' } },
  { method: 'WRITE', pattern: 'me/library|following', endpoint: { writes: 'my-library' } },
  { method: 'WRITE', pattern: 'me/tracks|albums|episodes|shows|audiobooks|library|following/**', endpoint: { writes: 'my-library' } }
]

/** Resources whose every path is catalog data (the rows above refine them). */
const CATALOG: ReadonlySet<string> = new Set(['tracks', 'albums', 'artists', 'audio-features', 'audio-analysis', 'search', 'markets'])
/** Search types whose results hold nothing about the caller (shows, episodes and audiobooks carry `resume_point`). */
const CATALOG_SEARCH_TYPES: ReadonlySet<string> = new Set(['track', 'album', 'artist', 'playlist'])
/** Saved-item kinds moved to /v1/me/library in 2026. */
export const LIBRARY_KINDS: Readonly<Record<string, string>> = { tracks: 'track', albums: 'album', episodes: 'episode', shows: 'show', audiobooks: 'audiobook' }

const TABLE = ROWS.map(r => ({ method: r.method, parts: r.pattern.split('/'), endpoint: Object.freeze({ pattern: r.pattern, ...r.endpoint }) }))

/** Every endpoint of the table, for the modules that attach behaviour to some (answers/, exchanges/). */
export const ENDPOINTS: readonly Endpoint[] = TABLE.map(r => r.endpoint)

const MEMO_SIZE = 4096
// GETs by path alone (the hot path asks this for every request), other methods by method and path.
const gets = new Map<string, RequestTarget>()
const others = new Map<string, RequestTarget>()

/** The parsed target of a validated `/v1/…` request (src/upstream/target.ts validates). Shared: never change it. */
export function requestTarget (method: string, path: string): RequestTarget {
  const memo = method === 'GET' ? gets : others
  const memoKey = method === 'GET' ? path : `${method} ${path}`
  let t = memo.get(memoKey)
  if (t === undefined) {
    t = Object.freeze(parse(method, path))
    if (memo.size >= MEMO_SIZE) memo.delete(memo.keys().next().value!)
    memo.set(memoKey, t)
  }
  return t
}

function parse (method: string, path: string): RequestTarget {
  const noFragment = path.split('#', 1)[0] ?? ''
  const q = noFragment.indexOf('?')
  const pathname = q === -1 ? noFragment : noFragment.slice(0, q)
  const rawQuery = q === -1 ? null : noFragment.slice(q + 1)
  const segments = pathname.replace(/^\//, '').split('/').map(s => decodePart(s, false))
  const query = rawQuery === null || rawQuery === ''
    ? []
    : rawQuery.split('&').map(p => {
      const eq = p.indexOf('=')
      return eq === -1 ? [decodePart(p, true), ''] as const : [decodePart(p.slice(0, eq), true), decodePart(p.slice(eq + 1), true)] as const
    })
  const params = new URLSearchParams(rawQuery ?? '')
  const matched = match(method === 'GET' || method === 'HEAD' ? 'GET' : 'WRITE', segments)
  return { method, path, pathname, rawQuery, segments, query, params, endpoint: matched?.endpoint ?? null, args: matched?.args ?? [], data: dataOf(segments, query), label: labelOf(pathname, params) }
}

function match (method: 'GET' | 'WRITE', segments: readonly Part[]): { endpoint: Endpoint, args: string[] } | null {
  if (segments[0] !== 'v1') return null
  // One trailing slash is tolerated, as Spotify does.
  const actual = segments.at(-1) === '' && segments.length > 2 ? segments.slice(1, -1) : segments.slice(1)
  for (const row of TABLE) {
    if (row.method !== method) continue
    const args = matchPattern(row.parts, actual)
    if (args !== null) return { endpoint: row.endpoint, args }
  }
  return null
}

function matchPattern (pattern: readonly string[], actual: readonly Part[]): string[] | null {
  const args: string[] = []
  for (const [i, p] of pattern.entries()) {
    if (p === '**') return i < actual.length ? args : null
    const a = actual[i]
    if (a === undefined || a === '') return null
    if (p.startsWith(':')) {
      // An undecodable segment is passed on as sent: it then fails the id check downstream.
      args.push(typeof a === 'string' ? a : a.raw)
    } else if (p !== a && !(p.includes('|') && typeof a === 'string' && p.split('|').includes(a))) {
      return null
    }
  }
  return pattern.length === actual.length ? args : null
}

/**
 * Catalog data, or user data: anything not known to be catalog data is user data, and so is a
 * catalog path asking `market=from_token` (the token's country) or a search for shows, episodes
 * or audiobooks. Case-folded, so `/v1/ME` or `/v1/%6De` never pass for catalog.
 */
function dataOf (segments: readonly Part[], query: ReadonlyArray<readonly [Part, Part]>): DataKind {
  if (query.some(([k, v]) => k === 'market' && typeof v === 'string' && v.toLowerCase() === 'from_token')) return 'user'
  const [version, resource, ...rest] = segments.map(s => (typeof s === 'string' ? s.toLowerCase() : null))
  if (version !== 'v1' || typeof resource !== 'string' || !CATALOG.has(resource) || rest.includes(null)) return 'user'
  if (resource !== 'search') return 'catalog'
  const types = query.filter(([k]) => k === 'type').map(([, v]) => v)
  return types.every(v => typeof v === 'string' && v.split(',').every(t => CATALOG_SEARCH_TYPES.has(t.trim().toLowerCase()))) ? 'catalog' : 'user'
}

// Words of Spotify's paths kept in metric labels; anything else becomes `{id}`, so the label set stays small whatever clients ask.
const WORDS = new Set([
  'v1', 'me', 'tracks', 'albums', 'artists', 'audio-features', 'audio-analysis', 'playlists', 'items',
  'users', 'search', 'browse', 'categories', 'new-releases', 'featured-playlists', 'recommendations',
  'available-genre-seeds', 'markets', 'player', 'currently-playing', 'recently-played', 'queue', 'devices',
  'top', 'following', 'contains', 'followers', 'library', 'episodes', 'shows', 'audiobooks', 'chapters',
  'related-artists', 'top-tracks', 'images', 'play', 'pause', 'next', 'previous', 'seek', 'repeat', 'volume', 'shuffle'
])

function labelOf (pathname: string, params: URLSearchParams): string {
  if (!pathname.startsWith('/v1/')) return pathname.length > 40 ? 'other' : pathname
  const segments = pathname.split('/').slice(1).map(s => (WORDS.has(s) ? s : '{id}'))
  return `/${segments.slice(0, 6).join('/')}${params.has('ids') ? '?ids' : ''}`
}

// Query components follow application/x-www-form-urlencoded (`+` is a space), path segments don't.
function decodePart (s: string, plusIsSpace: boolean): Part {
  try {
    return decodeURIComponent(plusIsSpace ? s.replaceAll('+', ' ') : s)
  } catch {
    // Kept apart from every decodable string: `%zz` must not alias `%25zz` (which decodes to `%zz`).
    return { raw: s }
  }
}

/** The closed-endpoint name a 403 on this request is remembered under (refusals.ts), or null. */
export function closedName (target: RequestTarget): string | null {
  const closed = target.endpoint?.closed
  if (closed === undefined) return null
  // The batch endpoints are closed for their `?ids=` form; /v1/tracks with no query is just a 400.
  return closed.endsWith('?ids') && target.rawQuery === null ? null : closed
}
