// One phase of bench/import.ts, in a process of its own so its peak RSS and CPU time are the
// phase's alone. Plain JavaScript over the compiled sources (`tsc -p tsconfig.build.json`, as
// `npx spotify-csv-proxy import` and the Docker image run them): under tsx, TypeScript's loader
// adds a thread to the process and another to the import's reader thread, ~30–40 MB of peak RSS
// that no user's import has.
//
//   node bench/import-phase.mjs --phase csvparse|cold|unchanged|reader --lib DIR --db FILE --dist DIR
// Prints one line: RESULT_PREFIX and the result as JSON.
import fs from 'node:fs'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import { parse } from 'csv-parse/sync'

// bench/import.ts reads the line that starts with this (its RESULT_PREFIX); not importable, as this file runs on load.
const RESULT_PREFIX = '@@bench:import '

const { values: args } = parseArgs({
  options: { phase: { type: 'string' }, lib: { type: 'string' }, db: { type: 'string' }, dist: { type: 'string' } },
  strict: true
})
const { phase, lib, db: dbFile, dist } = args
if (phase === undefined || lib === undefined || dbFile === undefined || dist === undefined) {
  process.stderr.write('bench/import-phase.mjs needs --phase, --lib, --db and --dist\n')
  process.exit(2)
}
const compiled = async (module) => await import(pathToFileURL(path.join(dist, 'src', module)).href)
const { listLibrary } = await compiled('library/sources.js')

let result
const cpu0 = process.cpuUsage()
if (phase === 'csvparse') {
  const { files } = await listLibrary(lib)
  const t0 = performance.now()
  let rows = 0
  let chars = 0
  for (const f of files) {
    let text = fs.readFileSync(f.abs, 'utf8')
    chars += text.length
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1)
    // The same relaxations the importer uses (src/library/csv-reader.ts).
    const records = parse(text, { relax_quotes: true, relax_column_count: true })
    rows += Math.max(0, records.length - 1)
  }
  result = { phase, rowsRead: rows, seconds: (performance.now() - t0) / 1000, detail: { files: files.length, chars } }
} else if (phase === 'cold' || phase === 'unchanged') {
  const { openDatabase } = await compiled('db.js')
  const { importLibrary } = await compiled('library/importer.js')
  if (phase === 'cold') {
    for (const suffix of ['', '-wal', '-shm']) fs.rmSync(dbFile + suffix, { force: true })
  } else if (!fs.existsSync(dbFile)) {
    process.stderr.write(`no database at ${dbFile}: run the cold phase first\n`)
    process.exit(2)
  }
  // Timed: open (schema), import, close (the WAL checkpoint is part of the cost).
  const t0 = performance.now()
  const db = openDatabase(dbFile)
  const summary = await importLibrary(db, lib)
  const tImported = performance.now()
  db.close()
  const t1 = performance.now()
  result = {
    phase,
    rowsRead: summary.rows.read,
    seconds: (t1 - t0) / 1000,
    detail: {
      importSeconds: (tImported - t0) / 1000,
      closeSeconds: (t1 - tImported) / 1000,
      filesIndexed: summary.files.indexed,
      filesUnchanged: summary.files.unchanged,
      filesSkipped: summary.files.skipped,
      rejected: summary.rows.rejected,
      problems: summary.problems.length,
      tracks: summary.tracks,
      playlists: summary.playlists,
      likedSongs: summary.likedSongs,
      dbBytes: fileSize(dbFile) + fileSize(`${dbFile}-wal`)
    }
  }
} else if (phase === 'reader') {
  // The import's reader thread alone, as importLibrary starts it into an empty store, its
  // messages acknowledged and dropped: how fast the reader could feed the writer.
  const { Worker } = await import('node:worker_threads')
  const { READER_LIMITS } = await compiled('library/importer.js')
  const { files } = await listLibrary(lib)
  const t0 = performance.now()
  const worker = new Worker(pathToFileURL(path.join(dist, 'src', 'library', 'import-worker.js')), {
    workerData: { files: files.map(f => ({ ...f, prevSha256: null })), fresh: true },
    resourceLimits: READER_LIMITS
  })
  let messages = 0
  let rows = 0
  await new Promise((resolve, reject) => {
    worker.on('error', reject)
    worker.on('message', m => {
      if (m.t === 'done') return resolve()
      messages++
      if (m.t === 'rows') rows += m.rows.length
      worker.postMessage('ack')
    })
  })
  await worker.terminate()
  result = { phase, rowsRead: rows, seconds: (performance.now() - t0) / 1000, detail: { messages } }
} else {
  process.stderr.write(`unknown phase ${JSON.stringify(phase)}\n`)
  process.exit(2)
}
// maxRSS is in kilobytes: the peak resident set of this process, i.e. of this phase alone.
const cpu = process.cpuUsage(cpu0)
process.stdout.write(`${RESULT_PREFIX}${JSON.stringify({ ...result, cpuSeconds: (cpu.user + cpu.system) / 1e6, maxRssMb: process.resourceUsage().maxRSS / 1024 })}\n`)

function fileSize (file) {
  try {
    return fs.statSync(file).size
  } catch {
    return 0
  }
}
