// Paging links on the proxy's public base, keeping the client's own query parameters verbatim
// (shapePage moves offset/limit first, as Spotify writes them).
import type { AnswerContext } from './types.js'

/** `resource` is the path after `/v1`, already encoded, e.g. `/me/tracks`. */
export function resourceHref (ctx: AnswerContext, resource: string, rawQuery = ''): string {
  return `${ctx.apiBase}${resource}${rawQuery === '' ? '' : `?${rawQuery}`}`
}
