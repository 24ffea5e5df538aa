// 200 hostile requests as raw bytes on a real socket: each gets a 4xx in Spotify's error shape,
// none reaches any host but the upstream (a second "evil" server on loopback counts what reaches
// it), no answer carries anything injected, and the proxy keeps serving throughout.
import http from 'node:http'
import net, { type AddressInfo } from 'node:net'
import t from 'tap'
import { ALICE, DEMO_TRACK, proxyRig } from '../helpers/proxy.js'

interface Raw { status: number, headers: string, body: string, text: string }

async function send (port: number, bytes: string | Buffer): Promise<Raw> {
  return await new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    const socket = net.connect(port, '127.0.0.1', () => socket.write(bytes))
    socket.on('data', (c: Buffer) => chunks.push(c))
    socket.on('error', err => (chunks.length > 0 ? undefined : reject(err)))
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('latin1')
      const [head = '', ...rest] = text.split('\r\n\r\n')
      resolve({ status: Number(/^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1] ?? 0), headers: head, body: rest.join('\r\n\r\n'), text })
    })
    socket.setTimeout(5000, () => socket.destroy())
  })
}

function spotifyShaped (r: Raw): boolean {
  try {
    const e = (JSON.parse(r.body) as { error?: { status?: number, message?: unknown } }).error
    return e?.status === r.status && typeof e.message === 'string' && e.message.length > 0
  } catch {
    return false
  }
}

