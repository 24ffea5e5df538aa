// Requests the per-entity cache can answer: one or several tracks or audio features by id (the
// endpoint table's `entity`). Only plain forms qualify (ids and market); anything else (fields,
// additional_types) goes the normal way, since a stored entity is the full object.
import type { EntityKind, RequestTarget } from '../endpoints.js'

export interface EntityRequest {
  kind: EntityKind
  /** `/v1/tracks/{id}` (true) or `/v1/tracks?ids=` (false). */
  single: boolean
  ids: string[]
  market: string | null
}

const ID = /^[0-9A-Za-z]{22}$/
const PLAIN_PARAMS = new Set(['ids', 'market'])
// Spotify's own batch limits: beyond them the request is for upstream (and its 400) to judge.
const MAX_IDS: Record<EntityKind, number> = { track: 50, audio_features: 100 }

const memo = new WeakMap<RequestTarget, EntityRequest | null>()

/** What the target asks of the entity cache, or null (remembered per target: targets are shared). */
export function entityRequest (target: RequestTarget): EntityRequest | null {
  let er = memo.get(target)
  if (er === undefined) {
    er = parse(target)
    memo.set(target, er)
  }
  return er
}

function parse (target: RequestTarget): EntityRequest | null {
  const entity = target.endpoint?.entity
  if (entity === undefined || target.method !== 'GET') return null
  for (const name of target.params.keys()) if (!PLAIN_PARAMS.has(name)) return null
  const market = target.params.get('market')
  if (entity.single) {
    const id = target.args[0]!
    return ID.test(id) && !target.params.has('ids') ? { kind: entity.kind, single: true, ids: [id], market } : null
  }
  const ids = (target.params.get('ids') ?? '').split(',')
  if (ids.length === 0 || ids.length > MAX_IDS[entity.kind] || !ids.every(id => ID.test(id))) return null
  return { kind: entity.kind, single: false, ids, market }
}

/** The same request for fewer ids (the ones the cache lacks). */
export function severalPath (r: EntityRequest, ids: readonly string[]): string {
  const params = new URLSearchParams({ ids: ids.join(',') })
  if (r.market !== null) params.set('market', r.market)
  return `/v1/${r.kind === 'track' ? 'tracks' : 'audio-features'}?${params.toString().replace(/%2C/g, ',')}`
}

/** `/v1/tracks/{id}` for each id of a batch, with the batch's market. */
export function singlePath (r: EntityRequest, id: string): string {
  return `/v1/tracks/${id}${r.market === null ? '' : `?market=${encodeURIComponent(r.market)}`}`
}
