// Whose data, whose quota: the findings of a review made as an attacker would, each replayed over
// a real port with two users (alice, bob) and the Spotify double, on real Exportify exports
// (test/fixtures/exportify-real). See docs/trust.md and SECURITY.md.
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import t, { type Test } from 'tap'
import { request } from 'undici'
import { openDatabase } from '../../src/db.js'
import { importLibrary } from '../../src/library/importer.js'
import { ALICE, BOB, proxyRig, type ProxyRig } from '../helpers/proxy.js'
import { behave } from '../helpers/upstream-double.js'

const REAL = path.join(import.meta.dirname, '../fixtures/exportify-real')
/** A track of the real Liked Songs export. */
const LIKED_TRACK = '3b6RZmPmYzg2mRyfoIznYS'

async function served (t: Test, env: Record<string, string> = {}): Promise<{ r: ProxyRig, url: string }> {
  const lib = fs.mkdtempSync(path.join(os.tmpdir(), 'exports-'))
  t.teardown(() => fs.rmSync(lib, { recursive: true, force: true }))
  for (const f of fs.readdirSync(REAL).filter(f => f.endsWith('.csv'))) fs.copyFileSync(path.join(REAL, f), path.join(lib, f))
  const r = await proxyRig(t, { SPOTIFY_CSV_BACKUP_PATH: lib, SPOTIFY_CSV_OWNER: '', SPOTIFY_PROXY_REQUEST_TIMEOUT_MS: '1000', ...env })
  await r.app.listen({ host: '127.0.0.1', port: 0 })
  return { r, url: `http://127.0.0.1:${(r.app.server.address() as net.AddressInfo).port}` }
}

const get = async (url: string, token: string | null, headers: Record<string, string> = {}): Promise<Response> =>
  await fetch(url, { headers: { ...(token === null ? {} : { authorization: `Bearer ${token}` }), ...headers } })

t.test('1: the first user through /v1/me does not become the owner; the library stays closed until one is decided', async t => {
  const { r, url } = await served(t)
  t.equal(r.app.proxy.owner.known(), null, 'the real exports name several users: no owner')
  t.equal((await get(`${url}/v1/me`, BOB)).status, 200)
  t.equal((await get(`${url}/v1/me`, ALICE)).status, 200)
  t.equal(r.app.proxy.owner.known(), null, 'a /v1/me changes nothing')
  for (const token of [BOB, ALICE]) {
    const liked = await get(`${url}/v1/me/tracks?limit=50`, token, { 'x-proxy-mode': 'offline' })
    t.not(liked.headers.get('x-proxy-source'), 'csv', 'no user reads the library\'s saved tracks')
    t.equal(liked.status, 503)
  }
  const adopted = await served(t, { SPOTIFY_PROXY_ADOPT_OWNER: 'true' })
  await get(`${adopted.url}/v1/me`, ALICE)
  await get(`${adopted.url}/v1/me`, BOB)
  t.equal(adopted.r.app.proxy.owner.known()?.id, 'alice', 'with the explicit consent flag, the first verified user, and only the first')
  const aliceLiked = await get(`${adopted.url}/v1/me/tracks?limit=50`, ALICE, { 'x-proxy-mode': 'offline' })
  t.same([aliceLiked.status, aliceLiked.headers.get('x-proxy-source')], [200, 'csv'])
  t.ok(adopted.r.logs.some(l => l.includes('--adopt-owner')), 'said in the log')
})

t.test('2: a verified user who is not the owner cannot list the owner\'s library', async t => {
  const { r, url } = await served(t, { SPOTIFY_CSV_OWNER: 'alice' })
  await get(`${url}/v1/me`, BOB)
  await get(`${url}/v1/me`, ALICE)
  const search = await get(`${url}/v1/search?q=a&type=track&limit=50`, BOB, { 'x-proxy-mode': 'offline' })
  t.not(search.headers.get('x-proxy-source'), 'csv', 'no search results built from the library')
  const mine = await get(`${url}/v1/search?q=a&type=track&limit=50`, ALICE, { 'x-proxy-mode': 'offline' })
  t.equal(mine.headers.get('x-proxy-source'), 'csv', 'the owner\'s own search is answered')
  t.ok(((await mine.json()) as { tracks: { total: number } }).tracks.total > 100)
  const playlists = await get(`${url}/v1/me/playlists`, BOB, { 'x-proxy-mode': 'offline' })
  t.not(playlists.headers.get('x-proxy-source'), 'csv')
  const track = await get(`${url}/v1/tracks/${LIKED_TRACK}`, BOB, { 'x-proxy-mode': 'offline' })
  t.equal(track.status, 200, 'a single catalog track by id may come from the library (docs/trust.md)')
  t.equal(r.app.proxy.owner.known()?.id, 'alice')
})

