// Exportify's "Export All" zip read as it is downloaded: real zip files (written with yazl) of the
// real exports, imported through the real importer into a real SQLite file and through the CLI.
import fs from 'node:fs'
import path from 'node:path'
import t from 'tap'
import yazl from 'yazl'
import { importLibrary } from '../../src/library/importer.js'
import { LibraryStore } from '../../src/library/store.js'
import { REAL, REAL_EXPORTS, stageRealExports } from '../helpers/fixtures.js'
import { exportifyFile, importInto, randomTrackId, runCli, trackCells, writeLibrary } from '../helpers/library.js'

async function zipOf (entries: Record<string, string | Buffer | null>): Promise<Buffer> {
  const zip = new yazl.ZipFile()
  for (const [name, content] of Object.entries(entries)) {
    if (content === null) zip.addEmptyDirectory(name)
    else zip.addBuffer(Buffer.from(content), name)
  }
  zip.end()
  const chunks: Buffer[] = []
  for await (const c of zip.outputStream) chunks.push(c as Buffer)
  return Buffer.concat(chunks)
}

/** The six real exports as "Export All" names them (flat, under the exporters' file names). */
function realEntries (): Record<string, Buffer> {
  return Object.fromEntries(Object.entries(REAL_EXPORTS).map(([from, to]) => [path.posix.basename(to), fs.readFileSync(path.join(REAL, from))]))
}

const id = (n: number): string => randomTrackId(`zip-${n}`)
const BAD = exportifyFile([trackCells(id(1)), trackCells(id(2)).slice(0, 3), trackCells(id(3))])

t.test('a folder holding only the zip imports what the unzipped exports import; problems are named archive.zip:inner.csv:line', async t => {
  const root = t.testdir()
  const plain = await importInto(stageRealExports(path.join(root, 'plain')), path.join(root, 'plain.sqlite'), t)
  const dir = writeLibrary(path.join(root, 'zipped'), {
    'spotify_playlists.zip': await zipOf({
      ...realEntries(),
      'bad.csv': BAD,
      'sub/': null,
      '__MACOSX/._liked.csv': 'not a csv',
      '.hidden.csv': 'not an export',
      'readme.txt': 'hello'
    })
  })
  const { summary, store, db } = await importInto(dir, path.join(root, 'zipped.sqlite'), t)
  // readme.txt is looked at (spotify-backup writes .txt files) and skipped as no export, with no problem.
  t.same(summary.files, { seen: 8, indexed: 7, unchanged: 0, removed: 0, skipped: 1 })
  t.same(summary.problems.map(p => `${p.file}:${p.line}`), ['spotify_playlists.zip:bad.csv:3'])
  t.match(summary.problems[0]!.reason, /the row is cut off/)
  t.equal(summary.tracks, plain.summary.tracks + 2, 'every track of the exports, and the two good rows of bad.csv')
  t.equal(summary.likedSongs, plain.summary.likedSongs, 'liked.csv and Liked_Songs.csv inside the zip are Liked Songs')
  t.equal(summary.likedFiles, 2)
  const names = (s: LibraryStore): string[] => s.listPlaylists({ limit: 50, offset: 0 }).items.map(p => p.name).sort()
  t.same(names(store), [...names(plain.store), 'bad'].sort(), 'playlists named by the CSVs\' own file names')
  t.same(store.getTrackById('6x6mbNnTIxWlnkn46PvDEm'), plain.store.getTrackById('6x6mbNnTIxWlnkn46PvDEm'), 'a track merged across two exports in the zip as from files')

  const again = await importLibrary(db, dir)
  t.same(again.files, { seen: 8, indexed: 0, unchanged: 8, removed: 0, skipped: 0 }, 'an unchanged zip is not read again')
  // The same export downloaded again: a new file time, the same CSVs inside.
  fs.utimesSync(path.join(dir, 'spotify_playlists.zip'), new Date(), new Date(Date.now() + 60_000))
  const redownloaded = await importLibrary(db, dir)
  t.same(redownloaded.files, { seen: 8, indexed: 0, unchanged: 8, removed: 0, skipped: 0 }, 'a re-download with the same CSVs is recognised by their hashes')
})

t.test('a damaged zip is a problem of its own; the CSVs beside it load', async t => {
  const root = t.testdir()
  const zip = await zipOf({ 'liked.csv': fs.readFileSync(path.join(REAL, 'watsonbox-2022plus_en-19col-isrc_liked.csv')) })
  const dir = writeLibrary(path.join(root, 'lib'), {
    'broken.zip': 'PK\x03\x04 this is not really a zip archive',
    'cut.zip': zip.subarray(0, zip.length - 30),
    'good.csv': exportifyFile([trackCells(id(10))])
  })
  const { summary } = await importInto(dir, path.join(root, 'x.sqlite'), t)
  t.same(summary.problems.map(p => [p.file, p.line]), [['broken.zip', null], ['cut.zip', null]])
  for (const p of summary.problems) t.match(p.reason, /^not a readable zip archive \(.+\)$/)
  t.equal(summary.tracks, 1)
  t.same(summary.files, { seen: 3, indexed: 1, unchanged: 0, removed: 0, skipped: 2 })
})

t.test('a large zip is read in the worker thread like large files', async t => {
  const root = t.testdir()
  const rows = Array.from({ length: 40_000 }, (_, i) => trackCells(id(1000 + i)))
  const csv = exportifyFile(rows)
  t.ok(csv.length > 8 * 1024 * 1024, 'over the worker threshold')
  const dir = writeLibrary(path.join(root, 'lib'), { 'spotify_playlists.zip': await zipOf({ 'big.csv': csv, 'Liked_Songs.csv': exportifyFile(rows.slice(0, 10)) }) })
  const { summary, store } = await importInto(dir, path.join(root, 'x.sqlite'), t)
  t.same(summary.rows, { read: 40_010, rejected: 0 })
  t.equal(summary.tracks, 40_000)
  t.equal(summary.likedSongs, 10)
  t.equal(store.getTrackById(id(1000 + 39_999))?.name, `Song ${id(1000 + 39_999)}`)
})

t.test('the CLI: a folder with only the zip exits 0; problems print as archive.zip:inner.csv:line', async t => {
  const root = t.testdir()
  const dir = writeLibrary(path.join(root, 'lib'), { 'spotify_playlists.zip': await zipOf({ ...realEntries(), 'bad.csv': BAD }) })
  const r = await runCli(['import', dir, '--db', path.join(root, 'x.sqlite')])
  t.equal(r.code, 1, 'one row rejected')
  t.match(r.stdout, /7 found, 7 read/)
  t.match(r.stdout, /\n {2}spotify_playlists\.zip:bad\.csv:3 {2}3 cells where/)
  const clean = writeLibrary(path.join(root, 'clean'), { 'spotify_playlists.zip': await zipOf(realEntries()) })
  const ok = await runCli(['import', clean, '--db', path.join(root, 'y.sqlite')])
  t.equal(ok.code, 0, ok.stderr)
  t.match(ok.stdout, /6 found, 6 read/)
})
