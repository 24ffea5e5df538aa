// Spotify search query syntax (`q` of GET /v1/search) parsed into a structure the
// library can answer from SQLite, plus the text folding shared with the importer.
// Pure: no I/O, never throws.
//
// Syntax choices (https://developer.spotify.com/documentation/web-api/reference/search):
// - A token `field:value` is a filter when `field` (case-insensitive) is one of
//   album, artist, track, year, upc, tag, isrc, genre. Any other `x:y` token
//   (`name:x`, `Re:Zero`, a URL) is plain free text.
// - An unquoted filter value extends only to the next whitespace, like Spotify:
//   `artist:Miles Davis` is artist "Miles" plus free text "Davis".
//   `artist:"Miles Davis"` is one value; an unterminated quote runs to the end.
// - Free text is split on whitespace; a double-quoted run is kept as one term
//   (a phrase). `NOT`, `OR`, `AND`, `-x`, `*` have no operator meaning (Spotify no
//   longer documents any): they are literal words, and punctuation folds away.
// - `upc:`, `tag:new`, `tag:hipster` (any `tag:`), empty filters (`artist:`,
//   `artist:""`) and invalid years (`year:abc`, `year:99`) are accepted and
//   reported verbatim in `unsupported`, never as errors.
// - `year:YYYY` or `year:YYYY-YYYY` (4 digits each); a reversed range is
//   normalized; when several valid year filters are given, the last one wins.
// - `isrc:` values are upper-cased with non-alphanumerics removed (ISRCs are
//   often written `US-UM7-17-03861`).
// - Queries longer than MAX_QUERY_LENGTH characters are truncated before parsing,
//   so a hostile `q` cannot build a huge FTS5 expression.

export interface ParsedSearch {
  /** Free-text terms, raw (unfolded). A quoted run is one term. */
  text: string[]
  track: string[]
  artist: string[]
  album: string[]
  genre: string[]
  /** Upper-cased, alphanumerics only. */
  isrc: string[]
  year: { from: number, to: number } | null
  /** Filters that were accepted but ignored, as written in the query. */
  unsupported: string[]
}

const MAX_QUERY_LENGTH = 1000

/**
 * Spotify's search `total` is an estimate, capped (spotify/web-api#201, #1318), and a client can
 * page no further than offset 1,000 with 50 a page: matches are counted up to here, so every page
 * a client can reach has the right `next`, and a common word costs no count of all its matches.
 */
export const SEARCH_TOTAL_CAP = 1050

type FieldName = 'album' | 'artist' | 'track' | 'year' | 'upc' | 'tag' | 'isrc' | 'genre'
const FIELDS: ReadonlySet<string> = new Set<FieldName>(['album', 'artist', 'track', 'year', 'upc', 'tag', 'isrc', 'genre'])

// Sticky regexes: matched at an explicit lastIndex while scanning.
const WHITESPACE_RUN = /\s+/y
const WORD = /\S*/y
const FIELD_PREFIX = /([A-Za-z]+):/y
const YEAR_FILTER = /^(\d{4})(?:-(\d{4}))?$/
const NON_ALNUM = /[^A-Za-z0-9]+/g

function matchAt (re: RegExp, s: string, at: number): RegExpExecArray | null {
  re.lastIndex = at
  return re.exec(s)
}

/** Reads a value at `at`: a double-quoted run (to the closing quote or the end), or up to whitespace. */
function readValue (q: string, at: number): { value: string, end: number } {
  if (q.charCodeAt(at) === 0x22 /* " */) {
    const close = q.indexOf('"', at + 1)
    if (close === -1) return { value: q.slice(at + 1).trim(), end: q.length }
    return { value: q.slice(at + 1, close).trim(), end: close + 1 }
  }
  const m = matchAt(WORD, q, at)
  const word = m?.[0] ?? ''
  return { value: word, end: at + word.length }
}

