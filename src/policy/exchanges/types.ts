// A 2026 bridge (docs/spotify-api.md §3, §7): a request Spotify no longer takes as sent, asked
// another way. `match` says whether the bridge applies to this request (from the endpoint table
// and what the proxy knows); `run` does the exchange with Spotify and answers as the client's
// own request would have been answered. The flow judges that answer like any other.
import type { RequestTarget } from '../../endpoints.js'
import type { ForwardRequest, UpstreamResponse } from '../../upstream/types.js'
import type { RefusalState } from '../state.js'

export interface ExchangeRequest {
  target: RequestTarget
  body: Buffer | undefined
  /** The client's headers, filtered for upstream. */
  headers: Record<string, string>
  /** The user behind the token, when known. */
  userId: string | null
  /** The cached answer's ETag, to revalidate with (RFC 9111 §4.3.1) when the request goes as sent. */
  etag: string | null
}

export interface ExchangeIo {
  /** One request to Spotify, after its pacing slot. */
  send: (forward: ForwardRequest) => Promise<UpstreamResponse>
  refusals: RefusalState
  /** The base links of stitched answers point at (the proxy's, or Spotify's when not rewritten). */
  apiBase: string
}

export interface Exchange {
  name: string
  match: (req: ExchangeRequest, io: ExchangeIo) => boolean
  run: (req: ExchangeRequest, io: ExchangeIo) => Promise<UpstreamResponse>
}
