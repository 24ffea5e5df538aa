import type { Part, RequestTarget } from '../endpoints.js'

// Cache keys for upstream answers. Two requests share a key only when Spotify would give them the
// same answer, and an answer that depends on the caller is never keyed without the caller
// (docs/proxy-pitfalls.md §4.6). The key is the JSON of an array, so no `:`, `=`, `&` or `|` inside a path,
// value or principal can make two different requests collide (docs/proxy-pitfalls.md §4.7, undici#5012).
//
// Which paths are user-specific is the endpoint table's data kind (src/endpoints.ts), failing
// closed: anything not known to be catalog data is keyed by user. User-specific today:
//   - /v1/me and everything under it (profile, library, playlists, player, top items, …);
//   - /v1/users/{id}/playlists (private and collaborative playlists show up for their owner);
//   - /v1/playlists/{id} and /tracks, /items, … under it (playlists can be private);
//   - any request with market=from_token (the answer follows the token's country);
//   - /v1/search whose `type` asks for shows, episodes or audiobooks (they carry `resume_point`);
//   - every path not in CATALOG (shows, episodes, audiobooks, chapters, browse, recommendations,
//     users/{id}, …): unknown is treated as private.
// Catalog (shared among trusted users): /v1/tracks, /v1/albums, /v1/artists, /v1/audio-features,
// /v1/audio-analysis, /v1/search (tracks, albums, artists, playlists), /v1/markets.

// Bumped whenever the key layout changes, so rows written under an old layout can never match.
const KEY_VERSION = 'k2'

export interface CacheKeyInput {
  method: string
  /** The request target, parsed once (src/endpoints.ts): its data kind says whether the key holds the principal. */
  target: RequestTarget
  /** The Spotify user id behind a verified token, or a token-hash stand-in. */
  principal: string | null
  /** The token's country, which `market=from_token` resolves to. */
  country: string | null
  /** The request's Accept-Language, normalised (requestLanguage()); Spotify localises some names. */
  language?: string | null
}

/**
 * Accept-Language as a key input: lower-cased, spaces dropped, so `en-US, de;q=0.5` and
 * `en-us,de;q=0.5` share answers; null when absent or empty. Clients mostly send none or one fixed
 * value, so this splits the cache only where answers really may differ (localised genres and names).
 */
export function requestLanguage (value: string | string[] | undefined): string | null {
  const v = Array.isArray(value) ? value.join(',') : value
  if (v === undefined) return null
  const norm = v.toLowerCase().replace(/\s+/g, '')
  return norm === '' || norm === '*' ? null : norm.slice(0, 200)
}

/**
 * The cache key of one request: method, decoded path segments, the query with keys sorted (values
 * of one key keep their order: `ids=b,a` ≠ `ids=a,b`), percent-encoding decoded (`%3A` = `:`,
 * `+` = space), empty parameters dropped, `market=from_token` replaced by the token's country when
 * known, and the principal for user-specific paths only, so catalog answers are shared.
 *
 * A user-specific path with a null principal (no token) still gets a key, with a null principal:
 * the caller must never serve such an entry to an untrusted token.
 */
export function cacheKey (input: CacheKeyInput): string {
  const head = keyHead(input.method, input.target)
  if (head === null) return fullKey(input)
  return `${head},${input.target.data === 'user' ? JSON.stringify(input.principal) : 'null'},${JSON.stringify(input.language ?? null)}]`
}

function fullKey (input: CacheKeyInput): string {
  const { target } = input
  const query = target.query
    .filter(([k, v]) => k !== '' && v !== '')
    .map(([k, v]): readonly [Part, Part] => k === 'market' && isFromToken(v) && input.country !== null && input.country !== '' ? [k, input.country] : [k, v])
    .map(pair => ({ pair, sortKey: JSON.stringify(pair[0]) }))
    // Array.prototype.sort is stable: values of a repeated key stay in request order.
    .sort((a, b) => (a.sortKey < b.sortKey ? -1 : a.sortKey > b.sortKey ? 1 : 0))
    .map(x => x.pair)
  return JSON.stringify([KEY_VERSION, input.method.toUpperCase(), target.segments, query, target.data === 'user' ? input.principal : null, input.language ?? null])
}

// Every request computes its key, and clients repeat the same few targets (which are parsed once
// and shared): what a target contributes is remembered (the key minus its principal and
// language), so a repeated request costs one WeakMap lookup. A target with market=from_token
// depends on the caller's country and is always computed in full.
const heads = new WeakMap<RequestTarget, Map<string, string | null>>()

function keyHead (method: string, target: RequestTarget): string | null {
  let byMethod = heads.get(target)
  if (byMethod === undefined) {
    byMethod = new Map()
    heads.set(target, byMethod)
  }
  let head = byMethod.get(method)
  if (head === undefined) {
    const fromToken = target.query.some(([k, v]) => k === 'market' && isFromToken(v))
    // `…,null,null]` → `…`: the principal and language are appended per request.
    head = fromToken ? null : fullKey({ method, target, principal: null, country: null, language: null }).slice(0, -',null,null]'.length)
    byMethod.set(method, head)
  }
  return head
}

/**
 * The form of a path stored beside a cached answer and matched by invalidation: the path with its
 * segments percent-decoded (so `/v1/playlists/%41b` and `/v1/playlists/Ab` agree), query kept raw.
 */
export function canonicalPath (path: string): string {
  const q = path.indexOf('?')
  const pathname = q === -1 ? path : path.slice(0, q)
  const decoded = pathname.replace(/^\//, '').split('/').map(s => {
    try {
      return decodeURIComponent(s)
    } catch {
      return s
    }
  })
  return q === -1 ? `/${decoded.join('/')}` : `/${decoded.join('/')}?${path.slice(q + 1)}`
}

function isFromToken (v: Part): boolean {
  return typeof v === 'string' && v.toLowerCase() === 'from_token'
}
