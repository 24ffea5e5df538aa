// Benchmarks of the sources beyond Exportify and of the library's way out, each phase in its own
// child process so its peak RSS is its own:
//   history-parse   @streamparser/json alone over a generated extended streaming history (the
//                   ceiling for reading it)
//   history-import  importLibrary over the same files into a fresh SQLite file
//   export          `export` (NDJSON) of bench/import.ts's library, every track once, to nowhere
// The history is Spotify's extended format (Streaming_History_Audio_*.json, ~12 MB a file as
// Spotify splits it), deterministic, no real data. Prints a Markdown table; --write records it in
// BENCHMARKS.md between the bench:sources markers.
//
//   npm run bench:sources -- [--write] [--history-mb N] [--rows N] [--dir DIR]
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Writable } from 'node:stream'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { JSONParser } from '@streamparser/json'
import { runExport } from '../src/commands/export.js'
import { loadConfig } from '../src/config.js'
import { openDatabase } from '../src/db.js'
import { importLibrary } from '../src/library/importer.js'
import { DEFAULT_FILES, ensureLibrary } from './import.js'
import { Rng } from './rng.js'

const SCRIPT = fileURLToPath(import.meta.url)
const REPO = path.resolve(path.dirname(SCRIPT), '..')
const BENCHMARKS_MD = path.join(REPO, 'BENCHMARKS.md')
const MARK_START = '<!-- bench:sources:start -->'
const MARK_END = '<!-- bench:sources:end -->'
const RESULT_PREFIX = '@@bench:sources '
const FILE_BYTES = 12 * 1024 * 1024

type Phase = 'history-parse' | 'history-import' | 'export'
interface Result { phase: Phase, seconds: number, maxRssMb: number, items: number, bytes: number }

const { values: args } = parseArgs({
  options: {
    phase: { type: 'string' },
    dir: { type: 'string', default: path.join(os.tmpdir(), 'spotify-csv-proxy-bench-sources') },
    'history-mb': { type: 'string', default: '512' },
    rows: { type: 'string', default: '1000000' },
    write: { type: 'boolean', default: false }
  }
})
const dir = args.dir!
const historyDir = path.join(dir, `history-${args['history-mb']}mb`)
const libraryDir = path.join(dir, `library-${args.rows}`)
const libraryDb = path.join(dir, `library-${args.rows}.sqlite`)

/** Extended history files of about `mb` MB: plays of 5,000 tracks over the years, a minute or more apart. */
function ensureHistory (mb: number): number {
  const marker = path.join(historyDir, '.complete')
  if (fs.existsSync(marker)) return Number(fs.readFileSync(marker, 'utf8'))
  fs.rmSync(historyDir, { recursive: true, force: true })
  fs.mkdirSync(historyDir, { recursive: true })
  const rng = new Rng(0x5707)
  const id = (n: number): string => { let s = ''; let x = n * 7919 + 17; for (let i = 0; i < 22; i++) { s += '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'[x % 62]; x = Math.floor(x / 62) + (i + 1) * 104729 } return s }
  let ts = Date.parse('2014-01-01T00:00:00Z')
  let plays = 0
  let total = 0
  for (let file = 0; total < mb * 1024 * 1024; file++) {
    const fd = fs.openSync(path.join(historyDir, `Streaming_History_Audio_${2014 + Math.floor(file / 8)}_${file}.json`), 'w')
    let bytes = 0
    let text = '['
    for (let first = true; bytes < FILE_BYTES; first = false) {
      ts += 60_000 + rng.int(600_000)
      const t = rng.int(5000)
      const record = JSON.stringify({
        ts: new Date(ts).toISOString().slice(0, 19) + 'Z',
        platform: 'linux',
        ms_played: rng.int(400_000),
        conn_country: 'SE',
        ip_addr: '192.0.2.1',
        master_metadata_track_name: `Track ${t}`,
        master_metadata_album_artist_name: `Artist ${t % 700}`,
        master_metadata_album_album_name: `Album ${t % 1500}`,
        spotify_track_uri: `spotify:track:${id(t)}`,
        episode_name: null,
        episode_show_name: null,
        spotify_episode_uri: null,
        audiobook_title: null,
        audiobook_uri: null,
        audiobook_chapter_uri: null,
        audiobook_chapter_title: null,
        reason_start: 'trackdone',
        reason_end: 'trackdone',
        shuffle: rng.chance(0.5),
        skipped: rng.chance(0.1),
        offline: false,
        offline_timestamp: null,
        incognito_mode: false
      })
      text += `${first ? '\n' : ',\n'}${record}`
      plays++
      if (text.length > 1 << 20) { bytes += fs.writeSync(fd, text); text = '' }
    }
    bytes += fs.writeSync(fd, `${text}\n]\n`)
    fs.closeSync(fd)
    total += bytes
  }
  fs.writeFileSync(marker, String(plays))
  return plays
}

const dirBytes = (d: string): number => fs.readdirSync(d).filter(f => f.endsWith('.json')).reduce((n, f) => n + fs.statSync(path.join(d, f)).size, 0)

