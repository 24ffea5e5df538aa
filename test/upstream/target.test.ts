// Request-target validation: one test per trick, and the forms real clients send.
import http from 'node:http'
import net, { type AddressInfo } from 'node:net'
import t, { type Test } from 'tap'
import { MAX_TARGET_LENGTH, NOT_V1_MESSAGE, validateTarget } from '../../src/upstream/target.js'

// Test names show the target, escaped and shortened: some are 100 KB long.
function label (target: string): string {
  // Non-ASCII escaped too: a raw U+2028 in a test name would break the TAP stream.
  const shown = JSON.stringify(target).replace(/[^\x20-\x7e]/g, c => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
  return shown.length > 80 ? `${shown.slice(0, 60)}… (${target.length} chars)` : shown
}

function rejected (t: Test, target: string, pattern: RegExp): void {
  const result = validateTarget(target)
  if (result.ok) {
    t.fail(`accepted ${label(target)}`)
    return
  }
  t.match(result.message, pattern, label(target))
}

function accepted (t: Test, target: string): void {
  t.strictSame(validateTarget(target), { ok: true, path: target }, label(target))
}

t.test('origin-form targets under /v1/ pass unchanged, queries included', async t => {
  for (const target of [
    '/v1/me',
    '/v1/me/playlists?limit=50&offset=100',
    '/v1/tracks/3b6RZmPmYzg2mRyfoIznYS',
    '/v1/tracks?ids=a,b&market=from_token',
    '/v1/search?q=artist%3A%22Daft%20Punk%22&type=track',
    '/v1/search?q=year:1990-2000 genre:rock'.replace(' ', '%20'),
    '/v1/playlists/37i9dQZF1DXcBWIGoYBM5M/items?fields=items(track(name,href,album(name,href)))',
    '/v1/users/john.smith_1-x~/playlists',
    '/v1/users/j%C3%B6rg/playlists', // percent-encoded UTF-8 is fine
    '/v1/',
    '/v1/me?',
    '/v1/search?q=a/b?c@d&type=track', // `/ ? @` are legal in a query (RFC 3986 §3.4)
    '/v1/search?q="quoted"|x&type=track',
    '/v1/x?next=http://example.com//a' // a URL inside a query value cannot change the origin
  ]) accepted(t, target)
})

t.test('absolute-form is refused, even for Spotify itself', async t => {
  rejected(t, 'http://evil/v1/me', /absolute-form/i)
  rejected(t, 'https://api.spotify.com/v1/me', /absolute-form/i)
  rejected(t, 'HTTP://evil/v1/me', /absolute-form/i)
  rejected(t, 'file:/etc/passwd', /absolute-form/i)
})

t.test('authority-form and asterisk-form are refused', async t => {
  rejected(t, 'api.spotify.com:443', /absolute-form|starting with \//i)
  rejected(t, '*', /starting with \//)
  rejected(t, '', /starting with \//)
})

t.test('protocol-relative //host targets are refused', async t => {
  rejected(t, '//evil/v1/me', /protocol-relative/i)
  rejected(t, '//api.spotify.com/v1/me', /protocol-relative/i)
})

t.test('paths outside /v1/ get their own message', async t => {
  for (const target of ['/v1', '/v1?x=1', '/v2/x', '/admin', '/admin/stats', '/', '/V1/me', '/v10/me', '/healthz']) {
    t.strictSame(validateTarget(target), { ok: false, message: NOT_V1_MESSAGE }, target)
  }
})

t.test('raw dot segments are refused', async t => {
  for (const target of ['/v1/../admin', '/v1/me/..', '/v1/./me', '/v1/me/.', '/v1/tracks/../../etc/passwd', '/v1/..;/admin', '/v1/.;x/me']) {
    rejected(t, target, /\. or \.\. segments/)
  }
})

t.test('percent-encoded dot segments are refused, in any case', async t => {
  for (const target of ['/v1/%2e%2e/admin', '/v1/%2E%2E/admin', '/v1/%2E./admin', '/v1/.%2e/admin', '/v1/%2e/me', '/v1/me/%2E']) {
    rejected(t, target, /\. or \.\. segments/)
  }
})

t.test('an encoded dot inside a segment is refused as an encoded unreserved character', async t => {
  rejected(t, '/v1/users/a%2eb', /unreserved/)
  rejected(t, '/v1/tracks/%41bc', /unreserved.*%41/)
  rejected(t, '/v1/tracks/abc%7e', /unreserved/)
})

t.test('encoded slashes and backslashes are refused', async t => {
  for (const target of ['/v1/tracks/a%2fb', '/v1/tracks/a%2Fb', '/v1/%2F%2Fevil', '/v1/tracks/a%5cb', '/v1/tracks/a%5Cb']) {
    rejected(t, target, /encoded slash or backslash/)
  }
})

t.test('raw backslashes are refused anywhere', async t => {
  rejected(t, '/v1\\..\\admin', /backslash/)
  rejected(t, '/v1/me\\', /backslash/)
  rejected(t, '/v1/search?q=a\\b', /backslash/)
  rejected(t, '\\\\evil/v1/me', /backslash|starting with \//)
})

t.test('double slashes in the path are refused', async t => {
  rejected(t, '/v1//me', /empty segments/)
  rejected(t, '/v1/me//playlists', /empty segments/)
  rejected(t, '/v1/me/playlists//', /empty segments/)
})

t.test('control characters, spaces and non-ASCII bytes are refused', async t => {
  for (const target of ['/v1/me\r\nHost: evil', '/v1/me\n', '/v1/me\0', '/v1/me\t', '/v1/me x', '/v1/me?q=a b', '/v1/m\x7fe', '/v1/j\u00f6rg', '/v1/\u2028', '/v1/me?q=\u00e9']) {
    rejected(t, target, /space, control character or non-ASCII/)
  }
})

t.test('encoded control characters, percent signs and malformed escapes are refused in the path', async t => {
  rejected(t, '/v1/me%00', /encoded control/)
  rejected(t, '/v1/me%0d%0aHost:%20evil', /encoded control/)
  rejected(t, '/v1/me%7F', /encoded control/)
  rejected(t, '/v1/tracks/%252e%252e', /double encoding/)
  rejected(t, '/v1/tracks/%zz', /malformed/)
  rejected(t, '/v1/tracks/abc%', /malformed/)
  rejected(t, '/v1/tracks/abc%4', /malformed/)
})

t.test('malformed escapes in the query are refused too', async t => {
  rejected(t, '/v1/search?q=%zz&type=track', /malformed/)
  rejected(t, '/v1/search?q=100%', /malformed/)
})

t.test('fragments are refused', async t => {
  rejected(t, '/v1/me#x', /fragment/)
  rejected(t, '/v1/me?x=1#frag', /fragment/)
  rejected(t, '/v1/#', /fragment/)
})

t.test('@ in the path is refused (but not in the query)', async t => {
  rejected(t, '/v1/@evil/me', /@/)
  rejected(t, '/v1/users/me@evil.com', /@/)
  accepted(t, '/v1/search?q=a@b&type=track')
})

t.test('characters outside the path allow-list are refused', async t => {
  for (const target of ['/v1/me"', '/v1/me<script>', '/v1/me{x}', '/v1/me|x', '/v1/me^', '/v1/me`', '/v1/me[0]']) {
    rejected(t, target, /outside the allowed set/)
  }
})

t.test('targets longer than 8 KB are refused; 8 KB exactly passes', async t => {
  const prefix = '/v1/tracks?ids='
  const exact = prefix + 'a'.repeat(MAX_TARGET_LENGTH - prefix.length)
  t.equal(exact.length, 8192)
  accepted(t, exact)
  rejected(t, exact + 'a', /longer than 8192/)
  rejected(t, '/v1/' + 'a'.repeat(100_000), /longer than 8192/)
})

// What Node really hands over as `req.url` for hostile request lines, fed through a real socket.
t.test('targets as Node delivers them from the wire', async t => {
  const seen: string[] = []
  const server = http.createServer((req, res) => { seen.push(req.url ?? ''); res.end() })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>(resolve => server.close(() => resolve())))
  const { port } = server.address() as AddressInfo

  async function roundTrip (target: Buffer): Promise<string | undefined> {
    const before = seen.length
    await new Promise<void>(resolve => {
      const socket = net.connect(port, '127.0.0.1', () => {
        socket.end(Buffer.concat([Buffer.from('GET '), target, Buffer.from(' HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')]))
      })
      socket.on('data', () => {})
      socket.on('close', () => resolve())
      socket.on('error', () => resolve())
    })
    return seen.length > before ? seen[seen.length - 1] : undefined
  }

  const absolute = await roundTrip(Buffer.from('http://evil/v1/me'))
  t.equal(absolute, 'http://evil/v1/me', 'Node passes absolute-form through verbatim')
  rejected(t, absolute ?? '', /absolute-form/i)

  const relative = await roundTrip(Buffer.from('//evil/v1/me'))
  t.equal(relative, '//evil/v1/me')
  rejected(t, relative ?? '', /protocol-relative/i)

  const utf8 = await roundTrip(Buffer.from('/v1/users/jörg', 'utf8'))
  if (utf8 === undefined) t.pass('Node itself refused raw non-ASCII bytes')
  else rejected(t, utf8, /non-ASCII/)
})
