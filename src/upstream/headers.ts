// Which header fields cross the proxy, in each direction. Requests: an allow-list, so nothing the
// caller's environment adds (cookies, X-Forwarded-*, Host) reaches Spotify. Responses: everything
// end-to-end, minus hop-by-hop fields (RFC 9110 §7.6.1) and what a shared cache must not replay.

export type IncomingHeaders = Record<string, string | string[] | undefined>

/** The `Via` entry this proxy adds (RFC 9110 §7.6.3: received-protocol + pseudonym). */
export const VIA = '1.1 spotify-csv-proxy'

// Hop-by-hop fields (RFC 9110 §7.6.1, plus the obsolete Proxy-Connection and Keep-Alive it names).
// Proxy-Authenticate / Proxy-Authentication-Info address the next hop only (RFC 9110 §11.7.1, §11.7.4).
const HOP_BY_HOP = new Set([
  'connection', 'proxy-connection', 'keep-alive', 'te', 'trailer', 'transfer-encoding', 'upgrade',
  'proxy-authenticate', 'proxy-authorization', 'proxy-authentication-info'
])

// Request fields sent upstream. Singletons (RFC 9110 §5.3: not list-valued) keep their first
// value, as Node does for Authorization/Content-Type/User-Agent; list fields are joined.
const FORWARDED_SINGLETONS = new Set(['authorization', 'content-type', 'user-agent'])
const FORWARDED_LISTS = new Set(['accept', 'accept-language', 'if-none-match'])
// Content-Length is not forwarded: undici derives it from the body it actually sends, so a
// mismatching client value can never desynchronise the upstream connection (smuggling, §4.4).

// Response fields dropped besides hop-by-hop: the proxy re-frames the body (RFC 9112 §6), and
// cookies must not pass through a cache that may replay them to another caller. Spotify's CORS
// fields (access-control-*) are dropped too: the proxy's own policy (plugins/cors.ts) answers.
const RESPONSE_DROPPED = new Set(['content-length', 'set-cookie'])

/** The end-to-end request header fields to send upstream, lower-case names. */
export function forwardRequestHeaders (incoming: IncomingHeaders): Record<string, string> {
  const fields = lowerCased(incoming)
  const listed = connectionOptions(fields.get('connection'))
  const out: Record<string, string> = {}
  for (const [name, values] of fields) {
    if (listed.has(name) || HOP_BY_HOP.has(name)) continue
    const first = values[0]
    if (FORWARDED_SINGLETONS.has(name) && first !== undefined) out[name] = first
    else if (FORWARDED_LISTS.has(name)) out[name] = values.join(', ')
  }
  // Stored bodies must be plain so any client can be served them (docs/proxy-pitfalls.md §4.7).
  out['accept-encoding'] = 'identity'
  return out
}

/** Upstream's response header fields minus hop-by-hop, Connection-listed, framing and cookies. */
export function endToEndResponseHeaders (h: IncomingHeaders): Record<string, string> {
  const fields = lowerCased(h)
  const listed = connectionOptions(fields.get('connection'))
  const out: Record<string, string> = {}
  for (const [name, values] of fields) {
    if (HOP_BY_HOP.has(name) || listed.has(name) || RESPONSE_DROPPED.has(name) || name.startsWith('access-control-')) continue
    out[name] = values.join(', ')
  }
  return out
}

/** Adds this proxy to `Via`, after any entries upstream sent (RFC 9110 §7.6.3). */
export function withVia (headers: Record<string, string>): Record<string, string> {
  const existing = headers.via
  return { ...headers, via: existing !== undefined && existing !== '' ? `${existing}, ${VIA}` : VIA }
}

/**
 * Sets `Age` to a whole number of seconds (RFC 9111 §5.1), never negative, and capped at
 * 2147483648 as §1.2.2 asks when the value overflows. `seconds` is the age the cache computed
 * (RFC 9111 §4.2.3), which already includes any Age upstream sent.
 */
export function withAge (headers: Record<string, string>, seconds: number): Record<string, string> {
  const whole = Number.isFinite(seconds) ? Math.max(0, Math.floor(seconds)) : 2147483648
  return { ...headers, age: String(Math.min(whole, 2147483648)) }
}

// Node and undici give lower-case names already, but callers may not; merge case variants.
function lowerCased (h: IncomingHeaders): Map<string, string[]> {
  const fields = new Map<string, string[]>()
  for (const [rawName, value] of Object.entries(h)) {
    if (value === undefined) continue
    const name = rawName.toLowerCase()
    const values = fields.get(name) ?? []
    values.push(...(Array.isArray(value) ? value : [value]))
    fields.set(name, values)
  }
  return fields
}

// Connection options (RFC 9110 §7.6.1): a comma list of field names, case-insensitive.
function connectionOptions (values: string[] | undefined): Set<string> {
  const names = new Set<string>()
  for (const value of values ?? []) {
    for (const token of value.split(',')) {
      const name = token.trim().toLowerCase()
      if (name !== '') names.add(name)
    }
  }
  return names
}
