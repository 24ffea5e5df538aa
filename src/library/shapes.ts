// Canonical library rows → Spotify Web API JSON, as Spotify sends it. Pure functions, no I/O.
// Reference: components.schemas of sonallux's fixed-spotify-open-api.yml (test/fixtures/spotify-openapi)
// and the local-file item in docs/exportify.md §4.2, a real API response. Where the CSV does not know a
// field we send what Spotify itself sends for unknowns (null, [], {}, 0); where the spec forbids null
// we send the most neutral valid value instead, except for ids/links and dates, which are never invented.

import type { AudioFeatures, LibraryPlaylist, LibraryTrack, Page, PlaylistTrack, ReleaseDatePrecision } from './types.js'

export interface ShapeOptions {
  /** 'https://api.spotify.com/v1', or the proxy's public URL + '/v1'; every `href` starts with it. */
  apiBase: string
}

export interface OwnerInfo {
  id: string
  displayName: string | null
}

export type PlaylistShapeOptions = ShapeOptions & { owner: OwnerInfo }

/** The link fields of an object whose id is known. */
interface KnownLinks {
  external_urls: { spotify: string }
  href: string
  id: string
  uri: string
}

/** Spotify sends `{}` and nulls for objects without an id (local files). */
interface Links {
  external_urls: { spotify?: string }
  href: string | null
  id: string | null
  uri: string | null
}

export interface SpotifyImage {
  height: number | null
  url: string
  width: number | null
}

export interface SpotifyArtist extends Links {
  name: string
  type: 'artist'
}

export type AlbumType = 'album' | 'single' | 'compilation'

export interface SpotifyAlbum extends Links {
  album_type: AlbumType | null
  artists: SpotifyArtist[]
  available_markets: string[]
  images: SpotifyImage[]
  name: string
  release_date: string | null
  release_date_precision: ReleaseDatePrecision | null
  /** Absent on local files' albums, as in Spotify's own responses. */
  total_tracks?: number
  type: 'album'
}

export interface SpotifyTrack extends Links {
  album: SpotifyAlbum
  artists: SpotifyArtist[]
  available_markets: string[]
  disc_number: number
  duration_ms: number
  explicit: boolean
  external_ids: { isrc?: string }
  is_local: boolean
  name: string
  popularity: number
  preview_url: string | null
  track_number: number
  type: 'track'
}

export interface SpotifyShow extends Links {
  available_markets: string[]
  copyrights: Array<{ text: string, type: string }>
  description: string
  explicit: boolean
  html_description: string
  images: SpotifyImage[]
  is_externally_hosted: boolean
  languages: string[]
  media_type: string
  name: string
  publisher: string
  total_episodes: number
  type: 'show'
}

export interface SpotifyEpisode extends Links {
  audio_preview_url: string | null
  description: string
  duration_ms: number
  explicit: boolean
  html_description: string
  images: SpotifyImage[]
  is_externally_hosted: boolean
  is_playable: boolean
  languages: string[]
  name: string
  release_date: string | null
  release_date_precision: ReleaseDatePrecision | null
  show: SpotifyShow
  type: 'episode'
}

export interface SpotifyAudioFeatures extends AudioFeatures {
  analysis_url: string
  duration_ms: number
  id: string
  track_href: string
  type: 'audio_features'
  uri: string
}

export interface SpotifyUser extends KnownLinks {
  type: 'user'
}

export interface SpotifyOwner extends SpotifyUser {
  display_name: string | null
}

export interface SpotifyPlaylistTrack {
  added_at: string | null
  added_by: SpotifyUser | null
  is_local: boolean
  /** The February 2026 name of `track`; both are sent so old and new clients work. */
  item: SpotifyTrack | SpotifyEpisode
  primary_color: null
  track: SpotifyTrack | SpotifyEpisode
  video_thumbnail: { url: null }
}

export interface SpotifySavedTrack {
  added_at: string | null
  track: SpotifyTrack | SpotifyEpisode
}

