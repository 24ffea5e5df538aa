// Stable Spotify-shaped ids (22 base62 characters) for what the exports name without an id: a
// playlist known only by its file, an album or an artist of an export that writes no album or
// artist ids (pavelkomarov's, watsonbox 2015-2020). The same input gives the same id in every
// process and after every re-import, so a script can keep them; the proxy answers for them from
// the library (`GET /v1/albums/{id}`, `/v1/artists/{id}`, `/v1/playlists/{id}`), and Spotify
// knows none of them.
import { createHash } from 'node:crypto'
import { foldText } from './search-query.js'

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'
/** Digest bytes read as one big-endian number: 136 bits, more than 22 base62 digits hold. */
const DIGEST_BYTES = 17

/** The last 22 base62 digits of the first 17 bytes of SHA-256(`spotify-csv-proxy:<seed>`). */
export function syntheticId (seed: string): string {
  const n = createHash('sha256').update(`spotify-csv-proxy:${seed}`).digest().subarray(0, DIGEST_BYTES)
  const digits: string[] = new Array(22)
  // Long division of the byte string by 62, once per digit, least significant first.
  for (let d = 21; d >= 0; d--) {
    let rest = 0
    for (let i = 0; i < DIGEST_BYTES; i++) {
      const v = rest * 256 + n[i]!
      n[i] = Math.floor(v / 62)
      rest = v % 62
    }
    digits[d] = BASE62[rest]!
  }
  return digits.join('')
}

// Albums and artists repeat on every page that names them: their ids are kept, a few thousand.
const MEMO_SIZE = 4096
const memo = new Map<string, string>()

function remembered (seed: string): string {
  let id = memo.get(seed)
  if (id === undefined) {
    if (memo.size >= MEMO_SIZE) memo.clear()
    id = syntheticId(seed)
    memo.set(seed, id)
  }
  return id
}

/**
 * What makes two id-less albums one: the folded name and the folded name of the first album
 * artist (for exports without album artists, the track's first artist, which a featured artist
 * follows). `\u0000` cannot occur in a file path, so no album seed is a playlist's.
 */
export function albumSeed (foldedName: string, foldedFirstArtist: string): string {
  return `album\u0000${foldedName}\u0000${foldedFirstArtist}`
}

/** An id-less artist is its folded name: two artists of one name are one here. */
export function artistSeed (foldedName: string): string {
  return `artist\u0000${foldedName}`
}

export function syntheticAlbumId (name: string, firstArtist: string): string {
  return remembered(albumSeed(foldText(name), foldText(firstArtist)))
}

export function syntheticArtistId (name: string): string {
  return remembered(artistSeed(foldText(name)))
}
