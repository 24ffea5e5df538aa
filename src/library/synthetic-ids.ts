// Stable Spotify-shaped ids (22 base62 characters) for what the exports name without an id: a
// playlist known only by its file, an album or an artist of an export that writes no album or
// artist ids (pavelkomarov's, watsonbox 2015-2020). The same input gives the same id in every
// process and after every re-import, so a script can keep them; the proxy answers for them from
// the library (`GET /v1/albums/{id}`, `/v1/artists/{id}`, `/v1/playlists/{id}`), and Spotify
// knows none of them.
import { hash } from 'node:crypto'
import { foldText } from './search-query.js'

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'
const LIMB = 2 ** 32

/** The last 22 base62 digits of the first 17 bytes of SHA-256(`spotify-csv-proxy:<seed>`). */
export function syntheticId (seed: string): string {
  const d = hash('sha256', `spotify-csv-proxy:${seed}`, 'buffer')
  // The 17 bytes as one number in base 2^32 (the top byte a limb of its own), divided by 62
  // once per digit, least significant first: a limb and a remainder stay below 2^38, exact in a double.
  const limbs = [d[0]!, d.readUInt32BE(1), d.readUInt32BE(5), d.readUInt32BE(9), d.readUInt32BE(13)]
  const digits: string[] = new Array(22)
  for (let i = 21; i >= 0; i--) {
    let rest = 0
    for (let j = 0; j < limbs.length; j++) {
      const v = rest * LIMB + limbs[j]!
      limbs[j] = Math.floor(v / 62)
      rest = v - limbs[j]! * 62
    }
    digits[i] = BASE62[rest]!
  }
  return digits.join('')
}

/**
 * Albums and artists repeat on every page that names them: their ids are kept by the names as
 * written, so a hit costs no folding and no digest. One table per kind, each emptied oldest
 * first (a quarter at a time) when full, so a working set below the size keeps every entry. One
 * shared table of 32,768 that emptied itself whole thrashed on a large Liked Songs (the 1M-row
 * bench's 30,000 songs name 26,000 albums and 12,000 artists). At most ~150 bytes an entry:
 * ~7 MB for both tables full. (A hit still costs ~1 µs on that bench: a random read of a large table.)
 */
export class IdMemo {
  readonly #ids = new Map<string, string>()
  readonly #size: number

  constructor (size: number) {
    this.#size = size
  }

  get size (): number {
    return this.#ids.size
  }

  id (written: string, seed: () => string): string {
    let id = this.#ids.get(written)
    if (id === undefined) {
      if (this.#ids.size >= this.#size) this.#evict(Math.max(1, this.#size >> 2))
      id = syntheticId(seed())
      this.#ids.set(written, id)
    }
    return id
  }

  /** Drops the `n` oldest entries (a Map iterates in insertion order). */
  #evict (n: number): void {
    for (const key of this.#ids.keys()) {
      this.#ids.delete(key)
      if (--n === 0) return
    }
  }
}

const albums = new IdMemo(32_768)
const artists = new IdMemo(16_384)

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

/** An id-less album's id, worked out (the import stores it: albums.answer_id). */
export function albumIdOfNames (name: string, firstArtist: string): string {
  return syntheticId(albumSeedOfNames(name, firstArtist))
}

function albumSeedOfNames (name: string, firstArtist: string): string {
  return albumSeed(foldText(name), foldText(firstArtist))
}

/** The same, kept by the names as written (the pages that shape albums from their names). */
export function syntheticAlbumId (name: string, firstArtist: string): string {
  return albums.id(`${name}\u0000${firstArtist}`, () => albumSeedOfNames(name, firstArtist))
}

export function syntheticArtistId (name: string): string {
  return artists.id(name, () => artistSeed(foldText(name)))
}
