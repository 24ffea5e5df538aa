// The exchanges, in the order they are tried: the first whose `match` holds runs. Adding a bridge
// for another closed endpoint is a file here, a line below, and the endpoint table's `bridge`.
import { forward } from './forward.js'
import { playlistTracks } from './playlist-tracks.js'
import { ownPlaylists, playlistWrite } from './playlists.js'
import { libraryContains, libraryWrite } from './saved-items.js'
import { searchInPages } from './search-pages.js'
import type { Exchange, ExchangeIo, ExchangeRequest } from './types.js'

export type { Exchange, ExchangeIo, ExchangeRequest } from './types.js'

const EXCHANGES: readonly Exchange[] = [playlistTracks, searchInPages, libraryWrite, libraryContains, playlistWrite, ownPlaylists]

/** The exchange for this request: its bridge, or the request as sent. */
export function exchangeFor (req: ExchangeRequest, io: ExchangeIo): Exchange {
  return EXCHANGES.find(e => e.match(req, io)) ?? forward
}
