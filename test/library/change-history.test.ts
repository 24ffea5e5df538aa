// History between exports: three successive exports of one library imported in turn; each import
// keeps what it changed (entries added, removed, moved; track fields; tracks gone; playlists gone),
// read back by ChangeHistory, `history` and GET /admin/history.
import fs from 'node:fs'
import path from 'node:path'
import t from 'tap'
import { formatChanges, runHistory } from '../../src/commands/history.js'
import { loadConfig } from '../../src/config.js'
import { openDatabase } from '../../src/db.js'
import { diffEntries } from '../../src/library/change-log.js'
import { ChangeHistory } from '../../src/library/history-log.js'
import { importLibrary } from '../../src/library/importer.js'
import { proxyRig } from '../helpers/proxy.js'
import { exportifyFile, randomTrackId, trackCells } from '../helpers/library.js'

const ids = Array.from({ length: 6 }, (_, i) => randomTrackId(`history-${i}`))
const song = (i: number, o: { name?: string, popularity?: string } = {}): string[] => {
  const c = trackCells(ids[i]!, { name: o.name ?? `Song ${i}`, artists: ['Band'] })
  if (o.popularity !== undefined) c[6] = o.popularity
  return c
}
const dir = t.testdir()
const lib = path.join(dir, 'exports')
const dbFile = path.join(dir, 'library.sqlite')
const db = openDatabase(dbFile)
t.teardown(() => db.close())

/** One export of the library: writes its files (time moved on, so each import sees them changed), imports. */
async function exportAndImport (n: number, files: Record<string, string[][] | null>): Promise<void> {
  fs.mkdirSync(lib, { recursive: true })
  for (const [name, rows] of Object.entries(files)) {
    const file = path.join(lib, name)
    if (rows === null) fs.rmSync(file)
    else {
      fs.writeFileSync(file, exportifyFile(rows))
      fs.utimesSync(file, new Date(), new Date(Date.now() + n * 60_000))
    }
  }
  await importLibrary(db, lib)
}

await exportAndImport(1, { 'Mix.csv': [song(0), song(1), song(2), song(3)], 'Old.csv': [song(5)] })
const afterFirst = new ChangeHistory(db).list()
await exportAndImport(2, { 'Mix.csv': [song(0), song(2), song(1), song(3), song(4)] })
await new Promise(resolve => setTimeout(resolve, 5))
const thirdAt = Date.now()
await exportAndImport(3, { 'Mix.csv': [song(0, { name: 'Song 0 (Remastered)', popularity: '77' }), song(2), song(1), song(4)], 'Old.csv': null })

t.test('the first import is the baseline: nothing recorded', async t => {
  t.same(afterFirst, [])
})

t.test('each later import: what changed, compactly', async t => {
  const all = new ChangeHistory(db).list()
  const seen = all.map(c => [c.kind, c.playlist, c.name, c.detail])
  t.same(seen, [
    ['removed', 'Mix', 'Song 3', { at: 3 }],
    ['playlist-removed', 'Old', null, { tracks: 1 }],
    ['changed', null, 'Song 0 (Remastered)', { name: ['Song 0', 'Song 0 (Remastered)'], popularity: [42, 77] }],
    ['gone', null, 'Song 3', null],
    ['gone', null, 'Song 5', null],
    ['added', 'Mix', 'Song 4', { at: 4 }],
    ['moved', 'Mix', 'Song 2', { from: 2, to: 1 }]
  ], 'newest import first; no copy of an unchanged entry or track')
  t.equal(new Set(all.slice(0, 5).map(c => c.at)).size, 1, 'one import, one time')
  t.ok(all[0]!.at > all[6]!.at)
  t.same(new ChangeHistory(db).list({ playlist: 'mix' }).map(c => c.kind), ['removed', 'added', 'moved'], 'one playlist (case aside)')
  t.same(new ChangeHistory(db).list({ since: thirdAt }).length, 5, 'since a time')
  const rows = db.prepare('SELECT count(*) FROM library_changes').pluck().get() as number
  t.equal(rows, 7, 'seven rows for three imports of a library')
})

t.test('diffEntries: moves are what falls outside the longest run kept in order', async t => {
  t.same(diffEntries(['a', 'b', 'c', 'd'], ['a', 'c', 'd', 'b']), { added: [], removed: [], moved: [['b', 1, 3]] })
  t.same(diffEntries(['a', 'a', 'b'], ['a', 'b']), { added: [], removed: [['a', 1]], moved: [] }, 'a track twice is two entries')
  t.same(diffEntries([], ['x']).added, [['x', 0]])
})

t.test('`history`: grouped by import and playlist; --json; --playlist; --since', async t => {
  const out = { text: '', write (s: string) { this.text += s; return true } }
  const cfg = loadConfig({}, { SPOTIFY_PROXY_DB: dbFile })
  t.equal(runHistory(cfg, { json: false, out: out as unknown as NodeJS.WritableStream }), 0)
  t.match(out.text, /^Import of \d{4}-\d\d-\d\dT[\d:.]+Z\n {2}playlist "Mix"\n {4}- Song 3 — Band \(was at 4\)\n {2}playlist "Old"\n {4}- playlist \(had 1 tracks\)\n {2}tracks\n {4}\* Song 0 \(Remastered\) — Band: name "Song 0" → "Song 0 \(Remastered\)", popularity 42 → 77\n/)
  t.match(out.text, /~ Song 2 — Band \(3 → 2\)/)
  out.text = ''
  runHistory(cfg, { json: true, playlist: 'Old', out: out as unknown as NodeJS.WritableStream })
  t.match(JSON.parse(out.text), [{ kind: 'playlist-removed', playlist: 'Old' }])
  out.text = ''
  runHistory(cfg, { json: true, since: '2999-01-01', out: out as unknown as NodeJS.WritableStream })
  t.same(JSON.parse(out.text), [])
  t.throws(() => runHistory(cfg, { json: true, since: 'last week', out: out as unknown as NodeJS.WritableStream }), /is not a date/)
  t.match(formatChanges([]), /No changes recorded/)
})

t.test('GET /admin/history: the same, behind the admin guard', async t => {
  db.close()
  const r = await proxyRig(t, { SPOTIFY_CSV_BACKUP_PATH: lib }, dbFile)
  const res = await r.app.inject({ method: 'GET', url: '/admin/history?playlist=Mix&limit=2', remoteAddress: '127.0.0.1' })
  t.equal(res.statusCode, 200)
  t.same(res.json().changes.map((c: any) => [c.kind, c.name]), [['removed', 'Song 3'], ['added', 'Song 4']])
  t.equal((await r.app.inject({ method: 'GET', url: '/admin/history?since=nope', remoteAddress: '127.0.0.1' })).statusCode, 400)
  t.equal((await r.app.inject({ method: 'GET', url: '/admin/history', remoteAddress: '10.1.2.3' })).statusCode, 403, 'loopback callers only')
})
