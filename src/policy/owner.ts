// The CSV library belongs to one Spotify user (CONTRACT.md, Trust): set with SPOTIFY_CSV_OWNER,
// or learned from the first trusted /v1/me. Its /me data and playlists go only to that user's
// tokens and to proxy-local tokens.
import type { Db } from '../library/db.js'
import type { Identity } from './trust.js'

export interface Owner {
  id: string
  displayName: string | null
}

export class LibraryOwner {
  readonly #configured: string | null
  readonly #get
  readonly #set
  readonly #guess
  #learned: Owner | null

  constructor (db: Db, configured: string | null) {
    this.#configured = configured
    this.#get = db.prepare("SELECT value FROM meta WHERE key = 'library_owner'").pluck()
    this.#set = db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('library_owner', ?)")
    this.#guess = db.prepare('SELECT owner_id FROM playlists WHERE owner_id IS NOT NULL GROUP BY owner_id ORDER BY count(*) DESC LIMIT 1').pluck()
    const stored = this.#get.get() as string | undefined
    this.#learned = stored === undefined ? null : JSON.parse(stored) as Owner
  }

  /** The owner as known for certain (configured or learned), or null. */
  known (): Owner | null {
    if (this.#configured !== null) return { id: this.#configured, displayName: this.#learned?.id === this.#configured ? this.#learned.displayName : null }
    return this.#learned
  }

  /** Who the library's playlists name as owner in answers: known, else the exports' own Added By. */
  forAnswers (): Owner {
    return this.known() ?? { id: (this.#guess.get() as string | undefined) ?? 'local', displayName: null }
  }

  /** The first trusted /v1/me teaches the owner, unless configured. */
  learn (user: Owner): void {
    if (this.#configured !== null && user.id !== this.#configured) return
    if (this.#learned !== null && (this.#configured === null || this.#learned.id === this.#configured)) return
    this.#learned = user
    this.#set.run(JSON.stringify(user))
  }

  isOwner (who: Identity): boolean {
    if (who.local) return true
    const owner = this.known()
    return owner !== null && who.userId !== null && who.userId === owner.id
  }
}
