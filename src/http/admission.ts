// What a request must be to be let in, in one place for every way in: the app's global hook and
// the hit lane (src/http/hit-lane.ts) check the request line; the /v1 route and the hit lane
// admit a Spotify request into the proxy flow. A refusal is an error in Spotify's shape, so
// every way in refuses alike.
import type { IncomingHttpHeaders } from 'node:http'
import type { ProxyMode } from '../config.js'
import type { FlowRequest } from '../policy/flow/context.js'
import { TrustStore } from '../policy/trust.js'
import { validateTarget } from '../upstream/target.js'

export interface Refusal { status: number, message: string }

export type Admission = { ok: true, req: FlowRequest } | ({ ok: false } & Refusal)

const MODES = new Set<ProxyMode>(['auto', 'offline', 'online'])
// TRACE echoes requests (cross-site tracing); Spotify's API uses none of the others.
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'])

/**
 * Any request, whatever its path. Absolute-form (`GET http://evil/v1/me`) and protocol-relative
 * (`//evil/...`) targets could steer a naive proxy to another host; more than one Host field is a
 * 400 (RFC 9112 §3.2: which one a hop believes is how requests get steered; Node's parser keeps
 * the first and lets the rest through).
 */
export function checkRequestLine (url: string, rawHeaders: readonly string[]): Refusal | null {
  if (!url.startsWith('/') || url.startsWith('//')) return { status: 400, message: 'Only origin-form request targets (/v1/...) are accepted' }
  if (hostFields(rawHeaders) > 1) return { status: 400, message: 'More than one Host header field' }
  return null
}

// Targets validateTarget accepted (it passes them through unchanged), so a busy path is checked once.
const ACCEPTED_MEMO = 4096
const accepted = new Set<string>()

/** A request to the Spotify Web API (/v1/…), as the proxy flow takes it; HEAD is answered like GET. */
export function admitApiRequest (m: { method: string, url: string, headers: IncomingHttpHeaders, rawHeaders: readonly string[] }, defaultMode: ProxyMode, body?: Buffer): Admission {
  const line = checkRequestLine(m.url, m.rawHeaders)
  if (line !== null) return { ok: false, ...line }
  if (!METHODS.has(m.method)) return { ok: false, status: 405, message: `Method ${m.method} is not supported by the Spotify Web API` }
  if (!accepted.has(m.url)) {
    const target = validateTarget(m.url)
    if (!target.ok) return { ok: false, status: 400, message: target.message }
    if (accepted.size >= ACCEPTED_MEMO) accepted.clear()
    accepted.add(m.url)
  }
  const modeHeader = m.headers['x-proxy-mode']
  const mode = typeof modeHeader === 'string' ? modeHeader.trim().toLowerCase() : defaultMode
  if (!MODES.has(mode as ProxyMode)) return { ok: false, status: 400, message: 'X-Proxy-Mode must be auto, offline or online' }
  const req: FlowRequest = { method: m.method === 'HEAD' ? 'GET' : m.method, path: m.url, headers: m.headers, token: TrustStore.bearer(m.headers.authorization), mode: mode as ProxyMode }
  if (body !== undefined) req.body = body
  return { ok: true, req }
}

/** How many Host fields a request carries (RFC 9112 §3.2: exactly one). */
export function hostFields (raw: readonly string[]): number {
  let n = 0
  for (let i = 0; i < raw.length; i += 2) if (raw[i]!.length === 4 && raw[i]!.toLowerCase() === 'host') n++
  return n
}
