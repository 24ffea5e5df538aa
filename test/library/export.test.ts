// `spotify-csv-proxy export`: the indexed library out of a real SQLite file, in each format; the CSV
// read back by the importer gives the same library; a generated library streams out with memory
// flat (the 1M-row figure is bench/export.ts's).
import fs from 'node:fs'
import path from 'node:path'
import { Writable } from 'node:stream'
import t from 'tap'
import v8 from 'node:v8'
import { runInNewContext } from 'node:vm'
import { runExport, type ExportCommandOptions } from '../../src/commands/export.js'
import { DEMO_LIBRARY, loadConfig } from '../../src/config.js'
import { LibraryExport } from '../../src/library/export-reader.js'
import { exportifyFile, importInto, randomTrackId, trackCells, writeLibrary } from '../helpers/library.js'

// A full collection between runs, so what a run leaves for the collector is not counted as kept.
v8.setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

const dir = t.testdir()
const demoDb = path.join(dir, 'demo.sqlite')
await importInto(DEMO_LIBRARY, demoDb, t)

/**
 * A sink that keeps the text, or only counts it and calls `onWrite`; it answers a write later
 * (backpressure applies), or at once (`sync`: a sink that never makes the writer wait).
 */
function sink (keep: boolean, onWrite: (bytes: number) => void = () => {}, sync = false): Writable & { text: string, bytes: number } {
  const s = new Writable({
    write (chunk: Buffer, _enc, done) {
      s.bytes += chunk.length
      if (keep) s.text += chunk.toString()
      onWrite(s.bytes)
      if (sync) done()
      else setImmediate(done)
    }
  }) as Writable & { text: string, bytes: number }
  s.text = ''
  s.bytes = 0
  return s
}

async function exported (db: string, o: Partial<ExportCommandOptions>): Promise<{ code: number, out: string, err: string }> {
  const out = sink(true)
  const err = sink(true)
  const code = await runExport(loadConfig({}, { SPOTIFY_PROXY_DB: db }), { format: 'ndjson', progress: false, stdout: out, stderr: err, ...o })
  return { code, out: out.text, err: err.text }
}

t.test('ndjson, json and csv carry the same tracks', async t => {
  const nd = await exported(demoDb, {})
  t.equal(nd.code, 0)
  const lines = nd.out.trimEnd().split('\n').map(l => JSON.parse(l))
  t.equal(lines.length, 53)
  t.equal(new Set(lines.map(l => l.uri)).size, 53, 'each track once')
  const json = JSON.parse((await exported(demoDb, { format: 'json' })).out)
  t.same(json, lines, 'a JSON array of the same objects')
  const csv = (await exported(demoDb, { format: 'csv' })).out.trimEnd().split('\r\n')
  t.equal(csv.length, 54, 'a header and a row per track')
  t.match(csv[0], /^Track URI,ISRC,Track Name,/)
})

t.test('the CSV export reads back as the same library', async t => {
  const lib = path.join(dir, 'roundtrip')
  fs.mkdirSync(lib)
  fs.writeFileSync(path.join(lib, 'everything.csv'), (await exported(demoDb, { format: 'csv' })).out)
  const again = await importInto(lib, path.join(dir, 'roundtrip.sqlite'), t)
  t.same(again.summary.problems, [])
  const back = (await exported(path.join(dir, 'roundtrip.sqlite'), {})).out.trimEnd().split('\n').map(l => JSON.parse(l))
  const before = (await exported(demoDb, {})).out.trimEnd().split('\n').map(l => JSON.parse(l))
  const key = (x: any): string => x.uri ?? x.name
  const pick = (x: any): unknown => [x.uri, x.name, x.artists.map((a: any) => a.name), x.album.name, x.duration_ms, x.external_ids]
  t.same(back.map(pick).sort((a: any, b: any) => (key(a) < key(b) ? -1 : 1)), before.map(pick).sort((a: any, b: any) => (key(a) < key(b) ? -1 : 1)))
})

t.test('filters: a playlist by name or id, the saved tracks since a date', async t => {
  const pl = await exported(demoDb, { playlist: 'deep focus', format: 'json' })
  t.equal(pl.code, 0)
  const entries = JSON.parse(pl.out)
  t.ok(entries.length > 0 && entries.every((e: any) => 'added_by' in e && 'track' in e), 'PlaylistTrackObjects')
  const saved = JSON.parse((await exported(demoDb, { saved: true, since: '2026-01-01', format: 'json' })).out)
  t.ok(saved.length > 0 && saved.length < 30)
  t.ok(saved.every((e: any) => e.added_at >= '2026-01-01'))
  await t.rejects(exported(demoDb, { playlist: 'No Such List' }), /no playlist with the id or name "No Such List"/)
  await t.rejects(exported(demoDb, { since: '2026-01-01' }), /--since needs --playlist or --saved/)
  await t.rejects(exported(demoDb, { saved: true, since: 'soon' }), /is not a date/)
})

t.test('--out writes the file and says so', async t => {
  const file = path.join(dir, 'out.ndjson')
  const r = await exported(demoDb, { out: file })
  t.same([r.code, r.out], [0, ''])
  t.match(r.err, /Exported 53 items to .*out\.ndjson/)
  t.equal(fs.readFileSync(file, 'utf8').trimEnd().split('\n').length, 53)
})

t.test('a generated library streams out with memory flat', async t => {
  const rows = 30_000
  const lib = writeLibrary(path.join(dir, 'big'), {
    'big.csv': exportifyFile(Array.from({ length: rows }, (_, i) => trackCells(randomTrackId(i), { name: `Song ${i} ${'x'.repeat(200)}` })))
  })
  const bigDb = path.join(dir, 'big.sqlite')
  const big = await importInto(lib, bigDb, t)
  t.equal(big.summary.tracks, rows)
  t.equal(new LibraryExport(big.db).total({}), rows)
  const cfg = loadConfig({}, { SPOTIFY_PROXY_DB: bigDb })
  // Three runs, each after a full collection: the first warms what any run keeps (SQLite's page
  // cache, the heap's size); the next ones must hold nothing more. Memory that kept what was
  // written (or the rows read) would grow by at least that much in each.
  const peaks: number[] = []
  const rises: number[] = []
  let total = 0
  for (const run of [1, 2, 3]) {
    gc()
    const start = process.memoryUsage().rss
    let peak = 0
    // A sink that takes every write at once: the writer must still go a page at a time.
    const out = sink(false, () => { peak = Math.max(peak, process.memoryUsage().rss) }, true)
    t.equal(await runExport(cfg, { format: 'ndjson', progress: false, stdout: out, stderr: sink(false) }), 0, `run ${run}`)
    peaks.push(peak)
    rises.push(peak - start)
    total = out.bytes
  }
  t.ok(total > 30e6, `the export is ${(total / 1e6).toFixed(0)} MB of text`)
  const growth = peaks[2]! - peaks[1]!
  t.comment(`peak RSS of each run: ${peaks.map(p => (p / 1e6).toFixed(0)).join(', ')} MB; rise within each: ${rises.map(p => (p / 1e6).toFixed(1)).join(', ')} MB`)
  t.ok(growth < total / 4, `RSS grew ${(growth / 1e6).toFixed(1)} MB in a third export of ${(total / 1e6).toFixed(0)} MB`)
})
