// The request as the client sent it (the exchange every request gets unless a bridge applies),
// revalidating what the proxy holds instead of fetching it again (RFC 9111 §4.3.1).
import type { Exchange } from './types.js'

export const forward: Exchange = {
  name: 'forward',
  match: () => true,
  async run (req, io) {
    const headers = { ...req.headers }
    if (req.etag !== null && headers['if-none-match'] === undefined) headers['if-none-match'] = req.etag
    const body = req.body !== undefined && req.body.length > 0 ? req.body : undefined
    return await io.send({ method: req.target.method, path: req.target.path, headers, ...(body === undefined ? {} : { body }) })
  }
}
