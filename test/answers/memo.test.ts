// Kept library answers: served again from memory, bounded, and dropped when the library changes,
// whether through this process (a learned link) or another one (an import from the CLI).
import path from 'node:path'
import Database from 'better-sqlite3'
import t from 'tap'
import { LibraryAnswerMemo } from '../../src/answers/memo.js'
import { openDatabase } from '../../src/library/db.js'
import { importLibrary } from '../../src/library/importer.js'
import { LibraryStore } from '../../src/library/store.js'
import { DEMO_LIBRARY } from '../../src/config.js'

t.test('bounded by bytes, least recently used first', async t => {
  let version = 'a'
  const memo = new LibraryAnswerMemo({ maxBytes: 800, version: () => version })
  const answer = (n: number): { status: number, bytes: Buffer } => ({ status: 200, bytes: Buffer.alloc(n, 'x') })
  memo.put('k1', answer(100))
  memo.put('k2', answer(100))
  t.same(memo.get('k1')?.bytes.length, 100)
  for (let i = 3; i <= 9; i++) memo.put(`k${i}`, answer(100))
  t.ok(memo.size.bytes <= 800)
  t.not(memo.get('k1'), null, 'recently used: kept')
  t.equal(memo.get('k2'), null, 'least recently used: dropped')
  memo.put('huge', answer(200))
  t.equal(memo.get('huge'), null, 'an answer over an eighth of the bound is not kept')
  version = 'b'
  t.equal(memo.get('k1'), null, 'a new library version drops everything')
  t.same(memo.size, { entries: 0, bytes: 0 })
})

t.test('the store\'s version follows links and other processes\' imports', async t => {
  const file = path.join(t.testdir(), 'lib.sqlite')
  const db = openDatabase(file)
  t.teardown(() => db.close())
  await importLibrary(db, DEMO_LIBRARY)
  const store = new LibraryStore(db)
  const v0 = store.version()
  t.equal(store.version(), v0, 'stable while nothing changes')
  const p = store.listPlaylists({ limit: 1, offset: 0 }).items[0]!
  store.linkPlaylist(p.path, '37i9dQZF1DX8NTLI2TtZa6', 'learned')
  const v1 = store.version()
  t.not(v1, v0, 'a link changes it')
  const other = new Database(file)
  other.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('x', 'y')").run()
  other.close()
  t.not(store.version(), v1, 'a commit by another connection changes it')
})
