// CORS for browser clients: Spotify's own policy (any origin) on /v1 answers to requests with an
// Origin, whatever answered them (upstream, cache, CSV, the local rate limit), preflights answered
// locally, nothing for the dashboard, admin or metrics, and Spotify's own CORS fields replaced.
import t from 'tap'
import { behave } from '../helpers/upstream-double.js'
import { ALICE, DEMO_TRACK, proxyRig } from '../helpers/proxy.js'

const PAGE = 'https://playlists.example'
const TRACK = '/v1/tracks/11dFghVXANMlKmJXsNCbNl'

t.test('a preflight is answered locally: any origin, the methods, the headers asked for', async t => {
  const r = await proxyRig(t)
  const before = r.upstreamCount()
  const res = await r.app.inject({ method: 'OPTIONS', url: '/v1/me/tracks?limit=50', headers: { origin: PAGE, 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization,content-type' } })
  t.equal(res.statusCode, 204)
  t.equal(res.headers['access-control-allow-origin'], '*')
  t.match(res.headers['access-control-allow-methods'], /GET/)
  t.match(res.headers['access-control-allow-methods'], /PUT/)
  t.equal(res.headers['access-control-allow-headers'], 'authorization,content-type')
  t.equal(res.headers['access-control-max-age'], '86400')
  t.equal(r.upstreamCount(), before, 'nothing asked upstream')
})

t.test('answers to a page carry CORS and expose the proxy\'s headers, from upstream, cache, CSV and the 429', async t => {
  const r = await proxyRig(t)
  const page = { origin: PAGE }
  // Spotify's own CORS fields are not passed on: the proxy's policy answers.
  r.double.set(req => (req.url.startsWith('/v1/tracks/') ? behave.status(200, { id: 'x', type: 'track' }, { 'content-type': 'application/json', 'access-control-allow-origin': 'https://open.spotify.com', 'access-control-expose-headers': 'X-Spotify-Only' }) : behave.ok()))
  for (const source of ['upstream', 'cache']) {
    const res = await r.get(TRACK, ALICE, page)
    t.equal(res.headers['x-proxy-source'], source)
    t.equal(res.headers['access-control-allow-origin'], '*', `${source}: any origin`)
    const exposed = String(res.headers['access-control-expose-headers']).toLowerCase().split(/,\s*/)
    for (const h of ['retry-after', 'x-proxy-source', 'x-proxy-fallback-reason']) t.ok(exposed.includes(h), `${source}: exposes ${h}`)
    t.notOk(exposed.includes('x-spotify-only'), `${source}: not Spotify's list`)
  }
  r.double.set(behave.status(503))
  await r.get('/v1/me') // trusted, and the library's owner
  const csv = await r.get(`/v1/tracks/${DEMO_TRACK}`, ALICE, page)
  t.same([csv.headers['x-proxy-source'], csv.headers['access-control-allow-origin']], ['csv', '*'], 'a CSV answer')
  const notFound = await r.get('/v1/nothing-here', ALICE, page)
  t.equal(notFound.headers['access-control-allow-origin'], '*', 'an error a page can read')

  let limited = await r.get(TRACK, ALICE, page)
  for (let i = 0; i < 700 && limited.statusCode !== 429; i++) limited = await r.get(TRACK, ALICE, page)
  t.equal(limited.statusCode, 429, 'the local rate limit')
  t.equal(limited.headers['access-control-allow-origin'], '*', 'its 429 is readable…')
  t.match(String(limited.headers['access-control-expose-headers']), /Retry-After/, '…with its Retry-After')
})

t.test('no CORS without an Origin, nor outside /v1', async t => {
  const r = await proxyRig(t)
  t.equal((await r.get(TRACK)).headers['access-control-allow-origin'], undefined, 'a script gets no CORS fields')
  for (const url of ['/healthz', '/metrics', '/admin/status', '/dashboard']) {
    const res = await r.app.inject({ method: 'GET', url, headers: { origin: PAGE } })
    t.equal(res.headers['access-control-allow-origin'], undefined, url)
  }
  const preflight = await r.app.inject({ method: 'OPTIONS', url: '/admin/status', headers: { origin: PAGE, 'access-control-request-method': 'POST' } })
  t.equal(preflight.statusCode, 404, 'no preflight outside /v1')
  t.equal(preflight.headers['access-control-allow-origin'], undefined)
})

t.test('a page\'s request over a real port is answered by the router, with CORS; a script\'s by the hit lane', async t => {
  const r = await proxyRig(t)
  await r.app.listen({ host: '127.0.0.1', port: 0 })
  const address = r.app.server.address()
  if (address === null || typeof address === 'string') throw new Error('no port')
  const url = `http://127.0.0.1:${address.port}${TRACK}`
  const auth = { authorization: `Bearer ${ALICE}` }
  await fetch(url, { headers: auth })
  const fromPage = await fetch(url, { headers: { ...auth, origin: PAGE } })
  t.equal(fromPage.headers.get('x-proxy-source'), 'cache')
  t.equal(fromPage.headers.get('access-control-allow-origin'), '*')
  const fromScript = await fetch(url, { headers: auth })
  t.equal(fromScript.headers.get('x-proxy-source'), 'cache')
  t.equal(fromScript.headers.get('access-control-allow-origin'), null)
  const lines = r.logs.flatMap(l => l.split('\n')).filter(l => l.includes('"msg":"request"')).map(l => JSON.parse(l) as { hitLane?: boolean })
  t.same(lines.map(l => l.hitLane ?? false), [false, false, true])
})