export interface SpotifyPaging<T> {
  href: string
  items: T[]
  limit: number
  next: string | null
  offset: number
  previous: string | null
  total: number
}

interface SpotifyPlaylistBase {
  collaborative: boolean
  description: string
  external_urls: { spotify?: string }
  href: string
  id: string
  images: SpotifyImage[]
  name: string
  owner: SpotifyOwner
  public: boolean
  snapshot_id: string
  type: 'playlist'
  uri: string
}

export interface SpotifyTracksRef {
  href: string
  total: number
}

export interface SpotifySimplifiedPlaylist extends SpotifyPlaylistBase {
  items: SpotifyTracksRef
  tracks: SpotifyTracksRef
}

export interface SpotifyPlaylist extends SpotifyPlaylistBase {
  followers: { href: null, total: number }
  items: SpotifyPaging<SpotifyPlaylistTrack>
  tracks: SpotifyPaging<SpotifyPlaylistTrack>
}

type LinkedType = 'album' | 'artist' | 'episode' | 'playlist' | 'show' | 'track' | 'user'

function links (type: LinkedType, id: string, o: ShapeOptions): KnownLinks
function links (type: LinkedType, id: string | null, o: ShapeOptions): Links
function links (type: LinkedType, id: string | null, o: ShapeOptions): Links {
  if (id === null) return { external_urls: {}, href: null, id: null, uri: null }
  const segment = encodeURIComponent(id)
  return {
    external_urls: { spotify: `https://open.spotify.com/${type}/${segment}` },
    href: `${o.apiBase}/${type}s/${segment}`,
    id,
    uri: `spotify:${type}:${id}`
  }
}

// Spotify's cover URLs differ only in a size prefix; the CSV keeps the 640 one (docs/exportify.md §4.2).
const COVER_640 = /^https:\/\/i\.scdn\.co\/image\/ab67616d0000b273([0-9a-f]+)$/
const COVER_SIZES = [[640, 'ab67616d0000b273'], [300, 'ab67616d00001e02'], [64, 'ab67616d00004851']] as const

function images (url: string | null): SpotifyImage[] {
  if (url === null) return []
  const hash = COVER_640.exec(url)?.[1]
  // Size unknown: ImageObject marks height and width `nullable: true`.
  if (hash === undefined) return [{ height: null, url, width: null }]
  return COVER_SIZES.map(([px, prefix]) => ({ height: px, url: `https://i.scdn.co/image/${prefix}${hash}`, width: px }))
}

// A page of 100 entries shapes ~260 artists: one literal each, no spread of links().
function artist (a: { id: string | null, name: string }, o: ShapeOptions): SpotifyArtist {
  if (a.id === null) return { external_urls: {}, href: null, id: null, uri: null, name: a.name, type: 'artist' }
  const segment = encodeURIComponent(a.id)
  return {
    external_urls: { spotify: `https://open.spotify.com/artist/${segment}` },
    href: `${o.apiBase}/artists/${segment}`,
    id: a.id,
    uri: `spotify:artist:${a.id}`,
    name: a.name,
    type: 'artist'
  }
}

const ALBUM_TYPES: ReadonlySet<string> = new Set<AlbumType>(['album', 'single', 'compilation'])

function albumType (t: LibraryTrack): AlbumType | null {
  // Local files: null, as Spotify sends. Otherwise the spec's enum is not nullable, so an unknown
  // type falls back to 'album', Spotify's default and the most common value.
  if (t.kind === 'local') return null
  const type = t.album.albumType?.toLowerCase() ?? ''
  return ALBUM_TYPES.has(type) ? type as AlbumType : 'album'
}

function album (t: LibraryTrack, o: ShapeOptions): SpotifyAlbum {
  const local = t.kind === 'local'
  return {
    album_type: albumType(t),
    // Spotify gives local files' albums no artists, whatever the file's tags say.
    artists: local ? [] : t.album.artists.map(a => artist(a, o)),
    available_markets: [],
    ...links('album', t.album.id, o),
    images: images(t.album.imageUrl),
    name: t.album.name,
    release_date: t.album.releaseDate,
    release_date_precision: t.album.releaseDatePrecision,
    // Spotify omits total_tracks on local files' albums; elsewhere 0 stands for "unknown".
    ...(local ? {} : { total_tracks: t.album.totalTracks ?? 0 }),
    type: 'album'
  }
}

