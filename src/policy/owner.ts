// The CSV library belongs to one Spotify user (docs/trust.md): SPOTIFY_CSV_OWNER, else the user
// the exports name (when they agree on one), else a verified user confirmed by an explicit step
// (`link --owner USER`, or `serve --adopt-owner` for the first verified user). Never grabbed
// silently: a second user's /v1/me changes nothing. Its /me data, playlists and library-built
// answers go only to that user's tokens and to proxy-local tokens.
import { metaValue, type Db, type MetaValue } from '../db.js'
import type { Identity } from './trust.js'

export interface Owner {
  id: string
  displayName: string | null
}

export type OwnerSource = 'configured' | 'exports' | 'confirmed'

/** Who owns the library and how that was decided, for the startup log, doctor and /admin/stats. */
export interface OwnerDecision {
  owner: Owner | null
  source: OwnerSource | null
  /** One sentence a user can act on. */
  detail: string
}

/** The user ids the exports name (Added By, playlist owners) and how often. */
export type ExportsOwner = () => { agreed: string | null, candidates: Array<{ id: string, count: number }> }

export interface LibraryOwnerOptions {
  /** SPOTIFY_CSV_OWNER. */
  configured: string | null
  exports: ExportsOwner
  /** `serve --adopt-owner`: the first verified user becomes the owner (said in the log). */
  adopt?: boolean
  onAdopt?: (owner: Owner) => void
}

interface Stored { id: string, displayName: string | null, source?: string }

export class LibraryOwner {
  readonly #o: LibraryOwnerOptions
  readonly #stored: MetaValue
  #confirmed: Owner | null
  // Display names Spotify gave for users (the owner's /v1/me), for the library's answers.
  #names = new Map<string, string | null>()

  constructor (db: Db, opts: LibraryOwnerOptions) {
    this.#o = opts
    this.#stored = metaValue(db, 'library_owner')
    const stored = this.#stored.get()
    const parsed = stored === undefined ? null : JSON.parse(stored) as Stored
    // Only an explicit confirmation counts; earlier versions stored the first /v1/me silently.
    this.#confirmed = parsed?.source === 'confirmed' ? { id: parsed.id, displayName: parsed.displayName } : null
    if (this.#confirmed !== null) this.#names.set(this.#confirmed.id, this.#confirmed.displayName)
  }

  decision (): OwnerDecision {
    const named = (id: string): Owner => ({ id, displayName: this.#names.get(id) ?? null })
    if (this.#o.configured !== null) return { owner: named(this.#o.configured), source: 'configured', detail: `${this.#o.configured} (SPOTIFY_CSV_OWNER)` }
    const exp = this.#o.exports()
    if (exp.agreed !== null) return { owner: named(exp.agreed), source: 'exports', detail: `${exp.agreed} (the only user the exports name)` }
    if (this.#confirmed !== null) return { owner: this.#confirmed, source: 'confirmed', detail: `${this.#confirmed.id} (confirmed with link --owner or serve --adopt-owner)` }
    const named2 = exp.candidates.slice(0, 5).map(c => `${c.id} (${c.count})`).join(', ')
    return {
      owner: null,
      source: null,
      detail: exp.candidates.length > 1
        ? `not decided: the exports name several users (${named2}); set SPOTIFY_CSV_OWNER or run \`spotify-csv-proxy link --owner <your user id>\``
        : 'not decided: the exports name no user; set SPOTIFY_CSV_OWNER or run `spotify-csv-proxy link --owner <your user id>`'
    }
  }

  /** The owner as known for certain, or null. */
  known (): Owner | null {
    return this.decision().owner
  }

  /**
   * Who the library's playlists name as owner in answers: known, else the exports' most common
   * Added By (from exports(), read once per library change: this runs for every library answer).
   */
  forAnswers (): Owner {
    return this.known() ?? { id: this.#o.exports().candidates[0]?.id ?? 'local', displayName: null }
  }

  /** A verified /v1/me: the owner's display name, or (with --adopt-owner) the owner itself. */
  learn (user: Owner): void {
    const current = this.known()
    if (current === null && this.#o.adopt === true) {
      this.confirm(user)
      this.#o.onAdopt?.(user)
      return
    }
    if (current?.id === user.id && this.#names.get(user.id) !== user.displayName) {
      this.#names.set(user.id, user.displayName)
      if (this.#confirmed?.id === user.id) this.confirm(user)
    }
  }

  /** The explicit step: this user owns the library (link --owner). */
  confirm (user: Owner): void {
    this.#confirmed = user
    this.#names.set(user.id, user.displayName)
    this.#stored.set(JSON.stringify({ ...user, source: 'confirmed' } satisfies Stored))
  }

  isOwner (who: Identity): boolean {
    if (who.local) return true
    const owner = this.known()
    return owner !== null && who.userId !== null && who.userId === owner.id
  }
}

/**
 * The user ids the exports name (the playlists' owners, from Added By), recomputed only when
 * `version` changes (the library's data_version).
 */
export function exportsOwnerOf (db: Db, version: () => string): ExportsOwner {
  // Most playlists first; among as many, by id, so the first is the same every time.
  const query = db.prepare('SELECT owner_id AS id, count(*) AS count FROM playlists WHERE owner_id IS NOT NULL GROUP BY owner_id ORDER BY count(*) DESC, owner_id')
  let memo: { version: string, value: ReturnType<ExportsOwner> } | null = null
  return () => {
    const v = version()
    if (memo?.version !== v) {
      const candidates = query.all() as Array<{ id: string, count: number }>
      memo = { version: v, value: { agreed: candidates.length === 1 ? candidates[0]!.id : null, candidates } }
    }
    return memo.value
  }
}
