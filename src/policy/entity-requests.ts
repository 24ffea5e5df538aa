// Requests the per-entity cache can answer: one or several tracks or audio features by id.
// Only plain forms qualify (ids and market); anything else (fields, additional_types) goes the
// normal way, since a stored entity is the full object.
import type { EntityKind } from '../cache/assemble.js'

export interface EntityRequest {
  kind: EntityKind
  /** `/v1/tracks/{id}` (true) or `/v1/tracks?ids=` (false). */
  single: boolean
  ids: string[]
  market: string | null
}

const ID = /^[0-9A-Za-z]{22}$/
const PLAIN_PARAMS = new Set(['ids', 'market'])
const SINGLE = /^\/v1\/(tracks|audio-features)\/([0-9A-Za-z]{22})$/
const SEVERAL = /^\/v1\/(tracks|audio-features)$/
// Spotify's own batch limits: beyond them the request is for upstream (and its 400) to judge.
const MAX_IDS: Record<EntityKind, number> = { track: 50, audio_features: 100 }

export function entityRequest (path: string): EntityRequest | null {
  const q = path.indexOf('?')
  const pathname = q === -1 ? path : path.slice(0, q)
  const params = new URLSearchParams(q === -1 ? '' : path.slice(q + 1))
  for (const name of params.keys()) if (!PLAIN_PARAMS.has(name)) return null
  const market = params.get('market')
  const single = SINGLE.exec(pathname)
  if (single) {
    if (params.has('ids')) return null
    return { kind: kindOf(single[1]!), single: true, ids: [single[2]!], market }
  }
  const several = SEVERAL.exec(pathname)
  if (!several) return null
  const kind = kindOf(several[1]!)
  const ids = (params.get('ids') ?? '').split(',')
  if (ids.length === 0 || ids.length > MAX_IDS[kind] || !ids.every(id => ID.test(id))) return null
  return { kind, single: false, ids, market }
}

/** The same request for fewer ids (the ones the cache lacks). */
export function severalPath (r: EntityRequest, ids: readonly string[]): string {
  const params = new URLSearchParams({ ids: ids.join(',') })
  if (r.market !== null) params.set('market', r.market)
  return `/v1/${r.kind === 'track' ? 'tracks' : 'audio-features'}?${params.toString().replace(/%2C/g, ',')}`
}

function kindOf (segment: string): EntityKind {
  return segment === 'tracks' ? 'track' : 'audio_features'
}
