// The proxy's own pages (/admin/*, /metrics, /dashboard) are for the people running it, not for
// web pages they visit. Two checks:
// - Host: only names this proxy is reached by (loopback names, HOST, SPOTIFY_PROXY_PUBLIC_URL's
//   host). A page on evil.example whose DNS name is rebound to 127.0.0.1 sends `Host:
//   evil.example`, and is refused (DNS rebinding; the browser's same-origin rule then lets it read
//   answers, since to the browser it is its own origin).
// - Caller: with SPOTIFY_PROXY_ADMIN_TOKEN set, its bearer token; without, loopback callers only.
//   /dashboard only gets the Host check: the page holds no data and reads /admin/stats, which
//   keeps both.
import { timingSafeEqual } from 'node:crypto'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Config } from '../config.js'
import { sendLocal } from '../errors.js'
import { TrustStore } from '../policy/trust.js'

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1'])
const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]']

/** The host names (without port, lower case) the proxy's own pages answer to. */
export function allowedHostNames (c: Pick<Config, 'host' | 'publicUrl'>): Set<string> {
  const names = new Set(LOOPBACK_NAMES)
  if (c.host !== '0.0.0.0' && c.host !== '::') names.add(c.host.includes(':') ? `[${c.host.toLowerCase()}]` : c.host.toLowerCase())
  names.add(new URL(c.publicUrl).hostname.toLowerCase())
  return names
}

/** The Host field without its port: `name`, or `[v6]`. */
export function hostName (host: string | undefined): string | null {
  if (host === undefined || host === '') return null
  const h = host.trim().toLowerCase()
  if (h.startsWith('[')) return h.slice(0, h.indexOf(']') + 1)
  return h.split(':')[0]!
}

export function callerAllowed (req: FastifyRequest, adminToken: string | null): boolean {
  if (adminToken === null) return LOOPBACK.has(req.socket.remoteAddress ?? '')
  const given = Buffer.from(TrustStore.bearer(req.headers.authorization) ?? '')
  const wanted = Buffer.from(adminToken)
  return given.length === wanted.length && timingSafeEqual(given, wanted)
}

/** An onRequest hook for a plugin's routes: the Host check, and (unless `hostOnly`) the caller check. */
export function adminGuard (c: Config, opts: { hostOnly?: boolean } = {}) {
  const names = allowedHostNames(c)
  return async (req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> => {
    const name = hostName(req.headers.host)
    if (name === null || !names.has(name)) {
      return await sendLocal(reply, 403, `Host ${JSON.stringify(req.headers.host ?? '')} is not a name of this proxy; set SPOTIFY_PROXY_PUBLIC_URL to the address you open it by`)
    }
    if (opts.hostOnly === true || callerAllowed(req, c.adminToken)) return
    const status = c.adminToken === null ? 403 : 401
    return await sendLocal(reply, status, c.adminToken === null
      ? `${req.url.split('?')[0]} is open to loopback callers only; set SPOTIFY_PROXY_ADMIN_TOKEN to reach it from elsewhere`
      : 'A valid admin token is required (Authorization: Bearer $SPOTIFY_PROXY_ADMIN_TOKEN)')
  }
}
