// A stand-in for api.spotify.com on 127.0.0.1: a plain node:http server (deliberately not
// fastify, so it shares nothing with the code under test) whose behaviour a test switches at any
// time: plausible answers, any status, resets, hangs, slow, short, broken or huge bodies.
// Everything it starts (sockets, timers) is torn down by close(), so no test can hang on it.
import { createHash } from 'node:crypto'
import http, { type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'

export interface RecordedRequest {
  method: string
  /** The request target exactly as received, e.g. `/prefix/v1/me?x=1`. */
  url: string
  headers: IncomingHttpHeaders
  body: Buffer
}

/** A user the double knows, reached through its bearer token. */
export interface DoubleUser {
  id: string
  display_name?: string
  country?: string
  product?: string
  email?: string
}

export type Behaviour =
  | { kind: 'ok' }
  | { kind: 'status', status: number, body?: unknown, headers?: Record<string, string> }
  | { kind: 'reset', graceful: boolean }
  | { kind: 'hang' }
  | { kind: 'slowBody', intervalMs: number }
  | { kind: 'truncated', declared: number, sent: number, connectionClose: boolean }
  | { kind: 'invalidJson' }
  | { kind: 'huge', bytes: number, chunked: boolean }
  | { kind: 'delay', ms: number, then: Behaviour }

/** A behaviour for every request, or a function choosing one per request (e.g. by path). */
export type BehaviourRule = Behaviour | ((req: RecordedRequest) => Behaviour)

export const behave = {
  /** Plausible Spotify answers: /v1/me by token, /v1/tracks/{id}, `{ ok, path }` for the rest. */
  ok: (): Behaviour => ({ kind: 'ok' }),
  /**
   * Any status. `body`: undefined → Spotify's error shape for n ≥ 400 (empty below); null → empty;
   * a string or Buffer → sent as is; anything else → JSON.
   */
  status: (status: number, body?: unknown, headers: Record<string, string> = {}): Behaviour => ({ kind: 'status', status, body, headers }),
  /** The July 2026 daily-quota 429 as seen live (docs/spotify-api.md §1). */
  quotaExceeded: (retryAfter = 48925): Behaviour => ({
    kind: 'status',
    status: 429,
    body: { error: { status: 429, message: 'Too many requests', reason: 'QUOTA_EXCEEDED' } },
    headers: { 'retry-after': String(retryAfter), 'cache-control': 'private, max-age=0' }
  }),
  /** Drop the connection without answering: a TCP RST, or a plain FIN when graceful. */
  reset: (opts: { graceful?: boolean } = {}): Behaviour => ({ kind: 'reset', graceful: opts.graceful ?? false }),
  /** Read the request, never answer. */
  hang: (): Behaviour => ({ kind: 'hang' }),
  /** 200 headers, then one byte every `intervalMs`, forever (chunked). */
  slowBody: (intervalMs = 50): Behaviour => ({ kind: 'slowBody', intervalMs }),
  /** Content-Length `declared`, only `sent` bytes, then the socket ends (FIN). */
  truncated: (opts: { declared?: number, sent?: number, connectionClose?: boolean } = {}): Behaviour =>
    ({ kind: 'truncated', declared: opts.declared ?? 100, sent: opts.sent ?? 10, connectionClose: opts.connectionClose ?? false }),
  /** 200 with a JSON content type and `{"broken":` as the whole body. */
  invalidJson: (): Behaviour => ({ kind: 'invalidJson' }),
  /** A valid JSON body of `megabytes` MiB, with a Content-Length unless chunked. */
  huge: (megabytes: number, opts: { chunked?: boolean } = {}): Behaviour =>
    ({ kind: 'huge', bytes: Math.round(megabytes * 1024 * 1024), chunked: opts.chunked ?? false }),
  /** Wait `ms`, then behave as `then`. */
  delay: (ms: number, then: Behaviour): Behaviour => ({ kind: 'delay', ms, then })
}

export interface UpstreamDouble {
  /** Origin of the double, e.g. `http://127.0.0.1:40123` (no trailing slash). */
  url: string
  /** Every request received, in arrival order. */
  requests: RecordedRequest[]
  set: (rule: BehaviourRule) => void
  /** TCP connections accepted so far, closed so far, and open now. */
  connections: () => { opened: number, closed: number, open: number }
  close: () => Promise<void>
}

export interface UpstreamDoubleOptions {
  /** Bearer token → user for /v1/me; any other token gets a 401 there. */
  users?: Record<string, DoubleUser>
  /** Base of `href`s in answers; default the double's own URL. */
  hrefBase?: string
}

// Messages Spotify uses for these statuses (docs/spotify-api.md §1), else Node's reason phrase.
const SPOTIFY_MESSAGES: Record<number, string> = {
  400: 'Bad request',
  401: 'Invalid access token',
  403: 'Forbidden',
  404: 'Resource not found',
  429: 'API rate limit exceeded',
  500: 'Server error',
  502: 'Bad gateway',
  503: 'Service unavailable'
}

const JSON_TYPE = 'application/json; charset=utf-8'

export async function startUpstreamDouble (opts: UpstreamDoubleOptions = {}): Promise<UpstreamDouble> {
  const users = opts.users ?? {}
  const sockets = new Set<Socket>()
  const timers = new Set<NodeJS.Timeout>()
  const requests: RecordedRequest[] = []
  let rule: BehaviourRule = behave.ok()
  let opened = 0
  let closedSockets = 0
  let closed = false
  let hrefBase = opts.hrefBase ?? ''

  const later = (ms: number, fn: () => void): void => {
    const timer = setTimeout(() => { timers.delete(timer); fn() }, ms)
    timers.add(timer)
  }

  const server = http.createServer((req, res) => {
    res.on('error', () => {}) // writes after the client went away are expected here
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const recorded: RecordedRequest = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) }
      requests.push(recorded)
      const behaviour = typeof rule === 'function' ? rule(recorded) : rule
      perform(behaviour, recorded, req, res)
    })
  })
  server.on('connection', socket => {
    opened++
    sockets.add(socket)
    socket.on('close', () => { closedSockets++; sockets.delete(socket) })
  })

  function perform (b: Behaviour, recorded: RecordedRequest, req: IncomingMessage, res: ServerResponse): void {
    switch (b.kind) {
      case 'ok': return answerOk(recorded, res)
      case 'status': return answerStatus(res, b.status, b.body, b.headers ?? {})
      case 'reset':
        if (b.graceful) req.socket.destroy()
        else req.socket.resetAndDestroy()
        return
      case 'hang': return
      case 'slowBody': {
        res.writeHead(200, { 'content-type': JSON_TYPE })
        res.write(' ')
        const timer = setInterval(() => res.write(' '), b.intervalMs)
        timers.add(timer)
        res.on('close', () => { clearInterval(timer); timers.delete(timer) })
        return
      }
      case 'truncated': {
        const headers: Record<string, string | number> = { 'content-type': JSON_TYPE, 'content-length': b.declared }
        if (b.connectionClose) headers.connection = 'close'
        res.writeHead(200, headers)
        res.write('x'.repeat(b.sent), () => req.socket.end())
        return
      }
      case 'invalidJson': return send(res, 200, { 'content-type': JSON_TYPE }, '{"broken":')
      case 'huge': return streamHuge(res, b.bytes, b.chunked)
      case 'delay': return later(b.ms, () => perform(b.then, recorded, req, res))
    }
  }

  function answerOk (recorded: RecordedRequest, res: ServerResponse): void {
    const path = recorded.url.split('?')[0] ?? ''
    const auth = recorded.headers.authorization
    if (auth === undefined) return answerStatus(res, 401, { error: { status: 401, message: 'No token provided' } })
    const token = /^Bearer (\S+)$/.exec(auth)?.[1]
    if (token === undefined) return answerStatus(res, 400, { error: { status: 400, message: 'Only valid bearer authentication supported' } })

    if (path === '/v1/me') {
      const user = users[token]
      if (user === undefined) return answerStatus(res, 401)
      return answerJson(res, recorded, privateUser(user, hrefBase), 'private, max-age=0')
    }
    const trackId = /^\/v1\/tracks\/([^/]+)$/.exec(path)?.[1]
    if (trackId !== undefined) {
      if (!/^[0-9A-Za-z]{1,40}$/.test(trackId)) return answerStatus(res, 400, { error: { status: 400, message: 'invalid id' } })
      return answerJson(res, recorded, track(trackId, hrefBase), 'public, max-age=0')
    }
    return answerJson(res, recorded, { ok: true, path: recorded.url }, 'private, max-age=0')
  }

  // JSON with a strong ETag; a matching If-None-Match gets 304 (docs/spotify-api.md §1).
  function answerJson (res: ServerResponse, recorded: RecordedRequest, value: unknown, cacheControl: string): void {
    const body = JSON.stringify(value)
    const etag = `"${createHash('sha256').update(body).digest('hex').slice(0, 32)}"`
    const common = { 'cache-control': cacheControl, etag }
    if (recorded.headers['if-none-match'] === etag) return send(res, 304, common, '')
    send(res, 200, { 'content-type': JSON_TYPE, ...common }, body)
  }

  function answerStatus (res: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}): void {
    let payload: string | Buffer
    if (body === null) payload = ''
    else if (body === undefined) {
      const message = SPOTIFY_MESSAGES[status] ?? http.STATUS_CODES[status] ?? 'Error'
      payload = status >= 400 ? JSON.stringify({ error: { status, message } }) : ''
    } else if (typeof body === 'string' || Buffer.isBuffer(body)) payload = body
    else payload = JSON.stringify(body)
    const hasType = Object.keys(headers).some(name => name.toLowerCase() === 'content-type')
    send(res, status, payload.length > 0 && !hasType ? { 'content-type': JSON_TYPE, ...headers } : headers, payload)
  }

  function send (res: ServerResponse, status: number, headers: Record<string, string>, body: string | Buffer): void {
    res.writeHead(status, headers)
    res.end(body)
  }

  // Writes with backpressure and stops as soon as the client goes away.
  function streamHuge (res: ServerResponse, bytes: number, chunked: boolean): void {
    const head = '{"padding":"'
    const tail = '"}'
    const fill = Math.max(0, bytes - head.length - tail.length)
    res.writeHead(200, chunked ? { 'content-type': JSON_TYPE } : { 'content-type': JSON_TYPE, 'content-length': head.length + fill + tail.length })
    res.write(head)
    const block = Buffer.alloc(64 * 1024, 'a')
    let left = fill
    const pump = (): void => {
      while (left > 0 && !res.destroyed) {
        const n = Math.min(left, block.length)
        left -= n
        if (!res.write(n === block.length ? block : block.subarray(0, n))) {
          res.once('drain', pump)
          return
        }
      }
      if (!res.destroyed) res.end(tail)
    }
    pump()
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const { port } = server.address() as AddressInfo
  const url = `http://127.0.0.1:${port}`
  if (hrefBase === '') hrefBase = url

  return {
    url,
    requests,
    set: next => { rule = next },
    connections: () => ({ opened, closed: closedSockets, open: sockets.size }),
    close: async () => {
      if (closed) return
      closed = true
      for (const timer of timers) clearTimeout(timer)
      timers.clear()
      const done = new Promise<void>(resolve => server.close(() => resolve()))
      for (const socket of sockets) socket.destroy()
      server.closeAllConnections()
      await done
    }
  }
}