function truncate (q: string): string {
  if (q.length <= MAX_QUERY_LENGTH) return q
  let end = MAX_QUERY_LENGTH
  // Do not split a surrogate pair.
  const last = q.charCodeAt(end - 1)
  if (last >= 0xd800 && last <= 0xdbff) end--
  return q.slice(0, end)
}

export function parseSearchQuery (q: string): ParsedSearch {
  const out: ParsedSearch = {
    text: [],
    track: [],
    artist: [],
    album: [],
    genre: [],
    isrc: [],
    year: null,
    unsupported: []
  }
  if (typeof q !== 'string') return out
  const s = truncate(q)
  let i = 0
  while (i < s.length) {
    const ws = matchAt(WHITESPACE_RUN, s, i)
    if (ws !== null) {
      i += ws[0].length
      continue
    }
    const start = i
    const prefix = matchAt(FIELD_PREFIX, s, i)
    const field = prefix?.[1]?.toLowerCase()
    if (prefix !== null && field !== undefined && FIELDS.has(field)) {
      const { value, end } = readValue(s, i + prefix[0].length)
      i = end
      applyFilter(out, field as FieldName, value, s.slice(start, end))
    } else {
      const { value, end } = readValue(s, i)
      // end > i always: an unquoted read at a non-space char consumes at least one char.
      i = Math.max(end, i + 1)
      if (value !== '') out.text.push(value)
    }
  }
  return out
}

function applyFilter (out: ParsedSearch, field: FieldName, value: string, raw: string): void {
  if (value === '') {
    out.unsupported.push(raw)
    return
  }
  switch (field) {
    case 'track':
    case 'artist':
    case 'album':
    case 'genre':
      out[field].push(value)
      return
    case 'isrc': {
      const isrc = value.replace(NON_ALNUM, '').toUpperCase()
      if (isrc === '') out.unsupported.push(raw)
      else out.isrc.push(isrc)
      return
    }
    case 'year': {
      const m = YEAR_FILTER.exec(value)
      if (m === null) {
        out.unsupported.push(raw)
        return
      }
      const a = Number(m[1])
      const b = m[2] === undefined ? a : Number(m[2])
      out.year = { from: Math.min(a, b), to: Math.max(a, b) }
      return
    }
    case 'upc':
    case 'tag':
      out.unsupported.push(raw)
  }
}

const COMBINING_MARKS = /\p{M}+/gu
const NON_LETTER_DIGIT_RUN = /[^\p{L}\p{N}]+/gu
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/
const ASCII_NON_ALNUM_RUN = /[^a-z0-9]+/g

/**
 * The matching normalization shared by the importer's index and the query side:
 * NFKD, drop combining marks, lowercase, every run of non-letter/non-digit
 * characters becomes one space, trimmed. `Beyoncé` → `beyonce`, `AC/DC` → `ac dc`.
 */
export function foldText (s: string): string {
  // Most names are plain ASCII: nothing to decompose, and a cheaper class to collapse.
  if (PRINTABLE_ASCII.test(s)) return s.toLowerCase().replace(ASCII_NON_ALNUM_RUN, ' ').trim()
  return s
    .normalize('NFKD')
    .replace(COMBINING_MARKS, '')
    .toLowerCase()
    .replace(NON_LETTER_DIGIT_RUN, ' ')
    .trim()
}

function ftsString (folded: string): string {
  return '"' + folded.replaceAll('"', '""') + '"'
}

const FIELD_COLUMNS = [
  ['track', 'name'],
  ['artist', 'artists'],
  ['album', 'album'],
  ['genre', 'genres']
] as const

/** What a search for each type matches in the tracks' index, after Spotify's rules for filters. */
export type SearchScope = 'track' | 'album' | 'artist'

/**
 * Free text reaches the scope's text columns (never year or isrc), and only the filters Spotify
 * applies to that type count: "artist and year … albums, artists and tracks; album … albums and
 * tracks; genre … artists and tracks; isrc and track … tracks"
 * (https://developer.spotify.com/documentation/web-api/reference/search). Others are ignored,
 * as `upc:` and `tag:` are.
 */
