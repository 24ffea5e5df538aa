// Several-ids answers (`/v1/tracks?ids=`, `/v1/audio-features?ids=`) put together from the entity
// cache plus one upstream call for only the ids it lacks. Spotify's rules for these answers: in
// request order, duplicates repeated, `null` in place of an unknown id (docs/spotify-api.md §2).

import type { EntityKind } from '../endpoints.js'

export type { EntityKind }

/** The wrapper Spotify puts around several entities of a kind. */
export const SEVERAL_FIELD = { track: 'tracks', audio_features: 'audio_features' } as const
export type SeveralBody<K extends EntityKind, T> = { [F in (typeof SEVERAL_FIELD)[K]]: Array<T | null> }

/** The ids `cached` holds no entity for, each once, in first-request order: what to ask upstream. */
export function missingIds (ids: readonly string[], cached: ReadonlyArray<unknown>): string[] {
  const missing = new Set<string>()
  ids.forEach((id, i) => { if (cached[i] == null) missing.add(id) })
  return [...missing]
}

/**
 * Pairs an upstream several-ids answer with the ids that were asked, position by position (an
 * entity's own `id` can differ from the asked one after track relinking, and unknown ids are null).
 */
export function byRequestedId<T> (requested: readonly string[], answer: ReadonlyArray<T | null | undefined>): Map<string, T | null> {
  const out = new Map<string, T | null>()
  requested.forEach((id, i) => {
    const entity = answer[i] ?? null
    // A duplicated id keeps any entity it got: a null at a later position must not erase it.
    if (entity !== null || !out.has(id)) out.set(id, entity)
  })
  return out
}

/**
 * The answer body for `ids`: each position from `cached` when it holds an entity, else from
 * `fetched` (keyed by requested id), else null. Pure; `cached` is in request order, like `ids`.
 */
export function assembleSeveral<K extends EntityKind, T> (
  kind: K,
  ids: readonly string[],
  cached: ReadonlyArray<T | null>,
  fetched: ReadonlyMap<string, T | null>
): SeveralBody<K, T> {
  const items = ids.map((id, i) => cached[i] ?? fetched.get(id) ?? null)
  return { [SEVERAL_FIELD[kind]]: items } as SeveralBody<K, T>
}
