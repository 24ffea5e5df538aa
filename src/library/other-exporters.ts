// CSV exports of tools other than Exportify, each recognised by its header (docs/exportify.md §6),
// read into the same canonical columns so the row mapper and the store treat them alike:
// - TuneMyMusic ("Export to file"): `Track name,Artist name,Album,Playlist name,Type,ISRC,Spotify - id`,
//   one file for the whole library: a row's playlist is its `Playlist name`; `Type` Favorite is
//   Liked Songs, Album and Artist rows are saved albums and artists (no track: left out).
// - Soundiiz: `title,artist,album,isrc,…` (`,` or `;`), its duration as `225s` or `3:45`, the
//   track as an open.spotify.com URL or, on Spotify, a `trackId`: both become derived cells after
//   the file's own (an id, and the duration in ms), so the mapper reads them as Exportify's.
import type { Column, Dialect } from './headers.js'
import { normalizeHeader } from './headers.js'

const TUNEMYMUSIC: Readonly<Record<string, Column | 'playlist' | 'type'>> = {
  'track name': 'name', 'artist name': 'artistNames', album: 'albumName', 'playlist name': 'playlist', type: 'type', isrc: 'isrc', 'spotify - id': 'id'
}
const SOUNDIIZ: Readonly<Record<string, Column | 'url' | 'trackid' | 'duration'>> = {
  title: 'name', artist: 'artistNames', album: 'albumName', isrc: 'isrc', addeddate: 'addedAt', addedby: 'addedBy', duration: 'duration', url: 'url', trackid: 'trackid'
}

/** A TuneMyMusic or Soundiiz header's dialect, or null for any other header. */
export function otherExporterDialect (header: readonly string[]): Dialect | null {
  const names = header.map(normalizeHeader)
  if (names.includes('playlist name') && names.includes('track name') && names.some(n => n.endsWith(' - id') || n === 'type')) {
    const columns: Dialect['columns'] = {}
    const group: NonNullable<Dialect['group']> = { playlist: -1, type: null }
    const unknown: Dialect['unknown'] = []
    names.forEach((n, i) => {
      const c = TUNEMYMUSIC[n]
      if (c === 'playlist') group.playlist = i
      else if (c === 'type') group.type = i
      else if (c !== undefined) columns[c] = i
      else unknown.push({ index: i, header: header[i]!.trim() })
    })
    return { name: 'tunemymusic', joiner: 'comma-space', columns, unknown, headerLength: header.length, minCells: (columns.albumName ?? 2) + 1, group, emptyIdIsLocal: false }
  }
  if (names.includes('title') && names.includes('artist') && (names.includes('url') || names.includes('isrc'))) {
    const columns: Dialect['columns'] = {}
    const derive: NonNullable<Dialect['derive']> = { url: null, trackId: null, duration: null }
    const unknown: Dialect['unknown'] = []
    names.forEach((n, i) => {
      const c = SOUNDIIZ[n]
      if (c === 'url') derive.url = i
      else if (c === 'trackid') derive.trackId = i
      else if (c === 'duration') derive.duration = i
      else if (c !== undefined) columns[c] = i
      else if (n !== '') unknown.push({ index: i, header: header[i]!.trim() })
    })
    columns.id = header.length
    columns.durationMs = header.length + 1
    return { name: 'soundiiz', joiner: 'comma-space', columns, unknown, headerLength: header.length + 2, minCells: (columns.albumName ?? 2) + 1, derive, emptyIdIsLocal: false }
  }
  return null
}

const SPOTIFY_TRACK = /(?:open\.spotify\.com\/(?:intl-[a-z-]+\/)?track\/|spotify:track:)([0-9A-Za-z]{22})/
const BASE62_ID = /^[0-9A-Za-z]{22}$/

/** The duration as Soundiiz writes it (`225s`, `3:45`, or seconds) in ms, or '' when it is none of these. */
function durationMs (cell: string): string {
  const t = cell.trim()
  const s = /^(\d+)s?$/.exec(t)
  if (s !== null) return String(Number(s[1]) * 1000)
  const m = /^(?:(\d+):)?(\d{1,2}):(\d{2})$/.exec(t)
  return m === null ? '' : String(((Number(m[1] ?? 0) * 60 + Number(m[2])) * 60 + Number(m[3])) * 1000)
}

/** A row's cells as the mapper reads them: with Soundiiz's derived cells (id, duration in ms) after its own. */
export function derivedCells (cells: string[], d: Dialect): string[] {
  const x = d.derive
  if (x === undefined) return cells
  const url = x.url === null ? '' : cells[x.url] ?? ''
  const trackId = x.trackId === null ? '' : (cells[x.trackId] ?? '').trim()
  const id = SPOTIFY_TRACK.exec(url)?.[1] ?? (BASE62_ID.test(trackId) ? trackId : '')
  const own = cells.length >= d.headerLength - 2 ? cells.slice(0, d.headerLength - 2) : [...cells, ...Array<string>(d.headerLength - 2 - cells.length).fill('')]
  return [...own, id, x.duration === null ? '' : durationMs(cells[x.duration] ?? '')]
}

/** TuneMyMusic's types: Favorite is a liked song, Playlist an entry; Album and Artist rows are no tracks. */
export function rowPlaylist (cells: readonly string[], d: Dialect): { name: string, isLiked: boolean } | null {
  const g = d.group!
  const type = g.type === null ? 'playlist' : (cells[g.type] ?? '').trim().toLowerCase()
  if (type !== 'playlist' && type !== 'favorite') return null
  const name = (cells[g.playlist] ?? '').trim()
  return { name: type === 'favorite' ? 'Liked Songs' : name === '' ? 'Untitled' : name, isLiked: type === 'favorite' }
}
