// After a 429 no request goes upstream until Retry-After has passed: every retry made while
// limited lengthens the ban (spotipy#1158). Kept in SQLite so a restart does not forget it.
import type { Db } from '../library/db.js'

export type CooldownReason = 'rate-limited' | 'quota-exceeded'

export interface Cooldown {
  until: number
  reason: CooldownReason
}

/** Spotify omits Retry-After now and then (beetbox/beets#4370): wait this long then. */
export const DEFAULT_RETRY_AFTER_S = 5

export class CooldownStore {
  readonly #get
  readonly #set
  readonly #now: () => number
  #cached: Cooldown | null

  constructor (db: Db, now: () => number = Date.now) {
    this.#get = db.prepare("SELECT value FROM meta WHERE key = 'cooldown'").pluck()
    this.#set = db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('cooldown', ?)")
    this.#now = now
    const stored = this.#get.get() as string | undefined
    this.#cached = stored === undefined ? null : JSON.parse(stored) as Cooldown
  }

  /** The running cooldown, or null. */
  active (): Cooldown | null {
    const c = this.#cached
    return c !== null && c.until > this.#now() ? c : null
  }

  /** Seconds left, rounded up, for the Retry-After of answers given meanwhile. */
  secondsLeft (): number {
    const c = this.active()
    return c === null ? 0 : Math.max(1, Math.ceil((c.until - this.#now()) / 1000))
  }

  /** Starts (or extends: a later end wins) the cooldown a 429 asks for. */
  start (retryAfterSeconds: number, reason: CooldownReason): Cooldown {
    const until = this.#now() + retryAfterSeconds * 1000
    const current = this.active()
    const next = current !== null && current.until >= until ? current : { until, reason }
    this.#cached = next
    this.#set.run(JSON.stringify(next))
    return next
  }
}

/**
 * Seconds to wait after a 429: the Retry-After header (delta-seconds or an HTTP-date, RFC 9110
 * §10.2.3), else the default. A quota answer (`reason: QUOTA_EXCEEDED`) is honoured in full,
 * however long: that budget refills over a day.
 */
export function retryAfterSeconds (header: string | undefined, now: number = Date.now()): number {
  if (header === undefined || header.trim() === '') return DEFAULT_RETRY_AFTER_S
  const v = header.trim()
  if (/^\d+$/.test(v)) return Math.max(1, Number(v))
  const date = Date.parse(v)
  if (!Number.isNaN(date)) return Math.max(1, Math.ceil((date - now) / 1000))
  return DEFAULT_RETRY_AFTER_S
}

export function isQuotaExceeded (body: Buffer | string): boolean {
  try {
    const json = JSON.parse(body.toString()) as { error?: { reason?: unknown } }
    return json.error?.reason === 'QUOTA_EXCEEDED'
  } catch {
    return false
  }
}
