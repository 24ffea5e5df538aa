// Rows that cannot be a track, added to each of the six real exports (one per dialect): each is
// rejected with file:line:reason, exit 1, and every real row still loads, its empty cells (local
// files, podcasts, missing audio features, Spotify-made playlists) included.
import fs from 'node:fs'
import path from 'node:path'
import t from 'tap'
import { detectDialect } from '../../src/library/headers.js'
import { parseLine } from '../../src/library/csv-reader.js'
import { REAL, REAL_EXPORTS, stageRealExports } from '../helpers/fixtures.js'
import { importInto, runCli } from '../helpers/library.js'

const quoteAll = (cells: readonly string[]): string => cells.map(c => `"${c.replaceAll('"', '""')}"`).join(',')

interface Bad { file: string, line: number, reason: RegExp }

/** Appends broken copies of the file's first row; returns what the import must say about them. */
function breakRows (abs: string, rel: string): { bad: Bad[], accepted: number } {
  const text = fs.readFileSync(abs, 'utf8').replace(/^\uFEFF+/, '')
  const lines = text.split('\n').filter(l => l !== '')
  const header = parseLine(lines[0]!, ',')
  const first = parseLine(lines[1]!, ',')
  const d = detectDialect(header, [first])
  const c = d.columns
  const edit = (i: number | undefined, v: string): string[] => first.map((cell, j) => (j === i ? v : cell))
  const rows: Array<[string[], RegExp | null]> = [
    [first.slice(0, 3), /^3 cells where a row of this export has at least \d+ \(the row is cut off\)$/],
    [edit(c.durationMs, 'abc'), /^Duration \(ms\) "abc" is not a number$/],
    [edit(c.name, ''), /^no track name$/]
  ]
  if (c.popularity !== undefined) rows.push([edit(c.popularity, 'high'), /^Popularity "high" is not a number$/])
  if (c.danceability !== undefined) rows.push([edit(c.danceability, 'very'), /^danceability "very" is not a number$/])
  // With URIs, every item has one (spotify:local: for local files); a bare-id column is empty for
  // a local file, which is then known by its name.
  if (c.uri !== undefined) rows.push([edit(c.uri, ''), /^no track URI$/])
  else if (c.id !== undefined) rows.push([edit(c.id, ''), null])
  fs.writeFileSync(abs, `${fs.readFileSync(abs, 'utf8').replace(/\n?$/, '\n')}${rows.map(([r]) => quoteAll(r)).join('\n')}\n`)
  const bad: Bad[] = []
  rows.forEach(([, reason], i) => { if (reason !== null) bad.push({ file: rel, line: lines.length + 1 + i, reason }) })
  return { bad, accepted: rows.length - bad.length }
}

t.test('every dialect: broken rows rejected by file and line, every real row kept', async t => {
  const root = t.testdir()
  const clean = await importInto(stageRealExports(path.join(root, 'clean')), path.join(root, 'clean.sqlite'), t)
  t.same(clean.summary.problems, [], 'the real exports alone: no problem at all')
  const dir = stageRealExports(path.join(root, 'broken'))
  const bad: Bad[] = []
  let accepted = 0
  for (const rel of Object.values(REAL_EXPORTS)) {
    const r = breakRows(path.join(dir, rel), rel)
    bad.push(...r.bad)
    accepted += r.accepted
  }
  const { summary, store } = await importInto(dir, path.join(root, 'broken.sqlite'), t)
  bad.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line))
  t.same(summary.problems.map(p => `${p.file}:${p.line}`), bad.map(b => `${b.file}:${b.line}`))
  summary.problems.forEach((p, i) => t.match(p.reason, bad[i]!.reason, `${p.file}:${p.line} ${p.reason}`))
  t.same(summary.rows, { read: clean.summary.rows.read + bad.length + accepted, rejected: bad.length })
  t.equal(summary.tracks, clean.summary.tracks + accepted, 'every real track, and a local file for each id-column row with no id (P3, P6)')
  t.equal(accepted, 2)
  t.equal(summary.likedSongs, clean.summary.likedSongs)
  for (const p of clean.store.listPlaylists({ limit: 50, offset: 0 }).items) {
    const page = store.getPlaylistTracks(store.playlistsNamed(p.name)[0]!.id, { limit: 1000, offset: 0 })!
    const cleanPage = clean.store.getPlaylistTracks(p.id, { limit: 1000, offset: 0 })!
    t.same(page.items.slice(0, cleanPage.total).map(i => i.track), cleanPage.items.map(i => i.track), `${p.name}: every real row as before`)
  }
})

t.test('the CLI exits 1 and names each broken row', async t => {
  const root = t.testdir()
  const dir = path.join(root, 'lib')
  fs.mkdirSync(dir)
  const file = 'watsonbox-2024plus_de-localized-19col-local-files_utz_utz_utz.csv'
  fs.copyFileSync(path.join(REAL, file), path.join(dir, 'utz.csv'))
  const { bad } = breakRows(path.join(dir, 'utz.csv'), 'utz.csv')
  const r = await runCli(['import', dir, '--db', path.join(root, 'x.sqlite')])
  t.equal(r.code, 1)
  t.match(r.stdout, `rows:     ${72 + bad.length} read, ${bad.length} rejected`)
  for (const b of bad) t.match(r.stdout, new RegExp(`\\n {2}utz\\.csv:${b.line} {2}${b.reason.source.slice(1, -1)}\\n`))
})
