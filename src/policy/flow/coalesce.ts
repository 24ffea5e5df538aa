// Step: identical GETs in flight share one upstream request. Only trusted callers share (an
// answer fetched with one token may go only to trusted ones), and requests in different modes
// never do (they may get different answers). A follower waits a bounded time, then asks itself.
import type { Reply } from './reply.js'

export class Coalescer {
  readonly #inflight = new Map<string, Promise<Reply>>()

  async run (flight: string, waitMs: number, fn: () => Promise<Reply>): Promise<Reply> {
    const running = this.#inflight.get(flight)
    if (running !== undefined) {
      const shared = await settledWithin(running, waitMs)
      // Each follower gets its own headers object: the leader's may be changed downstream.
      if (shared !== null) return { ...shared, headers: { ...shared.headers } }
    }
    const mine = fn()
    this.#inflight.set(flight, mine)
    try {
      return await mine
    } finally {
      if (this.#inflight.get(flight) === mine) this.#inflight.delete(flight)
    }
  }

  get size (): number {
    return this.#inflight.size
  }
}

/** The promise's value if it settles within `ms`, else null (a failed leader counts as null). */
export async function settledWithin<T> (p: Promise<T>, ms: number): Promise<T | null> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<null>(resolve => { timer = setTimeout(resolve, ms, null) })
  try {
    return await Promise.race([p.catch(() => null), timeout])
  } finally {
    clearTimeout(timer)
  }
}
