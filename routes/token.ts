// POST /api/token: Spotify's Accounts token endpoint, through the proxy. The request goes to
// SPOTIFY_ACCOUNTS_BASE_URL + /api/token as sent (body and Authorization), the answer comes back
// as received; never cached, never paced or held by a Web API cooldown (the Accounts service has
// limits of its own). What passes teaches token lineage (src/policy/trust.ts): a script whose
// token is refreshed here keeps reading its own data through an outage with each new token.
// Tokens are never logged or stored in clear.
import type { FastifyPluginAsync } from 'fastify'
import { createUpstreamClient } from '../src/upstream/client.js'
import { forwardRequestHeaders } from '../src/upstream/headers.js'
import { UpstreamFailure } from '../src/upstream/types.js'

/** A token request is a short form (RFC 6749 §4.1.3, §6). */
const BODY_LIMIT = 64 * 1024

const token: FastifyPluginAsync = async (app) => {
  const c = app.config
  const accounts = createUpstreamClient({ baseUrl: c.accountsBaseUrl, timeoutMs: c.upstreamTimeoutMs, connections: 2 })
  app.addHook('onClose', async () => { await accounts.close() })
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: BODY_LIMIT }, (_req, body, done) => { done(null, body) })

  app.post('/api/token', async (req, reply) => {
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0)
    let answer
    try {
      answer = await accounts.send({ method: 'POST', path: '/api/token', headers: forwardRequestHeaders(req.headers), body })
    } catch (err) {
      if (!(err instanceof UpstreamFailure)) throw err
      const timeout = err.kind === 'timeout'
      req.proxyOutcome = { source: 'local', reason: timeout ? 'upstream-timeout' : 'upstream-unreachable', upstreamStatus: null, upstreamMs: null }
      // The Accounts service's own error shape (RFC 6749 §5.2), which token clients parse.
      return await reply.code(timeout ? 504 : 502).header('x-proxy-source', 'local').header('cache-control', 'no-store')
        .send({ error: 'temporarily_unavailable', error_description: timeout ? 'Spotify\'s accounts service did not answer in time' : 'Spotify\'s accounts service could not be reached' })
    }
    if (answer.status === 200) {
      const learned = learn(app, body, answer.body)
      if (learned !== undefined) req.log.info({ lineage: learned === null ? 'pending' : 'verified' }, 'token exchange through the proxy')
    }
    req.proxyOutcome = { source: 'upstream', reason: null, upstreamStatus: answer.status, upstreamMs: answer.ms }
    return await reply.code(answer.status).headers({ ...answer.headers, 'x-proxy-source': 'upstream', 'cache-control': 'no-store' }).send(answer.body)
  })
}

/**
 * Lineage from a successful exchange: the grant and refresh token sent (a form body), the tokens
 * received (JSON). Returns the user the new access token belongs to, null while unknown, or
 * undefined when the exchange held no access token.
 */
function learn (app: Parameters<FastifyPluginAsync>[0], sent: Buffer, received: Buffer): string | null | undefined {
  let got: { access_token?: unknown, refresh_token?: unknown }
  try {
    got = JSON.parse(received.toString('utf8')) as typeof got
  } catch {
    return undefined
  }
  if (typeof got.access_token !== 'string' || got.access_token === '') return undefined
  const form = new URLSearchParams(sent.toString('utf8'))
  return app.proxy.trust.learnExchange({
    grantType: form.get('grant_type'),
    refreshToken: form.get('refresh_token'),
    accessToken: got.access_token,
    newRefreshToken: typeof got.refresh_token === 'string' && got.refresh_token !== '' ? got.refresh_token : null
  })
}

export default token
