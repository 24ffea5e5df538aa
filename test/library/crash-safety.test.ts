// Killing an import at any moment leaves the previous index intact: the importer writes the
// whole import in one transaction, so after a SIGKILL the SQLite file holds library A exactly
// or (when the kill came after COMMIT) library B exactly, never a mix. The CLI runs as a real
// child process on a real SQLite file (WAL mode), killed at spread-out moments of the import.
import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import t from 'tap'
import {
  exportifyFile,
  importInto,
  randomTrackId,
  REPO_ROOT,
  trackCells,
  writeLibrary
} from '../helpers/library.js'
import { cliArgs } from '../helpers/cli.js'

const FILES = 30
const ROWS = 400
const KILLS = 5

const fileName = (f: number): string => `playlist-${String(f).padStart(2, '0')}.csv`

/** Rows of one playlist: every 10th track is shared by all playlists of the library. */
function playlist (lib: 'A' | 'B', f: number, marker = false): string {
  const rows: Array<string[] | string> = []
  for (let r = 0; r < ROWS; r++) {
    const trackId = randomTrackId(r % 10 === 0 ? `${lib}-shared-${r}` : `${lib}-${f}-${r}`)
    rows.push(trackCells(trackId, { name: `${lib} song ${f}/${r}`, album: `${lib} album ${f}` }))
  }
  // One rejected row: the CLI logs it to stderr as soon as the import reaches this file.
  if (marker) rows.splice(10, 0, 'spotify:track:not-a-track,"Marker","","",,,,,,,"",""')
  return exportifyFile(rows)
}

// A: playlists 00–29. B: 00–04 unchanged, 05–24 rewritten with other tracks, 25–29 removed,
// 30–34 added. 05 is the first file B changes; it carries the marker row (so does A's).
const libraryA = (): Record<string, string> =>
  Object.fromEntries(Array.from({ length: FILES }, (_, f) => [fileName(f), playlist('A', f, f === 5)]))
const libraryBChanges = (): Record<string, string> =>
  Object.fromEntries([...range(5, 25), ...range(30, 35)].map(f => [fileName(f), playlist('B', f, f === 5)]))
const B_REMOVED = range(25, 30).map(fileName)

function range (from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, i) => from + i)
}

interface Snapshot {
  integrity: string[]
  ftsOk: boolean
  counts: { playlists: number, items: number, tracks: number, files: number }
  checksum: string
}

const CHECKSUM_QUERIES = [
  'SELECT * FROM playlists ORDER BY id',
  'SELECT * FROM playlist_items ORDER BY playlist, position',
  'SELECT * FROM liked_songs ORDER BY position',
  'SELECT * FROM tracks ORDER BY key',
  'SELECT * FROM albums ORDER BY pk',
  'SELECT * FROM artists ORDER BY pk',
  'SELECT * FROM library_files ORDER BY path',
  'SELECT * FROM import_problems ORDER BY path, line, reason'
]

/** Open the file as the next process would (WAL recovery included) and read it whole. */
function snapshot (dbFile: string): Snapshot {
  const db = new Database(dbFile, { fileMustExist: true })
  try {
    const integrity = db.prepare('PRAGMA integrity_check').pluck().all() as string[]
    let ftsOk = true
    try {
      // rank 1: also check the full-text index against the tracks table it indexes.
      db.exec("INSERT INTO tracks_fts(tracks_fts, rank) VALUES ('integrity-check', 1)")
    } catch {
      ftsOk = false
    }
    const hash = createHash('sha256')
    for (const sql of CHECKSUM_QUERIES) {
      hash.update(sql)
      for (const row of db.prepare(sql).raw().iterate()) hash.update(JSON.stringify(row)).update('\n')
    }
    const one = (sql: string): number => db.prepare(sql).pluck().get() as number
    return {
      integrity,
      ftsOk,
      counts: {
        playlists: one('SELECT count(*) FROM playlists'),
        items: one('SELECT count(*) FROM playlist_items'),
        tracks: one('SELECT count(*) FROM tracks'),
        files: one('SELECT count(*) FROM library_files')
      },
      checksum: hash.digest('hex')
    }
  } finally {
    db.close()
  }
}

interface Run {
  code: number | null
  signal: NodeJS.Signals | null
  /** ms from spawn to the marker line on stderr (the import is inside its transaction). */
  markerAt: number | null
  /** ms from spawn to exit. */
  exitAt: number
  stdout: string
  killedAt: number | null
}

