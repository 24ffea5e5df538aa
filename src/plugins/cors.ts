// CORS for browser clients (spotify-web-api-js, the TS SDK in a page): what api.spotify.com and
// accounts.spotify.com send, `Access-Control-Allow-Origin: *`, on /v1 and /api/token answers to
// requests that carry an Origin, and local answers to their preflights, which never cost a request
// upstream. The proxy's own headers (source, fallback reason, Retry-After) are exposed so a page
// can read them. Anything else (the dashboard, admin, metrics) gets no CORS at all. `*` gives a
// page nothing a token does not: an unverified token gets only Spotify's public catalog answers
// from the cache (never the library's, see policy/flow/fallback.ts), and user data only for its own user.
import cors, { type FastifyCorsOptions, type FastifyCorsOptionsDelegateCallback } from '@fastify/cors'
import fp from 'fastify-plugin'

export const CORS: FastifyCorsOptions = {
  origin: '*',
  methods: ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH'],
  // Allowed headers: unset, so a preflight's Access-Control-Request-Headers is allowed as asked.
  exposedHeaders: ['Retry-After', 'X-Proxy-Source', 'X-Proxy-Fallback-Reason', 'X-Proxy-Upstream-Retry-After', 'X-Proxy-Missing', 'Age', 'ETag', 'Location'],
  maxAge: 86_400,
  // An OPTIONS without Origin is no preflight: it goes to the /v1 route like any other request.
  strictPreflight: false
}
const OFF: FastifyCorsOptions = { origin: false }

export default fp(async (app) => {
  const delegate: FastifyCorsOptionsDelegateCallback = (req, callback) => {
    const url = req.raw.url ?? ''
    callback(null, req.headers.origin !== undefined && (url.startsWith('/v1/') || url === '/api/token') ? CORS : OFF)
  }
  await app.register(cors, () => delegate)
}, { name: 'cors', fastify: '5.x' })
