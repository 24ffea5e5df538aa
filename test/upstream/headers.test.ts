// Which header fields cross the proxy, in each direction (RFC 9110 §7.6.1).
import t from 'tap'
import { endToEndResponseHeaders, forwardRequestHeaders, VIA, withAge, withVia, type IncomingHeaders } from '../../src/upstream/headers.js'

interface Case {
  name: string
  input: IncomingHeaders
  want: Record<string, string>
}

const IDENTITY = { 'accept-encoding': 'identity' }

const REQUEST_CASES: Case[] = [
  {
    name: 'the allow-listed fields pass, accept-encoding is forced to identity',
    input: {
      authorization: 'Bearer tok',
      accept: 'application/json',
      'accept-language': 'sv-SE,sv;q=0.9',
      'content-type': 'application/json',
      'if-none-match': '"abc"',
      'user-agent': 'spotipy/2.24',
      'accept-encoding': 'gzip, br'
    },
    want: {
      authorization: 'Bearer tok',
      accept: 'application/json',
      'accept-language': 'sv-SE,sv;q=0.9',
      'content-type': 'application/json',
      'if-none-match': '"abc"',
      'user-agent': 'spotipy/2.24',
      ...IDENTITY
    }
  },
  {
    name: 'nothing from the client environment or the connection goes upstream',
    input: {
      host: '127.0.0.1:8888',
      'x-forwarded-for': '10.0.0.1',
      'x-forwarded-host': 'evil',
      'x-forwarded-proto': 'https',
      forwarded: 'for=10.0.0.1',
      cookie: 'session=1',
      connection: 'keep-alive',
      'keep-alive': 'timeout=5',
      te: 'trailers',
      upgrade: 'websocket',
      'proxy-authorization': 'Basic eDp5',
      'proxy-connection': 'keep-alive',
      'transfer-encoding': 'chunked',
      trailer: 'x-checksum',
      'content-length': '12',
      'x-proxy-mode': 'offline',
      'cache-control': 'no-cache',
      origin: 'http://example.com'
    },
    want: IDENTITY
  },
  {
    name: 'a field listed in Connection is dropped even when allow-listed',
    input: { connection: 'close, Accept-Language ,user-agent', 'accept-language': 'fr', 'user-agent': 'x', accept: '*/*' },
    want: { accept: '*/*', ...IDENTITY }
  },
  {
    name: 'Connection given as several field lines is honoured too',
    input: { connection: ['keep-alive', 'if-none-match'], 'if-none-match': '"a"', accept: '*/*' },
    want: { accept: '*/*', ...IDENTITY }
  },
  {
    name: 'list fields with several lines are joined with ", " (RFC 9110 §5.3)',
    input: { accept: ['application/json', 'text/plain;q=0.5'], 'if-none-match': ['"a"', '"b"'] },
    want: { accept: 'application/json, text/plain;q=0.5', 'if-none-match': '"a", "b"', ...IDENTITY }
  },
  {
    name: 'singleton fields keep their first value, as Node does',
    input: { authorization: ['Bearer first', 'Bearer second'], 'content-type': ['application/json', 'text/plain'] },
    want: { authorization: 'Bearer first', 'content-type': 'application/json', ...IDENTITY }
  },
  {
    name: 'names in any case are matched and sent lower-case; undefined values are skipped',
    input: { Authorization: 'Bearer tok', ACCEPT: 'application/json', 'User-Agent': undefined },
    want: { authorization: 'Bearer tok', accept: 'application/json', ...IDENTITY }
  },
  {
    name: 'no headers at all still forces identity',
    input: {},
    want: IDENTITY
  }
]

const RESPONSE_CASES: Case[] = [
  {
    name: 'end-to-end fields pass, lower-cased',
    input: {
      'Content-Type': 'application/json; charset=utf-8',
      'cache-control': 'private, max-age=0',
      etag: '"e1"',
      'retry-after': '48925',
      vary: 'Authorization',
      'x-request-id': 'r1',
      date: 'Thu, 01 Jan 2026 00:00:00 GMT'
    },
    want: {
      'content-type': 'application/json; charset=utf-8',
      'cache-control': 'private, max-age=0',
      etag: '"e1"',
      'retry-after': '48925',
      vary: 'Authorization',
      'x-request-id': 'r1',
      date: 'Thu, 01 Jan 2026 00:00:00 GMT'
    }
  },
  {
    name: 'Spotify\'s CORS fields are dropped: the proxy answers with its own policy',
    input: { 'access-control-allow-origin': '*', 'Access-Control-Expose-Headers': 'Retry-After', 'access-control-max-age': '604800', 'content-type': 'application/json' },
    want: { 'content-type': 'application/json' }
  },
  {
    name: 'hop-by-hop, framing and cookies are dropped',
    input: {
      connection: 'keep-alive',
      'keep-alive': 'timeout=5',
      'transfer-encoding': 'chunked',
      'content-length': '42',
      te: 'trailers',
      trailer: 'x-sum',
      upgrade: 'h2c',
      'proxy-authenticate': 'Basic',
      'proxy-connection': 'close',
      'set-cookie': ['a=1', 'b=2'],
      'content-type': 'application/json'
    },
    want: { 'content-type': 'application/json' }
  },
  {
    name: 'fields named in Connection are dropped, in any case',
    input: { connection: 'X-Hop, x-other', 'x-hop': '1', 'X-Other': '2', 'x-kept': '3' },
    want: { 'x-kept': '3' }
  },
  {
    name: 'repeated fields are joined with ", "',
    input: { vary: ['Authorization', 'Accept-Language'], 'x-list': ['a', 'b'] },
    want: { vary: 'Authorization, Accept-Language', 'x-list': 'a, b' }
  }
]

t.test('forwardRequestHeaders', async t => {
  for (const c of REQUEST_CASES) t.strictSame(forwardRequestHeaders(c.input), c.want, c.name)
})

t.test('endToEndResponseHeaders', async t => {
  for (const c of RESPONSE_CASES) t.strictSame(endToEndResponseHeaders(c.input), c.want, c.name)
})

t.test('neither function changes its input', async t => {
  const input = { connection: 'x-a', 'x-a': '1', accept: ['a', 'b'] }
  const copy = structuredClone(input)
  forwardRequestHeaders(input)
  endToEndResponseHeaders(input)
  t.strictSame(input, copy)
})

t.test('withVia appends this proxy after upstream entries (RFC 9110 §7.6.3)', async t => {
  t.equal(VIA, '1.1 spotify-csv-proxy')
  t.strictSame(withVia({ 'content-type': 'application/json' }), { 'content-type': 'application/json', via: VIA })
  t.strictSame(withVia({ via: '1.1 envoy' }), { via: `1.1 envoy, ${VIA}` })
  t.strictSame(withVia({ via: '' }), { via: VIA })
  const input = { a: '1' }
  withVia(input)
  t.strictSame(input, { a: '1' }, 'input untouched')
})

t.test('withAge sets whole non-negative seconds (RFC 9111 §5.1)', async t => {
  t.strictSame(withAge({ a: '1' }, 12.9), { a: '1', age: '12' })
  t.strictSame(withAge({ age: '3' }, 0), { age: '0' })
  t.strictSame(withAge({}, -5), { age: '0' })
  t.strictSame(withAge({}, 1e12), { age: '2147483648' })
  t.strictSame(withAge({}, Number.POSITIVE_INFINITY), { age: '2147483648' })
})