async function phase (p: Phase): Promise<Result> {
  const started = performance.now()
  let items = 0
  let bytes = 0
  if (p === 'history-parse') {
    for (const f of fs.readdirSync(historyDir).filter(f => f.endsWith('.json')).sort()) {
      const parser = new JSONParser({ paths: ['$.*'], keepStack: false })
      parser.onValue = () => { items++ }
      for await (const piece of fs.createReadStream(path.join(historyDir, f), { highWaterMark: 1 << 20 })) { parser.write(piece as Buffer); bytes += (piece as Buffer).length }
    }
  } else if (p === 'history-import') {
    const file = path.join(dir, 'history.sqlite')
    for (const f of [file, `${file}-wal`, `${file}-shm`]) fs.rmSync(f, { force: true })
    const db = openDatabase(file)
    const s = await importLibrary(db, historyDir)
    items = s.rows.read
    bytes = dirBytes(historyDir)
    db.close()
  } else {
    const sink = new Writable({ write (chunk: Buffer, _e, done) { bytes += chunk.length; done() } })
    await runExport(loadConfig({}, { SPOTIFY_PROXY_DB: libraryDb }), { format: 'ndjson', progress: false, stdout: sink, stderr: process.stderr })
    const db = openDatabase(libraryDb)
    items = db.prepare('SELECT count(*) FROM tracks').pluck().get() as number
    db.close()
  }
  return { phase: p, seconds: (performance.now() - started) / 1000, maxRssMb: process.resourceUsage().maxRSS / 1024, items, bytes }
}

async function child (p: Phase): Promise<Result> {
  const out = await new Promise<string>((resolve, reject) => {
    const c = spawn(process.execPath, ['--import', 'tsx', SCRIPT, '--phase', p, '--dir', dir, '--history-mb', args['history-mb']!, '--rows', args.rows!], { stdio: ['ignore', 'pipe', 'inherit'] })
    let text = ''
    c.stdout.on('data', (d: Buffer) => { text += d.toString() })
    c.on('exit', code => { if (code === 0) resolve(text); else reject(new Error(`phase ${p} exited ${code}`)) })
  })
  const line = out.split('\n').find(l => l.startsWith(RESULT_PREFIX))
  if (line === undefined) throw new Error(`phase ${p} printed no result`)
  return JSON.parse(line.slice(RESULT_PREFIX.length)) as Result
}

if (args.phase !== undefined) {
  process.stdout.write(`${RESULT_PREFIX}${JSON.stringify(await phase(args.phase as Phase))}\n`)
} else {
  fs.mkdirSync(dir, { recursive: true })
  const plays = ensureHistory(Number(args['history-mb']))
  ensureLibrary(libraryDir, Number(args.rows), DEFAULT_FILES, false)
  if (!fs.existsSync(libraryDb)) {
    const db = openDatabase(libraryDb)
    await importLibrary(db, libraryDir)
    db.close()
  }
  const results: Result[] = []
  for (const p of ['history-parse', 'history-import', 'export'] as const) {
    results.push(await child(p))
    process.stderr.write(`${p}: ${results.at(-1)!.seconds.toFixed(1)} s\n`)
  }
  const [parse, imp, exp] = results as [Result, Result, Result]
  const mb = (b: number): number => b / (1024 * 1024)
  const table = [
    `Run of ${new Date().toISOString().slice(0, 10)} on ${os.cpus().length} cores; \`npm run bench:sources -- --history-mb ${args['history-mb']} --rows ${args.rows}\`.`,
    '',
    '| phase | what | seconds | MB/s | per MB | peak RSS |',
    '|---|---|---:|---:|---:|---:|',
    `| history-parse | @streamparser/json alone, ${mb(parse.bytes).toFixed(0)} MB, ${parse.items} plays (ceiling) | ${parse.seconds.toFixed(1)} | ${(mb(parse.bytes) / parse.seconds).toFixed(1)} | ${(parse.seconds / mb(parse.bytes) * 1000).toFixed(0)} ms | ${parse.maxRssMb.toFixed(0)} MB |`,
    `| history-import | importLibrary, ${imp.items} plays (${plays} generated) | ${imp.seconds.toFixed(1)} | ${(mb(imp.bytes) / imp.seconds).toFixed(1)} | ${(imp.seconds / mb(imp.bytes) * 1000).toFixed(0)} ms | ${imp.maxRssMb.toFixed(0)} MB |`,
    `| export | NDJSON of ${exp.items} tracks, ${mb(exp.bytes).toFixed(0)} MB out | ${exp.seconds.toFixed(1)} | ${(mb(exp.bytes) / exp.seconds).toFixed(1)} | ${(exp.seconds / mb(exp.bytes) * 1000).toFixed(0)} ms | ${exp.maxRssMb.toFixed(0)} MB |`,
    '',
    `The history import runs at ${(parse.seconds / imp.seconds).toFixed(2)}× the parser alone's rate.`
  ].join('\n')
  process.stdout.write(`${table}\n`)
  if (args.write) {
    const md = fs.readFileSync(BENCHMARKS_MD, 'utf8')
    const a = md.indexOf(MARK_START)
    const b = md.indexOf(MARK_END)
    if (a === -1 || b === -1) throw new Error(`BENCHMARKS.md has no ${MARK_START} … ${MARK_END} section`)
    fs.writeFileSync(BENCHMARKS_MD, `${md.slice(0, a + MARK_START.length)}\n${table}\n${md.slice(b)}`)
  }
}
