// Real playlist ids learned from upstream answers to the library's owner: afterwards a request for
// Spotify's id is answered from the CSV while Spotify is down, and the link survives a re-import.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import t from 'tap'
import { buildApp } from '../../src/http/app.js'
import { loadConfig } from '../../src/config.js'
import { importLibrary } from '../../src/library/importer.js'
import { behave, type Behaviour, type RecordedRequest } from '../helpers/upstream-double.js'
import { ALICE, BOB, proxyRig } from '../helpers/proxy.js'

const REAL = '37i9dQZF1DX8NTLI2TtZa6'
const OTHER = '1A2b3C4d5E6f7G8h9I0jKl'
const json = (body: unknown): Behaviour => behave.status(200, body, { 'content-type': 'application/json; charset=utf-8' })
const playlist = (id: string, name: string, owner: string): Record<string, unknown> => ({ id, name, type: 'playlist', owner: { id: owner, type: 'user' }, items: { href: 'x', total: 3 } })

function withPlaylists (req: RecordedRequest): Behaviour {
  if (req.url.startsWith('/v1/me/playlists')) {
    return json({ href: 'x', items: [playlist(REAL, 'Deep Focus', 'alice'), playlist(OTHER, 'Not In The Library', 'carol')], limit: 20, offset: 0, next: null, previous: null, total: 2 })
  }
  return behave.ok()
}

t.test('an answer to the owner naming a library playlist gives it its real id', async t => {
  // Not under t.testdir(): the rig's own call to it starts that folder afresh.
  const lib = fs.mkdtempSync(path.join(os.tmpdir(), 'library-'))
  t.teardown(() => fs.rmSync(lib, { recursive: true, force: true }))
  fs.cpSync(path.join(import.meta.dirname, '../../demo-library'), lib, { recursive: true })
  const r = await proxyRig(t, { SPOTIFY_CSV_BACKUP_PATH: lib })
  r.double.set(withPlaylists)
  await r.get('/v1/me') // alice: the library's owner from now on
  await r.get('/v1/me/playlists')
  r.double.set(behave.status(503))
  const res = await r.get(`/v1/playlists/${REAL}`)
  t.equal(res.statusCode, 200)
  t.same([res.headers['x-proxy-source'], res.headers['x-proxy-fallback-reason']], ['csv', 'upstream-5xx'])
  t.equal(res.json().id, REAL)
  t.equal(res.json().name, 'Deep Focus')
  t.ok(res.json().tracks.total > 0, 'with the CSV\'s tracks')
  const mine = await r.get('/v1/me/playlists?limit=50')
  t.ok(mine.json().items.some((p: { id: string, name: string }) => p.id === REAL && p.name === 'Deep Focus'), 'listed under the real id')

  // The file changes and is imported again: the learned id stays.
  fs.appendFileSync(path.join(lib, 'Deep_Focus.csv'), '\n')
  const summary = await importLibrary(r.app.db, lib)
  t.equal(summary.files.indexed, 1, 'the changed file was read again')
  t.equal(r.app.library.getPlaylist(REAL)?.idSource, 'learned')
})

t.test('answers to other users teach nothing', async t => {
  const r = await proxyRig(t)
  await r.get('/v1/me') // alice owns the library
  await r.get('/v1/me', BOB)
  r.double.set(withPlaylists)
  await r.get('/v1/me/playlists', BOB)
  t.equal(r.app.library.getPlaylist(REAL), null, 'Bob\'s "Deep Focus" is not Alice\'s')
  await r.get('/v1/me/playlists', ALICE)
  t.equal(r.app.library.getPlaylist(REAL)?.name, 'Deep Focus')
})

t.test('the learned link outlives a restart', async t => {
  const r = await proxyRig(t)
  r.double.set(withPlaylists)
  await r.get('/v1/me')
  await r.get('/v1/me/playlists')
  await r.app.close()
  const again = await buildApp(loadConfig({}, { SPOTIFY_API_BASE_URL: 'http://127.0.0.1:9', SPOTIFY_PROXY_DB: r.dbFile, SPOTIFY_CSV_OWNER: 'alice', LOG_LEVEL: 'silent' }))
  t.teardown(async () => await again.close())
  const res = await again.inject({ method: 'GET', url: `/v1/playlists/${REAL}/tracks?limit=2`, headers: { authorization: `Bearer ${ALICE}` } })
  t.equal(res.statusCode, 200)
  t.equal(res.headers['x-proxy-source'], 'csv')
  t.equal(res.json().items.length, 2)
})

t.test('names Exportify\'s file names dropped characters from are learned too, ambiguous ones are not', async t => {
  const lib = fs.mkdtempSync(path.join(os.tmpdir(), 'library-'))
  t.teardown(() => fs.rmSync(lib, { recursive: true, force: true }))
  const rows = fs.readFileSync(path.join(import.meta.dirname, '../../demo-library/Deep_Focus.csv'))
  // "Work: Focus" as Exportify names its file since 2025-09; "Dad & Patti's 🎸" as it did before
  // (ASCII letters, digits, - and space only, lower-cased); "chill.csv" could be "Chill" or "chill!".
  for (const file of ['Work_Focus.csv', 'dad__pattis_.csv', 'chill.csv']) fs.writeFileSync(path.join(lib, file), rows)
  const r = await proxyRig(t, { SPOTIFY_CSV_BACKUP_PATH: lib })
  const ids = { work: '0Work0Focus0Playlist0a', dad: '0Dad0And0Patti0Songs0b', chill: '0Chill0Plain0Playlist0', chill2: '0Chill0Bang0Playlist00' }
  r.double.set(req => (req.url.startsWith('/v1/me/playlists')
    ? json({ href: 'x', items: [playlist(ids.work, 'Work: Focus', 'alice'), playlist(ids.dad, 'Dad & Patti\'s 🎸', 'alice'), playlist(ids.chill, 'Chill', 'alice'), playlist(ids.chill2, 'chill!', 'alice')], limit: 20, offset: 0, next: null, previous: null, total: 4 })
    : behave.ok()))
  await r.get('/v1/me')
  await r.get('/v1/me/playlists')
  t.same([r.app.library.getPlaylist(ids.work)?.name, r.app.library.getPlaylist(ids.work)?.idSource], ['Work Focus', 'learned'], '"Work: Focus" is Work_Focus.csv')
  t.same([r.app.library.getPlaylist(ids.dad)?.name, r.app.library.getPlaylist(ids.dad)?.idSource], ['dad pattis', 'learned'], '"Dad & Patti\'s 🎸" is dad__pattis_.csv')
  t.equal(r.app.library.getPlaylist(ids.chill), null, 'chill.csv could be either "Chill" or "chill!": not linked')
  t.equal(r.app.library.getPlaylist(ids.chill2), null)
})
