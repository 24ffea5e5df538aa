// The cache is looked up once per request, whichever way it comes in: the hit lane's lookup is
// handed to the router with the request's context, and the flow's steps share it.
import type { AddressInfo } from 'node:net'
import t from 'tap'
import { ALICE, DEMO_TRACK, proxyRig } from '../helpers/proxy.js'
import { behave } from '../helpers/upstream-double.js'

t.test('a miss that falls back to the CSV looks the cache up once', async t => {
  const r = await proxyRig(t, { SPOTIFY_CSV_CACHE_TTL: '0' })
  await r.app.listen({ host: '127.0.0.1', port: 0 })
  const url = `http://127.0.0.1:${(r.app.server.address() as AddressInfo).port}`
  const get = async (path: string): Promise<Response> => await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${ALICE}` } })
  await get('/v1/me')
  await get(`/v1/tracks/${DEMO_TRACK}`)
  const cache = r.app.proxy.cache!
  const lookups: string[] = []
  const real = cache.get.bind(cache)
  cache.get = (key: string) => { lookups.push(key); return real(key) }
  r.double.set(behave.status(503))
  const stale = await get(`/v1/tracks/${DEMO_TRACK}`)
  t.same([stale.status, stale.headers.get('x-proxy-source')], [200, 'stale'])
  t.equal(lookups.length, 1, 'hit lane, route, fresh check, revalidation and fallback: one lookup')
  lookups.length = 0
  const csv = await get('/v1/tracks/6lQSCExMDc4UAzAtdnflE2')
  t.same([csv.status, csv.headers.get('x-proxy-source')], [200, 'csv'])
  t.equal(lookups.length, 1)
})
