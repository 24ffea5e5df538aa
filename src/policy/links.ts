// Paging links in Spotify's answers point at Spotify; rewritten, a client following `next` stays
// on the proxy.
const LINK_FIELDS = new Set(['href', 'next', 'previous'])

/**
 * Rewrites `href`, `next` and `previous` strings that start with one of `from` (Spotify's API
 * bases, ending in `/v1`) to start with `to` instead, everywhere in `json`, in place. Walks
 * iteratively (a deep body cannot overflow the stack). Returns how many links changed.
 */
export function rewriteLinks (json: unknown, from: readonly string[], to: string): number {
  let changed = 0
  const stack: unknown[] = [json]
  while (stack.length > 0) {
    const node = stack.pop()
    if (typeof node !== 'object' || node === null) continue
    if (Array.isArray(node)) {
      for (const v of node) if (typeof v === 'object' && v !== null) stack.push(v)
      continue
    }
    const o = node as Record<string, unknown>
    for (const key of Object.keys(o)) {
      const v = o[key]
      if (typeof v === 'string') {
        if (!LINK_FIELDS.has(key)) continue
        for (const base of from) {
          if (v === base || v.startsWith(`${base}/`) || v.startsWith(`${base}?`)) {
            o[key] = to + v.slice(base.length)
            changed++
            break
          }
        }
      } else if (typeof v === 'object' && v !== null) {
        stack.push(v)
      }
    }
  }
  return changed
}