function privateUser (user: DoubleUser, base: string): Record<string, unknown> {
  return {
    country: user.country ?? 'SE',
    display_name: user.display_name ?? user.id,
    email: user.email ?? `${user.id}@example.com`,
    explicit_content: { filter_enabled: false, filter_locked: false },
    external_urls: { spotify: `https://open.spotify.com/user/${user.id}` },
    followers: { href: null, total: 0 },
    href: `${base}/v1/users/${user.id}`,
    id: user.id,
    images: [],
    product: user.product ?? 'premium',
    type: 'user',
    uri: `spotify:user:${user.id}`
  }
}

// A TrackObject (docs/spotify-api.md §4) whose every field follows from the id.
function track (id: string, base: string): Record<string, unknown> {
  const seed = createHash('sha256').update(id).digest()
  const artistId = `artist${seed.toString('hex').slice(0, 16)}`
  const albumId = `album${seed.toString('hex').slice(16, 33)}`
  const artist = {
    external_urls: { spotify: `https://open.spotify.com/artist/${artistId}` },
    href: `${base}/v1/artists/${artistId}`,
    id: artistId,
    name: `Artist ${artistId.slice(6, 10)}`,
    type: 'artist',
    uri: `spotify:artist:${artistId}`
  }
  return {
    album: {
      album_type: 'album',
      total_tracks: 10,
      available_markets: ['SE', 'US'],
      external_urls: { spotify: `https://open.spotify.com/album/${albumId}` },
      href: `${base}/v1/albums/${albumId}`,
      id: albumId,
      images: [{ url: `https://i.scdn.co/image/${albumId}`, height: 640, width: 640 }],
      name: `Album ${albumId.slice(5, 9)}`,
      release_date: `${2000 + (seed[0] ?? 0) % 25}-01-01`,
      release_date_precision: 'day',
      type: 'album',
      uri: `spotify:album:${albumId}`,
      artists: [artist]
    },
    artists: [artist],
    available_markets: ['SE', 'US'],
    disc_number: 1,
    duration_ms: 120_000 + ((seed.readUInt16BE(2) * 3) % 240_000),
    explicit: (seed[4] ?? 0) % 2 === 1,
    external_ids: { isrc: `SE${seed.toString('hex').slice(0, 10).toUpperCase()}` },
    external_urls: { spotify: `https://open.spotify.com/track/${id}` },
    href: `${base}/v1/tracks/${id}`,
    id,
    is_playable: true,
    name: `Track ${id}`,
    popularity: (seed[5] ?? 0) % 101,
    preview_url: null,
    track_number: 1 + (seed[6] ?? 0) % 10,
    type: 'track',
    uri: `spotify:track:${id}`,
    is_local: false
  }
}
