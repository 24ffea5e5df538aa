// One CSV record → one canonical track and its playlist entry, or a reason to reject the row.
// Runs once per row on libraries of a million rows: no regex compiled per call, no closures.
import { bool, clip, int, num, RowError, splitList, stripPrefix, text } from './cells.js'
import { parseLine } from './csv-reader.js'
import type { Dialect } from './headers.js'
import { foldText } from './search-query.js'
import { AUDIO_FEATURE_NAMES, type ArtistRef, type AudioFeatures, type LibraryTrack, type ReleaseDatePrecision, type TrackKind } from './types.js'

export interface MappedRow {
  track: LibraryTrack
  addedAt: string | null
  addedBy: string | null
}

const BASE62_ID = /^[0-9A-Za-z]{22}$/
const TRACK_URI = /^spotify:(track|episode):([0-9A-Za-z]{22})$/
const RELEASE_DATE = /^\d{4}(-\d{2}(-\d{2})?)?$/
const URI_SPLIT = /,\s*/
const PRECISION: Record<number, ReleaseDatePrecision> = { 4: 'year', 7: 'month', 10: 'day' }

export function mapRow (cells: string[], d: Dialect): MappedRow {
  cells = repairArtistQuotes(cells, d)
  if (cells.length > d.headerLength) cells = remergeStrayQuotes(cells, d.headerLength)
  if (cells.length > d.headerLength) {
    throw new RowError(`${cells.length} cells where the header has ${d.headerLength}`)
  }
  if (cells.length < d.minCells) {
    throw new RowError(`${cells.length} cells where a row of this export has at least ${d.minCells} (the row is cut off)`)
  }
  const c = d.columns
  const name = text(cells, c.name) ?? ''
  const artistNames = splitArtists(text(cells, c.artistNames) ?? '', d.joiner)
  const artistIds = artistIdList(cells, d)
  const artists = pairArtists(artistNames, artistIds)
  const durationMs = int(cells, c.durationMs, 'Duration (ms)')
  const albumName = text(cells, c.albumName) ?? ''

  const identity = identify(cells, d, name, artists, albumName, durationMs)
  const releaseDate = text(cells, c.releaseDate)
  const validDate = releaseDate !== null && RELEASE_DATE.test(releaseDate) ? releaseDate : null
  const albumArtistNames = splitArtists(text(cells, c.albumArtistNames) ?? '', d.joiner)
  const albumArtists = albumArtistNames.length > 0
    ? pairArtists(albumArtistNames, uriIds(text(cells, c.albumArtistUris), 'artist'))
    : artists

  const track: LibraryTrack = {
    key: identity.key,
    kind: identity.kind,
    id: identity.id,
    uri: identity.uri,
    name,
    artists,
    album: {
      id: albumId(cells, d),
      name: albumName,
      releaseDate: validDate,
      releaseDatePrecision: validDate === null ? null : PRECISION[validDate.length] ?? null,
      imageUrl: text(cells, c.imageUrl),
      artists: albumArtists,
      albumType: text(cells, c.albumType)?.toLowerCase() ?? null,
      totalTracks: int(cells, c.totalTracks, 'Total Album Tracks'),
      label: text(cells, c.label)
    },
    discNumber: int(cells, c.discNumber, 'Disc Number'),
    trackNumber: int(cells, c.trackNumber, 'Track Number'),
    durationMs,
    explicit: bool(cells, c.explicit),
    popularity: int(cells, c.popularity, 'Popularity'),
    isrc: text(cells, c.isrc),
    previewUrl: text(cells, c.previewUrl),
    genres: splitList(text(cells, c.genres)),
    features: features(cells, d),
    extra: extra(cells, d)
  }
  const entry = rowEntry(cells, d)
  return { track, addedAt: entry.addedAt, addedBy: entry.addedBy }
}

/** When and by whom the row's track was added to its playlist. */
export function rowEntry (cells: string[], d: Dialect): { addedAt: string | null, addedBy: string | null } {
  const addedBy = text(cells, d.columns.addedBy)
  return {
    addedAt: text(cells, d.columns.addedAt),
    addedBy: addedBy === null ? null : stripPrefix(addedBy, 'spotify:user:') || null
  }
}

