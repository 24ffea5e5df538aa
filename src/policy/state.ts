// The state the request path reads and changes, behind small interfaces: who a token is, who owns
// the library, the cooldown Spotify asked for, the breaker, the endpoints Spotify refused, and
// the pacing of Spotify's 30-second window. The flow (src/policy/flow/) sees only these; the SQLite
// and in-memory implementations beside this file (trust.ts, owner.ts, cooldown.ts, breaker.ts,
// refusals.ts; upstream/pacing.ts) could be swapped for others without touching it.
import type { Cooldown, CooldownGate, CooldownReason } from './cooldown.js'
import type { Owner, OwnerDecision } from './owner.js'
import type { Identity } from './trust.js'

export type { Cooldown, CooldownGate, CooldownReason, Identity, Owner, OwnerDecision }

export interface TrustState {
  identify: (token: string | null) => Identity
  /** Spotify answered this token with a success. */
  accept: (token: string) => void
  /** Spotify's /v1/me for this token. */
  learnUser: (token: string, userId: string, country: string | null) => void
  /** Spotify answered 401 for this token. */
  reject: (token: string) => void
}

export interface OwnerState {
  known: () => Owner | null
  /** Who the library's answers name as its playlists' owner. */
  forAnswers: () => Owner
  isOwner: (who: Identity) => boolean
  /** A verified user's /v1/me. */
  learn: (user: Owner) => void
  decision: () => OwnerDecision
}

export interface CooldownState {
  active: () => Cooldown | null
  secondsLeft: () => number
  /** May a request go upstream now (the one probe after a cooldown, or anyone)? */
  gate: () => CooldownGate
  /** Spotify answered something other than a 429. */
  settle: () => void
  /** The probe got no answer: the next request probes. */
  unsettled: () => void
  start: (retryAfterSeconds: number, reason: CooldownReason) => Cooldown
}

export interface BreakerState {
  allow: () => boolean
  success: () => void
  failure: () => void
  /** An allowed request never reached upstream. */
  abandon: () => void
  state: () => 'closed' | 'open' | 'half-open'
  secondsLeft: () => number
}

export interface RefusalState {
  isRefused: (endpoint: string | null) => boolean
  refuse: (endpoint: string, status: number) => void
  clear: (endpoint: string) => void
}

export interface PacingState {
  /** Resolves when a request may go upstream; rejects with a PacingTimeout past the wait allowed. */
  acquire: (signal?: AbortSignal) => Promise<void>
}

export interface FlowState {
  trust: TrustState
  owner: OwnerState
  cooldown: CooldownState
  breaker: BreakerState
  refusals: RefusalState
  pacer: PacingState | null
}
