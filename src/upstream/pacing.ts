// Spotify counts an app's calls in a rolling 30-second window and answers 429 past an
// unpublished limit (docs/spotify-api.md §1). Provoking that 429 starts a cooldown, so upstream
// requests are queued here instead: a sliding log of the last `perWindow` send times lets a
// request go only while fewer than `perWindow` went out in the last `windowMs`. That is exact for
// a rolling window (a continuously refilling bucket would allow a burst plus refill, more than
// `perWindow` in some 30 s span). Requests that would wait too long are refused at once, so the
// caller falls back to cache/CSV instead of hanging.

/**
 * Requests per 30 s when not configured. Spotify publishes no number; development-mode apps are
 * reported to get roughly 100–180. 90 stays under the low end with room for other programs
 * using the same Client ID, since the limit is per app, not per proxy.
 */
export const DEFAULT_PACE_PER_30S = 90
export const DEFAULT_WINDOW_MS = 30_000
/**
 * Longest queue wait before giving up. spotipy's default read timeout is 5 s, so the wait plus
 * Spotify's own answer must fit well inside that.
 */
export const DEFAULT_MAX_WAIT_MS = 3_000

export interface PacerOptions {
  /** Requests allowed in any rolling window. */
  perWindow: number
  /** Window length; Spotify's is 30 s. */
  windowMs?: number
  /** Most requests waiting at once; default `perWindow` (more could not go within one window anyway). */
  maxQueue?: number
  /** Refuse a request whose projected wait is longer than this. */
  maxWaitMs?: number
  /** Monotonic milliseconds; injected by tests. */
  now?: () => number
  /** Runs `fn` after `ms`; returns a cancel function. Injected by tests. */
  setTimer?: (fn: () => void, ms: number) => () => void
}

export type PacingTimeoutKind = 'queue-full' | 'wait-too-long' | 'closed'

/** The request may not go upstream in time: the caller answers as for a 429 ('rate-limited'). */
export class PacingTimeout extends Error {
  override readonly name = 'PacingTimeout'
  readonly kind: PacingTimeoutKind
  /** Projected wait that was refused, when known. */
  readonly waitMs: number | null

  constructor (kind: PacingTimeoutKind, message: string, waitMs: number | null = null) {
    super(message)
    this.kind = kind
    this.waitMs = waitMs
  }
}

interface Waiter {
  resolve: () => void
  reject: (err: unknown) => void
  signal: AbortSignal | undefined
  onAbort: () => void
}

function defaultSetTimer (fn: () => void, ms: number): () => void {
  const t = setTimeout(fn, ms)
  return () => clearTimeout(t)
}

export class Pacer {
  readonly #perWindow: number
  readonly #windowMs: number
  readonly #maxQueue: number
  readonly #maxWaitMs: number
  readonly #now: () => number
  readonly #setTimer: (fn: () => void, ms: number) => () => void
  /** Grant times inside the current window, oldest first; never longer than perWindow. */
  readonly #sent: number[] = []
  readonly #queue: Waiter[] = []
  #cancelTimer: (() => void) | null = null
  #closed = false

  constructor (opts: PacerOptions) {
    this.#perWindow = check(opts.perWindow, 'perWindow', 1, true)
    this.#windowMs = check(opts.windowMs ?? DEFAULT_WINDOW_MS, 'windowMs', 1, true)
    this.#maxQueue = check(opts.maxQueue ?? this.#perWindow, 'maxQueue', 0, true)
    this.#maxWaitMs = check(opts.maxWaitMs ?? DEFAULT_MAX_WAIT_MS, 'maxWaitMs', 0, false)
    this.#now = opts.now ?? (() => performance.now()) // monotonic: a clock change must not stall the queue
    this.#setTimer = opts.setTimer ?? defaultSetTimer
  }

