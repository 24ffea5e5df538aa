// How the database is opened: the server maps its file for reading (fallback answers read rows all
// over the library), one-shot commands do not; temporary files stay in memory for both.
import fs from 'node:fs'
import path from 'node:path'
import t from 'tap'
import { openDatabase, SERVE_MMAP_BYTES } from '../../src/db.js'
import { proxyRig } from '../helpers/proxy.js'

t.test('the server maps its database file; answers read through the mapping', async t => {
  const r = await proxyRig(t, { SPOTIFY_CSV_CACHE_TTL: '3600' })
  t.equal(r.app.db.pragma('mmap_size', { simple: true }), SERVE_MMAP_BYTES, 'mmap_size as the server sets it')
  t.equal(r.app.db.pragma('temp_store', { simple: true }), 2, 'temporary files in memory')
  // A stored answer read back from the mapped file, after the WAL is folded into it.
  const held = '/v1/albums/4aawyAB9vmqN3uQ7FjRGTy'
  const first = await r.get(held)
  t.equal(first.statusCode, 200)
  r.app.db.pragma('wal_checkpoint(TRUNCATE)')
  t.equal(fs.statSync(`${r.dbFile}-wal`).size, 0, 'the WAL is empty: reads come from the file')
  const again = await r.get(held)
  t.equal(again.headers['x-proxy-source'], 'cache')
  t.equal(again.body, first.body, 'the same bytes, read from the mapped file')
})

t.test('one-shot commands open it unmapped', async t => {
  const db = openDatabase(path.join(t.testdir(), 'x.sqlite'))
  t.teardown(() => { db.close() })
  t.equal(db.pragma('mmap_size', { simple: true }), 0)
  t.equal(db.pragma('temp_store', { simple: true }), 2)
})
