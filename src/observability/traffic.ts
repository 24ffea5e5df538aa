// Where answers came from, kept in memory for the dashboard: per-minute counts by source over
// the last hour, and the latest fallbacks with their reasons. Bounded whatever the traffic.
import type { Outcome } from '../http/outcome.js'

/** A fallback as the dashboard lists it. */
export interface FallbackEvent {
  method: string
  route: string
  status: number
  source: string
  reason: string | null
  upstreamStatus: number | null
  ms: number
  at: number
}

const MINUTES = 60
const RECENT = 50
const MINUTE_MS = 60_000

export class TrafficLog {
  readonly #now: () => number
  // Ring of per-minute buckets, indexed by minute number modulo MINUTES.
  readonly #buckets: Array<{ minute: number, bySource: Record<string, number> }>
  readonly #recent: FallbackEvent[] = []
  readonly #totals: Record<string, number> = {}

  constructor (now: () => number = Date.now) {
    this.#now = now
    this.#buckets = Array.from({ length: MINUTES }, () => ({ minute: -1, bySource: {} }))
  }

  /** Counts a /v1 request's outcome under its endpoint's label. */
  record (o: Outcome, route: string): void {
    const now = this.#now()
    const minute = Math.floor(now / MINUTE_MS)
    const b = this.#buckets[minute % MINUTES]!
    if (b.minute !== minute) {
      b.minute = minute
      b.bySource = {}
    }
    b.bySource[o.source] = (b.bySource[o.source] ?? 0) + 1
    this.#totals[o.source] = (this.#totals[o.source] ?? 0) + 1
    if (o.reason !== null) {
      this.#recent.push({ method: o.method, route, status: o.status, source: o.source, reason: o.reason, upstreamStatus: o.upstreamStatus, ms: o.ms, at: now })
      if (this.#recent.length > RECENT) this.#recent.shift()
    }
  }

  /** The last hour, oldest minute first (minutes without traffic included, as zeros). */
  lastHour (): Array<{ minute: string, bySource: Record<string, number> }> {
    const current = Math.floor(this.#now() / MINUTE_MS)
    const out: Array<{ minute: string, bySource: Record<string, number> }> = []
    for (let m = current - MINUTES + 1; m <= current; m++) {
      const b = this.#buckets[((m % MINUTES) + MINUTES) % MINUTES]!
      out.push({ minute: new Date(m * MINUTE_MS).toISOString(), bySource: b.minute === m ? { ...b.bySource } : {} })
    }
    return out
  }

  /** Newest first. */
  recentFallbacks (): FallbackEvent[] {
    return [...this.#recent].reverse()
  }

  totals (): Record<string, number> {
    return { ...this.#totals }
  }
}