/**
 * The store key of the row's track, read from its id or URI alone (null when the row has neither
 * or they are malformed: mapRow then decides). Lets the importer skip rows it has already mapped.
 */
export function rowKey (cells: string[], d: Dialect): string | null {
  const uri = text(cells, d.columns.uri)
  if (uri !== null) {
    if (uri.startsWith('spotify:local:')) return uri
    return TRACK_URI.exec(uri)?.[2] ?? null
  }
  const id = text(cells, d.columns.id)
  return id !== null && BASE62_ID.test(id) ? id : null
}

type Identity = Pick<LibraryTrack, 'key' | 'kind' | 'id' | 'uri'>

function identify (cells: string[], d: Dialect, name: string, artists: ArtistRef[], album: string, durationMs: number | null): Identity {
  const c = d.columns
  const uri = text(cells, c.uri)
  const id = uri === null ? text(cells, c.id) : null
  if (uri === null && id === null && name === '') throw new RowError('no track id and no track name (an empty or deleted track)')
  // Every track has a name, local files and episodes included: a row without one is not a track.
  if (name === '' && c.name !== undefined) throw new RowError('no track name')
  if (uri !== null) {
    if (uri.startsWith('spotify:local:')) return { key: uri, kind: 'local', id: null, uri }
    const m = TRACK_URI.exec(uri)
    if (!m) throw new RowError(`"${clip(uri)}" is not a Spotify track, episode or local-file URI`)
    return { key: m[2]!, kind: m[1] as TrackKind, id: m[2]!, uri }
  }
  // Exports with a URI column write one for every item, local files (`spotify:local:…`) included.
  if (c.uri !== undefined) throw new RowError('no track URI')
  if (id !== null) {
    if (!BASE62_ID.test(id)) throw new RowError(`"${clip(id)}" is not a 22-character Spotify track id`)
    return { key: id, kind: 'track', id, uri: `spotify:track:${id}` }
  }
  if (c.id !== undefined && d.emptyIdIsLocal !== false) {
    // Exports leave the id empty for local files; Spotify's own URI for them is derivable.
    const local = localUri(artists[0]?.name ?? '', album, name, durationMs)
    return { key: local, kind: 'local', id: null, uri: local }
  }
  // P5 wrote no id column at all (and other tools none for a track they did not find on
  // Spotify): the track is known by name and artists only.
  return { key: `name:${foldText(name)}|${foldText(artists.map(a => a.name).join(' '))}`, kind: 'track', id: null, uri: null }
}

