// Several tracks, asked one by one (GET /v1/tracks?ids= is closed to development-mode apps): each
// id goes through the whole flow (cache, entities, pacing, fallback), a few at a time. The batch
// keeps Spotify's shape: unknown ids (Spotify's 404) are null, and so are ids nothing holds while
// Spotify cannot be asked, counted in X-Proxy-Missing. Any other failure, or a batch nothing at
// all could serve, is the batch's answer; the ids fetched meanwhile are cached for the retry.
import { singlePath, type EntityRequest } from '../entity-requests.js'
import type { FlowRequest } from './context.js'
import { built, isMiss, missingHeaders, SOURCE_RANK, type Reply } from './reply.js'
import { mapLimit } from '../../map-limit.js'

/** In flight at a time. */
const CONCURRENCY = 4

export async function fanOut (req: FlowRequest, er: EntityRequest, handle: (req: FlowRequest) => Promise<Reply>): Promise<Reply> {
  const unique = [...new Set(er.ids)]
  const parts = await mapLimit(unique, CONCURRENCY, async id => await handle({ ...req, method: 'GET', path: singlePath(er, id), body: undefined }))
  const failed = parts.find(r => r.status !== 200 && r.status !== 404 && r.status !== 400 && !isMiss(r))
  if (failed !== undefined) return failed
  if (parts.every(isMiss)) return parts[0]!
  const byId = new Map(unique.map((id, i) => [id, parts[i]!]))
  let missing = 0
  const tracks = er.ids.map(id => {
    const r = byId.get(id)!
    if (isMiss(r)) missing++
    return r.status === 200 ? JSON.parse(r.body.toString('utf8')) as unknown : null
  })
  const worst = parts.filter(r => !isMiss(r)).reduce((a, r) => (SOURCE_RANK[r.source] > SOURCE_RANK[a.source] ? r : a))
  const reason = parts.find(r => r.reason !== null)?.reason ?? null
  const reply = built({ tracks }, worst.source, reason, missing > 0 ? missingHeaders(reason, missing) : {})
  return { ...reply, upstreamStatus: worst.upstreamStatus, upstreamMs: parts.reduce((sum, r) => sum + (r.upstreamMs ?? 0), 0) }
}
