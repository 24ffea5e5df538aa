// Spotify Web API JSON as the library's answers send it: the objects of components.schemas in
// Spotify's OpenAPI spec (test/fixtures/spotify-openapi), each with every field Spotify sends.
import type { AudioFeatures, ReleaseDatePrecision } from './types.js'

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
export interface KnownLinks {
  external_urls: { spotify: string }
  href: string
  id: string
  uri: string
}

/** Spotify sends `{}` and nulls for objects without an id (local files). */
export interface Links {
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

export interface SpotifyPlaylistBase {
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

/** A TrackObject without `album`, `external_ids` and `popularity`: an album's tracks. */
export type SpotifySimplifiedTrack = Omit<SpotifyTrack, 'album' | 'external_ids' | 'popularity'>

export interface SpotifyCopyright {
  text: string
  type: string
}

/** AlbumObject: the simplified album and what GET /v1/albums/{id} adds. */
export interface SpotifyFullAlbum extends SpotifyAlbum {
  copyrights: SpotifyCopyright[]
  external_ids: { upc?: string }
  genres: string[]
  label: string
  popularity: number
  tracks: SpotifyPaging<SpotifySimplifiedTrack>
}

/** ArtistObject. */
export interface SpotifyFullArtist extends SpotifyArtist {
  followers: { href: null, total: number }
  genres: string[]
  images: SpotifyImage[]
  popularity: number
}
