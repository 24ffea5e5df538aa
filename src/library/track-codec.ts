// A LibraryTrack ⇄ the rows that store it (db.ts): its own tracks row, its album and artists as
// rows of their own, and the text its search index holds. Pure: no I/O, so the import worker
// encodes and the main thread only finds album and artist rows and writes.
import { foldText } from './search-query.js'
import { AUDIO_FEATURE_NAMES, type ArtistRef, type AudioFeatures, type LibraryTrack, type ReleaseDatePrecision, type TrackKind } from './types.js'

const KINDS: readonly TrackKind[] = ['track', 'local', 'episode']

/**
 * The tracks columns a track fills itself, in this order (album and artists are rowids the writer
 * finds). The 12 audio features are one BLOB of float64s (the numbers exactly as exported, read
 * back without parsing), NULL when the export has none.
 */
const VALUE_COLUMNS = ['richness', 'kind', 'name', 'disc_number', 'track_number', 'duration_ms', 'explicit', 'popularity', 'isrc', 'preview_url', 'genres', 'rare', 'features'] as const
export const TRACK_VALUE_COLUMNS = VALUE_COLUMNS.join(', ')
/** As the reader sends them: the features as numbers (storedValues makes them the BLOB). */
export type TrackValues = [richness: number, kind: number, name: string, disc: number | null, number: number | null, duration: number | null,
  explicit: number | null, popularity: number | null, isrc: string | null, preview: string | null, genres: string | null, rare: string | null, features: number[] | null]
/** Where TrackValues' richness, kind and features are. */
export const RICHNESS = 0
export const KIND = 1
const FEATURES = 12

/** An artist as stored: [Spotify id or '', name]. */
export type ArtistKey = [string, string]
/** An album as stored, artists as keys: spotify_id, name, release_date, date_precision, image_url, album_type, total_tracks, label, artists. */
type AlbumHead = [string | null, string, string | null, string | null, string | null, string | null, number | null, string | null]
export type AlbumValues = [...AlbumHead, ArtistKey[]]

/** The folded text of the search index's columns: name, artists, album, genres, year, isrc. */
export type FtsText = [string, string, string, string, string, string]

/**
 * A track ready to store (its key travels beside it). A tuple, not an object: the import worker
 * posts a million of them, and V8 clones arrays several times faster than objects. `artists` is
 * JSON of ArtistKey[] and `album` JSON of AlbumValues, each also the writer's key for the rows
 * they stand for.
 */
export type EncodedTrack = [values: TrackValues, artists: string, album: string, fts: FtsText]

export const KIND_CODES: Record<TrackKind, number> = { track: 0, local: 1, episode: 2 }

/**
 * Runs once per distinct track of a million-row import: string building by hand, no closures.
 * `fold` folds names that recur (artists, albums, genres): a memoFold for a file's tracks.
 */
export function encodeTrack (t: LibraryTrack, fold: (s: string) => string = foldText): EncodedTrack {
  const name = foldText(t.name)
  const a = t.album
  const artists = artistsJson(t.artists)
  const albumArtists = a.artists === t.artists ? artists : artistsJson(a.artists)
  const explicit = t.explicit === null ? null : t.explicit ? 1 : 0
  const genres = t.genres.length === 0 ? null : JSON.stringify(t.genres)
  const head: AlbumHead = [a.id, a.name, a.releaseDate, a.releaseDatePrecision, a.imageUrl, a.albumType, a.totalTracks, a.label]
  return [
    [trackRichness(t), KIND_CODES[t.kind], t.name, t.discNumber, t.trackNumber, t.durationMs, explicit, t.popularity, t.isrc, t.previewUrl, genres, rareFields(t), t.features === null ? null : AUDIO_FEATURE_NAMES.map(n => t.features![n])],
    artists,
    `${JSON.stringify(head).slice(0, -1)},${albumArtists}]`,
    [
      name,
      fold(artistNames(t.artists)),
      fold(a.name),
      t.genres.length === 0 ? '' : fold(t.genres.join(' ')),
      a.releaseDate === null ? '' : a.releaseDate.slice(0, 4),
      t.isrc === null ? '' : foldText(t.isrc)
    ]
  ]
}

/**
 * foldText remembering what it folded: one file's tracks repeat their artists, albums and genres.
 * Small: the names it keeps are cut from the file's text, and V8 keeps a whole piece of text
 * alive behind any string cut from it (with 1 MB pieces, a 20,000-name memory held ~30 MB more at peak).
 */
export function memoFold (): (s: string) => string {
  const folded = new Map<string, string>()
  return s => {
    let f = folded.get(s)
    if (f === undefined) {
      if (folded.size >= 2048) folded.clear()
      f = foldText(s)
      folded.set(s, f)
    }
    return f
  }
}

