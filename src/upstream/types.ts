// What crosses the boundary to Spotify. The policy only ever sees these shapes.

export interface ForwardRequest {
  method: string
  /** A validated origin-form target: path and query, always starting with `/v1/`. */
  path: string
  /** End-to-end request headers to send, lower-case names (already filtered). */
  headers: Record<string, string>
  body?: Buffer
}

export interface UpstreamResponse {
  status: number
  /** End-to-end response headers, lower-case names; hop-by-hop ones removed (RFC 9110 §7.6.1). */
  headers: Record<string, string>
  body: Buffer
  /** Time from sending to the last body byte. */
  ms: number
}

/** Why no usable answer came back. Maps onto X-Proxy-Fallback-Reason. */
export type UpstreamFailureKind = 'timeout' | 'unreachable' | 'reset' | 'truncated' | 'too-large'

export class UpstreamFailure extends Error {
  override name = 'UpstreamFailure'
  constructor (readonly kind: UpstreamFailureKind, message: string, options?: { cause?: unknown }) {
    super(message, options)
  }
}

export interface SendOptions {
  /**
   * Called once the request has a connection of its own, right before it goes out; throwing
   * keeps it from going (the error reaches the caller as thrown). A request may wait for a
   * connection while others are answered: a 429 among them starts a cooldown it must not cross.
   */
  beforeSend?: () => void
}

export interface UpstreamClient {
  send: (req: ForwardRequest, opts?: SendOptions) => Promise<UpstreamResponse>
  close: () => Promise<void>
}
