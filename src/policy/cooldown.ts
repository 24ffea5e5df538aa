// After a 429 no request goes upstream until Retry-After has passed: every retry made while
// limited lengthens the ban (spotipy#1158). Kept in SQLite so a restart does not forget it.
import { metaValue, type Db, type MetaValue } from '../db.js'

export type CooldownReason = 'rate-limited' | 'quota-exceeded'

export interface Cooldown {
  until: number
  reason: CooldownReason
}

/** Spotify omits Retry-After now and then (beetbox/beets#4370): wait this long then. */
export const DEFAULT_RETRY_AFTER_S = 5

export interface CooldownOptions {
  now?: () => number
  /** Longest cooldown a 429 may start (SPOTIFY_PROXY_COOLDOWN_MAX); default a day. */
  maxSeconds?: number
}

/** Whether a request may go upstream now: yes, yes as the one probe after a cooldown, or no. */
export type CooldownGate = { open: true, probe: boolean } | { open: false, cooldown: Cooldown }

/** Default cap: Spotify's daily quota refills within a day. */
export const DEFAULT_COOLDOWN_MAX_S = 86_400
/** A probe that never reports back (its request died) stops holding the others after this. */
const PROBE_TIMEOUT_MS = 30_000

export class CooldownStore {
  readonly #stored: MetaValue
  readonly #now: () => number
  readonly #maxSeconds: number
  #cached: Cooldown | null
  // A cooldown over, but not yet confirmed by an answer from Spotify: exactly one request (the
  // probe) goes upstream, the others keep falling back until it reports (RFC 9111 has no such
  // rule; this is the half-open state of a circuit breaker, applied to Retry-After).
  #probeSince: number | null = null

  constructor (db: Db, opts: CooldownOptions = {}) {
    this.#stored = metaValue(db, 'cooldown')
    this.#now = opts.now ?? Date.now
    this.#maxSeconds = opts.maxSeconds ?? DEFAULT_COOLDOWN_MAX_S
    const stored = this.#stored.get()
    const parsed = stored === undefined ? null : JSON.parse(stored) as Cooldown & { over?: boolean }
    // A cooldown stored before the cap existed (or under a larger one) is cut to the cap.
    if (parsed !== null) parsed.until = Math.min(parsed.until, this.#now() + this.#maxSeconds * 1000)
    this.#cached = parsed === null || parsed.over === true ? null : { until: parsed.until, reason: parsed.reason }
  }

  /** The running cooldown, or null (also while its end is being probed). */
  active (): Cooldown | null {
    const c = this.#cached
    return c !== null && c.until > this.#now() ? c : null
  }

  /** Seconds left, rounded up, for the Retry-After of answers given meanwhile. */
  secondsLeft (): number {
    const c = this.active()
    return c === null ? 0 : Math.max(1, Math.ceil((c.until - this.#now()) / 1000))
  }

  /**
   * May a request go upstream? While a cooldown runs, no. Once it is over, the first caller is the
   * probe; the others wait (fall back) until the probe reports with settle(), or it times out.
   */
  gate (): CooldownGate {
    const c = this.#cached
    if (c === null) return OPEN
    const now = this.#now()
    if (c.until > now) return { open: false, cooldown: c }
    if (this.#probeSince !== null && now - this.#probeSince < PROBE_TIMEOUT_MS) return { open: false, cooldown: c }
    this.#probeSince = now
    return PROBE
  }

  /** A cooldown is over and its probe is on its way to Spotify. */
  probing (): boolean {
    return this.#probeSince !== null && this.#now() - this.#probeSince < PROBE_TIMEOUT_MS
  }

  /** Spotify answered a request that went through the gate with something other than a 429. */
  settle (): void {
    if (this.#cached === null || this.#cached.until > this.#now()) return
    this.#stored.set(JSON.stringify({ ...this.#cached, over: true }))
    this.#cached = null
    this.#probeSince = null
  }

  /** The probe got no answer at all (the transport failed): the next request probes again. */
  unsettled (): void {
    this.#probeSince = null
  }

  /** Starts (or extends: a later end wins) the cooldown a 429 asks for, capped at maxSeconds. */
  start (retryAfterSeconds: number, reason: CooldownReason): Cooldown {
    const until = this.#now() + Math.min(retryAfterSeconds, this.#maxSeconds) * 1000
    const current = this.#cached !== null && this.#cached.until > this.#now() ? this.#cached : null
    const next = current !== null && current.until >= until ? current : { until, reason }
    this.#cached = next
    this.#probeSince = null
    this.#stored.set(JSON.stringify(next))
    return next
  }
}

const OPEN: CooldownGate = Object.freeze({ open: true, probe: false })
const PROBE: CooldownGate = Object.freeze({ open: true, probe: true })

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