t.test('4: untrusted clients move no shared state: 429, 403, no token', async t => {
  const { r, url } = await served(t)
  r.double.set(behave.quotaExceeded(86_400))
  const stranger = await get(`${url}/v1/tracks/${LIKED_TRACK}`, 'tok-from-another-app-entirely')
  t.equal(stranger.status, 429, 'its own 429, relayed')
  t.equal(r.app.proxy.cooldown.active(), null, 'no cooldown for everyone')
  r.double.set(behave.status(403))
  await get(`${url}/v1/audio-features/${LIKED_TRACK}`, 'tok-from-another-app-entirely')
  t.same(r.app.proxy.refusals.list(), [], 'no endpoint refused for everyone')
  r.double.set(behave.ok())
  const before = r.double.requests.length
  const answers = await Promise.all(Array.from({ length: 120 }, async () => (await get(`${url}/v1/tracks/${LIKED_TRACK}`, null)).status))
  t.ok(answers.every(s => s === 401), 'no token: a local 401')
  t.equal(r.double.requests.length, before, 'none of them reached Spotify or the pacing budget')
  t.same(r.app.proxy.pacer?.stats(), { queued: 0, sentInWindow: 2 })
  // A trusted token's quota answer is capped at a day.
  await get(`${url}/v1/me`, ALICE)
  r.double.set(behave.quotaExceeded(10 * 86_400))
  await get(`${url}/v1/tracks/0000000000000000000001`, ALICE)
  t.ok(r.app.proxy.cooldown.secondsLeft() <= 86_400, `capped: ${r.app.proxy.cooldown.secondsLeft()} s`)
})

t.test('5: a request body sent a byte at a time is answered 408 within the request timeout', async t => {
  const { url } = await served(t)
  const { port } = new URL(url)
  const started = Date.now()
  const answer = await new Promise<string>((resolve, reject) => {
    const socket = net.connect(Number(port), '127.0.0.1')
    let got = ''
    socket.setEncoding('utf8')
    socket.on('data', d => { got += d })
    socket.on('close', () => resolve(got))
    socket.on('error', reject)
    socket.write(`PUT /v1/me/tracks HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: Bearer ${ALICE}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{`)
    const drip = setInterval(() => { if (!socket.destroyed) socket.write(' ') }, 200)
    const giveUp = setTimeout(() => { socket.destroy() }, 10_000)
    socket.on('close', () => { clearInterval(drip); clearTimeout(giveUp) })
  })
  const ms = Date.now() - started
  t.match(answer, /^HTTP\/1\.1 408 /, '408')
  t.match(answer, /"error":\{"status":408,"message":"Request timeout"\}/, 'in Spotify\'s shape')
  t.ok(ms < 3000, `within the configured 1 s (and Node's check interval): ${ms} ms`)
})

t.test('6: /admin, /dashboard and /metrics answer only to this proxy\'s names; /metrics behind the admin token', async t => {
  const { url } = await served(t, { SPOTIFY_PROXY_ADMIN_TOKEN: 'admin-secret' })
  const admin = { authorization: 'Bearer admin-secret' }
  const rebound = { ...admin, host: 'evil.example:8888' }
  for (const path of ['/admin/stats', '/admin/remediation/report', '/metrics', '/dashboard']) {
    // fetch() may not set Host; undici's request sends it as given, as a rebound page's would be.
    const res = await request(`${url}${path}`, { headers: rebound })
    t.equal(res.statusCode, 403, `${path}: a DNS-rebound Host is refused`)
    t.match(await res.body.json(), { error: { status: 403, message: /not a name of this proxy/ } })
  }
  t.equal((await fetch(`${url}/admin/stats`, { headers: admin })).status, 200, 'its own name, with the token')
  t.equal((await fetch(`${url}/metrics`)).status, 401, '/metrics wants the admin token when one is set')
  t.equal((await fetch(`${url}/metrics`, { headers: admin })).status, 200)
  t.equal((await fetch(`${url}/dashboard`)).status, 200, 'the page itself holds no data')
  const stats = await (await fetch(`${url}/admin/stats`, { headers: admin })).json() as { owner: { id: string | null, decidedBy: string | null } }
  t.same([stats.owner.id, stats.owner.decidedBy], [null, null], '/admin/stats says who owns the library (nobody yet)')
})

t.test('3: `demo` stops reading as soon as a real library is imported into the database the proxy serves', async t => {
  const r = await proxyRig(t, { SPOTIFY_PROXY_MODE: 'offline' })
  await r.app.listen({ host: '127.0.0.1', port: 0 })
  const url = `http://127.0.0.1:${(r.app.server.address() as net.AddressInfo).port}`
  const before = await get(`${url}/v1/me/tracks?limit=50`, 'demo')
  t.same([before.status, ((await before.json()) as { total: number }).total], [200, 30], 'the demo library, to the demo token')
  // `spotify-csv-proxy import ~/exports` into the same database, by another process.
  const lib = fs.mkdtempSync(path.join(os.tmpdir(), 'exports-'))
  t.teardown(() => fs.rmSync(lib, { recursive: true, force: true }))
  for (const f of fs.readdirSync(REAL).filter(f => f.endsWith('.csv'))) fs.copyFileSync(path.join(REAL, f), path.join(lib, f))
  const other = openDatabase(r.dbFile)
  await importLibrary(other, lib)
  other.close()
  const after = await get(`${url}/v1/me/tracks?limit=50`, 'demo')
  t.equal(after.headers.get('x-proxy-source') === 'csv', false, 'the real liked songs never reach `demo`')
  t.not(after.status, 200)
  const stats = await (await fetch(`${url}/admin/stats`)).json() as { library: { demo: boolean } }
  t.equal(stats.library.demo, false, '/admin/stats says so')
})
