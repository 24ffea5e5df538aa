// The rough edges a new user hits with the CLI, each run as a user runs it: a child process, real
// folders and files, a real SQLite file. Every message must say what to do.
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import t from 'tap'
import { runDoctor } from '../../src/commands/doctor.js'
import { runImport } from '../../src/commands/import.js'
import { LinkError, playlistIdOf, runLink, runLinkOwner } from '../../src/commands/link.js'
import { DEMO_LIBRARY, loadConfig } from '../../src/config.js'
import { DatabaseOpenError, openDatabase } from '../../src/db.js'
import { cliArgs } from '../helpers/cli.js'
import { stageRealExports } from '../helpers/fixtures.js'
import { exportifyFile, randomTrackId, REPO_ROOT, trackCells, writeLibrary } from '../helpers/library.js'

// No inherited SPOTIFY_* settings, and an upstream on a closed loopback port: no test reaches a real host.
const ENV = { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SPOTIFY_') && !k.startsWith('NOTION_') && k !== 'PORT' && k !== 'HOST')), SPOTIFY_API_BASE_URL: 'http://127.0.0.1:9' }

function cli (args: string[], env: Record<string, string> = {}): { status: number | null, stdout: string, stderr: string } {
  const r = spawnSync(process.execPath, cliArgs(args), { cwd: REPO_ROOT, env: { ...ENV, ...env }, encoding: 'utf8', timeout: 60_000 })
  return { status: r.status, stdout: r.stdout, stderr: r.stderr }
}

const id = (n: number): string => randomTrackId(`cli-edges-${n}`)

/** `import [library]` in this process: its exit code and what it printed. */
async function importHere (db: string, library?: string, json = false): Promise<{ code: number, out: string }> {
  let out = ''
  const config = loadConfig({ SPOTIFY_PROXY_DB: db, SPOTIFY_CSV_BACKUP_PATH: library }, {})
  const code = await runImport(config, { json, progress: false, logger: { warn: () => {} }, out: { write: (s: string) => { out += s; return true } } as unknown as NodeJS.WritableStream })
  return { code, out }
}

t.test('an empty folder, or one without exports: exit 2 with a hint, and the index is left as it was', async t => {
  const root = t.testdir()
  const db = path.join(root, 'x.sqlite')
  t.equal((await importHere(db, DEMO_LIBRARY)).code, 0)
  const empty = path.join(root, 'empty')
  fs.mkdirSync(empty)
  const r = cli(['import', empty, '--db', db])
  t.equal(r.status, 2)
  t.match(r.stdout, /^Nothing to import: no CSV exports in .*empty\.\n/)
  t.match(r.stdout, /Export your library with Exportify [^]*"Export All" zip/)
  t.match(r.stdout, /The index of .*demo-library is unchanged\./)
  const json = JSON.parse((await importHere(db, undefined, true)).out)
  t.equal(json.root, DEMO_LIBRARY, 'with no path, the library the database indexed')
  t.equal(json.tracks, 53, 'the demo library is still indexed')

  const other = writeLibrary(path.join(root, 'account-data'), { 'YourLibrary.json': '{}', 'Playlist1.json': '{}' })
  const hint = await importHere(path.join(root, 'y.sqlite'), other)
  t.equal(hint.code, 2)
  t.match(hint.out, /It holds 2 other file\(s\), none of them \.csv or \.zip: Playlist1\.json, YourLibrary\.json/)
})

t.test('the summary says when no Liked Songs export was found', async t => {
  const root = t.testdir()
  const dir = writeLibrary(path.join(root, 'lib'), { 'Road_Trip.csv': exportifyFile([trackCells(id(1))]) })
  const r = await importHere(path.join(root, 'x.sqlite'), dir)
  t.equal(r.code, 0)
  t.match(r.out, /liked: {4}no Liked Songs export found \(liked\.csv, liked_songs\.csv, Liked_Songs\.csv, Liked Songs \[liked_songs\]\.csv\): saved tracks come only from Spotify/)
  writeLibrary(dir, { 'Liked_Songs (1).csv': exportifyFile([trackCells(id(2))]) })
  const again = await importHere(path.join(root, 'x.sqlite'), dir)
  t.notMatch(again.out, /no Liked Songs export/)
  t.match(again.out, /1 playlists, 1 liked songs/, 'a second download of Liked_Songs.csv is Liked Songs')
})

t.test('an unwritable --db: one line saying what to do, exit 2, for import and serve alike', async t => {
  const root = t.testdir()
  const aFile = path.join(root, 'a-file')
  fs.writeFileSync(aFile, 'not a database\n'.repeat(100))
  const cases: Array<[string, RegExp]> = [
    [path.join(aFile, 'db.sqlite'), /a part of its path is a file, not a folder/],
    [root, /it is a folder/],
    [aFile, /the file is not a SQLite database/]
  ]
  for (const [db, reason] of cases) {
    const err = t.throws(() => openDatabase(db)) as Error
    t.ok(err instanceof DatabaseOpenError, db)
    t.match(err.message, reason)
  }
  t.equal(fs.readFileSync(aFile, 'utf8'), 'not a database\n'.repeat(100), 'a file that is not a database is left alone')
  for (const [args, reason] of [[['import', DEMO_LIBRARY, '--db', cases[0]![0]], cases[0]![1]], [['serve', '--port', '0', '--db', root], cases[1]![1]]] as const) {
    const r = cli([...args])
    t.equal(r.status, 2, args[0])
    const lines = r.stderr.trim().split('\n')
    t.equal(lines.length, 1, `one line: ${r.stderr}`)
    t.match(lines[0], /^spotify-csv-proxy: cannot open the database /)
    t.match(lines[0], reason)
    t.match(lines[0], /choose a writable file with --db or SPOTIFY_PROXY_DB$/)
  }
})

t.test('the database file is created 0600 (its -wal and -shm too) in a folder created 0700', async t => {
  const dir = path.join(t.testdir(), 'data')
  const file = path.join(dir, 'p.sqlite')
  const db = openDatabase(file)
  t.teardown(() => { if (db.open) db.close() })
  db.prepare("INSERT INTO meta (key, value) VALUES ('k', 'v')").run()
  for (const f of [file, `${file}-wal`, `${file}-shm`]) t.equal(fs.statSync(f).mode & 0o777, 0o600, `${path.basename(f)} is 0600`)
  t.equal(fs.statSync(dir).mode & 0o777, 0o700)
  db.close()
  fs.chmodSync(file, 0o644)
  openDatabase(file).close()
  t.equal(fs.statSync(file).mode & 0o777, 0o600, 'a file an older version left world-readable is tightened')
})

t.test('link: playlist links as pasted, unknown and outside files refused, "nothing changed" said', async t => {
  const root = t.testdir()
  const db = path.join(root, 'x.sqlite')
  t.equal((await importHere(db)).code, 0)
  const shared = 'https://open.spotify.com/playlist/37i9dQZF1DX8NTLI2TtZa6?si=1a2b3c4d5e6f4a7b&pi=u-AbCdEf'
  const r = cli(['link', shared, 'Deep_Focus.csv', '--db', db])
  t.equal(r.status, 0, r.stderr)
  t.equal(r.stdout, 'Linked Deep_Focus.csv ("Deep Focus") to 37i9dQZF1DX8NTLI2TtZa6.\n', 'the id, without the share link\'s ?si=')
  const same = cli(['link', 'spotify:playlist:37i9dQZF1DX8NTLI2TtZa6', path.join(DEMO_LIBRARY, 'Deep_Focus.csv'), '--db', db])
  t.equal(same.status, 1)
  t.equal(same.stdout, 'Deep_Focus.csv ("Deep Focus") is already linked to 37i9dQZF1DX8NTLI2TtZa6: nothing changed.\n')
  const outsideFile = path.join(root, 'Elsewhere.csv')
  fs.writeFileSync(outsideFile, exportifyFile([trackCells(id(3))]))
  const out = cli(['link', '5ABHKGoOzxkaa28ttQV9sE', outsideFile, '--db', db])
  t.equal(out.status, 2)
  t.match(out.stderr, /is outside the library \(.*demo-library\): only a CSV file of the library can be linked/)

  for (const pasted of ['0vvXsWCC9xrXsKd4FyS8kM', ' spotify:playlist:0vvXsWCC9xrXsKd4FyS8kM ', 'open.spotify.com/intl-de/playlist/0vvXsWCC9xrXsKd4FyS8kM?si=x', 'spotify:user:someone:playlist:0vvXsWCC9xrXsKd4FyS8kM', 'https://open.spotify.com/embed/playlist/0vvXsWCC9xrXsKd4FyS8kM', 'http://open.spotify.com/playlist/0vvXsWCC9xrXsKd4FyS8kM#x']) {
    t.equal(playlistIdOf(pasted), '0vvXsWCC9xrXsKd4FyS8kM', pasted)
  }
  for (const bad of ['https://open.spotify.com/album/37i9dQZF1DX8NTLI2TtZa6', 'https://evil.example/playlist/37i9dQZF1DX8NTLI2TtZa6', 'spotify:playlist:short', 'javascript:alert(1)', '']) {
    t.equal(playlistIdOf(bad), null, JSON.stringify(bad))
  }
  const config = loadConfig({ SPOTIFY_PROXY_DB: db }, {})
  t.same(runLink(config, '0vvXsWCC9xrXsKd4FyS8kM', 'Late_Night_Drive.csv'), { path: 'Late_Night_Drive.csv', playlistId: '0vvXsWCC9xrXsKd4FyS8kM', name: 'Late Night Drive', changed: true })
  t.equal(runLink(config, 'open.spotify.com/playlist/0vvXsWCC9xrXsKd4FyS8kM', 'Late_Night_Drive.csv').changed, false)
  t.throws(() => runLink(config, '37i9dQZF1DX8NTLI2TtZa6', 'No_Such.csv'), new LinkError(`No_Such.csv: no such CSV file in the library (${DEMO_LIBRARY})`))
  for (const outside of ['../Elsewhere.csv', '/etc/hosts', path.relative(process.cwd(), outsideFile)]) {
    t.throws(() => runLink(config, '5ABHKGoOzxkaa28ttQV9sE', outside), { name: 'LinkError', message: /is outside the library/ }, outside)
  }
  const linked = openDatabase(db)
  t.teardown(() => linked.close())
  t.same(linked.prepare('SELECT path FROM playlist_links ORDER BY path').pluck().all(), ['Deep_Focus.csv', 'Late_Night_Drive.csv'], 'nothing outside the library was linked')
})

t.test('link --owner names the library\'s owner (the explicit step), and says when another rule still decides', async t => {
  const root = t.testdir()
  const db = path.join(root, 'x.sqlite')
  const mixed = stageRealExports(path.join(root, 'mixed'))
  t.equal((await importHere(db, mixed)).code, 0)
  const r = cli(['link', '--owner', 'spotify:user:seankmchenry', '--db', db])
  t.equal(r.status, 0, r.stderr)
  t.equal(r.stdout, 'Library owner: seankmchenry (confirmed with link --owner or serve --adopt-owner)\n')
  const checks = await runDoctor({ SPOTIFY_PROXY_DB: db }, { SPOTIFY_API_BASE_URL: 'http://127.0.0.1:9', PORT: '0' }, { timeoutMs: 500 })
  t.match(checks.find(c => c.name === 'library owner'), { verdict: 'ok', detail: /^seankmchenry \(confirmed/ })
  const configured = runLinkOwner(loadConfig({ SPOTIFY_PROXY_DB: db }, { SPOTIFY_CSV_OWNER: 'someone-else' }), 'seankmchenry')
  t.same([configured.owner?.id, configured.source], ['someone-else', 'configured'], 'SPOTIFY_CSV_OWNER still decides')
  t.throws(() => runLinkOwner(loadConfig({ SPOTIFY_PROXY_DB: db }, {}), 'not a user!'), { name: 'LinkError', message: /not a Spotify user id/ })
  const both = cli(['link', '--owner', 'x', '37i9dQZF1DX8NTLI2TtZa6', '--db', db])
  t.equal(both.status, 2)
  t.match(both.stderr, /link --owner takes no playlist or file/)
  const neither = cli(['link', '--db', db])
  t.equal(neither.status, 2)
  t.match(neither.stderr, /link needs <playlist> and <csv-file> \(or --owner <user-id>\)/)
})

t.test('remediate with no arguments prints its usage first', async t => {
  const r = cli(['remediate'])
  t.equal(r.status, 2)
  t.match(r.stderr, /^Usage: spotify-csv-proxy remediate \[options\]/)
  t.match(r.stderr, /--notion-database <id>/)
  t.match(r.stderr, /remediate needs --notion-database <id> \(or --undo <journal>, or --against spotify\)\.\n$/)
  t.notMatch(r.stderr, /NOTION_TOKEN is not set/, 'the token comes after what is missing from the command line')
  const token = cli(['remediate', '--notion-database', 'abc'])
  t.equal(token.status, 2)
  t.match(token.stderr, /NOTION_TOKEN is not set/)
})

t.test('control characters in file names and cells are escaped in CLI output', async t => {
  const root = t.testdir()
  const evil = 'Evil\u001b]0;owned\u0007\u001b[31m\u009b2J\u202e.csv'
  const dir = writeLibrary(path.join(root, 'lib'), { [evil]: exportifyFile([trackCells(id(4)), `spotify:track:\u001b[2Jjunk${id(5)},"T","A","B",2019,1000,0,false,,2025-05-01T00:00:00Z,"",""`]) })
  const db = path.join(root, 'x.sqlite')
  // eslint-disable-next-line no-control-regex
  const raw = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e]/
  const text = cli(['import', dir, '--db', db])
  t.equal(text.status, 1)
  t.notMatch(text.stdout, raw, 'no raw control character in the summary')
  t.notMatch(text.stderr, raw, 'nor in the warnings')
  t.match(text.stdout, 'Evil\\x1b]0;owned\\x07\\x1b[31m\\x9b2J\\u202e.csv:3')
  t.match(text.stdout, '"spotify:track:\\x1b[2Jjunk')
  const json = await importHere(db, dir, true)
  t.notMatch(json.out, raw)
  t.equal(JSON.parse(json.out).problems[0].file, evil, 'the JSON still decodes to the real name')
  const link = cli(['link', '37i9dQZF1DX8NTLI2TtZa6', evil, '--db', db])
  t.equal(link.status, 0, link.stderr)
  t.notMatch(link.stdout, raw)
  t.match(link.stdout, /^Linked Evil\\x1b/)
  const doctor = cli(['doctor', '--db', db, '--port', '0', '--library', path.join(root, 'gone\u001b[31m')])
  t.notMatch(doctor.stdout, raw)
  t.match(doctor.stdout, 'gone\\x1b[31m')
})

t.test('doctor rejects the upstream URLs serve rejects, and never prints their credentials', async t => {
  const db = path.join(t.testdir(), 'x.sqlite')
  const url = 'http://user:s3cret-pw@127.0.0.1:9'
  const doctor = cli(['doctor', '--db', db, '--port', '0'], { SPOTIFY_API_BASE_URL: url })
  t.equal(doctor.status, 2)
  t.match(doctor.stdout, /FAIL {2}configuration: invalid configuration: SPOTIFY_API_BASE_URL: must not carry credentials, a query or a fragment/)
  const serve = cli(['serve', '--port', '0', '--db', db], { SPOTIFY_API_BASE_URL: url })
  t.equal(serve.status, 2)
  t.equal(serve.stderr, 'spotify-csv-proxy: invalid configuration: SPOTIFY_API_BASE_URL: must not carry credentials, a query or a fragment\n', 'serve refuses it with the same message')
  for (const out of [doctor.stdout, serve.stderr, serve.stdout]) t.notMatch(out, /s3cret-pw/, 'the secret is not printed')
  for (const bad of ['https://127.0.0.1:9/?token=s3cret-pw', 'https://127.0.0.1:9/#s3cret-pw', 'ftp://127.0.0.1:9', 'http://:s3cret-pw@127.0.0.1:9']) {
    const checks = await runDoctor({ SPOTIFY_PROXY_DB: db }, { SPOTIFY_API_BASE_URL: bad })
    t.same(checks.map(c => [c.name, c.verdict]), [['configuration', 'fail']], bad)
    t.notMatch(JSON.stringify(checks), /s3cret-pw/)
    t.throws(() => loadConfig({}, { SPOTIFY_API_BASE_URL: bad }), { name: 'ConfigError', message: checks[0]!.detail })
  }
})
