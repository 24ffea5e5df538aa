// A track's gaps filled from Spotify's own answer for the same id (spotify-facts.ts), as merge.ts
// fills one export's gaps from another's: what the exports know is kept, only what none of them
// holds is taken. Pure.
import { foldText } from './search-query.js'
import type { TrackFacts } from './spotify-facts.js'
import type { AnsweredTrack, ArtistRef, LibraryAlbum, LibraryTrack } from './types.js'

/** Whether Spotify's answer could give the track something its schema requires and the exports lack. */
export function needsFacts (t: AnsweredTrack): boolean {
  return t.kind === 'track' && t.id !== null &&
    (t.album.id === null || t.album.releaseDate === null || t.artists.some(a => a.id === null) || t.album.artists.some(a => a.id === null))
}

export function fillTrack<T extends AnsweredTrack> (t: T, f: TrackFacts): T {
  return {
    ...t,
    artists: fillArtists(t.artists, f.artists),
    album: { ...albumGaps(t.album, f), id: t.album.id ?? f.albumId },
    discNumber: t.discNumber ?? f.discNumber,
    trackNumber: t.trackNumber ?? f.trackNumber,
    durationMs: t.durationMs ?? f.durationMs,
    explicit: t.explicit ?? f.explicit,
    isrc: t.isrc ?? f.isrc
  }
}

/** Whether Spotify's answer for one of the album's tracks could give the album what its schema requires. */
export function albumNeedsFacts (a: LibraryAlbum): boolean {
  return a.sampleTrack !== null && (a.releaseDate === null || a.artists.some(x => x.id === null))
}

/**
 * An album's gaps from Spotify's answer for one of its tracks (`sampleTrack`). The album keeps
 * the id it answers under; one with a Spotify id takes only an answer naming that id.
 */
export function fillAlbum (a: LibraryAlbum, f: TrackFacts | undefined): LibraryAlbum {
  if (f === undefined || (!a.synthetic && f.albumId !== a.id)) return a
  return albumGaps(a, f)
}

/** The album with what the answer adds where it is silent (what it knows is kept). */
function albumGaps<A extends LibraryAlbum | LibraryTrack['album']> (a: A, f: TrackFacts): A {
  const dated = a.releaseDate !== null
  return {
    ...a,
    releaseDate: dated ? a.releaseDate : f.releaseDate,
    releaseDatePrecision: dated ? a.releaseDatePrecision : f.releaseDatePrecision,
    imageUrl: a.imageUrl ?? f.imageUrl,
    artists: fillArtists(a.artists, f.albumArtists),
    albumType: a.albumType ?? f.albumType,
    totalTracks: a.totalTracks ?? f.totalTracks
  }
}

/**
 * With no id at all, the export's list is Spotify's instead (an old export may have split a name
 * holding ", " in two); otherwise each artist without an id takes the id of Spotify's artist of
 * the same folded name.
 */
function fillArtists (mine: ArtistRef[], spotify: ArtistRef[]): ArtistRef[] {
  if (spotify.length === 0 || mine.every(x => x.id !== null)) return mine
  if (mine.every(x => x.id === null)) return spotify
  const byName = new Map(spotify.map(x => [foldText(x.name), x.id]))
  return mine.map(x => (x.id !== null ? x : { id: byName.get(foldText(x.name)) ?? null, name: x.name }))
}
