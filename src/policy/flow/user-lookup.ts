// Whose a token is, asked once (GET /v1/me through the flow) when a token's first private answer
// arrives and its user is unknown: private answers are keyed by user, so the next token of the
// same user (access tokens last an hour) finds them; keyed by token, a daily sync would read
// everything again. Bounded in time (the answer waits at most WAIT_MS; the lookup goes on),
// once per token (an app token without a user is not asked again), shared by concurrent requests.
import { settledWithin } from './coalesce.js'
import type { FlowRequest } from './context.js'
import type { Reply } from './reply.js'

const WAIT_MS = 2_000
/** Tokens remembered as asked. */
const MEMO = 10_000

export class UserLookups {
  readonly #running = new Map<string, Promise<void>>()
  readonly #tried = new Set<string>()
  readonly #handle: (req: FlowRequest) => Promise<Reply>

  constructor (handle: (req: FlowRequest) => Promise<Reply>) {
    this.#handle = handle
  }

  async learn (req: FlowRequest, token: string): Promise<void> {
    let lookup = this.#running.get(token)
    if (lookup === undefined) {
      if (this.#tried.has(token)) return
      if (this.#tried.size >= MEMO) this.#tried.delete(this.#tried.values().next().value!)
      this.#tried.add(token)
      // Asked again later only if Spotify could not answer this time (an app token's 401 is final).
      const retryLater = (): void => { this.#tried.delete(token) }
      // The client's validators were for its own request, not for /v1/me.
      const { 'if-none-match': _etag, 'if-modified-since': _since, ...headers } = req.headers
      lookup = this.#handle({ ...req, headers, method: 'GET', path: '/v1/me', body: undefined })
        .then(r => { if (r.source !== 'upstream' || r.status === 429 || r.status >= 500) retryLater() }, retryLater)
        .finally(() => { this.#running.delete(token) })
      this.#running.set(token, lookup)
    }
    await settledWithin(lookup, WAIT_MS)
  }
}
