// One record per request, whichever way it was answered (the router or the hit lane): what was
// asked, what went back and where it came from. The log line, the metrics and the dashboard's
// traffic log are all written from it, by one function (recordOutcome in plugins/observability.ts).
import type { Reply } from '../policy/flow/reply.js'

export interface Outcome {
  method: string
  /** The request target as received (the log line writes its path only). */
  url: string
  /** The route as registered, for answers outside /v1 (undefined: no route matched). */
  route?: string | undefined
  status: number
  source: string
  reason: string | null
  upstreamStatus: number | null
  upstreamMs: number | null
  /** Went through the proxy flow (a /v1 request the route or the hit lane answered). */
  proxied: boolean
  /** Answered by the hit lane, before Fastify (so the log line has no reqId). */
  hitLane?: true
  ms: number
}

/** What the proxy flow's reply adds to a request's outcome (kept on the request by the /v1 route). */
export type FlowOutcome = Pick<Reply, 'source' | 'reason' | 'upstreamStatus' | 'upstreamMs'>

/** The log line of an outcome: its path without the query (which may hold ids a user considers private). */
export function logLine (o: Outcome): Record<string, unknown> {
  const line: Record<string, unknown> = { method: o.method, path: o.url.split('?')[0], status: o.status, source: o.source, reason: o.reason, upstreamStatus: o.upstreamStatus, upstreamMs: o.upstreamMs, ms: o.ms }
  if (o.hitLane === true) line.hitLane = true
  return line
}
