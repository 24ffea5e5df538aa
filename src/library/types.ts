// The canonical shapes every Exportify dialect is read into. Everything downstream
// (store, search, Spotify JSON shapes) works on these, never on raw CSV cells.

export interface ArtistRef {
  /** 22-char base62 Spotify id, or null when the export has none (P5+, local files). */
  id: string | null
  name: string
}

export type ReleaseDatePrecision = 'year' | 'month' | 'day'

export interface AlbumRef {
  id: string | null
  name: string
  releaseDate: string | null
  releaseDatePrecision: ReleaseDatePrecision | null
  /** The 640x640 cover (watsonbox `Album Image URL`). */
  imageUrl: string | null
  /** Album artists when the export has them (watsonbox), else the track's artists. */
  artists: ArtistRef[]
  albumType: string | null
  totalTracks: number | null
  label: string | null
  /**
   * The id the album answers under, as the import worked it out (albums.answer_id): read with a
   * stored track, so a page does not work out the synthetic id of every id-less album again.
   * Absent (or null) on an album not read from the store.
   */
  answerId?: string | null
}

export interface AudioFeatures {
  danceability: number
  energy: number
  key: number
  loudness: number
  mode: number
  speechiness: number
  acousticness: number
  instrumentalness: number
  liveness: number
  valence: number
  tempo: number
  time_signature: number
}

export const AUDIO_FEATURE_NAMES = [
  'danceability', 'energy', 'key', 'loudness', 'mode', 'speechiness',
  'acousticness', 'instrumentalness', 'liveness', 'valence', 'tempo', 'time_signature'
] as const satisfies ReadonlyArray<keyof AudioFeatures>

export type TrackKind = 'track' | 'local' | 'episode'

/** One track as the library knows it: the union of what any export told us. */
export interface LibraryTrack {
  /** Unique key in the store: the Spotify id for tracks/episodes, the URI for local files,
   *  `name:<folded name>|<folded artists>` for id-less dialects (P5). */
  key: string
  kind: TrackKind
  id: string | null
  uri: string | null
  name: string
  artists: ArtistRef[]
  album: AlbumRef
  discNumber: number | null
  trackNumber: number | null
  durationMs: number | null
  explicit: boolean | null
  popularity: number | null
  isrc: string | null
  previewUrl: string | null
  genres: string[]
  features: AudioFeatures | null
  /** Columns no dialect knows, kept verbatim by their header name. */
  extra: Record<string, string>
}

/** A track's place in one playlist (or in Liked Songs). */
export interface PlaylistEntry {
  position: number
  trackKey: string
  addedAt: string | null
  /** Bare user id (`spotify:user:` stripped); null when the export left it empty. */
  addedBy: string | null
}

export type PlaylistIdSource = 'filename' | 'linked' | 'learned' | 'synthetic'

/** What the library gives ids of its own when its exports name none (synthetic-ids.ts). */
export type LibraryIdKind = 'album' | 'artist' | 'playlist'

export interface LibraryPlaylist {
  id: string
  name: string
  /** Path of the CSV relative to the library root, `/`-separated. */
  path: string
  isLiked: boolean
  idSource: PlaylistIdSource
  ownerId: string | null
  trackCount: number
  /** Unix ms of the newest added_at, used as a stand-in snapshot marker. */
  updatedAt: number | null
}

export interface Page<T> {
  items: T[]
  total: number
  limit: number
  offset: number
}

/**
 * A track as Spotify's track objects show it: no audio features (they have an endpoint of their
 * own). Pages of entries read their tracks this way (track-codec.ts, ANSWER_TRACK_COLUMNS).
 */
export type AnsweredTrack = Omit<LibraryTrack, 'features'>

export interface PlaylistTrack {
  entry: PlaylistEntry
  track: AnsweredTrack
}

/**
 * An album as the library answers it (`GET /v1/albums/{id}`, album search): the exports' album
 * rows that are one album (the same Spotify id, or for id-less ones the same folded name and
 * first artist: synthetic-ids.ts), merged.
 */
export interface LibraryAlbum extends AlbumRef {
  id: string
  /** The id is the proxy's own (synthetic-ids.ts), not Spotify's. */
  synthetic: boolean
  /** A track of the album, whose cached Spotify answer can fill the album's gaps. */
  sampleTrack: string | null
}

/** An artist as the library answers it (`GET /v1/artists/{id}`, artist search). */
export interface LibraryArtist {
  id: string
  synthetic: boolean
  name: string
  /** The Genres of the artist's own tracks (an export's Genres cell is the union over a track's artists). */
  genres: string[]
}
