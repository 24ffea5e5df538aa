// The library's albums and artists as Spotify's AlbumObject, SimplifiedAlbumObject and
// ArtistObject (GET /v1/albums/{id}, /v1/artists/{id}, album and artist search). Pure. What no
// export records is what Spotify sends for "none": no copyrights, genres or images, popularity
// and followers 0 (all deprecated in 2026 and left out for development-mode apps anyway).
import { shapeAlbumRef, shapeArtistRef, shapePage, shapeTrack } from './shapes.js'
import type { ShapeOptions, SpotifyAlbum, SpotifyFullAlbum, SpotifyFullArtist, SpotifySimplifiedTrack, SpotifyTrack } from './spotify-types.js'
import type { LibraryAlbum, LibraryArtist, LibraryTrack, Page } from './types.js'

export function shapeSimplifiedAlbum (a: LibraryAlbum, o: ShapeOptions): SpotifyAlbum {
  return shapeAlbumRef(a, a, o)
}

/** A TrackObject without what an album's track list leaves out. */
export function shapeSimplifiedTrack (t: LibraryTrack, o: ShapeOptions): SpotifySimplifiedTrack {
  const { album: _album, external_ids: _ids, popularity: _popularity, ...simplified } = shapeTrack(t, o) as SpotifyTrack
  return simplified
}

/**
 * `tracks`: a page of the album's tracks the library holds, at `href` (/albums/{id}/tracks).
 * total_tracks, when no export knows it, is how many the library holds.
 */
export function shapeAlbum (a: LibraryAlbum, tracks: Page<LibraryTrack>, href: string, o: ShapeOptions): SpotifyFullAlbum {
  return {
    ...shapeAlbumRef({ ...a, totalTracks: a.totalTracks ?? tracks.total }, a, o),
    copyrights: [],
    external_ids: {},
    genres: [],
    label: a.label ?? '',
    popularity: 0,
    tracks: shapePage(tracks.items.map(t => shapeSimplifiedTrack(t, o)), tracks, href)
  }
}

export function shapeArtist (a: LibraryArtist, o: ShapeOptions): SpotifyFullArtist {
  const ref = shapeArtistRef({ id: a.id, name: a.name }, o)
  return {
    ...ref,
    // Synthetic: no open.spotify.com page.
    external_urls: a.synthetic ? {} : ref.external_urls,
    // FollowersObject.href "will always be set to null" (spec).
    followers: { href: null, total: 0 },
    genres: a.genres,
    images: [],
    popularity: 0
  }
}