  /**
   * Resolves when one request may go upstream (first come, first served). Rejects with a
   * PacingTimeout when the queue is full or the wait would exceed maxWaitMs, and with the
   * signal's reason when aborted while waiting.
   */
  async acquire (signal?: AbortSignal): Promise<void> {
    if (this.#closed) throw new PacingTimeout('closed', 'Pacer closed')
    signal?.throwIfAborted()
    // Let those already waiting take any slot a late timer has not handed out yet: FIFO holds.
    if (this.#queue.length > 0) this.#drain()
    const now = this.#now()
    this.#prune(now)
    if (this.#queue.length === 0 && this.#sent.length < this.#perWindow) {
      this.#sent.push(now)
      return
    }
    if (this.#queue.length >= this.#maxQueue) {
      throw new PacingTimeout('queue-full', `Upstream pacing queue is full (${this.#maxQueue} waiting)`)
    }
    // Refused up front rather than after waiting: the fallback is as good now as later.
    const waitMs = this.#projectedStart(now) - now
    if (waitMs > this.#maxWaitMs) {
      throw new PacingTimeout('wait-too-long', `Upstream pacing would wait ${Math.ceil(waitMs)} ms (limit ${this.#maxWaitMs} ms)`, waitMs)
    }
    await new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        signal,
        onAbort: () => {
          const i = this.#queue.indexOf(waiter)
          if (i !== -1) this.#queue.splice(i, 1)
          reject(signal?.reason)
          this.#drain() // the queue may now be empty: drop the timer
        }
      }
      signal?.addEventListener('abort', waiter.onAbort, { once: true })
      this.#queue.push(waiter)
      this.#drain()
    })
  }

  stats (): { queued: number, sentInWindow: number } {
    this.#prune(this.#now())
    return { queued: this.#queue.length, sentInWindow: this.#sent.length }
  }

  /** Refuses every waiting and later request and clears the timer (app shutdown). */
  close (): void {
    this.#closed = true
    for (const w of this.#queue.splice(0)) {
      w.signal?.removeEventListener('abort', w.onAbort)
      w.reject(new PacingTimeout('closed', 'Pacer closed'))
    }
    this.#drain()
  }

  #prune (now: number): void {
    // A send at time s counts for the window (s, s + windowMs); it frees its slot at s + windowMs.
    while (this.#sent.length > 0 && this.#sent[0]! + this.#windowMs <= now) this.#sent.shift()
  }

  /** When a request joining the queue now would go, if no one ahead of it gives up (an upper bound). */
  #projectedStart (now: number): number {
    // Send number k (counting past sends first) must wait for send k - perWindow to leave the window.
    const times = [...this.#sent]
    let t = now
    for (let k = 0; k <= this.#queue.length; k++) {
      const earlier = times[times.length - this.#perWindow]
      t = Math.max(t, earlier === undefined ? now : earlier + this.#windowMs)
      times.push(t)
    }
    return t
  }

  /** Lets waiters go while slots are free, then sleeps until the oldest send leaves the window. */
  #drain (): void {
    this.#cancelTimer?.()
    this.#cancelTimer = null
    const now = this.#now()
    this.#prune(now)
    while (this.#queue.length > 0 && this.#sent.length < this.#perWindow) {
      const w = this.#queue.shift()!
      w.signal?.removeEventListener('abort', w.onAbort)
      this.#sent.push(now)
      w.resolve()
    }
    if (this.#queue.length > 0) {
      // The window is full, so #sent[0] exists, and pruning left it less than windowMs old: delay > 0.
      this.#cancelTimer = this.#setTimer(() => {
        this.#cancelTimer = null
        this.#drain()
      }, this.#sent[0]! + this.#windowMs - now)
    }
  }
}

function check (value: number, name: string, min: number, integer: boolean): number {
  if (!(value >= min) || (integer && !Number.isInteger(value))) {
    throw new RangeError(`Pacer ${name} must be ${integer ? 'an integer' : 'a number'} ≥ ${min}, got ${value}`)
  }
  return value
}
