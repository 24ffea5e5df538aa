// Step: what Spotify's answer means, as a verdict the flow acts on (learn.ts keeps what it
// teaches; flow.ts replies or falls back). Pure: the answer and a few facts in, the verdict out.
import { isQuotaExceeded } from '../cooldown.js'
import { isJson } from '../exchanges/pages.js'
import type { UpstreamResponse } from '../../upstream/types.js'
import { UpstreamFailure } from '../../upstream/types.js'
import type { FallbackReason } from './reply.js'

export type Verdict =
  /** 304 for an answer the proxy holds: it is fresh again. */
  | { kind: 'revalidated' }
  /** 2xx; `json` is the parsed body of a JSON answer to a GET. */
  | { kind: 'success', json: unknown }
  /** 2xx whose JSON does not parse: a broken answer, not data (a truncated upstream). */
  | { kind: 'broken' }
  | { kind: 'limited', reason: 'rate-limited' | 'quota-exceeded' }
  | { kind: 'failed' }
  | { kind: 'token-refused' }
  /** 403 from an endpoint closed to development-mode apps. */
  | { kind: 'closed' }
  /** Anything else: relayed as it is. */
  | { kind: 'other' }

export interface Facts {
  isGet: boolean
  /** The proxy holds an answer for this request (a 304 refers to it). */
  holdsAnswer: boolean
  /** The closed-endpoint name of the request, if it has one. */
  closed: string | null
}

export function classify (a: UpstreamResponse, f: Facts): Verdict {
  if (a.status === 304 && f.holdsAnswer) return { kind: 'revalidated' }
  if (a.status >= 200 && a.status < 300) {
    if (!f.isGet || !isJson(a)) return { kind: 'success', json: undefined }
    try {
      return { kind: 'success', json: JSON.parse(a.body.toString('utf8')) as unknown }
    } catch {
      return { kind: 'broken' }
    }
  }
  if (a.status === 429) return { kind: 'limited', reason: isQuotaExceeded(a.body) ? 'quota-exceeded' : 'rate-limited' }
  if (a.status >= 500) return { kind: 'failed' }
  if (a.status === 401) return { kind: 'token-refused' }
  if (a.status === 403 && f.closed !== null) return { kind: 'closed' }
  return { kind: 'other' }
}

/** Why no answer came back, as a fallback reason. */
export function failureReason (err: UpstreamFailure): FallbackReason {
  return err.kind === 'timeout' ? 'upstream-timeout' : 'upstream-unreachable'
}