// Spotify form-encodes local URIs: `+` for space and, unlike encodeURIComponent, `!'()*` escaped
// too (`spotify:local:Turbo:Eurobeat:Gimme%21+Gimme%21+…:241`).
const FORM_RESERVED = /[!'()*]/g
const percent = (ch: string): string => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`

function localUri (artist: string, album: string, title: string, durationMs: number | null): string {
  const enc = (s: string): string => encodeURIComponent(s).replace(/%20/g, '+').replace(FORM_RESERVED, percent)
  const seconds = durationMs === null ? '' : String(Math.round(durationMs / 1000))
  return `spotify:local:${enc(artist)}:${enc(album)}:${enc(title)}:${seconds}`
}

/**
 * pavelkomarov wrote artist names unescaped inside quotes until 2024-12 (pavelkomarov/exportify#71),
 * so `Royce Da 5'9"` breaks the row in one of two ways; both are put back here.
 */
function repairArtistQuotes (cells: string[], d: Dialect): string[] {
  const a = d.columns.artistNames
  if (a === undefined || d.joiner !== 'comma') return cells
  let out = cells
  // `"Royce Da 5'9"",2016-…`: read as an escaped quote, the field swallowed the cells after it
  // up to the next field's opening quote, whose closing quote ended it.
  const cell = out[a]
  const cut = cell === undefined ? -1 : cell.indexOf('",')
  if (cell !== undefined && cut !== -1) {
    const swallowed = parseLine(`${cell.slice(cut + 2)}"`, ',')
    out = [...out.slice(0, a), cell.slice(0, cut + 1), ...swallowed, ...out.slice(a + 1)]
  }
  // `"…,Royce Da 5'9",Joell Ortiz"`: the quote closed the field early; the rest of the list
  // is the next cell, ending in the real closing quote. No release date ends in `"`.
  while (out[a + 1]?.endsWith('"') === true) {
    out = out.slice()
    out.splice(a, 2, `${out[a]}",${out[a + 1]!.slice(0, -1)}`)
  }
  return out
}

/** A `"` right before a delimiter inside an unescaped field splits it; glue the pieces back. */
function remergeStrayQuotes (cells: string[], want: number): string[] {
  const out = cells.slice()
  for (let i = out.length - 1; i > 0 && out.length > want; i--) {
    const cell = out[i]!
    if (cell.endsWith('"')) {
      out.splice(i - 1, 2, `${out[i - 1]}",${cell.slice(0, -1)}`)
    }
  }
  return out
}

export function splitArtists (cell: string, joiner: Dialect['joiner']): string[] {
  if (cell === '') return []
  switch (joiner) {
    case 'semicolon': return cell.split(';').filter(s => s !== '')
    // No space after the comma: "Tyler, The Creator" stays one name.
    case 'comma': return cell.split(/,(?! )/).filter(s => s !== '')
    case 'comma-space': return cell.split(', ')
    case 'comma-space-escaped': return cell.split(/(?<!\\), /).map(s => s.replaceAll('\\,', ','))
  }
}

function artistIdList (cells: string[], d: Dialect): Array<string | null> {
  const ids = text(cells, d.columns.artistIds)
  if (ids !== null) return ids.split(',').map(s => (BASE62_ID.test(s.trim()) ? s.trim() : null))
  return uriIds(text(cells, d.columns.artistUris), 'artist')
}

function uriIds (cell: string | null, kind: string): Array<string | null> {
  if (cell === null) return []
  const prefix = `spotify:${kind}:`
  return cell.split(URI_SPLIT).map(u => {
    const id = stripPrefix(u.trim(), prefix)
    return id !== u.trim() && BASE62_ID.test(id) ? id : null
  })
}

/** Pair names with ids; with ids known, their count is the artist count (names may hold commas). */
function pairArtists (names: string[], ids: Array<string | null>): ArtistRef[] {
  if (ids.length > 0 && ids.length < names.length) names = mergeToCount(names, ids.length)
  return names.map((name, i) => ({ id: ids[i] ?? null, name: name.trim() }))
}

// "10,000 Maniacs" split on ',' gives too many names: rejoin a thousands separator first,
// then the shortest neighbours.
function mergeToCount (names: string[], count: number): string[] {
  const out = names.slice()
  const cost = (i: number): number => (/\d$/.test(out[i]!) && /^\d{3}\b/.test(out[i + 1]!) ? -1 : out[i]!.length + out[i + 1]!.length)
  while (out.length > count) {
    let best = 0
    for (let i = 1; i < out.length - 1; i++) {
      if (cost(i) < cost(best)) best = i
    }
    out.splice(best, 2, `${out[best]},${out[best + 1]}`)
  }
  return out
}

function albumId (cells: string[], d: Dialect): string | null {
  const id = text(cells, d.columns.albumId)
  if (id !== null) return BASE62_ID.test(id) ? id : null
  return uriIds(text(cells, d.columns.albumUri), 'album')[0] ?? null
}

function features (cells: string[], d: Dialect): AudioFeatures | null {
  const out: Partial<AudioFeatures> = {}
  let missing = false
  for (const f of AUDIO_FEATURE_NAMES) {
    // Every cell is checked, so a word where a number belongs rejects the row even when another
    // feature is empty.
    const v = num(cells, d.columns[f], f)
    if (v === null) missing = true
    else out[f] = v
  }
  return missing ? null : out as AudioFeatures
}

function extra (cells: string[], d: Dialect): Record<string, string> {
  const out: Record<string, string> = {}
  for (const { index, header } of d.unknown) {
    const v = cells[index]
    if (v !== undefined && v !== '') out[header] = v
  }
  return out
}
