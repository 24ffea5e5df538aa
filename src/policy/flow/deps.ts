// What the request path is made of: its settings, Spotify, the caches, the library, the state
// stores (src/policy/state.ts), and the few hooks back into the app.
import type { LibraryAnswers } from '../../answers/index.js'
import type { EntityStore } from '../../cache/entity-cache.js'
import type { ResponseStore } from '../../cache/response-cache.js'
import type { SnapshotStore } from '../../cache/snapshots.js'
import type { ProxyMode } from '../../config.js'
import type { RequestTarget } from '../../endpoints.js'
import type { UpstreamClient } from '../../upstream/types.js'
import type { FlowState } from '../state.js'

export interface FlowSettings {
  mode: ProxyMode
  /** Seconds an answer to this target counts as fresh (per-endpoint rules, cache/ttl.ts). */
  ttl: (target: RequestTarget) => number
  fallbackOnRateLimit: boolean
  fallbackOnError: boolean
  fallbackOnAuthError: boolean
  /** How long a request waits for an identical one in flight before asking on its own. */
  coalesceWaitMs: number
  /** The proxy's public API base (`…/v1`), for links in answers it builds or rewrites. */
  publicApiBase: string
  /** Spotify's API bases (`…/v1`) whose links in upstream answers are rewritten to publicApiBase. */
  upstreamApiBases: string[]
  rewriteLinks: boolean
  /** Longest Retry-After on the proxy's own answers; the whole wait goes in X-Proxy-Upstream-Retry-After. */
  maxRetryAfterSeconds: number
  /** SPOTIFY_PROXY_TRUST=owner-on-loopback on a loopback-bound proxy. */
  ownerOnLoopback: boolean
}

export interface FlowDeps {
  settings: FlowSettings
  upstream: UpstreamClient
  /** Null when the cache is off. */
  cache: ResponseStore | null
  entities: EntityStore | null
  snapshots: SnapshotStore | null
  /** The CSV library's answers (whose they are: the endpoint table's `library`); null when the library is off. */
  library: LibraryAnswers | null
  /** Whether the request's id is one the library made up (the endpoint table's `libraryId`); null when the library is off. */
  libraryId: ((target: RequestTarget) => boolean) | null
  state: FlowState
  /** Learns real playlist ids from an answer to the library's owner (playlist-learning.ts). */
  learnPlaylists: ((target: RequestTarget, json: unknown) => unknown) | null
  /** Keeping what an answer taught failed (the answer itself still goes out). */
  onStoreError?: (err: unknown) => void
  /** A token served as the owner's during an outage (owner-on-loopback) that Spotify then refused. */
  onProvisionalRejected?: () => void
  /** Tokens served as the owner's while Spotify could not be asked, until Spotify judges them (the flow keeps it). */
  provisional?: Set<string>
  now: () => number
}
