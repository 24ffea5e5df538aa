// A dead upstream must not cost every request a full timeout: after repeated failures the
// breaker opens and requests fall back at once; after a pause one probe goes through
// (half-open) and its outcome closes or re-opens the breaker.

export interface BreakerOptions {
  failures: number
  openMs: number
  now?: () => number
}

export type BreakerState = 'closed' | 'open' | 'half-open'

export class CircuitBreaker {
  readonly #opts: Required<BreakerOptions>
  #failures = 0
  #openedAt: number | null = null
  #probing = false

  constructor (opts: BreakerOptions) {
    this.#opts = { now: Date.now, ...opts }
  }

  state (): BreakerState {
    if (this.#openedAt === null) return 'closed'
    return this.#opts.now() - this.#openedAt >= this.#opts.openMs ? 'half-open' : 'open'
  }

  /** May a request go upstream now? In half-open, only one (the probe) until it reports back. */
  allow (): boolean {
    const s = this.state()
    if (s === 'closed') return true
    if (s === 'open' || this.#probing) return false
    this.#probing = true
    return true
  }

  success (): void {
    this.#failures = 0
    this.#openedAt = null
    this.#probing = false
  }

  failure (): void {
    this.#probing = false
    if (this.#openedAt !== null) {
      this.#openedAt = this.#opts.now()
      return
    }
    if (++this.#failures >= this.#opts.failures) this.#openedAt = this.#opts.now()
  }
}
