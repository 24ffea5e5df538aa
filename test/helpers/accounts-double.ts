// Spotify's Accounts service (POST /api/token) for the upstream double: authorization codes and
// refresh tokens become access tokens, which it adds to the double's own `users` map, so the Web
// API double accepts them as Spotify would. As Spotify does (docs/trust.md), a refresh may hand
// out a new refresh token, after which the old one stops working (`rotate`).
import type { Behaviour, DoubleUser, RecordedRequest } from './upstream-double.js'
import { behave } from './upstream-double.js'

export interface AccountsDouble {
  /** The answer to POST /api/token, or null for any other request. */
  answer: (req: RecordedRequest) => Behaviour | null
  /** An authorization code for this user, as Spotify's consent page would redirect with. */
  code: (user: DoubleUser) => string
  /** Token requests answered so far. */
  exchanges: () => number
}

export interface AccountsOptions {
  /** Bearer token → user: the Web API double's map, which new access tokens are added to. */
  users: Record<string, DoubleUser>
  /** Each refresh returns a new refresh token and retires the one sent. */
  rotate?: boolean
  /** Seconds a new access token is said to last (Spotify: 3600). */
  expiresIn?: number
}

const JSON_TYPE = 'application/json'

export function accountsDouble (opts: AccountsOptions): AccountsDouble {
  const codes = new Map<string, DoubleUser>()
  const refreshTokens = new Map<string, DoubleUser>()
  let issued = 0
  let exchanges = 0

  const oauthError = (status: number, error: string, description: string): Behaviour =>
    behave.status(status, { error, error_description: description }, { 'content-type': JSON_TYPE })

  function issue (user: DoubleUser, withRefresh: boolean): Behaviour {
    issued++
    const access = `acc-${user.id}-${issued}-${Math.random().toString(36).slice(2, 10)}`
    opts.users[access] = user
    const body: Record<string, unknown> = { access_token: access, token_type: 'Bearer', expires_in: opts.expiresIn ?? 3600, scope: 'user-library-read playlist-read-private' }
    if (withRefresh) {
      const refresh = `ref-${user.id}-${issued}-${Math.random().toString(36).slice(2, 10)}`
      refreshTokens.set(refresh, user)
      body.refresh_token = refresh
    }
    return behave.status(200, body, { 'content-type': JSON_TYPE, 'cache-control': 'no-store' })
  }

  return {
    answer (req) {
      if (req.url.split('?')[0] !== '/api/token') return null
      if (req.method !== 'POST') return oauthError(405, 'invalid_request', 'Only POST is supported')
      exchanges++
      const form = new URLSearchParams(req.body.toString('utf8'))
      // Client authentication: Basic (authorization-code flow) or client_id in the body (PKCE).
      if (!/^Basic \S+$/.test(String(req.headers.authorization ?? '')) && form.get('client_id') === null) return oauthError(400, 'invalid_client', 'Invalid client')
      switch (form.get('grant_type')) {
        case 'authorization_code': {
          const user = codes.get(form.get('code') ?? '')
          if (user === undefined) return oauthError(400, 'invalid_grant', 'Invalid authorization code')
          codes.delete(form.get('code')!)
          return issue(user, true)
        }
        case 'refresh_token': {
          const sent = form.get('refresh_token') ?? ''
          const user = refreshTokens.get(sent)
          if (user === undefined) return oauthError(400, 'invalid_grant', 'Invalid refresh token')
          if (opts.rotate === true) refreshTokens.delete(sent)
          return issue(user, opts.rotate === true)
        }
        default: return oauthError(400, 'unsupported_grant_type', 'grant_type must be authorization_code or refresh_token')
      }
    },
    code (user) {
      const code = `code-${user.id}-${codes.size + 1}`
      codes.set(code, user)
      return code
    },
    exchanges: () => exchanges
  }
}
