// A dead upstream must not cost every request a full timeout: after repeated transport failures
// (refused, reset, DNS, timeout: never a 5xx, which is an answer) the breaker opens and requests
// fall back at once; after a pause one probe goes through (half-open) and its outcome closes or
// re-opens the breaker.

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

  /** Seconds until the next probe may go (0 unless open). */
  secondsLeft (): number {
    if (this.state() !== 'open') return 0
    return Math.max(1, Math.ceil((this.#openedAt! + this.#opts.openMs - this.#opts.now()) / 1000))
  }

  /** A request allowed through never reached upstream (refused by the pacer): the probe slot is free again. */
  abandon (): void {
    this.#probing = false
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
