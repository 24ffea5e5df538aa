// Canonical library rows → Spotify Web API JSON, as Spotify sends it. Pure functions, no I/O.
// Reference: components.schemas of sonallux's fixed-spotify-open-api.yml (test/fixtures/spotify-openapi)
// and the local-file item in docs/exportify.md §4.2, a real API response. Where the CSV does not know a
// field we send what Spotify itself sends for unknowns (null, [], {}, 0); where the spec forbids null
// we send the most neutral valid value instead. Dates are never invented; an album or artist the
// exports name without an id gets the proxy's own stable id (synthetic-ids.ts), which the library
// answers for; local files keep the nulls Spotify itself sends for them.

import { syntheticAlbumId, syntheticArtistId } from './synthetic-ids.js'
import type {
  AlbumType, KnownLinks, Links, PlaylistShapeOptions, ShapeOptions, SpotifyAlbum, SpotifyArtist, SpotifyAudioFeatures, SpotifyEpisode,
  SpotifyImage, SpotifyPaging, SpotifyPlaylist, SpotifyPlaylistBase, SpotifyPlaylistTrack, SpotifySavedTrack, SpotifyShow,
  SpotifySimplifiedPlaylist, SpotifyTrack, SpotifyUser
} from './spotify-types.js'
import type { AlbumRef, AnsweredTrack, ArtistRef, LibraryPlaylist, LibraryTrack, Page, PlaylistTrack } from './types.js'

export type * from './spotify-types.js'
type LinkedType = 'album' | 'artist' | 'episode' | 'playlist' | 'show' | 'track' | 'user'

/** `synthetic`: the proxy's own id, with no open.spotify.com page. */
function links (type: LinkedType, id: string, o: ShapeOptions, synthetic?: boolean): KnownLinks
function links (type: LinkedType, id: string | null, o: ShapeOptions, synthetic?: boolean): Links
function links (type: LinkedType, id: string | null, o: ShapeOptions, synthetic = false): Links {
  if (id === null) return { external_urls: {}, href: null, id: null, uri: null }
  const segment = encodeURIComponent(id)
  return {
    external_urls: synthetic ? {} : { spotify: `https://open.spotify.com/${type}/${segment}` },
    href: `${o.apiBase}/${type}s/${segment}`,
    id,
    uri: `spotify:${type}:${id}`
  }
}

// Spotify's cover URLs differ only in a size prefix; the CSV keeps the 640 one (docs/exportify.md §4.2).
const COVER_640 = /^https:\/\/i\.scdn\.co\/image\/ab67616d0000b273([0-9a-f]+)$/
const COVER_SIZES = [[640, 'ab67616d0000b273'], [300, 'ab67616d00001e02'], [64, 'ab67616d00004851']] as const

export function images (url: string | null): SpotifyImage[] {
  if (url === null) return []
  const hash = COVER_640.exec(url)?.[1]
  // Size unknown: ImageObject marks height and width `nullable: true`.
  if (hash === undefined) return [{ height: null, url, width: null }]
  return COVER_SIZES.map(([px, prefix]) => ({ height: px, url: `https://i.scdn.co/image/${prefix}${hash}`, width: px }))
}

/**
 * A SimplifiedArtistObject. An artist named without an id gets its synthetic id (no
 * open.spotify.com page), except on a local file, where Spotify itself sends nulls.
 * A page of 100 entries shapes ~260 artists: one literal each, no spread of links().
 */
export function shapeArtistRef (a: ArtistRef, o: ShapeOptions, local = false): SpotifyArtist {
  if (a.id === null && local) return { external_urls: {}, href: null, id: null, uri: null, name: a.name, type: 'artist' }
  const id = a.id ?? syntheticArtistId(a.name)
  return {
    external_urls: a.id === null ? {} : { spotify: `https://open.spotify.com/artist/${id}` },
    href: `${o.apiBase}/artists/${id}`,
    id,
    uri: `spotify:artist:${id}`,
    name: a.name,
    type: 'artist'
  }
}

const ALBUM_TYPES: ReadonlySet<string> = new Set<AlbumType>(['album', 'single', 'compilation'])

/** The spec's enum is not nullable, so an unknown type is 'album', Spotify's default and the most common value. */
function albumType (a: AlbumRef): AlbumType {
  const type = a.albumType?.toLowerCase() ?? ''
  return ALBUM_TYPES.has(type) ? type as AlbumType : 'album'
}

/**
 * The id an album answers under: its own, else the synthetic one of its name and first artist
 * (stored by the import for an album read from the store: the same id, without a digest).
 */
export function albumIdOf (a: AlbumRef): { id: string, synthetic: boolean } {
  if (a.id !== null) return { id: a.id, synthetic: false }
  return { id: a.answerId ?? syntheticAlbumId(a.name, a.artists[0]?.name ?? ''), synthetic: true }
}

/** A SimplifiedAlbumObject; `id` resolved by the caller (albumIdOf, or the album's own lookup). */
export function shapeAlbumRef (a: AlbumRef, id: { id: string, synthetic: boolean }, o: ShapeOptions): SpotifyAlbum {
  return {
    album_type: albumType(a),
    artists: a.artists.map(x => shapeArtistRef(x, o)),
    available_markets: [],
    ...links('album', id.id, o, id.synthetic),
    images: images(a.imageUrl),
    name: a.name,
    release_date: a.releaseDate,
    release_date_precision: a.releaseDatePrecision,
    // 0 stands for "unknown".
    total_tracks: a.totalTracks ?? 0,
    type: 'album'
  }
}

/** A local file's album as Spotify sends it: no id, type, artists, date or track count. */
function localAlbum (a: AlbumRef): SpotifyAlbum {
  return {
    album_type: null,
    artists: [],
    available_markets: [],
    ...links('album', null, { apiBase: '' }),
    images: images(a.imageUrl),
    name: a.name,
    release_date: null,
    release_date_precision: null,
    type: 'album'
  }
}

function album (t: AnsweredTrack, o: ShapeOptions): SpotifyAlbum {
  return t.kind === 'local' ? localAlbum(t.album) : shapeAlbumRef(t.album, albumIdOf(t.album), o)
}

function musicTrack (t: AnsweredTrack, o: ShapeOptions): SpotifyTrack {
  const local = t.kind === 'local'
  const l = links('track', t.id, o)
  return {
    album: album(t, o),
    artists: t.artists.map(a => shapeArtistRef(a, o, local)),
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
function show (t: AnsweredTrack, o: ShapeOptions): SpotifyShow {
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
export function shapeEpisode (t: AnsweredTrack, o: ShapeOptions): SpotifyEpisode {
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
export function shapeTrack (t: AnsweredTrack, o: ShapeOptions): SpotifyTrack | SpotifyEpisode {
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
