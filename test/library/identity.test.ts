// Which library the database holds: `serve` with no path keeps serving what `import DIR` indexed,
// a switch to another folder is said in the log and by `doctor`, the demo is used only on an
// empty database, and whether the indexed library is the demo follows the library as it changes.
// Real folders, real SQLite files, the real app through Fastify's inject.
import fs from 'node:fs'
import path from 'node:path'
import { Writable } from 'node:stream'
import type { FastifyInstance } from 'fastify'
import t, { type Test } from 'tap'
import { buildApp } from '../../src/http/app.js'
import { runDoctor } from '../../src/commands/doctor.js'
import { DEMO_LIBRARY, loadConfig } from '../../src/config.js'
import { openDatabase } from '../../src/db.js'
import { chooseLibrary } from '../../src/library/identity.js'
import { importLibrary } from '../../src/library/importer.js'
import { loggerOptions } from '../../src/http/logger.js'
import { stageRealExports } from '../helpers/fixtures.js'
import { runCli } from '../helpers/library.js'

const TOKEN = 'local-script-token'

interface Served { app: FastifyInstance, logs: Array<Record<string, unknown>> }

/** `serve` as the CLI builds it (offline, a local token), with the log kept. */
async function serve (t: Test, dbFile: string, env: Record<string, string> = {}): Promise<Served> {
  const logs: Array<Record<string, unknown>> = []
  const stream = new Writable({ write (chunk: Buffer, _enc, done) { logs.push(JSON.parse(chunk.toString()) as Record<string, unknown>); done() } })
  const config = loadConfig({}, { SPOTIFY_PROXY_DB: dbFile, SPOTIFY_PROXY_MODE: 'offline', SPOTIFY_PROXY_LOCAL_TOKENS: TOKEN, SPOTIFY_API_BASE_URL: 'http://127.0.0.1:9', ...env })
  const app = await buildApp(config, { logger: { ...loggerOptions('info', false), stream } })
  t.teardown(async () => { await app.close() })
  return { app, logs }
}

async function playlistNames (app: FastifyInstance): Promise<string[]> {
  const res = await app.inject({ url: '/v1/me/playlists?limit=50', headers: { authorization: `Bearer ${TOKEN}` } })
  return (res.json() as { items: Array<{ name: string }> }).items.map(p => p.name).sort()
}

t.test('serve with no path after `import DIR` serves DIR, not the demo', async t => {
  const root = t.testdir()
  const dir = stageRealExports(path.join(root, 'exports'))
  const dbFile = path.join(root, 'p.sqlite')
  const imported = await runCli(['import', dir, '--db', dbFile])
  t.equal(imported.code, 0, imported.stderr)

  const { app, logs } = await serve(t, dbFile)
  const indexed = logs.find(l => l.msg === 'library indexed')!
  t.equal(indexed.library, dir)
  t.equal(indexed.chosen, 'indexed')
  t.same(indexed.files, { seen: 6, indexed: 0, unchanged: 6, removed: 0, skipped: 0 }, 'nothing removed, nothing read again')
  t.same(await playlistNames(app), ['lagos jump', 'utz utz utz', 'your top songs 2018', 'your top songs 2023'])
  t.equal(app.config.csvBackupPath, dir, 'the configuration names the library served')
  t.equal(app.config.demoLibrary, false)
  t.equal(app.libraryIdentity.isDemo(), false)
  t.notOk(logs.some(l => typeof l.msg === 'string' && l.msg.includes('demo library')))
})

t.test('switching to another folder is said in the log (warn) and by doctor, before it happens', async t => {
  const root = t.testdir()
  const dir = stageRealExports(path.join(root, 'exports'))
  const other = path.join(root, 'other')
  fs.cpSync(DEMO_LIBRARY, other, { recursive: true })
  const dbFile = path.join(root, 'p.sqlite')
  const db = openDatabase(dbFile)
  await importLibrary(db, dir)
  db.close()

  const checks = await runDoctor({}, { SPOTIFY_PROXY_DB: dbFile, SPOTIFY_CSV_BACKUP_PATH: other, SPOTIFY_API_BASE_URL: 'http://127.0.0.1:9', PORT: '0' }, { timeoutMs: 1000 })
  const library = checks.find(c => c.name === 'library')!
  t.equal(library.verdict, 'warn')
  t.match(library.detail, `but this database indexed ${dir}: the next serve or import replaces that index with this folder's`)
  t.match(library.fix, `to keep serving ${dir}, unset SPOTIFY_CSV_BACKUP_PATH`)
  const unset = await runDoctor({}, { SPOTIFY_PROXY_DB: dbFile, SPOTIFY_API_BASE_URL: 'http://127.0.0.1:9', PORT: '0' }, { timeoutMs: 1000 })
  t.match(unset.find(c => c.name === 'library'), { verdict: 'ok', detail: new RegExp(`6 CSV file\\(s\\) in ${dir} \\(the library this database indexed`) })

  const { app, logs } = await serve(t, dbFile, { SPOTIFY_CSV_BACKUP_PATH: other })
  const warning = logs.find(l => l.level === 40 && typeof l.msg === 'string' && l.msg.startsWith('switching libraries'))
  t.match(warning, { from: dir, to: other, files: 6 })
  t.equal(app.libraryState.summary?.replaced, dir)
  t.same(await playlistNames(app), ['Café Classics', 'Deep Focus', 'Late Night Drive', 'Workout Sprint Mix'])
  await app.close()
  const { logs: again } = await serve(t, dbFile)
  t.notOk(again.some(l => l.level === 40), 'the next plain serve keeps the new library quietly')
  t.equal(again.find(l => l.msg === 'library indexed')?.library, other)
})

