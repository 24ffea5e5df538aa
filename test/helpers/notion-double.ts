// The Notion API on 127.0.0.1, from its documented shapes (Notion-Version 2025-09-03): a database
// with one data source, its schema, paged queries with cursors, page updates applied to its own
// state. Switchable faults: a 429 with Retry-After, a 500 on the nth update.
import http from 'node:http'
import type { AddressInfo } from 'node:net'

export type PropValue = Record<string, unknown> & { type: string }
export interface DoublePage { id: string, properties: Record<string, PropValue> }
export interface NotionRequest { method: string, url: string, at: number, body: unknown, headers: http.IncomingHttpHeaders }

export interface NotionDouble {
  url: string
  requests: NotionRequest[]
  pages: DoublePage[]
  /** The next query answers 429 with this Retry-After (seconds). */
  rateLimitNextQuery: (retryAfter: number) => void
  /** The nth PATCH from now (1-based) answers 500. */
  failUpdate: (nth: number) => void
  close: () => Promise<void>
}

export const TOKEN = 'secret_notion_test_token'
export const DATABASE = 'db000000-0000-4000-8000-000000000001'
const DATA_SOURCE = 'ds000000-0000-4000-8000-000000000001'
const PAGE_SIZE = 2

// Rich text as Notion returns it.
export const text = (s: string): Array<Record<string, unknown>> => (s === '' ? [] : [{ type: 'text', text: { content: s, link: null }, annotations: { bold: false, italic: false, strikethrough: false, underline: false, code: false, color: 'default' }, plain_text: s, href: null }])

/** A stored property from a write payload, as Notion would return it afterwards. */
function stored (type: string, payload: Record<string, unknown>): PropValue {
  const v = payload[type]
  if (type === 'title' || type === 'rich_text') return { id: 'x', type, [type]: text((v as Array<{ text: { content: string } }>).map(t => t.text.content).join('')) }
  return { id: 'x', type, [type]: v ?? null }
}

export async function startNotionDouble (schema: Record<string, string>, pages: DoublePage[]): Promise<NotionDouble> {
  const requests: NotionRequest[] = []
  let limitNext: number | null = null
  let failAt: number | null = null
  let patches = 0
  const json = (res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers })
    res.end(JSON.stringify(body))
  }
  const error = (res: http.ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}): void => json(res, status, { object: 'error', status, code, message }, headers)
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString()
      const body = raw === '' ? null : JSON.parse(raw) as Record<string, unknown>
      requests.push({ method: req.method ?? '', url: req.url ?? '', at: Date.now(), body, headers: req.headers })
      if (req.headers.authorization !== `Bearer ${TOKEN}`) return error(res, 401, 'unauthorized', 'API token is invalid.')
      if (req.headers['notion-version'] !== '2025-09-03') return error(res, 400, 'missing_version', 'Notion-Version header failed validation.')
      const url = new URL(req.url ?? '', 'http://x')
      if (req.method === 'GET' && url.pathname === `/v1/databases/${DATABASE}`) return json(res, 200, { object: 'database', id: DATABASE, title: text('Music'), data_sources: [{ id: DATA_SOURCE, name: 'Music' }] })
      if (req.method === 'GET' && url.pathname === `/v1/data_sources/${DATA_SOURCE}`) {
        return json(res, 200, { object: 'data_source', id: DATA_SOURCE, properties: Object.fromEntries(Object.entries(schema).map(([name, type]) => [name, { id: name.slice(0, 4), name, type, [type]: {} }])) })
      }
      if (req.method === 'POST' && url.pathname === `/v1/data_sources/${DATA_SOURCE}/query`) {
        if (limitNext !== null) {
          const ra = limitNext
          limitNext = null
          return error(res, 429, 'rate_limited', 'You have been rate limited. Please try again in a few minutes.', { 'retry-after': String(ra) })
        }
        const start = body?.start_cursor === undefined ? 0 : Number(body.start_cursor)
        const slice = pages.slice(start, start + PAGE_SIZE)
        const more = start + PAGE_SIZE < pages.length
        return json(res, 200, { object: 'list', results: slice.map(p => ({ object: 'page', id: p.id, properties: p.properties })), next_cursor: more ? String(start + PAGE_SIZE) : null, has_more: more, type: 'page_or_data_source', page_or_data_source: {} })
      }
      const m = /^\/v1\/pages\/([^/]+)$/.exec(url.pathname)
      if (req.method === 'PATCH' && m) {
        patches++
        if (failAt !== null && patches === failAt) return error(res, 500, 'internal_server_error', 'Unexpected error occurred.')
        const page = pages.find(p => p.id === m[1])
        if (page === undefined) return error(res, 404, 'object_not_found', 'Could not find page.')
        for (const [name, payload] of Object.entries((body?.properties ?? {}) as Record<string, Record<string, unknown>>)) {
          const type = schema[name]
          if (type === undefined) return error(res, 400, 'validation_error', `${name} is not a property that exists.`)
          page.properties[name] = stored(type, payload)
        }
        return json(res, 200, { object: 'page', id: page.id, properties: page.properties })
      }
      error(res, 404, 'invalid_request_url', 'Invalid request URL.')
    })
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    pages,
    rateLimitNextQuery: (ra) => { limitNext = ra },
    failUpdate: (nth) => { failAt = patches + nth },
    close: async () => { server.closeAllConnections(); await new Promise<void>(resolve => server.close(() => resolve())) }
  }
}
