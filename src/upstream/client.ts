// The only code that talks to Spotify: one keep-alive undici Pool on a fixed origin, a hard
// deadline per request, a bounded body, and failures sorted into the kinds the policy falls back on.
// Any HTTP status is an answer; judging statuses is the policy's job.
import { Pool } from 'undici'
import { upstreamBaseProblem } from './base-url.js'
import { endToEndResponseHeaders } from './headers.js'
import { UpstreamFailure, type ForwardRequest, type SendOptions, type UpstreamResponse, type UpstreamClient, type UpstreamFailureKind } from './types.js'

export interface UpstreamClientOptions {
  /** Origin plus optional base path, e.g. `https://api.spotify.com` or `http://127.0.0.1:1234/prefix`. */
  baseUrl: string
  /** Deadline for the whole exchange: connect, headers and the last body byte. */
  timeoutMs: number
  /** Largest body accepted; more is a 'too-large' failure. Default 16 MiB. */
  maxResponseBytes?: number
  /** Sockets kept to the upstream. Default 8. */
  connections?: number
}

const DEFAULT_MAX_RESPONSE_BYTES = 16 * 1024 * 1024
const DEFAULT_CONNECTIONS = 8

// Error codes by failure kind. Codes are looked up on the error, its `cause` and, for Node's
// happy-eyeballs AggregateError, its `errors`.
const KIND_BY_CODE: Record<string, UpstreamFailureKind> = {
  UND_ERR_CONNECT_TIMEOUT: 'timeout',
  UND_ERR_HEADERS_TIMEOUT: 'timeout',
  UND_ERR_BODY_TIMEOUT: 'timeout',
  ETIMEDOUT: 'timeout',
  ECONNREFUSED: 'unreachable',
  ENOTFOUND: 'unreachable',
  EAI_AGAIN: 'unreachable',
  EAI_FAIL: 'unreachable',
  EHOSTUNREACH: 'unreachable',
  ENETUNREACH: 'unreachable',
  EHOSTDOWN: 'unreachable',
  ENETDOWN: 'unreachable',
  EADDRNOTAVAIL: 'unreachable',
  UND_ERR_CLOSED: 'unreachable', // this client was closed: nothing can be sent any more
  UND_ERR_DESTROYED: 'unreachable',
  ECONNRESET: 'reset',
  EPIPE: 'reset',
  ECONNABORTED: 'reset',
  UND_ERR_SOCKET: 'reset',
  UND_ERR_HEADERS_OVERFLOW: 'reset', // a response we cannot parse is as good as a broken connection
  UND_ERR_INFO: 'reset',
  UND_ERR_RES_CONTENT_LENGTH_MISMATCH: 'truncated',
  UND_ERR_RES_EXCEEDED_MAX_SIZE: 'too-large'
}

// Mistakes in how we call undici, not upstream trouble: rethrown so a bug never looks like an outage.
const PROGRAMMER_ERROR_CODES = new Set(['UND_ERR_INVALID_ARG', 'UND_ERR_NOT_SUPPORTED', 'UND_ERR_INVALID_RETURN_VALUE'])

export function createUpstreamClient (opts: UpstreamClientOptions): UpstreamClient {
  const problem = upstreamBaseProblem(opts.baseUrl)
  if (problem !== null) throw new TypeError(`Upstream base URL ${problem}`)
  const base = new URL(opts.baseUrl)
  const basePath = base.pathname.replace(/\/+$/, '')
  const timeoutMs = positive(opts.timeoutMs, 'timeoutMs')
  const maxBytes = positive(opts.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES, 'maxResponseBytes')

  // Fixed origin: the request target can never pick the host (docs/proxy-pitfalls.md §4.1, §4.2).
  // Per-phase undici timeouts are backstops; the AbortSignal in send() enforces the total.
  // Redirects are not followed: undici 7 dispatchers only do so with the redirect interceptor,
  // and a followed redirect could carry the bearer token elsewhere (CVE-2024-24758).
  const connections = positive(opts.connections ?? DEFAULT_CONNECTIONS, 'connections')
  // At most one request a connection is handed to undici: the others wait here, not in the pool's
  // queue, so that beforeSend runs when a request really goes out.
  const slots = new Slots(connections)
  const pool = new Pool(base.origin, {
    connections,
    connectTimeout: timeoutMs,
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    keepAliveTimeout: 4_000,
    connect: { rejectUnauthorized: true } // the default, stated: TLS is always verified (§4.3)
  })

  let closing: Promise<void> | undefined

  async function send (req: ForwardRequest, sendOpts: SendOptions = {}): Promise<UpstreamResponse> {
    const started = performance.now()
    const deadline = new AbortController()
    const timer = setTimeout(() => deadline.abort(new Error('upstream deadline')), timeoutMs)
    const what = `${req.method} ${req.path.split('?')[0] ?? ''}`
    // The wait for a connection counts against the deadline, as undici's queue did.
    if (!await slots.take(deadline.signal)) {
      clearTimeout(timer)
      throw new UpstreamFailure('timeout', `Upstream ${what}: no complete answer within ${timeoutMs} ms`)
    }
    try {
      sendOpts.beforeSend?.()
      return await exchange(req, what, started, deadline.signal)
    } finally {
      slots.give()
      clearTimeout(timer)
    }
  }

  async function exchange (req: ForwardRequest, what: string, started: number, signal: AbortSignal): Promise<UpstreamResponse> {
    const progress: Progress = { headers: false, declared: undefined, received: 0 }
    try {
      const res = await pool.request({
        method: req.method,
        path: basePath + req.path,
        headers: req.headers,
        // GET/HEAD never carry a body upstream (request smuggling, docs/proxy-pitfalls.md §4.4).
        body: req.method === 'GET' || req.method === 'HEAD' ? undefined : req.body,
        signal
      })
      progress.headers = true
      progress.declared = declaredLength(req.method, res.statusCode, res.headers['content-length'])
      if (progress.declared !== undefined && progress.declared > maxBytes) {
        res.body.destroy() // drops the socket: the rest of the body is never read
        throw new UpstreamFailure('too-large', `Upstream ${what}: body of ${progress.declared} bytes exceeds ${maxBytes}`)
      }
      const chunks: Buffer[] = []
      for await (const chunk of res.body as AsyncIterable<Buffer>) {
        progress.received += chunk.length
        if (progress.received > maxBytes) {
          res.body.destroy()
          throw new UpstreamFailure('too-large', `Upstream ${what}: body exceeds ${maxBytes} bytes`)
        }
        chunks.push(chunk)
      }
      // undici already fails a short body; this keeps the rule true whatever the framing.
      if (progress.declared !== undefined && progress.received < progress.declared) {
        throw new UpstreamFailure('truncated', `Upstream ${what}: body ended after ${progress.received} of ${progress.declared} bytes`)
      }
      return {
        status: res.statusCode,
        headers: endToEndResponseHeaders(res.headers),
        body: Buffer.concat(chunks, progress.received),
        ms: performance.now() - started
      }
    } catch (err) {
      if (err instanceof UpstreamFailure) throw err
      throw classify(err, what, signal.aborted, progress, timeoutMs)
    }
  }

  async function close (): Promise<void> {
    // Graceful: in-flight requests finish or hit their deadline, so this is bounded by timeoutMs.
    closing ??= pool.close()
    await closing
  }

  return { send, close }
}

