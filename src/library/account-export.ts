// Spotify's own account data ("Download your data"): JSON files recognised by what they hold, not
// by their names (docs/exportify.md §6.3), and read as a stream with @streamparser/json, so memory
// holds a piece of the file and one batch of records whatever its size:
// - a library (`YourLibrary.json`: {tracks: [{artist, album, track, uri}], …}) → the saved tracks;
// - playlists (`Playlist1.json`…: {playlists: [{name, items: [{track: {trackName, artistName,
//   albumName, trackUri}, episode, localTrack, addedDate}]}]}) → one playlist each;
// - streaming history, the account one (`StreamingHistory_music_*.json`: [{endTime, artistName,
//   trackName, msPlayed}]) and the extended one (`Streaming_History_Audio_*.json`: [{ts,
//   ms_played, master_metadata_track_name, master_metadata_album_artist_name,
//   master_metadata_album_album_name, spotify_track_uri, …}]) → plays.
import { JSONParser } from '@streamparser/json'
import { entryRow, ROWS_PER_MESSAGE, type EntrySink } from './entry-row.js'
import type { FileEvent, FileMeta, RowEvent } from './file-reader.js'
import { foldText } from './search-query.js'
import type { LibraryTrack } from './types.js'

/** One play: when it ended (Unix seconds), how long it played, and what (the id when known). */
export type Play = [ts: number, ms: number, id: string | null, name: string, artist: string, album: string | null]

const TRACK_URI = /^spotify:(track|episode):([0-9A-Za-z]{22})$/
const LOCAL_URI = /^spotify:local:([^:]*):([^:]*):([^:]*):(\d*)$/

type Kind = 'library' | 'playlists' | 'history' | null

/** What the JSON's start says it is: an object with `tracks` or `playlists`, or an array of plays. */
function kindOf (head: string): Kind {
  const start = head.trimStart()
  if (start.startsWith('[')) return /"(endTime|ts)"\s*:/.test(head) && /"(msPlayed|ms_played)"\s*:/.test(head) ? 'history' : start.replace(/\s/g, '') === '[]' ? 'history' : null
  if (!start.startsWith('{')) return null
  if (/"playlists"\s*:\s*\[/.test(head)) return 'playlists'
  if (/"(tracks|albums|artists|bannedTracks)"\s*:\s*\[/.test(head)) return 'library'
  return null
}

/** Reads a JSON file of the account export into file events; a JSON file of anything else is skipped. */
export async function * readAccountJson (rel: string, meta: FileMeta, head: string, pieces: () => AsyncIterable<Buffer>, sink: EntrySink): AsyncGenerator<FileEvent> {
  const kind = kindOf(head)
  if (kind === null) {
    yield { t: 'skip', rel, meta, reason: 'a JSON file that is not a Spotify account export\'s library, playlists or streaming history', encoding: 'utf-8', quiet: true }
    return
  }
  const paths = kind === 'history' ? ['$.*'] : kind === 'library' ? ['$.tracks.*'] : ['$.playlists.*.name', '$.playlists.*.items.*']
  yield { t: 'begin', rel, meta, dialect: `spotify-account-${kind}`, encoding: 'utf-8', parts: true }
  if (kind === 'library') yield { t: 'part', rel, name: 'Liked Songs', isLiked: true }
  let out: FileEvent[] = []
  let rows: RowEvent[] = []
  let plays: Play[] = []
  let item = 0
  let playlist = -1
  const flush = (): void => {
    if (rows.length > 0) out.push({ t: 'rows', rel, rows })
    if (plays.length > 0) out.push({ t: 'plays', rel, plays })
    rows = []
    plays = []
  }
  const parser = new JSONParser({ paths, keepStack: false })
  parser.onValue = ({ value, key, stack }) => {
    if (key !== 'name') item++
    if (kind === 'history') {
      const p = play(value)
      if (p === null) rows.push([item, 'not a play: no end time, track or time played'])
      else if (p !== 'not-music') plays.push(p)
    } else if (key === 'name') {
      const at = stack[2]?.key as number
      if (at !== playlist) {
        flush()
        playlist = at
        out.push({ t: 'part', rel, name: typeof value === 'string' && value.trim() !== '' ? value : `Playlist ${at + 1}`, isLiked: false })
      }
    } else {
      if (kind === 'playlists' && stack[2]?.key !== playlist) {
        flush()
        playlist = stack[2]?.key as number
        out.push({ t: 'part', rel, name: `Playlist ${playlist + 1}`, isLiked: false })
      }
      const e = kind === 'library' ? libraryItem(value) : playlistItem(value)
      if (typeof e === 'string') rows.push([item, e])
      else if (e !== null) rows.push(entryRow(item, e.track, e.addedAt, null, sink))
    }
    if (rows.length + plays.length >= ROWS_PER_MESSAGE) flush()
  }
  try {
    for await (const piece of pieces()) {
      parser.write(piece)
      if (out.length > 0) { yield * out; out = [] }
    }
    // The parser ends by itself once the top-level value is complete.
    if (!parser.isEnded) parser.end()
  } catch (err) {
    flush()
    yield * out
    out = []
    rows.push([item + 1, `the JSON breaks off or is malformed after item ${item} (${(err as Error).message})`])
  }
  flush()
  yield * out
  yield { t: 'end', rel }
}

type Json = Record<string, unknown>
const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null)
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v)