t.test('200 hostile requests: 4xx in Spotify\'s shape, nothing reaches another host, serving goes on', async t => {
  const r = await proxyRig(t)
  const port = Number(new URL(await r.app.listen({ host: '127.0.0.1', port: 0 })).port)
  const evilHits: string[] = []
  const evil = http.createServer((req, res) => { evilHits.push(`${req.method} ${req.url}`); res.end('pwned') })
  await new Promise<void>(resolve => evil.listen(0, '127.0.0.1', resolve))
  t.teardown(() => { evil.closeAllConnections(); evil.close() })
  const EVIL = `127.0.0.1:${(evil.address() as AddressInfo).port}`
  await r.get('/v1/me') // ALICE is trusted: hostile requests cannot hide behind a 401
  const upstreamBefore = r.upstreamCount()

  const auth = `Authorization: Bearer ${ALICE}\r\n`
  const offline = `${auth}X-Proxy-Mode: offline\r\n`
  const req = (target: string, extra = auth, method = 'GET', host = 'localhost'): string => `${method} ${target} HTTP/1.1\r\nHost: ${host}\r\n${extra}Connection: close\r\n\r\n`
  const cases: Array<{ kind: string, bytes: string | Buffer }> = []
  const add = (kind: string, bytes: string | Buffer): void => { cases.push({ kind, bytes }) }

  // Absolute-form and authority-form targets (25).
  for (const scheme of ['http', 'https', 'HTTP', 'ftp', 'ws']) {
    for (const host of [EVIL, 'api.spotify.com', `user:pw@${EVIL}`, `${EVIL}:80`, `[::1]:${EVIL.split(':')[1]!}`]) add('absolute', req(`${scheme}://${host}/v1/me`))
  }
  // Protocol-relative and odd forms (10).
  for (const target of [`//${EVIL}/v1/me`, `///${EVIL}/v1/me`, '*', `${EVIL}/v1/me`, '@evil/v1/me', '?/v1/me', '#/v1/me', `\\\\${EVIL}\\v1`, 'v1/me', `//${EVIL}`]) add('relative', req(target))
  // Path traversal (30).
  const dots = ['..', '%2e%2e', '%2E%2E', '.%2e', '%2e.', '%252e%252e', '%c0%ae%c0%ae', '..%00', '..;', '%2e%2e%5c']
  for (const d of dots) {
    add('traversal', req(`/v1/${d}/admin/stats`))
    add('traversal', req(`/v1/tracks/${d}%2f${d}%2fadmin`))
    add('traversal', req(`/v1/me/${d}/${d}/etc/passwd`))
  }
  // Encoded slashes and backslashes (10).
  for (const target of ['/v1/tracks%2F1', '/v1/tracks%2f1', '/v1/me%5ctracks', '/v1/me\\tracks', '/v1/%2fme', '/v1/tracks/a%2F..%2Fb', '/v1/%5c%5cevil/x', '/v1//me', '/v1/me//tracks', '/v1/./me']) add('slashes', req(target))
  // Oversized headers and targets (15).
  for (const kb of [17, 32, 64, 128, 256]) add('huge-header', req('/v1/me', `${auth}X-Big: ${'a'.repeat(kb * 1024)}\r\n`))
  for (const n of [1000, 2000]) add('many-headers', req('/v1/me', `${auth}${Array.from({ length: n }, (_, i) => `X-H${i}: ${'v'.repeat(20)}\r\n`).join('')}`))
  for (const kb of [9, 12, 20, 40, 80, 160, 320, 640]) add('huge-target', req(`/v1/search?type=track&q=${'x'.repeat(kb * 1024)}`))
  // Bad ids, answered by the proxy itself (offline) (30).
  const badIds = ['x', '!!!!', '123456789012345678901', '12345678901234567890123', '%C3%A9%C3%A9', '%3Cscript%3E', "'%20OR%201=1", 'spotify:track:4uLU6hMCjMI75M1A2tKUQC', '%00', '-_-_-_-_-_-_-_-_-_-_-_']
  for (const id of badIds) {
    add('bad-id', req(`/v1/tracks/${id}`, offline))
    add('bad-id', req(`/v1/playlists/${id}/tracks`, offline))
    add('bad-id', req(`/v1/audio-features/${id}`, offline))
  }
  // Bad limits and offsets (30).
  const badNumbers = ['-1', '0', '51', 'abc', '1e2', '1.5', '99999999999', '%20', '0x10', '5%00']
  for (const v of badNumbers) {
    add('bad-limit', req(`/v1/me/tracks?limit=${v}`, offline))
    add('bad-limit', req(`/v1/search?q=a&type=track&limit=${v === '51' ? '51' : v}`, offline))
    add('bad-limit', req(`/v1/me/playlists?offset=${v === '0' || v === '51' ? '100001' : v}`, offline))
  }
  // Invalid UTF-8, raw and percent-encoded (20).
  for (const b of [[0xff], [0xc3, 0x28], [0xe2, 0x82], [0xf0, 0x28, 0x8c, 0x28], [0x80], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xfe], [0x00], [0x7f]]) {
    add('utf8', Buffer.concat([Buffer.from('GET /v1/tracks/'), Buffer.from(b), Buffer.from(` HTTP/1.1\r\nHost: localhost\r\n${auth}Connection: close\r\n\r\n`)]))
  }
  for (const e of ['%ff', '%c3%28', '%e2%82', '%f0%28%8c%28', '%80', '%c0%af', '%ed%a0%80', '%fe', '%C0%80', '%F5%80%80%80']) add('utf8', req(`/v1/tracks/${e}`, offline))
  // Header injection and malformed headers (20).
  for (const h of ['X-A: a\rInjected: 1', 'X-A: a\nInjected: 1', 'X-A\r\n : folded', 'Bad Name: x', 'X-A: \u0000', ': empty-name', 'X-A:\u0007bell', 'Content-Length: 5\r\nContent-Length: 6', 'Transfer-Encoding: chunked\r\nContent-Length: 3', 'Host: evil.example']) {
    add('header', `GET /v1/me HTTP/1.1\r\nHost: localhost\r\n${auth}${h}\r\nConnection: close\r\n\r\n`)
  }
  for (const target of ['/v1/tracks/a%0d%0aSet-Cookie:%20x=1', '/v1/me%0d%0aInjected:1', '/v1/tracks/%0aX:1', '/v1/search?q=%0d%0aSet-Cookie:x&type=bogus', '/v1/tracks/a%0D%0A%0D%0A<html>', '/v1/me/tracks?limit=%0d%0a', '/v1/playlists/%0d%0a/tracks', '/v1/audio-features/%0d%0aX', '/v1/tracks/%0d', '/v1/tracks/%0a']) add('header', req(target, offline))
  // Methods (10).
  for (const m of ['TRACE', 'TRACK', 'CONNECT', 'PROPFIND', 'MOVE', 'COPY', 'LOCK', 'get', 'G3T', 'BREW']) {
    add('method', m === 'CONNECT' ? `CONNECT ${EVIL} HTTP/1.1\r\nHost: ${EVIL}\r\n${auth}\r\n` : req('/v1/me', auth, m))
  }

  t.equal(cases.length, 200, 'two hundred hostile requests')
  const failures: string[] = []
  let sent = 0
  for (const c of cases) {
    const res = await send(port, c.bytes)
    sent++
    const label = `${c.kind}: ${(typeof c.bytes === 'string' ? c.bytes : c.bytes.toString('latin1')).split('\r\n')[0]!.slice(0, 80)}`
    if (res.status < 400 || res.status >= 500) failures.push(`${label} → ${res.status}`)
    else if (!spotifyShaped(res)) failures.push(`${label} → ${res.status} not Spotify's shape: ${res.body.slice(0, 80)}`)
    else if (/\r\n(set-cookie|injected|x):/i.test(res.headers)) failures.push(`${label} → injected header in the answer`)
    // The proxy keeps serving, checked as we go.
    if (sent % 50 === 0) t.equal((await r.get(`/v1/tracks/${DEMO_TRACK}`, ALICE, { 'x-proxy-mode': 'offline' })).statusCode, 200, `still serving after ${sent}`)
  }
  t.same(failures, [], 'every hostile request got a 4xx in Spotify\'s shape')
  t.same(evilHits, [], 'nothing reached another host')
  const forwarded = r.double.requests.slice(upstreamBefore)
  t.ok(forwarded.every(q => q.url.startsWith('/v1/') && q.headers.host === new URL(r.double.url).host), `the ${forwarded.length} requests upstream saw were all for /v1 on the upstream`)
  const normal = await r.get('/v1/tracks/4uLU6hMCjMI75M1A2tKUQC')
  t.equal(normal.statusCode, 200, 'a normal request still goes through')
})