/** Run the CLI import; with killAfterMarker, SIGKILL it that many ms after the marker row. */
async function runImport (libDir: string, dbFile: string, killAfterMarker?: number): Promise<Run> {
  const started = performance.now()
  const child = spawn(process.execPath, cliArgs(['import', libDir, '--db', dbFile, '--json', '--log-level', 'warn']), {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let markerAt: number | null = null
  let killedAt: number | null = null
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (s: string) => { stdout += s })
  child.stderr.setEncoding('utf8').on('data', (s: string) => {
    stderr += s
    if (markerAt === null && stderr.includes('row rejected')) {
      markerAt = performance.now() - started
      if (killAfterMarker !== undefined) {
        setTimeout(() => {
          if (child.exitCode === null && child.signalCode === null) {
            killedAt = performance.now() - started
            child.kill('SIGKILL')
          }
        }, killAfterMarker)
      }
    }
  })
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>(resolve => child.on('exit', (c, s) => resolve([c, s])))
  return { code, signal, markerAt, exitAt: performance.now() - started, stdout, killedAt }
}

t.test('a SIGKILLed import leaves library A or library B, never a mix', async t => {
  const testStarted = performance.now()
  const root = t.testdir()
  const libDir = path.join(root, 'library')
  const dbA = path.join(root, 'a.sqlite')

  // Library A, imported in-process; the closed file (WAL checkpointed) is the "previous index".
  writeLibrary(libDir, libraryA())
  const a = await importInto(libDir, dbA)
  a.db.close()
  t.equal(a.summary.rows.read, FILES * ROWS + 1)
  t.equal(a.summary.problems.length, 1)
  t.notOk(fs.existsSync(`${dbA}-wal`), 'A is checkpointed into one file')
  const snapA = snapshot(dbA)
  t.same(snapA.integrity, ['ok'])
  t.comment(`A: ${JSON.stringify(snapA.counts)}, imported in ${(a.summary.durationMs / 1000).toFixed(1)} s`)

  // The files become library B.
  for (const f of B_REMOVED) fs.rmSync(path.join(libDir, f))
  writeLibrary(libDir, libraryBChanges())

  const fresh = (name: string): string => {
    const file = path.join(root, name)
    fs.copyFileSync(dbA, file)
    return file
  }

  // A full import of B (from A), to know B and how long the import takes.
  const refDb = fresh('reference.sqlite')
  const ref = await runImport(libDir, refDb)
  t.equal(ref.code, 1, 'B imports (exit 1: its one rejected row)')
  t.ok(ref.markerAt !== null, 'the import logs the marker row')
  const refSummary = JSON.parse(ref.stdout) as { files: object, rows: { read: number, rejected: number }, durationMs: number }
  t.same(refSummary.files, { seen: 30, indexed: 25, unchanged: 5, removed: 5, skipped: 0 })
  t.same(refSummary.rows, { read: 25 * ROWS + 1, rejected: 1 })
  const snapB = snapshot(refDb)
  t.same(snapB.integrity, ['ok'])
  t.ok(snapB.ftsOk, 'B: the full-text index matches the tracks')
  t.not(snapB.checksum, snapA.checksum, 'A and B differ')
  const window = ref.exitAt - ref.markerAt!
  t.comment(`B: ${JSON.stringify(snapB.counts)}; CLI run ${(ref.exitAt / 1000).toFixed(1)} s, import ${(refSummary.durationMs / 1000).toFixed(1)} s, marker → exit ${(window / 1000).toFixed(1)} s`)

  // Kill moments spread over the import: one random moment in each fifth of marker → exit.
  const outcomes: string[] = []
  let firstA: string | null = null
  for (let i = 0; i < KILLS; i++) {
    const delay = Math.round(window * (i + Math.random()) / KILLS)
    const dbFile = fresh(`kill-${i}.sqlite`)
    const run = await runImport(libDir, dbFile, delay)
    const snap = snapshot(dbFile)
    const state = snap.checksum === snapA.checksum ? 'A' : snap.checksum === snapB.checksum ? 'B' : 'MIX'
    // A kill sent as the import exits on its own (Node has not yet seen the exit) lands on nothing:
    // the process ends with its own exit code, not by the signal.
    const killed = run.signal === 'SIGKILL'
    const how = killed ? `killed at ${Math.round(run.killedAt!)} ms` : `exited (${run.code}) ${run.killedAt === null ? 'before the kill' : 'as the kill was sent'}`
    outcomes.push(`${delay} ms after marker: ${how} → ${state}`)
    t.same(snap.integrity, ['ok'], `kill ${i}: integrity_check ok`)
    t.ok(snap.ftsOk, `kill ${i}: the full-text index matches the tracks`)
    t.ok(state === 'A' || state === 'B', `kill ${i}: library is A or B exactly (${state})`)
    t.same(snap.counts, state === 'B' ? snapB.counts : snapA.counts, `kill ${i}: counts`)
    if (!killed) t.ok(run.code === 1 && state === 'B', `kill ${i}: an import that ended on its own ended as B does (exit ${run.code}, ${state})`)
    if (killed && state === 'A') firstA ??= dbFile
  }
  t.comment(`kills: ${outcomes.join('; ')}`)
  t.ok(firstA !== null, 'at least one kill landed inside the import')

  // A normal import of B over a killed index: it recovers and gives B exactly.
  const after = firstA ?? fresh('after.sqlite')
  const final = await runImport(libDir, after)
  t.equal(final.code, 1, 'the import after a kill completes (exit 1: the one rejected row)')
  const finalSummary = JSON.parse(final.stdout) as { files: object, tracks: number, playlists: number, problems: unknown[] }
  t.same(finalSummary.files, refSummary.files)
  t.equal(finalSummary.problems.length, 1)
  const snapFinal = snapshot(after)
  t.same(snapFinal.integrity, ['ok'])
  t.equal(snapFinal.checksum, snapB.checksum, 'B exactly')
  t.same(snapFinal.counts, snapB.counts)
  t.equal(finalSummary.tracks, snapB.counts.tracks)
  t.equal(finalSummary.playlists, snapB.counts.playlists)
  t.comment(`whole test ${((performance.now() - testStarted) / 1000).toFixed(1)} s`)
})
