// The library's answers to Spotify Web API requests: what the proxy serves from the CSV library
// when Spotify cannot answer (or in offline mode), in Spotify's JSON shapes and with Spotify's
// errors. Pure over a LibraryStore: no HTTP, no Fastify.
import type { RequestTarget } from '../endpoints.js'
import type { LibraryStore } from '../library/store.js'
import type { SerializedAnswer } from './memo.js'
import { HANDLERS } from './routes-table.js'
import type { AnswerContext, LibraryAnswer } from './types.js'

export type { AnswerContext, LibraryAnswer } from './types.js'
export { applyFields, parseFields, type FieldEntry } from './fields-filter.js'

/** The library's answer to a request, serialised (answers are kept in memory that way: memo.ts), or null. */
export type LibraryAnswers = (target: RequestTarget, owner: { id: string, displayName: string | null }) => SerializedAnswer | null

/**
 * Spotify's answer from the library, or null when the library has nothing to say about this
 * request (the endpoint table's `library` field is unset for it, or the method is not GET).
 */
export function answerFromLibrary (store: LibraryStore, target: RequestTarget, ctx: AnswerContext): LibraryAnswer | null {
  const e = target.endpoint
  if (e?.library === undefined || target.method !== 'GET') return null
  return HANDLERS[e.pattern]!({ store, ctx, params: target.args, query: target.params, rawQuery: target.rawQuery ?? '' })
}