/** JSON of the artists as ArtistKey[]. */
function artistsJson (artists: readonly ArtistRef[]): string {
  let s = '['
  for (let i = 0; i < artists.length; i++) s += `${i === 0 ? '' : ','}[${JSON.stringify(artists[i]!.id ?? '')},${JSON.stringify(artists[i]!.name)}]`
  return `${s}]`
}

function artistNames (artists: readonly ArtistRef[]): string {
  let s = ''
  for (let i = 0; i < artists.length; i++) s += i === 0 ? artists[i]!.name : ` ${artists[i]!.name}`
  return s
}

/** TrackValues as the tracks columns hold them (the features as their BLOB). */
export function storedValues (values: TrackValues): unknown[] {
  const out: unknown[] = values.slice()
  out[FEATURES] = featuresBlob(values[FEATURES])
  return out
}

function featuresBlob (f: number[] | null): Buffer | null {
  if (f === null) return null
  const blob = Buffer.allocUnsafe(8 * f.length)
  for (let i = 0; i < f.length; i++) blob.writeDoubleLE(f[i]!, 8 * i)
  return blob
}

/**
 * A stored track as read with TRACK_COLUMNS: a row of better-sqlite3's raw mode (arrays, not
 * objects: a page of 100 tracks is read in half the time), then whatever else the query selects.
 */
export type StoredTrack = [key: string, artists: string, kind: number, name: string, disc: number | null, number: number | null,
  duration: number | null, explicit: number | null, popularity: number | null, isrc: string | null, preview: string | null,
  genres: string | null, rare: string | null, features: Buffer | null, albumId: string | null, albumName: string,
  releaseDate: string | null, precision: string | null, imageUrl: string | null, albumType: string | null,
  totalTracks: number | null, label: string | null, albumArtists: string, albumAnswerId: string | null, ...more: unknown[]]

/** The columns of StoredTrack, for a query over `tracks t JOIN albums a ON a.pk = t.album`. */
export const TRACK_COLUMNS = `t.key, t.artists, t.kind, t.name, t.disc_number, t.track_number, t.duration_ms, t.explicit,
  t.popularity, t.isrc, t.preview_url, t.genres, t.rare, t.features, a.spotify_id, a.name, a.release_date, a.date_precision,
  a.image_url, a.album_type, a.total_tracks, a.label, a.artists, a.answer_id`
/**
 * TRACK_COLUMNS for pages of entries (saved tracks, playlist items), whose tracks are only shown as
 * Spotify's track objects, which carry no audio features: the features' BLOB is not read (a Buffer
 * and a decoded object a track, ~20% of reading a page: BENCHMARKS.md, fallback section).
 */
export const ANSWER_TRACK_COLUMNS = TRACK_COLUMNS.replace('t.features,', 'NULL,')
/** Where what a query selects after TRACK_COLUMNS starts. */
export const AFTER_TRACK = 24

/** artists.pk lists as stored ('' for none). */
export function artistPks (list: string): number[] {
  const out: number[] = []
  let n = 0
  for (let i = 0; i < list.length; i++) {
    const c = list.charCodeAt(i)
    if (c === 44) { out.push(n); n = 0 } else n = n * 10 + c - 48
  }
  if (list !== '') out.push(n)
  return out
}

export function decodeTrack (r: StoredTrack, artists: ReadonlyMap<number, ArtistRef>): LibraryTrack {
  const [key, trackArtists, kindCode, name, disc, number, duration, explicit, popularity, isrc, preview, genres, rareJson, features,
    albumId, albumName, releaseDate, precision, imageUrl, albumType, totalTracks, label, albumArtists, albumAnswerId] = r
  const kind = KINDS[kindCode]!
  const rare = rareJson === null ? null : JSON.parse(rareJson) as Rare
  const derived = derivedIds(kind, key)
  return {
    key,
    kind,
    id: rare?.id !== undefined ? rare.id : derived.id,
    uri: rare?.uri !== undefined ? rare.uri : derived.uri,
    name,
    artists: refs(trackArtists, artists),
    album: {
      id: albumId,
      name: albumName,
      releaseDate,
      releaseDatePrecision: precision as ReleaseDatePrecision | null,
      imageUrl,
      artists: refs(albumArtists, artists),
      albumType,
      totalTracks,
      label,
      answerId: albumAnswerId
    },
    discNumber: disc,
    trackNumber: number,
    durationMs: duration,
    explicit: explicit === null ? null : explicit === 1,
    popularity,
    isrc,
    previewUrl: preview,
    genres: genres === null ? [] : JSON.parse(genres) as string[],
    features: features === null ? null : featuresOf(features),
    extra: rare?.extra ?? {}
  }
}