const DAY = /^\d{4}-\d{2}-\d{2}$/

/** A YourLibrary.json track: {artist, album, track, uri}. */
function libraryItem (v: unknown): { track: LibraryTrack, addedAt: null } | string {
  if (!isObject(v)) return 'not a track'
  const t = trackOf(str(v.track), str(v.artist), str(v.album), str(v.uri))
  return typeof t === 'string' ? t : { track: t, addedAt: null }
}

/**
 * A playlist item: a track, an episode or a local file, and its addedDate; null for an audiobook
 * (no track). The export writes the day alone (`2024-05-01`); Spotify's `added_at` is a moment,
 * so a day becomes its first second in UTC (a finer value is kept as written).
 */
function playlistItem (v: unknown): { track: LibraryTrack, addedAt: string | null } | string | null {
  if (!isObject(v)) return 'not a playlist item'
  if (isObject(v.audiobook)) return null
  const added = str(v.addedDate)
  const addedAt = added !== null && DAY.test(added) ? `${added}T00:00:00Z` : added
  let t: LibraryTrack | string
  if (isObject(v.track)) t = trackOf(str(v.track.trackName), str(v.track.artistName), str(v.track.albumName), str(v.track.trackUri))
  else if (isObject(v.episode)) t = trackOf(str(v.episode.episodeName), str(v.episode.showName), str(v.episode.showName), str(v.episode.episodeUri))
  else if (isObject(v.localTrack)) t = trackOf(null, null, null, str(v.localTrack.uri))
  else t = 'an item with no track, episode, local file or audiobook'
  return typeof t === 'string' ? t : { track: t, addedAt }
}

/** What the account export says of a track: names and a URI, no more. */
export function trackOf (name: string | null, artist: string | null, album: string | null, uri: string | null): LibraryTrack | string {
  const local = uri === null ? null : LOCAL_URI.exec(uri)
  if (local !== null) {
    const dec = (s: string): string => decodeURIComponent(s.replace(/\+/g, ' '))
    return track(uri!, 'local', null, uri, name ?? dec(local[3]!), artist ?? dec(local[1]!), album ?? dec(local[2]!), local[4] === '' ? null : Number(local[4]) * 1000)
  }
  if (name === null) return 'no track name'
  if (uri === null) return track(`name:${foldText(name)}|${foldText(artist ?? '')}`, 'track', null, null, name, artist, album, null)
  const m = TRACK_URI.exec(uri)
  if (m === null) return `"${uri.slice(0, 60)}" is not a Spotify track, episode or local-file URI`
  return track(m[2]!, m[1] as 'track' | 'episode', m[2]!, uri, name, artist, album, null)
}

function track (key: string, kind: LibraryTrack['kind'], id: string | null, uri: string | null, name: string, artist: string | null, album: string | null, durationMs: number | null): LibraryTrack {
  const artists = artist === null ? [] : [{ id: null, name: artist }]
  return {
    key,
    kind,
    id,
    uri,
    name,
    artists,
    album: { id: null, name: album ?? '', releaseDate: null, releaseDatePrecision: null, imageUrl: null, artists, albumType: null, totalTracks: null, label: null },
    discNumber: null,
    trackNumber: null,
    durationMs,
    explicit: null,
    popularity: null,
    isrc: null,
    previewUrl: null,
    genres: [],
    features: null,
    extra: {}
  }
}

/**
 * A play of either history, or null when it is no play. The extended history holds podcasts and
 * audiobooks too (no track name): those are not music and are left out.
 */
function play (v: unknown): Play | 'not-music' | null {
  if (!isObject(v)) return null
  if (typeof v.ts === 'string') {
    const ts = Date.parse(v.ts)
    const ms = v.ms_played
    if (Number.isNaN(ts) || typeof ms !== 'number') return null
    const name = str(v.master_metadata_track_name)
    if (name === null) return 'not-music'
    const m = TRACK_URI.exec(str(v.spotify_track_uri) ?? '')
    return [Math.floor(ts / 1000), ms, m?.[1] === 'track' ? m[2]! : null, name, str(v.master_metadata_album_artist_name) ?? '', str(v.master_metadata_album_album_name)]
  }
  // endTime is `YYYY-MM-DD HH:MM`, in UTC.
  const end = typeof v.endTime === 'string' ? Date.parse(`${v.endTime.replace(' ', 'T')}Z`) : NaN
  if (Number.isNaN(end) || typeof v.msPlayed !== 'number') return null
  // StreamingHistory_podcast_*.json: episodes, no track name.
  const name = str(v.trackName)
  if (name === null) return 'not-music'
  return [Math.floor(end / 1000), v.msPlayed, null, name, str(v.artistName) ?? '', null]
}
