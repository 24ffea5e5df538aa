// Kept library answers: served again from memory, bounded, and dropped when the library changes,
// whether through this process (a learned link) or another one (an import from the CLI).
import path from 'node:path'
import Database from 'better-sqlite3'
import t from 'tap'
import { DEFAULT_MAX_ENTRIES, LibraryAnswerMemo } from '../../src/answers/memo.js'
import { openDatabase } from '../../src/db.js'
import { importLibrary } from '../../src/library/importer.js'
import { LibraryStore } from '../../src/library/store.js'
import { DEMO_LIBRARY } from '../../src/config.js'

/** An answer built twice: the second time it is kept. */
function keep (memo: LibraryAnswerMemo, key: string, answer: { status: number, bytes: Buffer }): void {
  memo.put(key, answer)
  memo.put(key, answer)
}

t.test('an answer is kept the second time it is built, not the first', async t => {
  let version = 'a'
  const memo = new LibraryAnswerMemo({ maxBytes: 1 << 20, version: () => version })
  const a = { status: 200, bytes: Buffer.from('{"ok":1}') }
  memo.put('/v1/me/tracks?offset=0', a)
  t.equal(memo.get('/v1/me/tracks?offset=0'), null, 'asked once (a sync paging through): not kept')
  t.same(memo.size, { entries: 0, bytes: 0 })
  memo.put('/v1/me/tracks?offset=0', a)
  t.same(memo.get('/v1/me/tracks?offset=0')?.bytes, a.bytes, 'asked again: kept')
  memo.put('/v1/me/tracks?offset=50', a)
  version = 'b'
  memo.put('/v1/me/tracks?offset=50', a)
  t.equal(memo.get('/v1/me/tracks?offset=50'), null, 'a new library version forgets what was asked before it')
})

t.test('bounded by bytes, least recently used first', async t => {
  let version = 'a'
  // Each entry below costs 1,000 answer bytes + 2 × 2 key bytes + 200 overhead = 1,204.
  const memo = new LibraryAnswerMemo({ maxBytes: 10_000, version: () => version })
  const answer = (n: number): { status: number, bytes: Buffer } => ({ status: 200, bytes: Buffer.alloc(n, 'x') })
  keep(memo, 'k1', answer(1000))
  keep(memo, 'k2', answer(1000))
  t.same(memo.get('k1')?.bytes.length, 1000)
  for (let i = 3; i <= 9; i++) keep(memo, `k${i}`, answer(1000))
  t.ok(memo.size.bytes <= 10_000)
  t.equal(memo.size.entries, 8)
  t.not(memo.get('k1'), null, 'recently used: kept')
  t.equal(memo.get('k2'), null, 'least recently used: dropped')
  keep(memo, 'huge', answer(2000))
  t.equal(memo.get('huge'), null, 'an answer over an eighth of the bound is not kept')
  version = 'b'
  t.equal(memo.get('k1'), null, 'a new library version drops everything')
  t.same(memo.size, { entries: 0, bytes: 0 })
})

t.test('bounded by entries', async t => {
  const memo = new LibraryAnswerMemo({ maxBytes: 1 << 30, maxEntries: 3, version: () => 'v' })
  for (const k of ['a', 'b', 'c', 'd']) keep(memo, k, { status: 200, bytes: Buffer.from('{}') })
  t.equal(memo.size.entries, 3)
  t.equal(memo.get('a'), null, 'the oldest went')
  t.not(memo.get('d'), null)
})

t.test('distinct 8 KB paths (a client choosing its keys) stay within the bounds, keys counted', async t => {
  const body = Buffer.from('{"error":{"status":400,"message":"invalid id"}}')
  const filler = 'x'.repeat(8 * 1024 - 40)
  const key = (i: number): string => `GET local\u0000\u0000/v1/tracks/${i}?q=${filler}` // as the proxy builds them
  // The proxy's own setting (src/plugins/proxy.ts: 256 MB): more keys than entries allowed.
  const maxBytes = 256 * 1024 * 1024
  const memo = new LibraryAnswerMemo({ maxBytes, version: () => 'v' })
  const n = DEFAULT_MAX_ENTRIES + 2_000
  for (let i = 0; i < n; i++) keep(memo, key(i), { status: 400, bytes: body })
  const { entries, bytes } = memo.size
  t.equal(entries, DEFAULT_MAX_ENTRIES, `${entries} entries kept, at most ${DEFAULT_MAX_ENTRIES}`)
  t.ok(bytes <= maxBytes, `${bytes} bytes counted, at most ${maxBytes}`)
  t.ok(bytes >= entries * 8 * 1024, 'every kept key is counted at its length at least')
  t.not(memo.get(key(n - 1)), null, 'the newest are kept')
  t.equal(memo.get(key(0)), null, 'the oldest went')
  // 16 MB: the keys' bytes bind first (8 KB a key, counted at two bytes a character).
  const small = new LibraryAnswerMemo({ maxBytes: 16 * 1024 * 1024, version: () => 'v' })
  for (let i = 0; i < 3_000; i++) keep(small, key(i), { status: 400, bytes: body })
  t.ok(small.size.bytes <= 16 * 1024 * 1024, `${small.size.bytes} bytes counted, at most 16 MB`)
  t.ok(small.size.entries < 1_100 && small.size.entries > 900, `~1,000 entries of ~16 KB kept (${small.size.entries})`)
  t.not(small.get(key(2_999)), null, 'the newest are kept')
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
  // data_version is read once a turn of the event loop (store.ts).
  t.equal(store.version(), v1, 'not within the turn the store read it in')
  await new Promise(resolve => setImmediate(resolve))
  t.not(store.version(), v1, 'a commit by another connection changes it from the next turn on')
})
