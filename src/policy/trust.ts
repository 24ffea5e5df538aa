// Who may read fallback data (CONTRACT.md, Trust). A bearer token is trusted once Spotify has
// accepted it through this proxy; it is remembered only as a salted hash, with the user id and
// country Spotify's /v1/me gave for it. Proxy-local tokens are trusted by configuration and are
// never forwarded.
import { createHash, randomBytes } from 'node:crypto'
import type { Db } from '../library/db.js'

export interface Identity {
  /** No Authorization bearer at all. */
  anonymous: boolean
  /** A proxy-local token (SPOTIFY_PROXY_LOCAL_TOKENS, or `demo` with the demo library). */
  local: boolean
  /** Spotify has accepted this token before (or it is local): it may read cache and CSV. */
  trusted: boolean
  /** Stable, non-secret name for cache keys: the Spotify user id, or `token:<hash prefix>`. */
  principal: string | null
  userId: string | null
  country: string | null
  /** The token's salted hash (never the token). */
  hash: string | null
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS trusted_tokens (
  hash TEXT PRIMARY KEY,
  user_id TEXT,
  country TEXT,
  accepted_at INTEGER NOT NULL,
  last_seen INTEGER NOT NULL
);
`

/** Trusted identities kept in memory (oldest dropped first). */
const MEMO_SIZE = 10_000

const ANONYMOUS: Identity = Object.freeze({ anonymous: true, local: false, trusted: false, principal: null, userId: null, country: null, hash: null })

export class TrustStore {
  readonly #salt: string
  // SHA-256 of each local token: one hash and one Set lookup per request, however many there are
  // (comparing digests reveals nothing useful about the tokens through timing).
  readonly #local: Set<string>
  readonly #s
  readonly #now: () => number
  // Keyed by the token itself: a repeated caller then costs no hash at all. The tokens live in
  // this process's memory only (they arrive in every request anyway), never on disk or in logs.
  readonly #memo = new Map<string, Identity>()

  constructor (db: Db, localTokens: readonly string[], now: () => number = Date.now) {
    db.exec(SCHEMA)
    this.#now = now
    // One random salt per database: hashes are useless outside it.
    db.prepare("INSERT OR IGNORE INTO meta (key, value) VALUES ('token_salt', ?)").run(randomBytes(32).toString('hex'))
    this.#salt = db.prepare("SELECT value FROM meta WHERE key = 'token_salt'").pluck().get() as string
    this.#local = new Set(localTokens.map(digest))
    this.#s = {
      get: db.prepare('SELECT user_id, country FROM trusted_tokens WHERE hash = ?'),
      accept: db.prepare(`INSERT INTO trusted_tokens (hash, user_id, country, accepted_at, last_seen) VALUES (?, NULL, NULL, ?, ?)
        ON CONFLICT(hash) DO UPDATE SET last_seen = excluded.last_seen`),
      user: db.prepare(`INSERT INTO trusted_tokens (hash, user_id, country, accepted_at, last_seen) VALUES (?, ?, ?, ?, ?)
        ON CONFLICT(hash) DO UPDATE SET user_id = excluded.user_id, country = excluded.country, last_seen = excluded.last_seen`)
    }
  }

  /** The bearer token of an Authorization header, or null. */
  static bearer (authorization: string | undefined): string | null {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')
    return m ? m[1]! : null
  }

  identify (token: string | null): Identity {
    if (token === null) return ANONYMOUS
    // Every request asks this: remembered answers spare a hash and a SQLite read on the hot path.
    // Trust only grows through this object (accept, learnUser), which updates the memo too. Only
    // remote tokens are remembered, so this lookup never compares against a local token.
    const memo = this.#memo.get(token)
    if (memo !== undefined) return memo
    if (this.isLocal(token)) return { anonymous: false, local: true, trusted: true, principal: 'local', userId: null, country: null, hash: null }
    const hash = this.hash(token)
    const row = this.#s.get.get(hash) as { user_id: string | null, country: string | null } | undefined
    const who: Identity = {
      anonymous: false,
      local: false,
      trusted: row !== undefined,
      principal: row?.user_id ?? `token:${hash.slice(0, 16)}`,
      userId: row?.user_id ?? null,
      country: row?.country ?? null,
      hash
    }
    if (who.trusted) this.#remember(token, who)
    return who
  }

  #remember (token: string, who: Identity): void {
    if (this.#memo.size >= MEMO_SIZE) this.#memo.delete(this.#memo.keys().next().value!)
    this.#memo.set(token, Object.freeze(who))
  }

  /** Spotify answered this token with a success: it is real. */
  accept (token: string): void {
    if (this.#memo.has(token)) return
    const now = this.#now()
    this.#s.accept.run(this.hash(token), now, now)
  }

  /** Spotify's /v1/me for this token: whose it is. */
  learnUser (token: string, userId: string, country: string | null): void {
    const now = this.#now()
    const hash = this.hash(token)
    this.#s.user.run(hash, userId, country, now, now)
    this.#memo.delete(token)
  }

  isLocal (token: string): boolean {
    return this.#local.size > 0 && this.#local.has(digest(token))
  }

  hash (token: string): string {
    return createHash('sha256').update(this.#salt).update(token).digest('hex')
  }
}

function digest (token: string): string {
  return createHash('sha256').update(token).digest('hex')
}
