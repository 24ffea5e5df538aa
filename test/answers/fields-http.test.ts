// `fields=` through HTTP: the real app (offline, the demo library) behind Fastify's inject.
import path from 'node:path'
import t from 'tap'
import { buildApp } from '../../src/http/app.js'
import { MAX_FIELDS_LENGTH } from '../../src/answers/fields-filter.js'
import { loadConfig } from '../../src/config.js'

const config = loadConfig({}, { SPOTIFY_PROXY_DB: path.join(t.testdir(), 'p.sqlite'), SPOTIFY_PROXY_MODE: 'offline', SPOTIFY_API_BASE_URL: 'http://127.0.0.1:9' })
const app = await buildApp(config, { logger: false })
t.teardown(async () => { await app.close() })
const get = async (url: string): Promise<{ status: number, body: unknown }> => {
  const res = await app.inject({ url, headers: { authorization: 'Bearer demo' } })
  return { status: res.statusCode, body: res.json() }
}
const playlist = ((await get('/v1/me/playlists?limit=1')).body as { items: Array<{ id: string }> }).items[0]!.id

t.test('an oversized filter is a 400 in Spotify\'s shape; one at the cap is applied', async t => {
  for (const url of [`/v1/playlists/${playlist}?fields=`, `/v1/playlists/${playlist}/tracks?fields=`, `/v1/playlists/${playlist}/items?fields=`]) {
    const over = await get(`${url}${'name,'.repeat(MAX_FIELDS_LENGTH / 5)}x`)
    t.same(over, { status: 400, body: { error: { status: 400, message: `fields filter longer than ${MAX_FIELDS_LENGTH} characters` } } }, url)
    const atCap = await get(`${url}${`${'total,'.repeat(MAX_FIELDS_LENGTH / 6 - 1)}total`.padEnd(MAX_FIELDS_LENGTH, ',')}`)
    t.equal(atCap.status, 200, `${url}: ${MAX_FIELDS_LENGTH} characters`)
  }
  const small = await get(`/v1/playlists/${playlist}/tracks?fields=total,items(track(name))&limit=2`)
  t.equal(small.status, 200)
  t.same(Object.keys(small.body as object).sort(), ['items', 'total'])
})