function musicTrack (t: LibraryTrack, o: ShapeOptions): SpotifyTrack {
  const local = t.kind === 'local'
  const l = links('track', t.id, o)
  return {
    album: album(t, o),
    artists: t.artists.map(a => artist(a, o)),
    available_markets: [],
    // Spotify numbers local files 0/0; a Spotify track with no number in the CSV is most likely 1/1.
    disc_number: t.discNumber ?? (local ? 0 : 1),
    duration_ms: t.durationMs ?? 0,
    explicit: t.explicit ?? false,
    external_ids: t.isrc === null ? {} : { isrc: t.isrc },
    ...l,
    // Local files keep their spotify:local: URI even though their id is null.
    uri: t.uri ?? l.uri,
    is_local: local,
    name: t.name,
    popularity: t.popularity ?? 0,
    preview_url: t.previewUrl,
    track_number: t.trackNumber ?? (local ? 0 : 1),
    type: 'track'
  }
}

/** Exportify files put an episode's show where a track's album goes (Spotify's legacy
 *  track-shaped episode), so the show is read from `album`. Fields no export has are the
 *  spec's required minimum with neutral values: '' texts, [] lists, false flags, 0 counts. */
function show (t: LibraryTrack, o: ShapeOptions): SpotifyShow {
  return {
    available_markets: [],
    copyrights: [],
    description: '',
    explicit: false,
    ...links('show', t.album.id, o),
    html_description: '',
    images: images(t.album.imageUrl),
    is_externally_hosted: false,
    languages: [],
    media_type: 'audio', // the common case; 'mixed' (video) shows cannot be told apart in the CSV
    name: t.album.name,
    publisher: '',
    total_episodes: 0,
    type: 'show'
  }
}

/** A minimal EpisodeObject: PlaylistTrackObject.track is `oneOf [TrackObject, EpisodeObject]`
 *  keyed on `type`, and TrackObject's type enum is only 'track'. */
export function shapeEpisode (t: LibraryTrack, o: ShapeOptions): SpotifyEpisode {
  return {
    audio_preview_url: t.previewUrl,
    description: '',
    duration_ms: t.durationMs ?? 0,
    explicit: t.explicit ?? false,
    ...links('episode', t.id, o),
    html_description: '',
    images: images(t.album.imageUrl),
    is_externally_hosted: false,
    // Required and not nullable; the export does not say, and it was playable when exported.
    is_playable: true,
    languages: [],
    name: t.name,
    release_date: t.album.releaseDate,
    release_date_precision: t.album.releaseDatePrecision,
    show: show(t, o),
    type: 'episode'
  }
}

/** TrackObject for tracks and local files, EpisodeObject for episodes. */
export function shapeTrack (t: LibraryTrack, o: ShapeOptions): SpotifyTrack | SpotifyEpisode {
  return t.kind === 'episode' ? shapeEpisode(t, o) : musicTrack(t, o)
}

/** Null without features or without an id (local files), as GET /audio-features answers.
 *  Values pass through as exported, even a time_signature of 1 that the spec's minimum of 3 refuses. */
export function shapeAudioFeatures (t: LibraryTrack, o: ShapeOptions): SpotifyAudioFeatures | null {
  if (t.features === null || t.id === null) return null
  const l = links('track', t.id, o)
  return {
    ...t.features,
    analysis_url: `${o.apiBase}/audio-analysis/${encodeURIComponent(t.id)}`,
    duration_ms: t.durationMs ?? 0,
    id: t.id,
    track_href: l.href,
    type: 'audio_features',
    uri: l.uri
  }
}

function user (id: string, o: ShapeOptions): SpotifyUser {
  return { ...links('user', id, o), type: 'user' }
}

