// The library's answers to Spotify Web API requests: what the proxy serves from the CSV library
// when Spotify cannot answer (or in offline mode), in Spotify's JSON shapes and with Spotify's
// errors. Pure over a LibraryStore: no HTTP, no Fastify.
import type { LibraryStore } from '../library/store.js'
import { matchRoute, type LibraryScope } from './routes-table.js'
import type { AnswerContext, AnswerRequest, LibraryAnswer } from './types.js'

export type { AnswerContext, AnswerRequest, LibraryAnswer } from './types.js'
export { applyFields, parseFields, type FieldEntry } from './fields-filter.js'

/**
 * Spotify's answer from the library, or null when the library has nothing to say about this
 * method and path (the caller then sends upstream's error, or a 502/504 of its own).
 */
export function answerFromLibrary (store: LibraryStore, req: AnswerRequest, ctx: AnswerContext): LibraryAnswer | null {
  const route = matchRoute(req.method, req.path)
  if (route === null) return null
  return route.handler({ store, ctx, params: route.params, query: route.query, rawQuery: route.rawQuery })
}

/** Whose the library's answer to this request would be (routes-table.ts), or null if it has none. */
export function libraryScope (method: string, path: string): LibraryScope | null {
  return matchRoute(method, path)?.scope ?? null
}
