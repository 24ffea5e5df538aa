// Saving, removing and checking saved tracks, albums, episodes, shows and audiobooks moved to
// /v1/me/library in 2026 (URIs instead of ids, at most 40 a request): the old calls are sent
// there. Ids come from the query (`ids=a,b`) or the body (`{"ids": […]}`, a bare array, or
// `{"timestamped_ids": [{"id": …}]}`, whose dates /me/library cannot keep).
import { LIBRARY_KINDS, type RequestTarget } from '../../endpoints.js'
import { fetchPages, stitched } from './pages.js'
import type { Exchange } from './types.js'

/** URIs /v1/me/library takes in one request. */
export const LIBRARY_URIS_MAX = 40

/** `PUT`/`DELETE /v1/me/{tracks|albums|…}`: the /v1/me/library requests that do the same, or null. */
export function translateLibraryWrite (target: RequestTarget, body: Buffer | undefined): string[] | null {
  if (target.endpoint?.bridge !== 'library-write' || (target.method !== 'PUT' && target.method !== 'DELETE')) return null
  const kind = LIBRARY_KINDS[String(target.segments[2])]
  if (kind === undefined) return null
  const ids = idsFromQuery(target.params) ?? idsFromBody(body)
  return ids === null ? null : libraryPaths('/v1/me/library', kind, ids)
}

/** `GET /v1/me/{tracks|albums|…}/contains?ids=…`: the /v1/me/library/contains requests to ask instead, or null. */
export function planLibraryContains (target: RequestTarget): string[] | null {
  if (target.endpoint?.bridge !== 'library-contains') return null
  const kind = LIBRARY_KINDS[String(target.segments[2])]
  const ids = idsFromQuery(target.params)
  return kind === undefined || ids === null ? null : libraryPaths('/v1/me/library/contains', kind, ids)
}

function idsFromQuery (params: URLSearchParams): string[] | null {
  const raw = params.get('ids')
  if (raw === null) return null
  const ids = raw.split(',').map(id => id.trim()).filter(id => id !== '')
  return ids.length === 0 ? null : ids
}

function idsFromBody (body: Buffer | undefined): string[] | null {
  if (body === undefined || body.length === 0) return null
  let json: unknown
  try {
    json = JSON.parse(body.toString('utf8'))
  } catch {
    return null
  }
  if (typeof json !== 'object' || json === null) return null
  // A bare array is what @spotify/web-api-ts-sdk sends.
  const o = (Array.isArray(json) ? { ids: json } : json) as { ids?: unknown, timestamped_ids?: unknown }
  const list = Array.isArray(o.ids) ? o.ids : Array.isArray(o.timestamped_ids) ? o.timestamped_ids.map(x => (typeof x === 'object' && x !== null ? (x as { id?: unknown }).id : undefined)) : null
  if (list === null || list.length === 0 || !list.every(id => typeof id === 'string' && id !== '')) return null
  return list as string[]
}

function libraryPaths (base: string, kind: string, ids: readonly string[]): string[] {
  const paths: string[] = []
  for (let i = 0; i < ids.length; i += LIBRARY_URIS_MAX) {
    const uris = ids.slice(i, i + LIBRARY_URIS_MAX).map(id => `spotify:${kind}:${encodeURIComponent(id)}`)
    paths.push(`${base}?uris=${uris.join(',')}`)
  }
  return paths
}

export const libraryWrite: Exchange = {
  name: 'library-write',
  match: (req) => translateLibraryWrite(req.target, req.body) !== null,
  /** The same write for each group of 40, in turn; the first failure ends it. */
  async run (req, io) {
    const { 'content-type': _type, ...headers } = req.headers
    let ms = 0
    let last = null
    for (const path of translateLibraryWrite(req.target, req.body)!) {
      last = await io.send({ method: req.target.method, path, headers: { ...headers } })
      ms += last.ms
      if (last.status < 200 || last.status >= 300) break
    }
    return { ...last!, ms }
  }
}

export const libraryContains: Exchange = {
  name: 'library-contains',
  match: (req) => planLibraryContains(req.target) !== null,
  /** /v1/me/library/contains for each group of 40, the booleans in the client's order. */
  async run (req, io) {
    const got = await fetchPages(io, planLibraryContains(req.target)!, req.headers, json => (Array.isArray(json) ? json as unknown[] : null))
    return got.ok ? stitched(got.first, got.pages.flat(), got.ms) : got.failed
  }
}
