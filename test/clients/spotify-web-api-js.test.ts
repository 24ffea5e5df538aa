// spotify-web-api-js 1.5.2 in headless Chromium, on a page served from another origin, pointed at
// the proxy by wrapping XMLHttpRequest.open (docs/clients.md): every call crosses origins, so each
// one only succeeds if the proxy's CORS answers (preflight, Allow-Origin) are right. Against the
// development-mode double, then with Spotify down (the CSV library answers).
import fs from 'node:fs'
import http from 'node:http'
import os from 'node:os'
import path from 'node:path'
import { createRequire } from 'node:module'
import t from 'tap'
import { behave } from '../helpers/upstream-double.js'
import { ALICE, proxyRig } from '../helpers/proxy.js'
import { launchChromium, NO_CHROMIUM } from '../helpers/browser.js'
import { DEEP_FOCUS, PICKS, search, spotify2026, writeLibrary } from '../helpers/spotify-2026.js'
import { freePort } from './scenarios.js'

const LIBRARY_JS = createRequire(import.meta.url).resolve('spotify-web-api-js')

/** The page: the library, the documented XHR wrapper, and `api` with Alice's token. */
function pageHtml (proxy: string): string {
  return `<!doctype html><meta charset="utf-8"><title>client</title>
<script src="/spotify-web-api.js"></script>
<script>
  const open = XMLHttpRequest.prototype.open
  XMLHttpRequest.prototype.open = function (method, url, ...rest) {
    return open.call(this, method, String(url).replace('https://api.spotify.com', ${JSON.stringify(proxy)}), ...rest)
  }
  window.api = new SpotifyWebApi()
  window.api.setAccessToken(${JSON.stringify(ALICE)})
  // What a page can read of an answer: its status and the headers the proxy exposes.
  window.seen = async (p) => {
    const res = await fetch(${JSON.stringify(proxy)} + p, { headers: { authorization: 'Bearer ${ALICE}' } })
    return { status: res.status, source: res.headers.get('x-proxy-source'), reason: res.headers.get('x-proxy-fallback-reason') }
  }
</script>`
}

t.test('spotify-web-api-js from another origin: every call through the proxy\'s CORS, also while Spotify is down', { skip: NO_CHROMIUM }, async t => {
  const port = await freePort()
  const proxy = `http://127.0.0.1:${port}`
  const library = fs.mkdtempSync(path.join(os.tmpdir(), 'browser-library-'))
  t.teardown(() => fs.rmSync(library, { recursive: true, force: true }))
  writeLibrary(library)
  const r = await proxyRig(t, { SPOTIFY_PROXY_PUBLIC_URL: proxy, SPOTIFY_CSV_BACKUP_PATH: library })
  await r.app.listen({ host: '127.0.0.1', port })
  r.double.set(spotify2026(r.double.url))

  // The page's own origin: another port.
  const site = http.createServer((req, res) => {
    if (req.url === '/spotify-web-api.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' })
      res.end(fs.readFileSync(LIBRARY_JS))
    } else {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
      res.end(pageHtml(proxy))
    }
  })
  await new Promise<void>(resolve => site.listen(0, '127.0.0.1', resolve))
  t.teardown(() => { site.close() })
  const siteOrigin = `http://127.0.0.1:${(site.address() as { port: number }).port}`

  const browser = await launchChromium(t)
  const page = await browser.newPage()
  const errors: string[] = []
  page.on('pageerror', e => errors.push(e.message))
  page.on('console', m => { if (m.type() === 'error') errors.push(m.text()) })
  await page.goto(`${siteOrigin}/`)
  // A rejected call gives the XHR; its status 0 is what a CORS refusal looks like.
  const call = async <T> (script: string): Promise<T> => await page.evaluate(`(async () => { try { return await ${script} } catch (req) { return { failed: req.status } } })()`) as T

  const me = await call<{ id: string }>('api.getMe()')
  t.equal(me.id, 'alice', 'GET /v1/me, with its preflight (Authorization is not a simple header)')
  const track = await call<{ id: string, name: string }>(`api.getTrack(${JSON.stringify(PICKS.greenhouse.id)})`)
  t.same([track.id, track.name], [PICKS.greenhouse.id, PICKS.greenhouse.name])
  const items = await call<{ items: Array<{ track: { id: string } }>, total: number, limit: number }>(`api.getPlaylistTracks(${JSON.stringify(DEEP_FOCUS.id)}, { limit: 100 })`)
  t.same(items.items.map(e => e.track.id), DEEP_FOCUS.entries.slice(0, 100).map(e => e.track.id), '/playlists/{id}/tracks (closed in 2026) through /items')
  t.equal(items.total, DEEP_FOCUS.entries.length)
  const found = await call<{ tracks: { items: Array<{ id: string }>, limit: number } }>('api.searchTracks(\'e\', { limit: 30 })')
  t.same(found.tracks.items.map(x => x.id), search('e').slice(0, 30).map(x => x.id), 'search limit 30 (10 at most since 2026)')
  const features = await call<{ danceability: number, tempo: number }>(`api.getAudioFeaturesForTrack(${JSON.stringify(PICKS.greenhouse.id)})`)
  t.same([features.danceability, features.tempo], [PICKS.greenhouse.features.danceability, PICKS.greenhouse.features.tempo], 'audio features (closed) from the CSV')
  t.same(await call(`seen('/v1/tracks/${PICKS.greenhouse.id}')`), { status: 200, source: 'cache', reason: null }, 'the page reads X-Proxy-Source')
  t.same(await call(`seen('/v1/audio-features/${PICKS.greenhouse.id}')`), { status: 200, source: 'csv', reason: 'endpoint-closed' }, 'and the fallback reason')

  r.double.set(behave.status(503))
  const down = await call<{ id: string, name: string }>(`api.getTrack(${JSON.stringify(PICKS.yoake.id)})`)
  t.same([down.id, down.name], [PICKS.yoake.id, PICKS.yoake.name], 'Spotify down: a track no answer held (not in Deep Focus nor the search), from the CSV')
  t.same(await call(`seen('/v1/tracks/${PICKS.yoake.id}')`), { status: 200, source: 'csv', reason: 'upstream-5xx' })
  const preflights = r.double.requests.filter(q => q.method === 'OPTIONS')
  t.equal(preflights.length, 0, 'no preflight reached Spotify')
  t.same(errors, [], 'no CORS or script error in the page')
})
