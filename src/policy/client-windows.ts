// Per-client request counts in fixed windows, for the local rate limit (plugins/rate-limit.ts).
// It is a store in @fastify/rate-limit's interface (incr/child), counting as that library's own
// LocalStore does, and it answers synchronously too: the hit lane (src/hit-lane.ts) checks the
// same counts outside Fastify's hooks, where a promise per request is what it exists to avoid.
import type { FastifyRateLimitStore, RateLimitOptions } from '@fastify/rate-limit'

export interface WindowCount {
  /** Requests in the current window, this one included. */
  current: number
  /** Milliseconds until the window ends. */
  ttl: number
}

interface Window { count: number, startedAt: number }

export class ClientWindows implements FastifyRateLimitStore {
  readonly #windows = new Map<string, Window>()
  readonly #windowMs: number
  readonly #capacity: number
  readonly #now: () => number

  /** `capacity`: clients tracked at once; the least recently seen is forgotten first. */
  constructor (windowMs: number, capacity = 5000, now: () => number = Date.now) {
    this.#windowMs = windowMs
    this.#capacity = capacity
    this.#now = now
  }

  /** Counts one request of `key`. */
  count (key: string): WindowCount {
    const now = this.#now()
    const windowMs = this.#windowMs
    let w = this.#windows.get(key)
    if (w === undefined || w.startedAt + windowMs <= now) {
      w = { count: 0, startedAt: now }
      if (this.#windows.size >= this.#capacity) this.#windows.delete(this.#windows.keys().next().value!)
    } else {
      this.#windows.delete(key) // re-inserted below: Map order is recency order
    }
    w.count++
    this.#windows.set(key, w)
    return { current: w.count, ttl: w.startedAt + windowMs - now }
  }

  /** @fastify/rate-limit's store interface. */
  incr (key: string, callback: (error: Error | null, result?: WindowCount) => void): void {
    callback(null, this.count(key))
  }

  /** A route's own limit (`config.rateLimit`), counted apart. */
  child (routeOptions: RateLimitOptions & { path: string, prefix: string }): FastifyRateLimitStore {
    const ms = typeof routeOptions.timeWindow === 'number' ? routeOptions.timeWindow : this.#windowMs
    return new ClientWindows(ms, this.#capacity, this.#now)
  }
}
