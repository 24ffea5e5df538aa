// Who may read fallback data (docs/trust.md). A bearer token is verified when Spotify accepted it
// through this proxy, or when it came out of POST /api/token through the proxy with a refresh
// token of a known user (token lineage). Tokens are remembered only as salted hashes, with the
// user id and country they belong to. Proxy-local tokens are trusted by configuration and never
// forwarded; a token Spotify refused (401) without any lineage is trusted by nothing.
import { createHash, randomBytes } from 'node:crypto'
import { metaValue, type Db } from '../db.js'

export interface Identity {
  /** No Authorization bearer at all. */
  anonymous: boolean
  /** A proxy-local token (SPOTIFY_PROXY_LOCAL_TOKENS, or `demo` while the demo library is served). */
  local: boolean
  /** Verified (Spotify accepted it, or token lineage) or local: it may read cache and CSV. */
  trusted: boolean
  /** Spotify answered 401 for it and it was never verified: nothing is served to it. */
  rejected: boolean
  /** Stable, non-secret name for cache keys: the Spotify user id, or `token:<hash prefix>`. */
  principal: string | null
  userId: string | null
  country: string | null
  /** The token's salted hash (never the token). */
  hash: string | null
}

/** What passed through POST /api/token: the grant and the tokens sent and received. */
export interface TokenExchange {
  grantType: string | null
  /** The refresh token the client sent (grant_type=refresh_token). */
  refreshToken: string | null
  accessToken: string
  /** A refresh token in the answer (always for authorization_code, sometimes on refresh). */
  newRefreshToken: string | null
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS trusted_tokens (
  hash TEXT PRIMARY KEY,
  user_id TEXT,
  country TEXT,
  accepted_at INTEGER NOT NULL,
  last_seen INTEGER NOT NULL
);
-- Tokens Spotify answered 401 for and that were never verified (bounded, oldest dropped).
CREATE TABLE IF NOT EXISTS rejected_tokens (
  hash TEXT PRIMARY KEY,
  at INTEGER NOT NULL
);
-- Refresh tokens seen at POST /api/token: whose they are (once known), and the access token
-- they last produced, whose verified user they inherit.
CREATE TABLE IF NOT EXISTS refresh_tokens (
  hash TEXT PRIMARY KEY,
  user_id TEXT,
  country TEXT,
  access_hash TEXT,
  seen_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS refresh_tokens_access ON refresh_tokens(access_hash) WHERE user_id IS NULL;
`

/** Identities kept in memory (oldest dropped first). */
const MEMO_SIZE = 10_000
/** Rejections kept in SQLite. */
const REJECTED_MAX = 10_000
/**
 * Access tokens last an hour; one this old is only useful to fall back for (auth-expired), and
 * a refresh token unused this long is most likely revoked. Both are forgotten at start.
 */
const KEEP_MS = 30 * 24 * 60 * 60 * 1000

const ANONYMOUS: Identity = Object.freeze({ anonymous: true, local: false, trusted: false, rejected: false, principal: null, userId: null, country: null, hash: null })
const LOCAL: Identity = Object.freeze({ anonymous: false, local: true, trusted: true, rejected: false, principal: 'local', userId: null, country: null, hash: null })

export interface TrustOptions {
  now?: () => number
  /** Whether the `demo` token is local right now (the demo library is the one served). */
  demo?: () => boolean
}

export class TrustStore {
  readonly #salt: string
  // SHA-256 of each local token: one hash and one Set lookup per request, however many there are
  // (comparing digests reveals nothing useful about the tokens through timing).
  readonly #local: Set<string>
  readonly #demo: () => boolean
  readonly #s
  readonly #now: () => number
  // Keyed by the token itself: a repeated caller then costs no hash at all. The tokens live in
  // this process's memory only (they arrive in every request anyway), never on disk or in logs.
  readonly #memo = new Map<string, Identity>()

  constructor (db: Db, localTokens: readonly string[], opts: TrustOptions = {}) {
    db.exec(SCHEMA)
    this.#now = opts.now ?? Date.now
    this.#demo = opts.demo ?? (() => false)
    // One random salt per database: hashes are useless outside it.
    this.#salt = metaValue(db, 'token_salt').setDefault(randomBytes(32).toString('hex'))
    this.#local = new Set(localTokens.map(digest))
    this.#s = {
      get: db.prepare('SELECT user_id, country FROM trusted_tokens WHERE hash = ?'),
      rejected: db.prepare('SELECT 1 FROM rejected_tokens WHERE hash = ?').pluck(),
      accept: db.prepare(`INSERT INTO trusted_tokens (hash, user_id, country, accepted_at, last_seen) VALUES (?, NULL, NULL, ?, ?)
        ON CONFLICT(hash) DO UPDATE SET last_seen = excluded.last_seen`),
      user: db.prepare(`INSERT INTO trusted_tokens (hash, user_id, country, accepted_at, last_seen) VALUES (?, ?, ?, ?, ?)
        ON CONFLICT(hash) DO UPDATE SET user_id = excluded.user_id, country = excluded.country, last_seen = excluded.last_seen`),
      reject: db.prepare('INSERT OR REPLACE INTO rejected_tokens (hash, at) VALUES (?, ?)'),
      trimRejected: db.prepare('DELETE FROM rejected_tokens WHERE hash IN (SELECT hash FROM rejected_tokens ORDER BY at DESC LIMIT -1 OFFSET ?)'),
      unreject: db.prepare('DELETE FROM rejected_tokens WHERE hash = ?'),
      refresh: db.prepare('SELECT user_id, country FROM refresh_tokens WHERE hash = ?'),
      putRefresh: db.prepare(`INSERT INTO refresh_tokens (hash, user_id, country, access_hash, seen_at) VALUES (?, ?, ?, ?, ?)
        ON CONFLICT(hash) DO UPDATE SET user_id = coalesce(refresh_tokens.user_id, excluded.user_id),
          country = coalesce(refresh_tokens.country, excluded.country), access_hash = excluded.access_hash, seen_at = excluded.seen_at`),
      inherit: db.prepare('UPDATE refresh_tokens SET user_id = ?, country = ? WHERE access_hash = ? AND user_id IS NULL')
    }
    const cutoff = this.#now() - KEEP_MS
    db.prepare('DELETE FROM trusted_tokens WHERE last_seen < ?').run(cutoff)
    db.prepare('DELETE FROM refresh_tokens WHERE seen_at < ?').run(cutoff)
    db.prepare('DELETE FROM rejected_tokens WHERE at < ?').run(cutoff)
  }

  /** The bearer token of an Authorization header, or null. */
  static bearer (authorization: string | undefined): string | null {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')
    return m ? m[1]! : null
  }

  identify (token: string | null): Identity {
    if (token === null) return ANONYMOUS
    // Decided per request: the demo library may be replaced by a real one while the proxy runs.
    if (token === 'demo' && this.#demo()) return LOCAL
    // Every request asks this: remembered answers spare a hash and a SQLite read on the hot path.
    // Trust only changes through this object, which updates the memo too. Only remote tokens are
    // remembered, so this lookup never compares against a local token.
    const memo = this.#memo.get(token)
    if (memo !== undefined) return memo
    if (this.isLocal(token)) return LOCAL
    const hash = this.hash(token)
    const row = this.#s.get.get(hash) as { user_id: string | null, country: string | null } | undefined
    const rejected = row === undefined && this.#s.rejected.get(hash) !== undefined
    const who: Identity = Object.freeze({
      anonymous: false,
      local: false,
      trusted: row !== undefined,
      rejected,
      principal: row?.user_id ?? `token:${hash.slice(0, 16)}`,
      userId: row?.user_id ?? null,
      country: row?.country ?? null,
      hash
    })
    if (who.trusted || who.rejected) this.#remember(token, who)
    return who
  }

  #remember (token: string, who: Identity): void {
    if (this.#memo.size >= MEMO_SIZE) this.#memo.delete(this.#memo.keys().next().value!)
    this.#memo.set(token, who)
  }

  /** Spotify answered this token with a success: it is real. */
  accept (token: string): void {
    if (this.#memo.get(token)?.trusted === true) return
    const now = this.#now()
    const hash = this.hash(token)
    this.#s.accept.run(hash, now, now)
    this.#s.unreject.run(hash)
    this.#memo.delete(token)
  }

  /** Spotify's /v1/me for this token: whose it is. Refresh tokens that produced it inherit the user. */
  learnUser (token: string, userId: string, country: string | null): void {
    const now = this.#now()
    const hash = this.hash(token)
    this.#s.user.run(hash, userId, country, now, now)
    this.#s.unreject.run(hash)
    this.#s.inherit.run(userId, country, hash)
    this.#memo.delete(token)
  }

  /** Spotify answered 401 for this token. A verified token keeps its trust (it expired, see auth-expired). */
  reject (token: string): void {
    const who = this.identify(token)
    if (who.trusted || who.local || who.rejected) return
    this.#s.reject.run(who.hash, this.#now())
    this.#s.trimRejected.run(REJECTED_MAX)
    this.#memo.delete(token)
  }

  /**
   * Token lineage from a successful POST /api/token: an access token obtained with a refresh token
   * of a known user is that user's at once; a refresh token returned inherits the user. When the
   * user is not known yet (an authorization_code exchange, or a refresh token first seen now),
   * the refresh tokens wait for the access token's first verified answer (learnUser).
   * Returns the user the access token was verified as, or null.
   */
  learnExchange (x: TokenExchange): string | null {
    const now = this.#now()
    const access = this.hash(x.accessToken)
    const parent = x.grantType === 'refresh_token' && x.refreshToken !== null
      ? this.#s.refresh.get(this.hash(x.refreshToken)) as { user_id: string | null, country: string | null } | undefined
      : undefined
    const user = parent?.user_id ?? null
    const country = parent?.country ?? null
    const refreshTokens = [x.grantType === 'refresh_token' ? x.refreshToken : null, x.newRefreshToken].filter((r): r is string => r !== null)
    for (const r of refreshTokens) this.#s.putRefresh.run(this.hash(r), user, country, access, now)
    if (user !== null) {
      this.#s.user.run(access, user, country, now, now)
      this.#s.unreject.run(access)
      this.#memo.delete(x.accessToken)
    }
    return user
  }

  isLocal (token: string): boolean {
    if (token === 'demo' && this.#demo()) return true
    return this.#local.size > 0 && this.#local.has(digest(token))
  }

  hash (token: string): string {
    return createHash('sha256').update(this.#salt).update(token).digest('hex')
  }
}

function digest (token: string): string {
  return createHash('sha256').update(token).digest('hex')
}