/** added_at and added_by stay null when unknown: the spec notes "some very old playlists
 *  may return null in this field" for both, though it does not mark them nullable. */
export function shapePlaylistTrack (pt: PlaylistTrack, o: ShapeOptions): SpotifyPlaylistTrack {
  const track = shapeTrack(pt.track, o)
  return {
    added_at: pt.entry.addedAt,
    added_by: pt.entry.addedBy === null ? null : user(pt.entry.addedBy, o),
    is_local: pt.track.kind === 'local',
    item: track,
    primary_color: null,
    track,
    video_thumbnail: { url: null }
  }
}

export function shapeSavedTrack (pt: PlaylistTrack, o: ShapeOptions): SpotifySavedTrack {
  return { added_at: pt.entry.addedAt, track: shapeTrack(pt.track, o) }
}

/** Opaque like Spotify's, and changes whenever a track is added or removed (new newest
 *  added_at, or new count). Reordering alone does not change it. */
function snapshotId (p: LibraryPlaylist): string {
  return Buffer.from(`csv:${p.updatedAt ?? 0}:${p.trackCount}`).toString('base64url')
}

function playlistBase (p: LibraryPlaylist, o: PlaylistShapeOptions): SpotifyPlaylistBase {
  const l = links('playlist', p.id, o)
  return {
    collaborative: false, // Exportify does not record it; false is Spotify's default
    description: '', // what Spotify sends for playlists without one
    // A synthetic id exists only in this proxy, so there is no open.spotify.com page for it.
    external_urls: p.idSource === 'synthetic' ? {} : l.external_urls,
    href: l.href,
    id: p.id,
    images: [],
    name: p.name,
    owner: { ...user(o.owner.id, o), display_name: o.owner.displayName },
    // The spec documents null for "not relevant" but types it as a plain boolean; false keeps
    // clients from offering to share a playlist we know nothing about.
    public: false,
    snapshot_id: snapshotId(p),
    type: 'playlist',
    uri: l.uri
  }
}

export function shapeSimplifiedPlaylist (p: LibraryPlaylist, o: PlaylistShapeOptions): SpotifySimplifiedPlaylist {
  const href = `${o.apiBase}/playlists/${encodeURIComponent(p.id)}`
  return {
    ...playlistBase(p, o),
    items: { href: `${href}/items`, total: p.trackCount },
    tracks: { href: `${href}/tracks`, total: p.trackCount }
  }
}

export function shapePlaylist (p: LibraryPlaylist, page: Page<PlaylistTrack>, o: PlaylistShapeOptions): SpotifyPlaylist {
  const href = `${o.apiBase}/playlists/${encodeURIComponent(p.id)}`
  const items = page.items.map(pt => shapePlaylistTrack(pt, o))
  return {
    ...playlistBase(p, o),
    // FollowersObject.href "will always be set to null" (spec); the count is not exported.
    followers: { href: null, total: 0 },
    items: shapePage(items, page, `${href}/items`),
    tracks: shapePage(items, page, `${href}/tracks`)
  }
}

/** `href` with offset and limit first, as Spotify writes them, then its other parameters verbatim. */
function pageUrl (href: string, offset: number, limit: number): string {
  const q = href.indexOf('?')
  const path = q === -1 ? href : href.slice(0, q)
  const kept = q === -1 ? [] : href.slice(q + 1).split('&').filter(p => p !== '' && !/^(offset|limit)(=|$)/.test(p))
  return `${path}?${[`offset=${offset}`, `limit=${limit}`, ...kept].join('&')}`
}

/** A PagingObject; `href` is this page's URL, with or without offset/limit. */
export function shapePage<T> (items: T[], page: { total: number, limit: number, offset: number }, href: string): SpotifyPaging<T> {
  const { total, limit, offset } = page
  return {
    href: pageUrl(href, offset, limit),
    items,
    limit,
    next: offset + limit < total ? pageUrl(href, offset + limit, limit) : null,
    offset,
    previous: offset > 0 ? pageUrl(href, Math.max(0, offset - limit), limit) : null,
    total
  }
}
