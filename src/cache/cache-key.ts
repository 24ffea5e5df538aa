// Cache keys for upstream answers. Two requests share a key only when Spotify would give them the
// same answer, and an answer that depends on the caller is never keyed without the caller
// (docs/proxy-pitfalls.md §4.6). The key is the JSON of an array, so no `:`, `=`, `&` or `|` inside a path,
// value or principal can make two different requests collide (docs/proxy-pitfalls.md §4.7, undici#5012).
//
// Which paths are user-specific is decided by an allow-list of catalog resources, failing closed:
// anything not known to be catalog data is keyed by user. User-specific today:
//   - /v1/me and everything under it (profile, library, playlists, player, top items, …);
//   - /v1/users/{id}/playlists (private and collaborative playlists show up for their owner);
//   - /v1/playlists/{id} and /tracks, /items, … under it (playlists can be private);
//   - any request with market=from_token (the answer follows the token's country);
//   - /v1/search whose `type` asks for shows, episodes or audiobooks (they carry `resume_point`);
//   - every path not in CATALOG (shows, episodes, audiobooks, chapters, browse, recommendations,
//     users/{id}, …): unknown is treated as private.
// Catalog (shared among trusted users): /v1/tracks, /v1/albums, /v1/artists, /v1/audio-features,
// /v1/audio-analysis, /v1/search (tracks, albums, artists, playlists), /v1/markets.

/** A path segment or query component: decoded, or `{ raw }` when its percent-encoding is malformed. */
type Part = string | { raw: string }

interface Target { segments: Part[], query: Array<[Part, Part]>, rawQuery: string | null }

const CATALOG: ReadonlySet<string> = new Set(['tracks', 'albums', 'artists', 'audio-features', 'audio-analysis', 'search', 'markets'])
// Search types whose results hold nothing about the caller.
const CATALOG_SEARCH_TYPES: ReadonlySet<string> = new Set(['track', 'album', 'artist', 'playlist'])
// Bumped whenever the key layout changes, so rows written under an old layout can never match.
const KEY_VERSION = 'k2'

export interface CacheKeyInput {
  method: string
  /** Path and query as received. */
  path: string
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

/** Whether the answer to a GET of `path` (with its query) depends on who asks. */
export function userSpecific (path: string): boolean {
  return isUserSpecific(parseTarget(path))
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
  const shape = keyShape(input.method, input.path)
  if (shape.head === null) return fullKey(input)
  return `${shape.head},${shape.personal ? JSON.stringify(input.principal) : 'null'},${JSON.stringify(input.language ?? null)}]`
}

function fullKey (input: CacheKeyInput): string {
  const target = parseTarget(input.path)
  const personal = isUserSpecific(target)
  const query = target.query
    .filter(([k, v]) => k !== '' && v !== '')
    .map(([k, v]): [Part, Part] => k === 'market' && isFromToken(v) && input.country !== null && input.country !== '' ? [k, input.country] : [k, v])
    .map(pair => ({ pair, sortKey: JSON.stringify(pair[0]) }))
    // Array.prototype.sort is stable: values of a repeated key stay in request order.
    .sort((a, b) => (a.sortKey < b.sortKey ? -1 : a.sortKey > b.sortKey ? 1 : 0))
    .map(x => x.pair)
  return JSON.stringify([KEY_VERSION, input.method.toUpperCase(), target.segments, query, personal ? input.principal : null, input.language ?? null])
}

// Every request computes its key, and clients repeat the same few paths: what a path contributes
// is remembered (the key minus its principal), so a repeated request costs one Map lookup. A path
// with market=from_token depends on the caller's country and is always computed in full.
interface KeyShape { head: string | null, personal: boolean }
const SHAPE_MEMO_SIZE = 4096
const shapes = new Map<string, KeyShape>()

function keyShape (method: string, path: string): KeyShape {
  const memoKey = `${method} ${path}`
  let shape = shapes.get(memoKey)
  if (shape === undefined) {
    const target = parseTarget(path)
    const fromToken = target.query.some(([k, v]) => k === 'market' && isFromToken(v))
    const full = fromToken ? null : fullKey({ method, path, principal: null, country: null, language: null })
    // `…,null,null]` → `…`: the principal and language are appended per request.
    shape = { head: full === null ? null : full.slice(0, -',null,null]'.length), personal: isUserSpecific(target) }
    if (shapes.size >= SHAPE_MEMO_SIZE) shapes.delete(shapes.keys().next().value!)
    shapes.set(memoKey, shape)
  }
  return shape
}

/**
 * The form of a path stored beside a cached answer and matched by invalidation: the path with its
 * segments percent-decoded (so `/v1/playlists/%41b` and `/v1/playlists/Ab` agree), query kept raw.
 */
export function canonicalPath (path: string): string {
  const target = parseTarget(path)
  const pathname = target.segments.map(s => (typeof s === 'string' ? s : s.raw)).join('/')
  return target.rawQuery === null ? `/${pathname}` : `/${pathname}?${target.rawQuery}`
}

function parseTarget (path: string): Target {
  const noFragment = path.split('#', 1)[0] ?? ''
  const q = noFragment.indexOf('?')
  const pathname = q === -1 ? noFragment : noFragment.slice(0, q)
  const rawQuery = q === -1 ? null : noFragment.slice(q + 1)
  const segments = pathname.replace(/^\//, '').split('/').map(s => decodePart(s, false))
  const query: Array<[Part, Part]> = rawQuery === null || rawQuery === ''
    ? []
    : rawQuery.split('&').map(p => {
      const eq = p.indexOf('=')
      return eq === -1 ? [decodePart(p, true), ''] : [decodePart(p.slice(0, eq), true), decodePart(p.slice(eq + 1), true)]
    })
  return { segments, query, rawQuery }
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

function isUserSpecific ({ segments, query }: Target): boolean {
  if (query.some(([k, v]) => k === 'market' && isFromToken(v))) return true
  // Case-folded so `/v1/ME` or `/v1/%6De` can never pass for catalog data.
  const [version, resource, ...rest] = segments.map(s => (typeof s === 'string' ? s.toLowerCase() : null))
  if (version !== 'v1' || typeof resource !== 'string' || !CATALOG.has(resource)) return true
  if (rest.includes(null)) return true
  if (resource === 'search') return !searchesCatalogOnly(query)
  return false
}

function searchesCatalogOnly (query: Array<[Part, Part]>): boolean {
  const types = query.filter(([k]) => k === 'type').map(([, v]) => v)
  return types.every(v => typeof v === 'string' && v.split(',').every(t => CATALOG_SEARCH_TYPES.has(t.trim().toLowerCase())))
}

function isFromToken (v: Part): boolean {
  return typeof v === 'string' && v.toLowerCase() === 'from_token'
}
