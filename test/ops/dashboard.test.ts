// The dashboard: its files as served (types, CSP, nothing else reachable), and the page in
// headless Chromium showing the live numbers of a proxy that has seen real traffic.
import t from 'tap'
import { behave } from '../helpers/upstream-double.js'
import { ALICE, DEMO_TRACK, proxyRig } from '../helpers/proxy.js'
import { launchChromium, NO_CHROMIUM } from '../helpers/browser.js'

t.test('the dashboard\'s files: content types, CSP, and nothing else', async t => {
  const r = await proxyRig(t)
  const page = await r.app.inject({ method: 'GET', url: '/dashboard' })
  t.equal(page.statusCode, 200)
  t.match(page.headers['content-type'], /^text\/html/)
  t.match(page.headers['content-security-policy'], /default-src 'none'; script-src 'self'/)
  t.match(page.body, /<script src="\/dashboard\/dashboard\.js"/)
  const js = await r.app.inject({ method: 'GET', url: '/dashboard/dashboard.js' })
  t.match(js.headers['content-type'], /^text\/javascript/)
  t.match((await r.app.inject({ method: 'GET', url: '/dashboard/dashboard.css' })).headers['content-type'], /^text\/css/)
  for (const url of ['/dashboard/package.json', '/dashboard/..%2Fpackage.json', '/dashboard/../package.json', '/dashboard/%2e%2e/src/app.ts', '/dashboard/dashboard.js/x']) {
    const res = await r.app.inject({ method: 'GET', url })
    t.ok(res.statusCode === 404 || res.statusCode === 400, `${url} → ${res.statusCode}`)
    t.notMatch(res.body, /"name": "spotify-csv-proxy"|buildApp/, `${url} serves no file`)
  }
})

t.test('the page shows the live numbers, and follows them', { skip: NO_CHROMIUM }, async t => {
  const r = await proxyRig(t)
  const origin = await r.app.listen({ host: '127.0.0.1', port: 0 })
  await r.get('/v1/me')
  await r.get('/v1/tracks/4uLU6hMCjMI75M1A2tKUQC')
  await r.get('/v1/tracks/4uLU6hMCjMI75M1A2tKUQC')
  r.double.set(behave.status(503))
  await r.get(`/v1/tracks/${DEMO_TRACK}`)
  r.double.set(behave.status(429, undefined, { 'retry-after': '120' }))
  await r.get(`/v1/audio-features/${DEMO_TRACK}`)

  const browser = await launchChromium(t)
  const page = await browser.newPage()
  const errors: string[] = []
  page.on('pageerror', e => errors.push(e.message))
  page.on('console', m => { if (m.type() === 'error') errors.push(m.text()) })
  await page.goto(`${origin}/dashboard`)
  await page.waitForSelector('#status[data-updated]')
  const text = async (id: string): Promise<string> => (await page.textContent(`[data-testid="${id}"]`)) ?? ''
  t.equal(await text('minute-counts'), 'upstream 2, cache 1, csv 2', 'this minute\'s answers by source')
  t.match(await text('cooldown'), /^rate-limited, [12] min [0-9]+ s left \(ends 20[0-9-]{8} [0-9:]{5} UTC\)$/, 'when it ends, with the date: quota cooldowns last hours')
  t.equal(await text('breaker'), 'closed')
  t.equal(await text('library-tracks'), '53')
  t.equal(await text('library-playlists'), '4')
  t.equal(await text('library-liked'), '30')
  t.equal(await text('library-kind'), 'the demo library')
  t.match(await text('cache-entries'), /^[1-9]/)
  const rows = await page.$$eval('#fallbacks tr', trs => trs.map(tr => tr.getAttribute('data-reason')))
  t.same(rows, ['rate-limited', 'upstream-5xx'], 'recent fallbacks, newest first, with their reasons')
  t.equal(await page.$$eval('#chart rect', rs => rs.length), 3, 'three sources stacked in the current minute')

  // More traffic; the page catches up at its next refresh.
  for (let i = 0; i < 4; i++) await r.get(`/v1/tracks/${DEMO_TRACK}`, ALICE, { 'x-proxy-mode': 'offline' })
  let seen = ''
  for (let i = 0; i < 50 && seen !== 'upstream 2, cache 1, csv 6'; i++) {
    await new Promise(resolve => setTimeout(resolve, 100))
    seen = await text('minute-counts')
  }
  t.equal(seen, 'upstream 2, cache 1, csv 6', 'updated after its refresh')
  t.same(errors, [], 'no script errors, no CSP violations')
})
