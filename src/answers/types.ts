// What the library's answers are made of: the request as the router parsed it, the answer,
// and Spotify's error answers. Pure data, shared by every answers/ module.
import type { LibraryStore } from '../library/store.js'
import { type OwnerInfo } from '../library/shapes.js'
import { spotifyError } from '../errors.js'

export interface LibraryAnswer {
  status: number
  body: unknown
  /**
   * In a batch (`?ids=`): how many well-formed ids the library lacks (null in place). A malformed
   * id's null is Spotify's own answer for it, not a gap, so it is not counted.
   */
  missing?: number
  /** In a batch: how many ids the library answered. None held and some missing: no answer (a miss). */
  held?: number
}

export interface AnswerRequest {
  method: string
  /** Validated origin-form target (path and query), starting with `/v1/`. */
  path: string
}

export interface AnswerContext {
  /** e.g. `http://127.0.0.1:8888/v1`: every `href`, `next` and `previous` is built on it. */
  apiBase: string
  /** The library's owner: playlists' owner and the user of `/v1/me`. */
  owner: OwnerInfo
}

/** One matched route: path parameters decoded, query parsed, raw query kept for paging links. */
export interface RouteInput {
  store: LibraryStore
  ctx: AnswerContext
  params: readonly string[]
  query: URLSearchParams
  /** The query string as sent (no `?`), so `href`s keep the client's other parameters verbatim. */
  rawQuery: string
}

export type Handler = (input: RouteInput) => LibraryAnswer | null

export function ok (body: unknown): LibraryAnswer {
  return { status: 200, body }
}

export function badRequest (message: string): LibraryAnswer {
  return { status: 400, body: spotifyError(400, message) }
}

export function notFound (message: string): LibraryAnswer {
  return { status: 404, body: spotifyError(404, message) }
}

/** Parsers return their value or the error answer to send instead. */
export function isAnswer (x: unknown): x is LibraryAnswer {
  return typeof x === 'object' && x !== null && 'status' in x && 'body' in x
}