function refs (list: string, artists: ReadonlyMap<number, ArtistRef>): ArtistRef[] {
  return artistPks(list).map(pk => artists.get(pk)!)
}

function featuresOf (blob: Buffer): AudioFeatures {
  const out = {} as AudioFeatures
  for (let i = 0; i < AUDIO_FEATURE_NAMES.length; i++) out[AUDIO_FEATURE_NAMES[i]!] = blob.readDoubleLE(8 * i)
  return out
}

/** The incoming side of a merge: an encoded track as the LibraryTrack it came from. */
export function decodeEncoded (key: string, [values, artists, album]: EncodedTrack): LibraryTrack {
  const [, kind, name, disc, number, duration, explicit, popularity, isrc, preview, genres, rare, features] = values
  const [albumId, albumName, releaseDate, precision, imageUrl, albumType, totalTracks, label, albumArtists] = JSON.parse(album) as AlbumValues
  const t = decodeTrack([key, '', kind, name, disc, number, duration, explicit, popularity, isrc, preview, genres, rare, featuresBlob(features),
    albumId, albumName, releaseDate, precision, imageUrl, albumType, totalTracks, label, '', null], new Map())
  t.artists = (JSON.parse(artists) as ArtistKey[]).map(artistRef)
  t.album.artists = albumArtists.map(artistRef)
  return t
}

function artistRef ([id, name]: ArtistKey): ArtistRef {
  return { id: id === '' ? null : id, name }
}

interface Rare { id?: string | null, uri?: string | null, extra?: Record<string, string> }

// The key of a Spotify track or episode is its id, and of a local file its URI; id-less exports
// key tracks by name (`name:…`), with neither.
function derivedIds (kind: TrackKind, key: string): { id: string | null, uri: string | null } {
  if (kind === 'local') return { id: null, uri: key }
  if (key.startsWith('name:')) return { id: null, uri: null }
  return { id: key, uri: `spotify:${kind}:${key}` }
}

/** Whatever the columns do not hold, or null (nearly always). */
function rareFields (t: LibraryTrack): string | null {
  const derived = derivedIds(t.kind, t.key)
  let rare: Rare | null = null
  if (t.id !== derived.id) (rare ??= {}).id = t.id
  if (t.uri !== derived.uri) (rare ??= {}).uri = t.uri
  if (hasKeys(t.extra)) (rare ??= {}).extra = t.extra
  return rare === null ? null : JSON.stringify(rare)
}

function hasKeys (o: Record<string, string>): boolean {
  for (const k in o) if (Object.hasOwn(o, k)) return true
  return false
}

/** How much the library knows about a track: the fuller records rank first in search. */
function trackRichness (t: LibraryTrack): number {
  const a = t.album
  let n = (t.id !== null ? 1 : 0) + (t.isrc !== null ? 1 : 0) + (a.id !== null ? 1 : 0) + (a.imageUrl !== null ? 1 : 0) +
    (a.releaseDate !== null ? 1 : 0) + (a.label !== null ? 1 : 0) + (t.previewUrl !== null ? 1 : 0) + (t.popularity !== null ? 1 : 0) +
    (t.explicit !== null ? 1 : 0) + (t.discNumber !== null ? 1 : 0) + (t.trackNumber !== null ? 1 : 0) + (t.durationMs !== null ? 1 : 0)
  if (t.features !== null) n += 3
  if (t.genres.length > 0) n++
  if (t.artists.some(x => x.id !== null)) n++
  return n
}

/** Above any richness trackRichness gives (at most 17). */
const RICHNESS_SPAN = 32
const PK_BITS = 2 ** 40

/**
 * The search index's rowid for a track: richness first (descending), then the track's rowid, so
 * the index hands matches out in the answers' order and a page is the index's first rows.
 * Below 2^53, a plain JavaScript number.
 */
export function ftsRowid (pk: number, richness: number): number {
  return (RICHNESS_SPAN - Math.min(richness, RICHNESS_SPAN)) * PK_BITS + pk
}

/** The richness band of a search index rowid: rowids of one band grow as tracks are added. */
export function ftsTier (rowid: number): number {
  return Math.floor(rowid / PK_BITS)
}

/** The tracks rowid of a search index rowid. */
export function ftsTrackPk (rowid: number): number {
  return rowid % PK_BITS
}

/** The same, in SQL. */
export const FTS_TRACK_PK = `% ${PK_BITS}`

/** FNV-1a, 32 bits: a lookup key for equal strings (equal hashes are compared in full). */
export function hash32 (s: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193)
  return h >>> 0
}