/** A counting semaphore whose waiters leave when their signal aborts. */
class Slots {
  #free: number
  readonly #waiting: Array<(got: boolean) => void> = []

  constructor (n: number) {
    this.#free = n
  }

  /** Resolves true with a slot, or false if `signal` aborted first. */
  async take (signal: AbortSignal): Promise<boolean> {
    if (this.#free > 0) {
      this.#free--
      return true
    }
    if (signal.aborted) return false
    return await new Promise(resolve => {
      const waiter = (got: boolean): void => {
        signal.removeEventListener('abort', onAbort)
        resolve(got)
      }
      const onAbort = (): void => {
        const i = this.#waiting.indexOf(waiter)
        if (i !== -1) this.#waiting.splice(i, 1)
        resolve(false)
      }
      signal.addEventListener('abort', onAbort, { once: true })
      this.#waiting.push(waiter)
    })
  }

  give (): void {
    const next = this.#waiting.shift()
    if (next !== undefined) next(true) // the slot passes straight on
    else this.#free++
  }
}

interface Progress {
  headers: boolean
  declared: number | undefined
  received: number
}

/** Turns whatever undici threw into an UpstreamFailure; programmer errors pass through untouched. */
function classify (err: unknown, what: string, timedOut: boolean, progress: Progress, timeoutMs: number): unknown {
  // Messages are ours and name only method and path (no query, no headers): nothing secret leaks.
  if (timedOut) return new UpstreamFailure('timeout', `Upstream ${what}: no complete answer within ${timeoutMs} ms`, { cause: err })
  const codes = errorCodes(err)
  if (codes.some(code => PROGRAMMER_ERROR_CODES.has(code) || code.startsWith('ERR_INVALID_ARG'))) return err
  if (codes.length === 0 && err instanceof TypeError) return err

  const shortBody = progress.declared !== undefined && progress.received < progress.declared
  let kind = codes.map(code => KIND_BY_CODE[code] ?? (code.startsWith('HPE_') ? 'reset' : undefined)).find(k => k !== undefined)
  // A connection lost before Content-Length bytes arrived is an incomplete message (RFC 9112 §8).
  if (shortBody && (kind === 'reset' || kind === undefined)) kind = 'truncated'
  // Anything else unknown: before any answer we could not reach upstream (DNS, TLS certificate,
  // routing); after the headers the connection broke.
  kind ??= progress.headers ? 'reset' : 'unreachable'

  const code = codes[0] !== undefined ? ` (${codes[0]})` : ''
  const detail: Record<UpstreamFailureKind, string> = {
    timeout: 'timed out',
    unreachable: codes.some(c => c === 'UND_ERR_CLOSED' || c === 'UND_ERR_DESTROYED') ? 'the upstream client is closed' : 'could not connect',
    reset: progress.headers ? 'connection lost during the response' : 'connection closed without an answer',
    truncated: `body ended after ${progress.received} of ${progress.declared ?? '?'} bytes`,
    'too-large': 'body too large'
  }
  return new UpstreamFailure(kind, `Upstream ${what}: ${detail[kind]}${code}`, { cause: err })
}

function errorCodes (err: unknown, depth = 0): string[] {
  if (typeof err !== 'object' || err === null || depth > 4) return []
  const codes: string[] = []
  const { code, cause, errors } = err as { code?: unknown, cause?: unknown, errors?: unknown }
  if (typeof code === 'string') codes.push(code)
  codes.push(...errorCodes(cause, depth + 1))
  if (Array.isArray(errors)) for (const inner of errors) codes.push(...errorCodes(inner, depth + 1))
  return codes
}

// The length a body must reach: none for HEAD, 1xx, 204 and 304 (RFC 9112 §6.3 rules 1–2).
function declaredLength (method: string, status: number, value: string | string[] | undefined): number | undefined {
  if (method === 'HEAD' || status < 200 || status === 204 || status === 304) return undefined
  if (typeof value !== 'string' || !/^\d+$/.test(value)) return undefined
  return Number(value)
}

function positive (n: number, name: string): number {
  if (!Number.isFinite(n) || n <= 0) throw new TypeError(`${name} must be a positive number`)
  return n
}
