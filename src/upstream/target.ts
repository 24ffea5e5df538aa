// Request-target validation: the one gate between a client's request line and the upstream path.
// Only origin-form targets under /v1/ pass (RFC 9112 §3.2.1); the accepted target goes upstream
// byte for byte, so nothing here rewrites or normalises. Rejections become 400s and are never
// forwarded. Pitfalls this guards against: docs/proxy-pitfalls.md §4.1 (SSRF via absolute-form
// and `//host` targets, CVE-2022-35949; dot segments and encoded slashes, CVE-2021-21321/21322).

export type TargetCheck = { ok: true, path: string } | { ok: false, message: string }

/** Longest target accepted; RFC 9112 §3 recommends servers support at least 8000 octets. */
export const MAX_TARGET_LENGTH = 8192

/** The message for a well-formed target outside /v1/: not Spotify's API, so the caller decides. */
export const NOT_V1_MESSAGE = 'Only Spotify Web API paths (/v1/...) are proxied'

// Visible ASCII only (RFC 3986 §2: a URI is US-ASCII; RFC 9112 §3 forbids whitespace in the target).
// Node hands raw bytes ≥ 0x80 over as latin1 characters, so they fail this too.
const VISIBLE_ASCII = /^[\x21-\x7e]*$/

// A scheme (RFC 3986 §3.1) followed by ':' at the very start: absolute-form (RFC 9112 §3.2.2).
const SCHEME_PREFIX = /^[A-Za-z][A-Za-z0-9+.-]*:/

// The path after /v1/: RFC 3986 §3.3 `pchar` and `/`, minus `@` (userinfo look-alike, never in a
// Spotify path). `%` only as `%HH`; which escapes are allowed is checked separately.
const PATH_ALLOWED = /^\/v1\/(?:[A-Za-z0-9\-._~!$&'()*+,;=:/]|%[0-9A-Fa-f]{2})*$/

// The query (RFC 3986 §3.4) cannot change the origin or the path, and clients send raw `"`, `|`,
// `[`… in values, so any visible ASCII passes except `#` and `\` (checked earlier) and a `%` that
// is not `%HH`: a malformed escape would break whoever decodes the query (the cache key).
const QUERY_ALLOWED = /^(?:[\x21-\x24\x26-\x7e]|%[0-9A-Fa-f]{2})*$/

// Percent-encoded unreserved characters (RFC 3986 §2.3): equivalent to the raw character, so a
// client never needs them; accepting them would alias paths (and cache keys) and hide dot segments.
const ENCODED_UNRESERVED = /^%(?:[46][1-9A-Fa-f]|[57][0-9Aa]|3[0-9]|2[Dd]|2[Ee]|5[Ff]|7[Ee])$/

export function validateTarget (rawUrl: string): TargetCheck {
  if (rawUrl.length > MAX_TARGET_LENGTH) return fail(`Request target longer than ${MAX_TARGET_LENGTH} characters`)
  if (!VISIBLE_ASCII.test(rawUrl)) return fail('Request target contains a space, control character or non-ASCII byte')
  if (!rawUrl.startsWith('/')) {
    return SCHEME_PREFIX.test(rawUrl)
      ? fail('Absolute-form request targets are not accepted: send the path only (/v1/...)')
      : fail('Request target must be a path starting with /')
  }
  if (rawUrl.startsWith('//')) return fail('Protocol-relative request targets (//host/...) are not accepted')
  if (rawUrl.includes('#')) return fail('Request target must not contain a fragment (#)')
  // Some servers and URL parsers (WHATWG among them) read `\` as `/`.
  if (rawUrl.includes('\\')) return fail('Request target must not contain a backslash')

  const q = rawUrl.indexOf('?')
  const path = q === -1 ? rawUrl : rawUrl.slice(0, q)
  const query = q === -1 ? '' : rawUrl.slice(q + 1)

  if (!path.startsWith('/v1/')) return fail(NOT_V1_MESSAGE)
  if (path.includes('//')) return fail('Request path must not contain empty segments (//)')

  for (const segment of path.split('/')) {
    // `..;` is a dot segment to servlet-style parsers; `%2e` is a dot once decoded (RFC 3986 §5.2.4).
    const bare = segment.replace(/%2e/gi, '.').replace(/;.*$/, '')
    if (bare === '.' || bare === '..') return fail('Request path must not contain . or .. segments')
  }
  for (const escape of path.match(/%[0-9A-Fa-f]{2}/g) ?? []) {
    const message = escapeProblem(escape)
    if (message !== undefined) return fail(message)
  }
  if (path.includes('@')) return fail('Request path must not contain @')
  if (!PATH_ALLOWED.test(path)) return fail('Request path contains characters outside the allowed set or a malformed % escape')
  if (!QUERY_ALLOWED.test(query)) return fail('Request query contains a malformed % escape')

  return { ok: true, path: rawUrl }
}

function escapeProblem (escape: string): string | undefined {
  const byte = Number.parseInt(escape.slice(1), 16)
  if (byte === 0x2f || byte === 0x5c) return 'Request path must not contain an encoded slash or backslash (%2F, %5C)'
  if (byte === 0x25) return 'Request path must not contain an encoded percent sign (%25): double encoding'
  if (byte < 0x20 || byte === 0x7f) return 'Request path must not contain an encoded control character'
  if (ENCODED_UNRESERVED.test(escape)) return `Request path must not percent-encode an unreserved character (${escape})`
  return undefined
}

function fail (message: string): TargetCheck {
  return { ok: false, message }
}
