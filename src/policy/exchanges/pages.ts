// The one way a bridge asks Spotify for several pages: in order, each parsed, stopping at the
// first page that is not what was expected (its answer is then the whole exchange's, for the
// flow to judge and fall back from) or where `done` says the rest is empty.
import type { UpstreamResponse } from '../../upstream/types.js'
import type { ExchangeIo } from './types.js'

export type Json = Record<string, unknown>

/** The pages, or the answer of the page that failed (`at`: its index). */
export type Pages<T> = { ok: true, pages: T[], first: UpstreamResponse, ms: number } | { ok: false, failed: UpstreamResponse, at: number }

export async function fetchPages<T> (io: ExchangeIo, paths: readonly string[], headers: Record<string, string>, parse: (json: unknown) => T | null, done: (page: T) => boolean = () => false): Promise<Pages<T>> {
  const pages: T[] = []
  let ms = 0
  let first: UpstreamResponse | null = null
  for (const [at, path] of paths.entries()) {
    const a = await io.send({ method: 'GET', path, headers: { ...headers } })
    ms += a.ms
    const page = a.status === 200 && isJson(a) ? parseJson(a.body, parse) : null
    if (page === null) return { ok: false, failed: { ...a, ms }, at }
    pages.push(page)
    first ??= a
    if (done(page)) break
  }
  return { ok: true, pages, first: first!, ms }
}

/** A body the proxy put together: the first page's headers, JSON, no ETag (it is no upstream representation). */
export function stitched (first: UpstreamResponse, body: unknown, ms: number): UpstreamResponse {
  const { etag: _etag, ...headers } = first.headers
  return { status: 200, headers: { ...headers, 'content-type': 'application/json; charset=utf-8' }, body: Buffer.from(JSON.stringify(body)), ms }
}

export function isJson (a: UpstreamResponse): boolean {
  return /\bjson\b/i.test(a.headers['content-type'] ?? '')
}

export function isObject (v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function parseJson<T> (body: Buffer, parse: (json: unknown) => T | null): T | null {
  try {
    return parse(JSON.parse(body.toString('utf8')))
  } catch {
    return null
  }
}