t.test('the demo library only on an empty database; isDemo() follows the library as it changes', async t => {
  const root = t.testdir()
  const dbFile = path.join(root, 'p.sqlite')
  const { app, logs } = await serve(t, dbFile)
  t.equal(logs.find(l => l.msg === 'library indexed')?.chosen, 'demo')
  t.equal(app.libraryIdentity.isDemo(), true)

  // Another process imports a real library into the same database while the proxy runs.
  const other = openDatabase(dbFile)
  t.teardown(() => { if (other.open) other.close() })
  await importLibrary(other, stageRealExports(path.join(root, 'exports')))
  t.equal(app.libraryIdentity.isDemo(), false, 'no longer the demo, without a restart')
  await importLibrary(other, DEMO_LIBRARY)
  t.equal(app.libraryIdentity.isDemo(), true, 'the demo again')
  // A copy of the demo with one file edited is somebody's own library.
  const edited = path.join(root, 'edited')
  fs.cpSync(DEMO_LIBRARY, edited, { recursive: true })
  fs.appendFileSync(path.join(edited, 'Deep_Focus.csv'), '\n')
  await importLibrary(other, edited)
  t.equal(app.libraryIdentity.isDemo(), false, 'an edited copy is not the demo')
})

t.test('a library that cannot be found again is never swapped for the demo', async t => {
  const root = t.testdir()
  const dir = stageRealExports(path.join(root, 'exports'))
  const dbFile = path.join(root, 'p.sqlite')
  const db = openDatabase(dbFile)
  t.teardown(() => { if (db.open) db.close() })
  await importLibrary(db, dir)
  fs.renameSync(dir, path.join(root, 'moved'))
  t.throws(() => chooseLibrary({ csvBackupPath: DEMO_LIBRARY, csvBackupPathSet: false }, db), { name: 'LibraryPathError', message: `the library this database indexed, ${dir}, is gone: name the folder to serve with --library or SPOTIFY_CSV_BACKUP_PATH` })
  db.prepare("DELETE FROM meta WHERE key = 'library_root'").run()
  t.throws(() => chooseLibrary({ csvBackupPath: DEMO_LIBRARY, csvBackupPathSet: false }, db), { name: 'LibraryPathError', message: /indexed before spotify-csv-proxy remembered which folder it came from: name that folder once/ })
  db.close()
  const config = loadConfig({}, { SPOTIFY_PROXY_DB: dbFile, SPOTIFY_PROXY_MODE: 'offline' })
  await t.rejects(buildApp(config, { logger: false }), { name: 'LibraryPathError' }, 'serve refuses to start rather than drop the library')
  const demoDb = openDatabase(path.join(root, 'demo.sqlite'))
  t.teardown(() => demoDb.close())
  await importLibrary(demoDb, DEMO_LIBRARY)
  demoDb.prepare("DELETE FROM meta WHERE key = 'library_root'").run()
  t.equal(chooseLibrary({ csvBackupPath: DEMO_LIBRARY, csvBackupPathSet: false }, demoDb).how, 'demo', 'an old database that holds the demo keeps it')
})

t.test('serve on a folder with nothing to import says so and keeps serving the library it had', async t => {
  const root = t.testdir()
  const dbFile = path.join(root, 'p.sqlite')
  const db = openDatabase(dbFile)
  await importLibrary(db, DEMO_LIBRARY)
  db.close()
  const empty = path.join(root, 'empty')
  fs.mkdirSync(empty)
  const { app, logs } = await serve(t, dbFile, { SPOTIFY_CSV_BACKUP_PATH: empty })
  t.match(logs.find(l => l.level === 40), { library: empty, msg: /no CSV exports \(\.csv, or Exportify's "Export All" \.zip\) found in the library folder: nothing was indexed from it/ })
  t.equal(app.config.csvBackupPath, DEMO_LIBRARY, 'the library served is still the one indexed')
  t.equal((await playlistNames(app)).length, 4)
})
