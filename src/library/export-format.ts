// Export items as text: Spotify's JSON objects (a TrackObject for the track listing, a
// PlaylistTrackObject or SavedTrackObject for entries), one per NDJSON line or in a JSON array, or
// CSV rows in Exportify's current columns (docs/exportify.md, P11), so an export can be read back
// by `import` itself.
import type { ExportItem, ExportQuery } from './export-reader.js'
import { shapePlaylistTrack, shapeSavedTrack, shapeTrack, type ShapeOptions } from './shapes.js'
import { AUDIO_FEATURE_NAMES } from './types.js'

export type ExportFormat = 'ndjson' | 'csv' | 'json'
export const EXPORT_FORMATS: readonly ExportFormat[] = ['ndjson', 'csv', 'json']

/** An item as Spotify's JSON shapes it. */
export function shapeExportItem (item: ExportItem, q: ExportQuery, o: ShapeOptions): unknown {
  if (item.entry === null) return shapeTrack(item.track, o)
  const pt = { entry: item.entry, track: item.track }
  return q.playlist !== undefined ? shapePlaylistTrack(pt, o) : shapeSavedTrack(pt, o)
}

export const CSV_HEADER = [
  'Track URI', 'ISRC', 'Track Name', 'Album Name', 'Artist Name(s)', 'Release Date', 'Duration (ms)',
  'Popularity', 'Explicit', 'Added By', 'Added At', 'Genres', 'Record Label', 'Danceability', 'Energy',
  'Key', 'Loudness', 'Mode', 'Speechiness', 'Acousticness', 'Instrumentalness', 'Liveness', 'Valence',
  'Tempo', 'Time Signature'
] as const

/** One RFC 4180 cell: quoted when it holds a quote, a comma or a line break. */
function cell (v: string | number | boolean | null): string {
  const s = v === null ? '' : String(v)
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s
}

/** A CSV line (with its line break) in CSV_HEADER's columns. Artists are joined with `;` as Exportify does. */
export function csvLine (item: ExportItem): string {
  const t = item.track
  const f = t.features
  const cells = [
    t.uri, t.isrc, t.name, t.album.name, t.artists.map(a => a.name).join(';'), t.album.releaseDate, t.durationMs,
    t.popularity, t.explicit, item.entry?.addedBy ?? null, item.entry?.addedAt ?? null,
    t.genres.length === 0 ? null : t.genres.join(','), t.album.label,
    ...AUDIO_FEATURE_NAMES.map(n => (f === null ? null : f[n]))
  ]
  return `${cells.map(cell).join(',')}\r\n`
}

/** The text of a whole export, piece by piece, from pages of items: memory holds one page's text. */
export function * exportText (pages: Iterable<ExportItem[]>, format: ExportFormat, q: ExportQuery, o: ShapeOptions): Generator<string> {
  if (format === 'csv') yield `${CSV_HEADER.join(',')}\r\n`
  if (format === 'json') yield '['
  let first = true
  for (const items of pages) {
    let text = ''
    for (const item of items) {
      if (format === 'csv') text += csvLine(item)
      else if (format === 'ndjson') text += `${JSON.stringify(shapeExportItem(item, q, o))}\n`
      else {
        text += `${first ? '\n' : ',\n'}${JSON.stringify(shapeExportItem(item, q, o))}`
        first = false
      }
    }
    yield text
  }
  if (format === 'json') yield first ? ']\n' : '\n]\n'
}
