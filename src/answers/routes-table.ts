// Which handler answers each endpoint the library answers, by its name in the endpoint table
// (src/endpoints.ts, whose `library` field says whose the answer is). Nothing here matches paths.
import { ENDPOINTS } from '../endpoints.js'
import { getAlbum, getAlbumTracks, getArtist } from './catalog.js'
import { getRecentlyPlayed, getTopArtists, getTopTracks } from './history.js'
import { getMe, getSavedTracks, savedTracksContain } from './me.js'
import { getMyPlaylists, getPlaylist, getPlaylistItems, getUserPlaylists } from './playlists.js'
import { search } from './search.js'
import { getAudioFeatures, getSeveralAudioFeatures, getSeveralTracks, getTrack } from './tracks.js'
import type { Handler } from './types.js'

export const HANDLERS: Readonly<Record<string, Handler>> = {
  'tracks/:id': getTrack,
  tracks: getSeveralTracks,
  'audio-features/:id': getAudioFeatures,
  'audio-features': getSeveralAudioFeatures,
  'albums/:id': getAlbum,
  'albums/:id/tracks': getAlbumTracks,
  'artists/:id': getArtist,
  'playlists/:id': getPlaylist,
  'playlists/:id/tracks': getPlaylistItems('tracks'),
  'playlists/:id/items': getPlaylistItems('items'),
  me: getMe,
  'me/tracks': getSavedTracks,
  'me/tracks/contains': savedTracksContain,
  'me/playlists': getMyPlaylists,
  'users/:id/playlists': getUserPlaylists,
  'me/player/recently-played': getRecentlyPlayed,
  'me/top/tracks': getTopTracks,
  'me/top/artists': getTopArtists,
  search
}

// The table and the handlers must agree: an endpoint said to be answered from the library has a
// handler, and no handler hangs on an endpoint the table does not send here.
const answered = new Set(ENDPOINTS.filter(e => e.library !== undefined).map(e => e.pattern))
for (const pattern of new Set([...answered, ...Object.keys(HANDLERS)])) {
  if (answered.has(pattern) !== Object.hasOwn(HANDLERS, pattern)) throw new Error(`answers/routes-table.ts and src/endpoints.ts disagree on ${pattern}`)
}
