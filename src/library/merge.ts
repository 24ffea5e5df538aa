// Two exports can describe the same track differently (watsonbox has ISRC and album ids,
// pavelkomarov has audio features and genres): the library keeps the union, so neither is lost.
import type { AlbumRef, ArtistRef, LibraryTrack } from './types.js'

/** `next` wins field by field where it knows something; `prev` fills in what `next` lacks. */
export function mergeTracks (prev: LibraryTrack, next: LibraryTrack): LibraryTrack {
  return {
    key: next.key,
    kind: next.kind,
    id: next.id ?? prev.id,
    uri: next.uri ?? prev.uri,
    name: next.name !== '' ? next.name : prev.name,
    artists: betterArtists(prev.artists, next.artists),
    album: mergeAlbum(prev.album, next.album),
    discNumber: next.discNumber ?? prev.discNumber,
    trackNumber: next.trackNumber ?? prev.trackNumber,
    durationMs: next.durationMs ?? prev.durationMs,
    explicit: next.explicit ?? prev.explicit,
    popularity: next.popularity ?? prev.popularity,
    isrc: next.isrc ?? prev.isrc,
    previewUrl: next.previewUrl ?? prev.previewUrl,
    genres: next.genres.length > 0 ? next.genres : prev.genres,
    features: next.features ?? prev.features,
    extra: { ...prev.extra, ...next.extra }
  }
}

function mergeAlbum (prev: AlbumRef, next: AlbumRef): AlbumRef {
  return {
    id: next.id ?? prev.id,
    name: next.name !== '' ? next.name : prev.name,
    releaseDate: next.releaseDate ?? prev.releaseDate,
    releaseDatePrecision: next.releaseDate !== null ? next.releaseDatePrecision : prev.releaseDatePrecision,
    imageUrl: next.imageUrl ?? prev.imageUrl,
    artists: betterArtists(prev.artists, next.artists),
    albumType: next.albumType ?? prev.albumType,
    totalTracks: next.totalTracks ?? prev.totalTracks,
    label: next.label ?? prev.label
  }
}

// Artist lists are not merged element-wise (names may be split differently by each dialect):
// the list that carries more ids is the more exact one.
function betterArtists (prev: ArtistRef[], next: ArtistRef[]): ArtistRef[] {
  if (next.length === 0) return prev
  const ids = (a: ArtistRef[]): number => a.reduce((n, x) => n + (x.id === null ? 0 : 1), 0)
  return ids(prev) > ids(next) ? prev : next
}
