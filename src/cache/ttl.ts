// How long an upstream answer counts as fresh, per endpoint. Spotify sends `max-age=0` almost
// everywhere, so freshness is an operator's out-of-band choice (RFC 9111 §4.2.4): one TTL for all
// (SPOTIFY_CSV_CACHE_TTL) and rules per endpoint class (SPOTIFY_PROXY_CACHE_TTLS), e.g.
// `audio-features=604800,me=60,playlists/*/items=300`. A rule is a path under /v1/ matched by
// whole segments, `*` standing for one segment; the rule with the most segments wins, and among
// equals the later one (user rules come after the built-in ones).

export interface TtlRule {
  segments: readonly string[]
  seconds: number
}

/**
 * Built in, before the user's rules: the player's state changes by the second, so an answer about
 * it is never fresh (it is still kept for the stale fallback).
 */
export const BUILT_IN_TTL_RULES = 'me/player=0'

export class TtlRuleError extends Error {
  override name = 'TtlRuleError'
}

/** `path=seconds` pairs, comma-separated; whitespace around either side is ignored. */
export function parseTtlRules (spec: string): TtlRule[] {
  const rules: TtlRule[] = []
  for (const raw of spec.split(',')) {
    const item = raw.trim()
    if (item === '') continue
    const eq = item.lastIndexOf('=')
    if (eq === -1) throw new TtlRuleError(`TTL rule ${JSON.stringify(item)} is not path=seconds`)
    const path = item.slice(0, eq).trim().replace(/^\/?(v1\/)?/, '').replace(/\/+$/, '')
    const seconds = item.slice(eq + 1).trim()
    if (!/^\d{1,10}$/.test(seconds)) throw new TtlRuleError(`TTL rule ${JSON.stringify(item)}: seconds must be a whole number ≥ 0`)
    const segments = path.split('/')
    if (path === '' || segments.some(s => s === '' || !/^[A-Za-z0-9_*-]+$/.test(s))) {
      throw new TtlRuleError(`TTL rule ${JSON.stringify(item)}: the path must be segments under /v1/ such as me/tracks or playlists/*/items`)
    }
    rules.push({ segments: segments.map(s => s.toLowerCase()), seconds: Number(seconds) })
  }
  return rules
}

/** A function giving each request path its freshness in seconds. */
export function ttlResolver (rules: readonly TtlRule[], fallbackSeconds: number): (path: string) => number {
  if (rules.length === 0) return () => fallbackSeconds
  const memo = new Map<string, number>()
  return (path: string): number => {
    const q = path.indexOf('?')
    const pathname = q === -1 ? path : path.slice(0, q)
    let ttl = memo.get(pathname)
    if (ttl === undefined) {
      ttl = resolve(rules, pathname, fallbackSeconds)
      if (memo.size >= 4096) memo.delete(memo.keys().next().value!)
      memo.set(pathname, ttl)
    }
    return ttl
  }
}

function resolve (rules: readonly TtlRule[], pathname: string, fallbackSeconds: number): number {
  const segments = pathname.replace(/^\/v1\//, '').toLowerCase().split('/')
  let best: TtlRule | null = null
  for (const rule of rules) {
    if (rule.segments.length > segments.length) continue
    if (!rule.segments.every((s, i) => s === '*' || s === segments[i])) continue
    if (best === null || rule.segments.length >= best.segments.length) best = rule
  }
  return best?.seconds ?? fallbackSeconds
}
