// Spotify's paging object as the client asked for it, built from pages asked another way.
import type { Json } from './pages.js'

/**
 * A paging object for `resource` (the path after `/v1`) as the client asked for it: its limit and
 * offset, and `href`/`next`/`previous` for its own query on `apiBase`.
 */
export function pagingFor (apiBase: string, resource: string, ask: { rawQuery: string, limit: number, offset: number }, items: unknown[], total: number): Json {
  const link = (offset: number): string => {
    const q = new URLSearchParams(ask.rawQuery)
    q.set('offset', String(offset))
    q.set('limit', String(ask.limit))
    return `${apiBase}${resource}?${q.toString().replace(/%2C/g, ',')}`
  }
  return {
    href: `${apiBase}${resource}${ask.rawQuery === '' ? '' : `?${ask.rawQuery}`}`,
    items,
    limit: ask.limit,
    next: ask.offset + ask.limit < total ? link(ask.offset + ask.limit) : null,
    offset: ask.offset,
    previous: ask.offset > 0 ? link(Math.max(0, ask.offset - ask.limit)) : null,
    total
  }
}

export function isPaging (v: unknown): v is Json & { items: unknown[] } {
  return typeof v === 'object' && v !== null && Array.isArray((v as { items?: unknown }).items)
}

/** `q` as a query string, commas kept readable (Spotify writes `ids=a,b`). */
export function queryString (q: URLSearchParams): string {
  return q.toString().replace(/%2C/g, ',')
}
