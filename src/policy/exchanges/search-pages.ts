// GET /v1/search takes `limit` 1-10 since February 2026 (was 1-50): once Spotify refuses a larger
// one, a client's page of up to 50 is asked as pages of 10 and stitched per result type. The
// refusal is remembered (refusals.ts) only when the pages work, so a 400 for another reason does
// not split every later search.
import { parsePage } from '../../answers/params.js'
import type { RequestTarget } from '../../endpoints.js'
import { fetchPages, isObject, stitched, type Json } from './pages.js'
import { isPaging, pagingFor, queryString } from './paging.js'
import { forward } from './forward.js'
import type { Exchange } from './types.js'

/** Search pages are at most this long since February 2026 (was 50). */
export const SEARCH_PAGE_MAX = 10
/** What /v1/search took before, and still takes for apps with extended quota. */
const SEARCH_PAGE = { limit: { min: 1, max: 50, fallback: 20 }, maxOffset: 1000 }
/** The key under which an upstream refusing search limits over 10 is remembered (refusals.ts). */
export const SEARCH_LIMIT_REFUSAL = 'GET /v1/search?limit>10'

export interface SearchPlan {
  limit: number
  offset: number
  /** The client's query, kept for the stitched answer's links. */
  rawQuery: string
  /** Upstream GETs, in order: pages of at most 10. */
  pages: string[]
}

/**
 * For a search asking more than 10 results a type: the pages of 10 to ask instead. Null for any
 * other request, and for a limit or offset out of range (upstream's own 400 then answers).
 */
export function planSearch (target: RequestTarget): SearchPlan | null {
  if (target.endpoint?.bridge !== 'search-pages' || !target.params.has('limit')) return null
  const page = parsePage(target.params, SEARCH_PAGE)
  if (!('limit' in page) || page.limit <= SEARCH_PAGE_MAX) return null
  const pages: string[] = []
  for (let offset = page.offset, left = page.limit; left > 0 && offset <= SEARCH_PAGE.maxOffset; offset += SEARCH_PAGE_MAX, left -= SEARCH_PAGE_MAX) {
    const q = new URLSearchParams(target.params)
    q.set('limit', String(Math.min(left, SEARCH_PAGE_MAX)))
    q.set('offset', String(offset))
    pages.push(`/v1/search?${queryString(q)}`)
  }
  return { limit: page.limit, offset: page.offset, rawQuery: target.rawQuery ?? '', pages }
}

/** Whether a search page is the last one for every type it holds: short, or reaching its total. */
export function lastSearchPage (page: Json): boolean {
  return Object.values(page).every(v => !isPaging(v) || v.items.length < SEARCH_PAGE_MAX ||
    (typeof v.offset === 'number' && typeof v.total === 'number' && v.offset + v.items.length >= v.total))
}

/**
 * One search answer from its pages of 10, as upstream gave it before the cut: per type (tracks,
 * artists, …) the items in order, the first page's total, the client's limit and offset, and links
 * on `apiBase` for the client's query.
 */
export function stitchSearchPages (plan: SearchPlan, pages: readonly Json[], apiBase: string): Json {
  const first = pages[0] ?? {}
  const body: Json = {}
  for (const [type, paging] of Object.entries(first)) {
    if (!isPaging(paging)) {
      body[type] = paging
      continue
    }
    const items = pages.flatMap(p => (isPaging(p[type]) ? (p[type] as { items: unknown[] }).items : []))
    const total = typeof paging.total === 'number' ? paging.total : items.length
    body[type] = { ...paging, ...pagingFor(apiBase, '/search', plan, items, total) }
  }
  return body
}

async function searchPages (plan: SearchPlan, ...[req, io]: Parameters<Exchange['run']>): ReturnType<Exchange['run']> {
  const got = await fetchPages(io, plan.pages, req.headers, json => (isObject(json) ? json : null), lastSearchPage)
  return got.ok ? stitched(got.first, stitchSearchPages(plan, got.pages, io.apiBase), got.ms) : got.failed
}

export const searchInPages: Exchange = {
  name: 'search-pages',
  match: (req) => planSearch(req.target) !== null,
  async run (req, io) {
    const plan = planSearch(req.target)!
    if (io.refusals.isRefused(SEARCH_LIMIT_REFUSAL)) return await searchPages(plan, req, io)
    const asIs = await forward.run(req, io)
    if (asIs.status !== 400) return asIs
    // Refused: asked again in pages of 10, whose answer (or error: a bad query's own message) is the client's.
    const paged = await searchPages(plan, req, io)
    if (paged.status === 200) io.refusals.refuse(SEARCH_LIMIT_REFUSAL, 400)
    return { ...paged, ms: paged.ms + asIs.ms }
  }
}
