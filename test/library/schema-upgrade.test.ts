// A database indexed by an earlier version (tracks as JSON, no schema version) is rebuilt on open:
// its library tables go, the user's playlist links and the rest of the file stay, and the next
// import reads every file again into the new tables.
import path from 'node:path'
import Database from 'better-sqlite3'
import t from 'tap'
import { DEMO_LIBRARY } from '../../src/config.js'
import { openDatabase } from '../../src/db.js'
import { importLibrary } from '../../src/library/importer.js'
import { LibraryStore } from '../../src/library/store.js'

t.test('an index of the earlier layout is dropped and rebuilt; links and meta stay', async t => {
  const file = path.join(t.testdir(), 'old.sqlite')
  const old = new Database(file)
  old.exec(`
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    INSERT INTO meta VALUES ('library_root', '/somewhere');
    CREATE TABLE playlist_links (path TEXT PRIMARY KEY, playlist_id TEXT NOT NULL UNIQUE, source TEXT NOT NULL);
    INSERT INTO playlist_links VALUES ('Deep_Focus.csv', '37i9dQZF1DX8NTLI2TtZa6', 'linked');
    CREATE TABLE library_files (path TEXT PRIMARY KEY, size INTEGER NOT NULL, mtime_ms INTEGER NOT NULL, sha256 TEXT NOT NULL, status TEXT NOT NULL);
    INSERT INTO library_files VALUES ('Deep_Focus.csv', 1, 1, 'x', 'indexed');
    CREATE TABLE tracks (rowid INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, data TEXT NOT NULL);
    INSERT INTO tracks VALUES (1, 'abc', '{}');
  `)
  old.close()

  const db = openDatabase(file)
  t.teardown(() => db.close())
  const columns = (table: string): string[] => (db.prepare(`PRAGMA table_info(${table})`).all() as Array<{ name: string }>).map(c => c.name)
  t.notOk(columns('tracks').includes('data'), 'tracks has the new columns')
  t.ok(columns('tracks').includes('album'))
  t.equal(db.prepare('SELECT count(*) FROM library_files').pluck().get(), 0, 'the old index is gone: every file is read again')
  t.equal(db.prepare("SELECT value FROM meta WHERE key = 'library_root'").pluck().get(), '/somewhere', 'meta stays')

  const summary = await importLibrary(db, DEMO_LIBRARY)
  t.equal(summary.files.indexed, summary.files.seen, 'the next import reads every file')
  t.equal(summary.tracks, 53)
  t.equal(new LibraryStore(db).getPlaylist('37i9dQZF1DX8NTLI2TtZa6')?.name, 'Deep Focus', 'the link the user made still names the playlist')
})

t.test('a database already in the current layout is opened as it is', async t => {
  const file = path.join(t.testdir(), 'current.sqlite')
  const first = openDatabase(file)
  await importLibrary(first, DEMO_LIBRARY)
  first.close()
  const db = openDatabase(file)
  t.teardown(() => db.close())
  t.equal(db.prepare('SELECT count(*) FROM tracks').pluck().get(), 53, 'nothing dropped')
  t.equal((await importLibrary(db, DEMO_LIBRARY)).files.unchanged, 5, 'every file unchanged')
})

t.test('an index of the layout before album answer ids (schema 2) is rebuilt with them', async t => {
  const file = path.join(t.testdir(), 'v2.sqlite')
  const first = openDatabase(file)
  await importLibrary(first, DEMO_LIBRARY)
  // What version 2 left: the same tables, albums without answer_id.
  first.exec("DROP INDEX albums_answer; ALTER TABLE albums DROP COLUMN answer_id; UPDATE meta SET value = '2' WHERE key = 'library_schema'")
  first.close()
  const db = openDatabase(file)
  t.teardown(() => db.close())
  t.ok((db.prepare('PRAGMA table_info(albums)').all() as Array<{ name: string }>).some(c => c.name === 'answer_id'), 'albums has answer_id')
  t.equal(db.prepare('SELECT count(*) FROM albums').pluck().get(), 0, 'the old index is gone')
  t.equal((await importLibrary(db, DEMO_LIBRARY)).files.indexed, 5, 'every file is read again')
  t.equal(db.prepare("SELECT count(*) FROM albums WHERE answer_id = ''").pluck().get(), 0, 'every album has its id')
})