const SCOPES: Record<SearchScope, { text: string, filters: ReadonlySet<string> }> = {
  track: { text: '{name artists album genres}', filters: new Set(['track', 'artist', 'album', 'genre', 'isrc', 'year']) },
  album: { text: '{album artists}', filters: new Set(['artist', 'album', 'year']) },
  artist: { text: '{artists}', filters: new Set(['artist', 'genre', 'year']) }
}

/**
 * An FTS5 MATCH expression for a table `fts5(name, artists, album, genres, year, isrc)` whose
 * columns hold foldText output (year: the release year's four digits), or null when nothing can
 * match: nothing is left to match on (only unsupported filters, or only punctuation), or no year
 * of `libraryYears` (the years the library holds) is in the `year:` range. `scope` (SCOPES) says
 * which columns free text reaches and which filters count: a search for albums or artists finds
 * the tracks whose albums or artists they are.
 *
 * Every term is folded and emitted as an FTS5 string literal, so it is always a
 * phrase and user input never becomes FTS5 syntax (NOT/OR/NEAR/`*`/`^`/`col:`).
 * Free-text terms match any text column; `track:` → name, `artist:` → artists,
 * `album:` → album, `genre:` → genres, `isrc:` → isrc (several: any of them), `year:` → year (one
 * term per year of the library in the range, ORed). All terms are ANDed.
 *
 * Choice: the last free-text term gets a prefix match (`"ana so"*` matches the
 * last token as a prefix) because Spotify matches partial words, which matters for
 * search-as-you-type clients. Only the last free-text term: earlier words are
 * complete, and filter values are taken as whole words.
 */
export function toFtsMatch (p: ParsedSearch, libraryYears: readonly number[], scope: SearchScope = 'track'): string | null {
  const { text: columns, filters } = SCOPES[scope]
  const parts: string[] = []
  const text = p.text.map(foldText).filter((t) => t !== '')
  text.forEach((t, idx) => {
    parts.push(`${columns} : ${ftsString(t)}${idx === text.length - 1 ? '*' : ''}`)
  })
  for (const [field, column] of FIELD_COLUMNS) {
    if (!filters.has(field)) continue
    for (const value of p[field]) {
      const folded = foldText(value)
      if (folded !== '') parts.push(`${column} : ${ftsString(folded)}`)
    }
  }
  // Several ISRCs: a track with any of them.
  if (p.isrc.length > 0 && filters.has('isrc')) parts.push(`isrc : (${p.isrc.map(i => ftsString(i.toLowerCase())).join(' OR ')})`)
  if (p.year !== null && filters.has('year')) {
    const { from, to } = p.year
    const years = libraryYears.filter(y => y >= from && y <= to)
    if (years.length === 0) return null
    parts.push(`year : (${years.map(y => ftsString(String(y).padStart(4, '0'))).join(' OR ')})`)
  }
  return parts.length === 0 ? null : parts.join(' AND ')
}

/**
 * Whether a folded name is what a search for artists or playlists asks for: every free-text term
 * and every `whole` value (an artist search's `artist:` filters) must be whole words of it, the
 * last free-text term's last word as a prefix (as the index matches it). For artists, the index
 * matches a track by all its artists' names at once: each artist is checked alone with this.
 */
export function nameMatcher (text: readonly string[], whole: readonly string[] = []): (foldedName: string) => boolean {
  const terms = text.map(foldText).filter(t => t !== '')
  const words = [
    ...terms.map((t, i) => ` ${t}${i === terms.length - 1 ? '' : ' '}`),
    ...whole.map(foldText).filter(t => t !== '').map(t => ` ${t} `)
  ]
  return name => {
    const padded = ` ${name} `
    return words.every(w => padded.includes(w))
  }
}
