// Library import benchmark. Generates a synthetic Exportify library (pavelkomarov 2025-09+
// format, deterministic, no external data), then measures three phases, each in its own child
// process so peak RSS is per phase:
//   csvparse   csv-parse alone over the same files: the ceiling for any CSV import
//   cold       importLibrary into a fresh SQLite file
//   unchanged  importLibrary again over the unchanged library (size+mtime skip)
// Prints a Markdown table and a pass/fail verdict per target; --write records the run in
// BENCHMARKS.md between the bench:import markers.
//
//   npm run bench:import -- [--write] [--regen] [--rows N --files M] [--dir DIR] [--dist DIR]
//
// --dist DIR runs sources already compiled there (the checkout's dist/ after `npm run build`)
// instead of compiling them first; DIR must sit inside the repository, for node_modules.
import { spawn, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { openDatabase } from '../src/db.js'
import { Rng } from './rng.js'

const SCRIPT = fileURLToPath(import.meta.url)
/** This file is the script being run, not a module another bench imports its generator from. */
const IS_MAIN = isScript(process.argv[1])
const REPO = path.resolve(path.dirname(SCRIPT), '..')
const BENCHMARKS_MD = path.join(REPO, 'BENCHMARKS.md')
const MARK_START = '<!-- bench:import:start -->'
const MARK_END = '<!-- bench:import:end -->'
/** Starts the result line bench/import-phase.mjs prints (the same string there). */
const RESULT_PREFIX = '@@bench:import '
/** Runs each phase over the compiled sources: bench/import-phase.mjs. */
const PHASE_SCRIPT = path.join(REPO, 'bench', 'import-phase.mjs')

/** The full library: bench/fallback.ts's one-client section serves it too. */
export const DEFAULT_ROWS = 1_000_000
export const DEFAULT_FILES = 200
/** Share of rows whose track appears for the first time: 1M rows → a 600k-track catalogue. */
export const DISTINCT_SHARE = 0.6
/** Liked Songs: 3% of the rows (30,000 at 1M), a heavy but real-world size. */
const LIKED_SHARE = 0.03
/** Spotify caps a playlist at 10,000 tracks (Liked Songs has no cap). */
const PLAYLIST_MAX = 10_000
const SEED = 0x2025_0902
/** Bump when the generator's output changes, so stale libraries are regenerated. */
const GENERATOR_VERSION = 2

/** Issue 16's, as ratios where the machine's speed would move an absolute figure. */
const TARGETS = { coldVsCsvParse: 1.0, unchangedSeconds: 1, peakRssMb: 400, dbVsCsv: 1.5 }

const HEADER = 'Track URI,Track Name,Album Name,Artist Name(s),Release Date,Duration (ms),Popularity,Explicit,Added By,Added At,Genres,Record Label,Danceability,Energy,Key,Loudness,Mode,Speechiness,Acousticness,Instrumentalness,Liveness,Valence,Tempo,Time Signature'

type Phase = 'csvparse' | 'cold' | 'unchanged'
const PHASES: Phase[] = ['csvparse', 'cold', 'unchanged']
const PHASE_LABEL: Record<Phase, string> = {
  csvparse: 'csv-parse alone (ceiling)',
  cold: 'cold import (empty db)',
  unchanged: 'unchanged re-import'
}

interface WorkerResult {
  phase: Phase
  /** Data rows parsed (header rows excluded). */
  rowsRead: number
  seconds: number
  /** CPU time of the phase's process over the timed part, every thread (worker, SQLite, GC). */
  cpuSeconds: number
  maxRssMb: number
  detail: Record<string, number>
}

export interface Manifest {
  version: number
  seed: number
  rows: number
  files: number
  distinctTracks: number
  bytes: number
  generatedSeconds: number
}

// ---------------------------------------------------------------------------------------------
// Command line

const { values: args } = parseArgs({
  // Imported (bench/fallback.ts uses the generator), the command line is not this script's.
  args: IS_MAIN ? process.argv.slice(2) : [],
  options: {
    rows: { type: 'string' },
    files: { type: 'string' },
    dir: { type: 'string' },
    dist: { type: 'string' },
    regen: { type: 'boolean', default: false },
    write: { type: 'boolean', default: false }
  },
  strict: true
})

/** The library laid out as Exportify leaves it (many files), and the same rows in one file. */
interface LibraryCase { label: string, files: number }

interface CaseRun { c: LibraryCase, manifest: Manifest, results: Record<Phase, WorkerResult> }

async function main (): Promise<void> {
  const rows = positiveInt(args.rows ?? String(DEFAULT_ROWS), '--rows')
  const files = positiveInt(args.files ?? String(DEFAULT_FILES), '--files')
  if (rows < files) fail(`--rows (${rows}) must be at least --files (${files})`)
  if (files < 2) fail('--files wants at least 2 (the one-file case is always run beside them)')
  const fullSize = rows === DEFAULT_ROWS && files === DEFAULT_FILES
  if (args.write && !fullSize) fail('--write records the full benchmark only: drop --rows/--files')
  const dir = path.resolve(args.dir ?? path.join(REPO, 'bench', '.work'))
  const cases: LibraryCase[] = [{ label: `${fmtInt(files)} files`, files }, { label: 'one file', files: 1 }]

  let dist: string
  if (args.dist === undefined) {
    log('compiling the sources (the import runs as the package ships it)…')
    dist = compileSources()
  } else {
    dist = path.resolve(args.dist)
    if (!fs.existsSync(path.join(dist, 'src', 'library', 'importer.js'))) fail(`--dist ${args.dist}: no compiled sources there (src/library/importer.js)`)
  }
  const runs: CaseRun[] = []
  for (const c of cases) {
    // A smoke-sized library gets its own folder so it never replaces the full one.
    const name = c.files === DEFAULT_FILES && rows === DEFAULT_ROWS ? 'library' : `library-${rows}x${c.files}`
    const lib = path.join(dir, name)
    const db = path.join(dir, `${name}.sqlite`)
    const manifest = ensureLibrary(lib, rows, c.files, args.regen)
    const results = {} as Record<Phase, WorkerResult>
    for (const phase of PHASES) {
      log(`▸ ${c.label}: ${PHASE_LABEL[phase]}…`)
      const r = await runPhase(phase, lib, db, dist)
      log(`  ${fmtSeconds(r.seconds)} s (CPU ${r.cpuSeconds.toFixed(1)} s), ${fmtInt(r.rowsRead)} rows read, peak RSS ${Math.round(r.maxRssMb)} MB`)
      results[phase] = r
    }
    if (results.csvparse.rowsRead !== manifest.rows || results.cold.rowsRead !== manifest.rows) {
      log(`warning: ${c.label}: the library has ${manifest.rows} rows but csv-parse read ${results.csvparse.rowsRead} and the import ${results.cold.rowsRead}`)
    }
    if ((results.cold.detail.rejected ?? 0) > 0) log(`warning: ${c.label}: the import rejected ${results.cold.detail.rejected} generated rows`)
    runs.push({ c, manifest, results })
  }

  const report = buildReport(runs, fullSize)
  process.stdout.write(`\n${report.markdown}\n`)
  if (args.write) {
    writeBenchmarks(report.markdown)
    log(`wrote ${path.relative(process.cwd(), BENCHMARKS_MD) || BENCHMARKS_MD}`)
  }
}

function positiveInt (s: string, flag: string): number {
  const n = Number(s)
  if (!Number.isInteger(n) || n <= 0) fail(`${flag} wants a positive integer, not ${JSON.stringify(s)}`)
  return n
}

function fail (message: string): never {
  log(`bench:import: ${message}`)
  process.exit(2)
}

function log (line: string): void {
  process.stderr.write(`${line}\n`)
}

// ---------------------------------------------------------------------------------------------
// Phases: each one runs in a child process of its own (bench/import-phase.mjs)

/**
 * The sources compiled as the package ships them (tsconfig.build.json), into the work folder so
 * the checkout's own dist/ is left alone. Node resolves their packages from the repository's
 * node_modules, which the work folder sits under.
 */
function compileSources (): string {
  const out = path.join(REPO, 'bench', '.work', 'dist')
  const tsc = path.join(REPO, 'node_modules', 'typescript', 'bin', 'tsc')
  // --noCheck: emit only (half the time); `npm test` type-checks the same sources.
  const r = spawnSync(process.execPath, [tsc, '-p', path.join(REPO, 'tsconfig.build.json'), '--outDir', out, '--noCheck'], { cwd: REPO, encoding: 'utf8' })
  if (r.status !== 0) fail(`compiling the sources failed:\n${r.stdout}${r.stderr}`)
  return out
}

function runPhase (phase: Phase, lib: string, db: string, dist: string): Promise<WorkerResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [PHASE_SCRIPT, '--phase', phase, '--lib', lib, '--db', db, '--dist', dist], {
      cwd: REPO,
      stdio: ['ignore', 'pipe', 'inherit']
    })
    let out = ''
    child.stdout.setEncoding('utf8')
    child.stdout.on('data', (chunk: string) => { out += chunk })
    child.on('error', reject)
    child.on('close', (code, signal) => {
      const line = out.split('\n').find(l => l.startsWith(RESULT_PREFIX))
      if (code !== 0 || line === undefined) {
        reject(new Error(`${phase} phase failed (${signal ?? `exit ${code}`})\n${out}`))
        return
      }
      resolve(JSON.parse(line.slice(RESULT_PREFIX.length)) as WorkerResult)
    })
  })
}

// ---------------------------------------------------------------------------------------------
// Report

interface Verdict { ok: boolean, text: string }

function buildReport (runs: CaseRun[], fullSize: boolean): { markdown: string, verdicts: Verdict[] } {
  const lines: string[] = []
  const verdicts: Verdict[] = []
  lines.push(`Run ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC · ${machine()}`)
  lines.push('')
  for (const { c, manifest: m } of runs) {
    lines.push(`Library, ${c.label}: ${fmtInt(m.rows)} rows in ${fmtInt(m.files)} file${m.files === 1 ? ' (one playlist)' : 's (one of them Liked_Songs.csv)'}, ${fmtMb(m.bytes)} MB, ${fmtInt(m.distinctTracks)} distinct tracks, generated in ${m.generatedSeconds.toFixed(1)} s.`)
  }
  lines.push('')
  lines.push('| Library | Phase | Rows read | Seconds | CPU seconds | Rows/s | × csv-parse | Peak RSS (MB) |')
  lines.push('|---|---|---:|---:|---:|---:|---:|---:|')
  for (const { c, manifest: m, results: r } of runs) {
    const perSecond = (x: WorkerResult): number => m.rows / x.seconds
    const ratio = (x: WorkerResult): number => perSecond(x) / perSecond(r.csvparse)
    for (const phase of PHASES) {
      const x = r[phase]
      lines.push(`| ${c.label} | ${PHASE_LABEL[phase]} | ${fmtInt(x.rowsRead)} | ${fmtSeconds(x.seconds)} | ${x.cpuSeconds.toFixed(1)} | ${fmtInt(Math.round(perSecond(x)))} | ${ratio(x).toFixed(2)} | ${Math.round(x.maxRssMb)} |`)
    }
    const d = r.cold.detail
    const dbBytes = d.dbBytes ?? 0
    const peak = Math.max(r.cold.maxRssMb, r.unchanged.maxRssMb)
    verdicts.push(
      { ok: ratio(r.cold) >= TARGETS.coldVsCsvParse, text: `${c.label}: cold import ≥ ${TARGETS.coldVsCsvParse}× csv-parse alone: ${ratio(r.cold).toFixed(2)}× (${fmtSeconds(r.cold.seconds)} s against ${fmtSeconds(r.csvparse.seconds)} s)` },
      { ok: r.unchanged.seconds <= TARGETS.unchangedSeconds, text: `${c.label}: unchanged re-import ≤ ${TARGETS.unchangedSeconds} s: ${fmtSeconds(r.unchanged.seconds)} s` },
      { ok: peak <= TARGETS.peakRssMb, text: `${c.label}: import peak RSS ≤ ${TARGETS.peakRssMb} MB: ${Math.round(peak)} MB (cold ${Math.round(r.cold.maxRssMb)}, unchanged ${Math.round(r.unchanged.maxRssMb)})` },
      { ok: dbBytes <= TARGETS.dbVsCsv * m.bytes, text: `${c.label}: database ≤ ${TARGETS.dbVsCsv}× the CSV bytes: ${(dbBytes / m.bytes).toFixed(2)}× (${fmtMb(dbBytes)} MB for ${fmtMb(m.bytes)} MB)` }
    )
  }
  lines.push('')
  lines.push('Rows/s is library rows ÷ seconds (for the unchanged re-import, rows covered, not rows parsed); × csv-parse is that rate ÷ the csv-parse rate of the same library in this run. Import seconds include opening the database and closing it (WAL checkpoint). CPU seconds count every thread of the phase\'s process (the import\'s reader thread, SQLite, the garbage collector).')
  for (const { c, results: r } of runs) {
    const d = r.cold.detail
    lines.push('')
    lines.push(`Cold import, ${c.label}: ${fmtInt(d.tracks ?? 0)} tracks, ${fmtInt(d.playlists ?? 0)} playlists + ${fmtInt(d.likedSongs ?? 0)} liked songs, ${fmtInt(d.rejected ?? 0)} rows rejected; importLibrary ${fmtSeconds(d.importSeconds ?? 0)} s + close ${fmtSeconds(d.closeSeconds ?? 0)} s; database ${fmtMb(d.dbBytes ?? 0)} MB.`)
  }
  lines.push('')
  lines.push(`Targets${fullSize ? '' : ' (set for the full 1,000,000-row library; this is a smaller run)'}:`)
  lines.push('')
  for (const v of verdicts) lines.push(`- ${v.ok ? 'pass' : '**FAIL**'}: ${v.text}`)
  return { markdown: lines.join('\n'), verdicts }
}

function machine (): string {
  const cpus = os.cpus()
  const db = openDatabase(':memory:')
  const sqlite = db.prepare('SELECT sqlite_version()').pluck().get() as string
  db.close()
  return `${cpus.length} × ${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${Math.round(os.totalmem() / 2 ** 30)} GB RAM, Node ${process.version}, SQLite ${sqlite}`
}

function fmtInt (n: number): string {
  return Math.round(n).toLocaleString('en-US')
}

function fmtSeconds (s: number): string {
  return s < 1 ? s.toFixed(3) : s.toFixed(2)
}

function fmtMb (bytes: number): string {
  return (bytes / 2 ** 20).toFixed(0)
}

const INTRO = `# Benchmarks

Each benchmark lives in \`bench/\`, generates its own synthetic input (deterministic, seeded,
no external data) under \`bench/.work/\` (gitignored), and rewrites only its own section below,
between its markers. The figures come from one run on the 2-core dev machine; rerun the
command to refresh them.
`

const IMPORT_SECTION = `## Library import (\`bench/import.ts\`)

Command: \`npm run bench:import -- --write\`

Generates (once; \`--regen\` to redo) a 1,000,000-row library in the pavelkomarov 2025-09+
Exportify format, twice: spread over 200 files (a 600k-track catalogue, so tracks repeat across
playlists; playlists of 1 to 10,000 rows, Spotify's cap, and a 30,000-row \`Liked_Songs.csv\`), and
the same rows in one file (one playlist of a million entries: the case for memory that must not
grow with a file). For each it measures, each phase in its own child process so that peak RSS
(\`process.resourceUsage().maxRSS\`) and CPU time are per phase, over the sources compiled as the
package ships them (\`tsconfig.build.json\`, into \`bench/.work/dist\`; \`bench/import-phase.mjs\` runs a
phase), not under tsx, whose loader threads add ~30–40 MB that no user's import has:

- **csv-parse alone**: read, strip the BOM and \`parse\` (csv-parse/sync, the importer's
  relaxations) every file, counting rows: the issue's reference. (It holds a whole file's records
  at once: 1.9 GB for the one file.)
- **cold import**: \`importLibrary\` into a fresh SQLite file: each file streamed in 1 MB pieces,
  decoded, parsed and mapped in a worker thread while the main thread writes SQLite; lookup
  indexes built once at the end; one transaction. The CSV files are in the page cache.
- **unchanged re-import**: \`importLibrary\` again over the same files and database.

Targets (issue 16, as ratios in one run where the machine's speed would move an absolute figure):
cold import ≥ 1.0× the csv-parse rate of the same files; unchanged re-import ≤ 1 s; peak RSS
≤ 400 MB; database ≤ 1.5× the CSV bytes. \`--rows N --files M\` runs a smaller library (smoke
test), \`--dir\` moves the work folder.
`

function writeBenchmarks (markdown: string): void {
  const block = `${MARK_START}\n${markdown}\n${MARK_END}`
  let doc = fs.existsSync(BENCHMARKS_MD) ? fs.readFileSync(BENCHMARKS_MD, 'utf8') : INTRO
  const start = doc.indexOf(MARK_START)
  const end = doc.indexOf(MARK_END)
  if (start !== -1 && end > start) {
    doc = doc.slice(0, start) + block + doc.slice(end + MARK_END.length)
  } else {
    doc = `${doc.trimEnd()}\n\n${IMPORT_SECTION}\n${block}\n`
  }
  fs.writeFileSync(BENCHMARKS_MD, doc)
}

// ---------------------------------------------------------------------------------------------
// Library generator

export function ensureLibrary (lib: string, rows: number, files: number, regen: boolean): Manifest {
  const manifestFile = path.join(lib, '.bench-library.json')
  if (!regen && fs.existsSync(lib)) {
    let m: Manifest | null = null
    try {
      m = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as Manifest
    } catch {}
    if (m && m.version === GENERATOR_VERSION && m.seed === SEED && m.rows === rows && m.files === files) {
      log(`library: reusing ${lib} (${fmtInt(rows)} rows, ${files} files; --regen to rebuild)`)
      return m
    }
    log(`library: ${lib} was not made by this generator with these parameters: regenerating`)
  }
  log(`library: generating ${fmtInt(rows)} rows in ${files} files into ${lib}…`)
  const t0 = performance.now()
  // Write beside the target and rename, so an interrupted run never leaves a half library.
  const tmp = `${lib}.tmp`
  fs.rmSync(tmp, { recursive: true, force: true })
  fs.mkdirSync(tmp, { recursive: true })
  const stats = generateLibrary(tmp, rows, files)
  const generatedSeconds = (performance.now() - t0) / 1000
  const manifest: Manifest = { version: GENERATOR_VERSION, seed: SEED, rows, files, distinctTracks: stats.distinctTracks, bytes: stats.bytes, generatedSeconds }
  fs.writeFileSync(path.join(tmp, '.bench-library.json'), `${JSON.stringify(manifest, null, 2)}\n`)
  fs.rmSync(lib, { recursive: true, force: true })
  fs.renameSync(tmp, lib)
  log(`library: generated ${fmtMb(stats.bytes)} MB in ${generatedSeconds.toFixed(1)} s`)
  return manifest
}

/** A generator for one entity (stream, index): its fields do not depend on generation order. */
function rngFor (stream: number, index: number): Rng {
  let h = Math.imul(SEED ^ Math.imul(stream, 0x9e3779b1), 0x85ebca6b) ^ index
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d)
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b)
  return new Rng(h ^ (h >>> 16))
}

const S_ARTIST = 1
const S_ALBUM = 2
const S_TRACK = 3
const S_PLAYLIST = 4
const S_ROWS = 5

/** The generator's vocabulary: bench/fallback.ts searches with it. */
export const WORDS = ('love night heart light fire dream rain summer city blue gold river ghost wild ' +
  'electric midnight ocean sun moon star shadow echo silver glass paper neon velvet honey ' +
  'stone water winter highway home road lost young forever sweet broken golden burning ' +
  'hollow distant quiet running falling dancing dreaming sleeping waiting coming going ' +
  'alive free high low slow fast black white red green violet crimson north south east west ' +
  'morning evening sunday monday island garden window mirror doors tide wave storm thunder ' +
  'lightning cloud sky heaven angel devil saint sinner kingdom empire machine signal static ' +
  'radio satellite rocket planet orbit gravity atlas paradise desert valley mountain canyon ' +
  'harbor lantern candle feather arrow crown diamond pearl ruby sugar cherry lemon peach wine ' +
  'whiskey coffee cigarette bullet letter promise secret story song melody rhythm chorus ' +
  'hymn ballad anthem lullaby memory chance fever pulse breath soul spirit bones blood skin').split(' ')
const UNICODE_WORDS = ['Café', 'Noël', 'Straße', 'Mañana', 'Déjà Vu', 'Crème Brûlée', 'Smörgåsbord', 'Ærø', 'Łódź', 'Pequeña',
  '夜明け', '東京タワー', '夏の終わり', '星空', '사랑해', '밤하늘', 'Москва', 'Зима', 'Θάλασσα', 'Ça Va', 'Señorita', 'Über Alles']
const FIRST = ('James Mary Robert Olivia Liam Emma Noah Ava Elijah Sophia Lucas Mia Mason Amelia Ethan Harper ' +
  'Aiden Evelyn Leo Luna Jack Chloe Owen Nora Caleb Zoe Isaac Maya Ezra Ruby Miles Iris Jonah Hazel ' +
  'Felix Ivy Hugo Stella Oscar Violet Theo Aurora Kai Sadie Rafael Nina Marcus Lena Andre Tessa').split(' ')
export const LAST = ('Smith Johnson Brown Garcia Miller Davis Rodriguez Martinez Wilson Anderson Taylor Thomas Moore ' +
  'Jackson Martin Lee Thompson White Harris Clark Lewis Walker Hall Young King Wright Hill Green Adams ' +
  'Baker Nelson Carter Mitchell Roberts Turner Phillips Campbell Parker Evans Edwards Collins Stewart ' +
  'Morris Reed Cook Bell Murphy Bailey Rivera Cooper Howard Ward Torres Gray Hayes Price Bennett Wood').split(' ')
const UNICODE_ARTISTS = ['Élodie Marchand', 'Zoë Lindqvist', 'Björn Ångström', 'Mötley Brüder', 'José Ñúñez', 'Sigrún Jónsdóttir',
  'Łukasz Wójcik', '早瀬光司', '星野あかり', '김민지', 'Алёна Котова', 'Δημήτρης Παππάς', 'Beyoncé Müller', 'Ólafur Arnalds Trio']
export const GENRES = ['pop', 'dance pop', 'indie pop', 'indie rock', 'alternative rock', 'modern rock', 'classic rock', 'hard rock',
  'hip hop', 'rap', 'trap', 'southern hip hop', 'r&b', 'neo soul', 'soul', 'funk', 'disco', 'house', 'deep house',
  'tech house', 'techno', 'edm', 'electro house', 'drum and bass', 'dubstep', 'ambient', 'lo-fi beats', 'chillhop',
  'jazz', 'bebop', 'smooth jazz', 'blues', 'country', 'modern country rock', 'folk', 'indie folk', 'singer-songwriter',
  'metal', 'metalcore', 'punk', 'pop punk', 'emo', 'shoegaze', 'dream pop', 'synthwave', 'darksynth', 'new wave',
  'post-punk', 'reggae', 'dancehall', 'reggaeton', 'latin pop', 'k-pop', 'j-pop', 'city pop', 'afrobeats', 'highlife',
  'bossa nova', 'mpb', 'chanson', 'french jazz', 'classical', 'baroque', 'soundtrack', "children's music", 'gospel',
  'grime', 'uk garage', 'trip hop', 'art rock', 'progressive rock', 'psychedelic rock', 'garage rock', 'grunge']
const LABELS = ['Columbia', 'Atlantic Records', 'Interscope Records', 'Republic Records', 'Island Records', 'Capitol Records',
  'XL Recordings', 'Sub Pop Records', 'Warp Records', 'Domino Recording Co', 'Sony Music Entertainment', 'Universal Music Group',
  'Warner Records', 'RCA Records Label', 'Def Jam Recordings', 'Ninja Tune', 'Rough Trade', 'Matador', '4AD', 'Epitaph']
const SUFFIXES = [' - Remastered 2011', ' - Live', ' - Radio Edit', ' - Acoustic', ' - 2015 Remaster', ' - Single Version', ' - Remix']
const PLAYLIST_PATTERNS = ['Chill', 'Workout', 'Road Trip', 'Late Night', 'Sunday Morning', 'Focus', 'Party', 'Throwback',
  'Rainy Day', 'Summer', 'Running', 'Study', 'Dinner', 'Sleep', 'Morning Coffee', 'Gaming', 'Driving', 'Deep Cuts']
const MAIN_USER = 'spotify:user:31q4bench7x2lib0000000000'
const OTHER_USERS = ['spotify:user:spotify', 'spotify:user:alex.k', 'spotify:user:2197xm3rqbx5l8ux1f9q', 'spotify:user:mariana_m', 'spotify:user:djrk']
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'

function titleCase (w: string): string {
  return w.charAt(0).toUpperCase() + w.slice(1)
}

function words (rng: Rng, min: number, max: number): string {
  const n = min + rng.int(max - min + 1)
  const out: string[] = []
  for (let i = 0; i < n; i++) out.push(titleCase(rng.pick(WORDS)))
  return out.join(' ')
}

function quote (s: string): string {
  return `"${s.replaceAll('"', '""')}"`
}

/** Like JavaScript's String(n) on Spotify's floats: up to `digits` significant digits. */
function sig (n: number, digits: number): string {
  return String(Number(n.toPrecision(digits)))
}

function clamp (n: number, lo: number, hi: number): number {
  return n < lo ? lo : n > hi ? hi : n
}

interface Artist { name: string, genres: string }
interface Album { name: string, releaseDate: string, label: string, artist: number }

function makeArtist (i: number): Artist {
  const rng = rngFor(S_ARTIST, i)
  const r = rng.next()
  let name: string
  if (r < 0.03) name = rng.pick(UNICODE_ARTISTS)
  else if (r < 0.45) name = `${rng.pick(FIRST)} ${rng.pick(LAST)}`
  else if (r < 0.72) name = `The ${words(rng, 1, 2)}s`
  else if (r < 0.82) name = `${titleCase(rng.pick(WORDS))} & the ${titleCase(rng.pick(WORDS))}s`
  else if (r < 0.94) name = words(rng, 1, 1)
  else if (r < 0.995) name = `${rng.pick(['DJ', 'MC', 'Lil', 'Young'])} ${words(rng, 1, 1)}`
  else name = `${titleCase(rng.pick(WORDS))}, The ${titleCase(rng.pick(WORDS))}` // "Tyler, The Creator"
  const genres: string[] = []
  if (!rng.chance(0.15)) {
    const n = 1 + rng.int(4)
    for (let k = 0; k < n; k++) {
      const g = rng.pick(GENRES)
      if (!genres.includes(g)) genres.push(g)
    }
  }
  return { name, genres: genres.join(',') }
}

function makeAlbum (i: number, artistCount: number): Album {
  const rng = rngFor(S_ALBUM, i)
  const artist = rngFor(S_ALBUM + 100, i).int(artistCount)
  const r = rng.next()
  let name = r < 0.02 ? rng.pick(UNICODE_WORDS) : words(rng, 1, 3)
  if (rng.chance(0.06)) name += rng.pick([' (Deluxe Edition)', ' (Remastered)', ' (Expanded Edition)', ' (Original Motion Picture Soundtrack)'])
  const year = clamp(2025 - Math.floor(Math.abs(rng.gauss()) * 12), 1955, 2025)
  const p = rng.next()
  const month = String(1 + rng.int(12)).padStart(2, '0')
  const day = String(1 + rng.int(28)).padStart(2, '0')
  const releaseDate = p < 0.12 ? String(year) : p < 0.15 ? `${year}-${month}` : `${year}-${month}-${day}`
  const l = rng.next()
  const label = l < 0.35 ? rng.pick(LABELS) : l < 0.85 ? `${words(rng, 1, 2)} ${rng.pick(['Records', 'Music', 'Recordings', 'Sound'])}` : l < 0.95 ? 'Independent' : ''
  return { name, releaseDate, label, artist }
}

/** The catalogue: track i → its CSV cells before and after the per-row Added By/Added At. */
class Catalogue {
  private readonly artists: Array<Artist | undefined>
  private readonly albums: Array<Album | undefined>
  readonly artistCount: number
  readonly albumCount: number

  constructor (readonly size: number) {
    this.albumCount = Math.max(1, Math.ceil(size / 8))
    this.artistCount = Math.max(1, Math.ceil(size / 16))
    this.albums = new Array<Album | undefined>(this.albumCount).fill(undefined)
    this.artists = new Array<Artist | undefined>(this.artistCount).fill(undefined)
  }

  private artist (i: number): Artist {
    return (this.artists[i] ??= makeArtist(i))
  }

  private album (i: number): Album {
    return (this.albums[i] ??= makeAlbum(i, this.artistCount))
  }

  track (i: number): { head: string, tail: string } {
    const rng = rngFor(S_TRACK, i)
    // Neighbouring catalogue indices share an album (and so its artist and label).
    const album = this.album(Math.floor(i / 8))
    const main = this.artist(album.artist)
    const artistNames = [main.name]
    let name = rng.chance(0.02) ? rng.pick(UNICODE_WORDS) : words(rng, 1, 4)
    if (rng.chance(0.18)) {
      const n = 1 + rng.int(2)
      for (let k = 0; k < n; k++) artistNames.push(this.artist(rng.int(this.artistCount)).name)
      if (rng.chance(0.5)) name += ` (feat. ${artistNames.slice(1).join(' & ')})`
    }
    const q = rng.next()
    if (q < 0.01) name = `${name} "${titleCase(rng.pick(WORDS))}"` // quotes inside a field
    else if (q < 0.03) name = `${titleCase(rng.pick(WORDS))}, ${name}` // a comma inside a field
    else if (q < 0.11) name += rng.pick(SUFFIXES)
    const durationMs = Math.round(clamp(215_000 + rng.gauss() * 60_000, 30_000, 1_200_000))

    if (i % 1009 === 1008) {
      // A local file: Spotify gives it a spotify:local: URI and little else.
      const enc = (s: string): string => encodeURIComponent(s).replace(/%20/g, '+')
      const uri = `spotify:local:${enc(main.name)}:${enc(album.name)}:${enc(name)}:${Math.round(durationMs / 1000)}`
      return {
        head: `${uri},${quote(name)},${quote(album.name)},${quote(main.name)},,${durationMs},0,false`,
        tail: `${quote('')},${quote('')},,,,,,,,,,,,`
      }
    }

    let id = ''
    for (let k = 0; k < 17; k++) id += BASE62[rng.int(62)]
    for (let n = i, k = 0; k < 5; k++, n = Math.floor(n / 62)) id += BASE62[n % 62] // unique per index
    const popularity = Math.floor(100 * rng.next() ** 1.6)
    const explicit = rng.chance(0.15)
    const head = `spotify:track:${id},${quote(name)},${quote(album.name)},${quote(artistNames.join(';'))},${album.releaseDate},${durationMs},${popularity},${explicit}`

    let features: string
    if (rng.chance(0.04)) {
      features = ',,,,,,,,,,,' // no audio features for this track
    } else {
      const instrumental = rng.chance(0.6) ? rng.next() ** 8 * 0.01 : rng.next() * 0.95
      features = [
        sig(clamp(0.58 + rng.gauss() * 0.15, 0.05, 0.99), 3),
        sig(clamp(0.62 + rng.gauss() * 0.2, 0.01, 1), 3),
        String(rng.chance(0.01) ? -1 : rng.int(12)),
        String(Math.round(clamp(-8 + rng.gauss() * 3.5, -40, 0.5) * 1000) / 1000),
        String(rng.chance(0.62) ? 1 : 0),
        sig(0.022 + rng.next() ** 4 * 0.9, 3),
        sig(rng.next() ** 3, 3),
        instrumental === 0 ? '0' : sig(instrumental, 3),
        sig(0.02 + rng.next() ** 3 * 0.95, 3),
        sig(rng.next() * 0.97 + 0.02, 3),
        sig(60 + rng.next() * 140, 6),
        String(rng.pick([4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 3, 3, 5, 1]))
      ].join(',')
    }
    return { head, tail: `${quote(this.artist(album.artist).genres)},${quote(album.label)},${features}` }
  }
}

/** Split `total` in proportion to `weights`, none above `cap` unless the total cannot fit. */
function allocate (total: number, weights: number[], cap: number): number[] {
  const sizes = new Array<number>(weights.length).fill(0)
  if (total > weights.length * cap) cap = Infinity
  let open = weights.map((_, i) => i)
  let left = total
  const share = (i: number, sum: number): number => left * weights[i]! / sum
  const sumOf = (ix: number[]): number => ix.reduce((a, i) => a + weights[i]!, 0)
  for (;;) {
    const sum = sumOf(open)
    const over = open.filter(i => share(i, sum) > cap)
    if (over.length === 0) break
    for (const i of over) { sizes[i] = cap; left -= cap }
    open = open.filter(i => !over.includes(i))
  }
  const sum = sumOf(open)
  let given = 0
  for (const i of open) { sizes[i] = Math.floor(share(i, sum)); given += sizes[i]! }
  for (let k = 0; given < left; k++) {
    const i = open[k % open.length]!
    if (sizes[i]! < cap) { sizes[i]!++; given++ }
  }
  return sizes
}

function generateLibrary (dir: string, rows: number, fileCount: number): { distinctTracks: number, bytes: number } {
  const rng = new Rng(SEED)
  const distinct = Math.max(1, Math.round(rows * DISTINCT_SHARE))
  const catalogue = new Catalogue(distinct)

  // Every catalogue track once, then repeats skewed towards popular (low-index) tracks, shuffled.
  const trackOfRow = new Int32Array(rows)
  for (let r = 0; r < rows; r++) trackOfRow[r] = r < distinct ? r : Math.floor(distinct * rng.next() ** 2)
  for (let r = rows - 1; r > 0; r--) {
    const k = rng.int(r + 1)
    const t = trackOfRow[r]!
    trackOfRow[r] = trackOfRow[k]!
    trackOfRow[k] = t
  }

  const names = new Set<string>()
  let bytes = 0
  let cursor = 0
  // Written 10,000 lines at a time: the one-file library is 265 MB.
  const writeFile = (file: string, count: number, addedBy: (prng: Rng) => string, startMs: number, prng: Rng): void => {
    const fd = fs.openSync(path.join(dir, file), 'w')
    let lines = [`\uFEFF${HEADER}`]
    let first = true
    const flush = (): void => {
      const text = (first ? '' : '\n') + lines.join('\n')
      bytes += Buffer.byteLength(text)
      fs.writeSync(fd, text)
      lines = []
      first = false
    }
    // Added At grows through the file, from the playlist's creation to the export (2025-11).
    const meanGap = (Date.UTC(2025, 10, 1) - startMs) / count
    let at = startMs
    for (let k = 0; k < count; k++) {
      at += Math.floor(prng.next() ** 3 * 4 * meanGap) + 1000
      const added = new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z')
      const t = catalogue.track(trackOfRow[cursor++]!)
      lines.push(`${t.head},${addedBy(prng)},${added},${t.tail}`)
      if (lines.length === 10_000) flush()
    }
    if (lines.length > 0 || first) flush()
    fs.closeSync(fd)
  }

  if (fileCount === 1) {
    // The whole library in one playlist file: the case for memory that must not grow with a file.
    writeFile('Everything.csv', rows, () => MAIN_USER, Date.UTC(2012, 0, 1), rngFor(S_PLAYLIST, 0))
    return { distinctTracks: distinct, bytes }
  }

  // Liked Songs takes LIKED_SHARE of the rows; playlists get log-normal sizes, from one row to
  // PLAYLIST_MAX (when the rows fit under that cap).
  const playlists = fileCount - 1
  const sizes: number[] = []
  const liked = playlists === 0 ? rows : Math.max(1, Math.round(rows * LIKED_SHARE))
  // Liked Songs (written first) cannot hold a track twice: swap repeats with later rows.
  const seen = new Uint8Array(distinct)
  for (let r = 0, j = liked; r < liked; r++) {
    if (seen[trackOfRow[r]!] === 1) {
      while (j < rows && seen[trackOfRow[j]!] === 1) j++
      if (j === rows) break
      const t = trackOfRow[r]!
      trackOfRow[r] = trackOfRow[j]!
      trackOfRow[j] = t
    }
    seen[trackOfRow[r]!] = 1
  }
  if (playlists > 0) {
    const weights = Array.from({ length: playlists }, () => Math.exp(rng.gauss() * 0.9))
    sizes.push(...allocate(rows - liked - playlists, weights, PLAYLIST_MAX - 1).map(n => n + 1))
  }

  writeFile('Liked_Songs.csv', liked, () => '', Date.UTC(2014, 0, 1), rngFor(S_ROWS, 0))
  for (let p = 0; p < playlists; p++) {
    const prng = rngFor(S_PLAYLIST, p)
    const r = prng.next()
    let name = r < 0.02
      ? `${prng.pick(UNICODE_WORDS)} ${prng.pick(PLAYLIST_PATTERNS)}`
      : r < 0.5
        ? `${prng.pick(PLAYLIST_PATTERNS)} ${prng.pick(['Mix', 'Vibes', 'Songs', 'Hits', 'Mood', ''])}`.trim()
        : r < 0.7 ? `${2000 + prng.int(26)} ${prng.pick(['Favourites', 'Wrapped', 'Summer', 'Throwbacks'])}` : words(prng, 1, 3)
    name = name.replaceAll(' ', '_')
    for (let n = 2; names.has(name.toLowerCase()) || name.toLowerCase() === 'liked_songs'; n++) name = `${name.replace(/_\d+$/, '')}_${n}`
    names.add(name.toLowerCase())
    // Most playlists are the user's own; some are followed, a few collaborative.
    const kind = prng.next()
    const owner = kind < 0.8 ? MAIN_USER : prng.pick(OTHER_USERS)
    const addedBy = kind < 0.95 ? () => owner : (x: Rng) => (x.chance(0.5) ? MAIN_USER : x.pick(OTHER_USERS))
    const start = Date.UTC(2012 + prng.int(13), prng.int(12), 1 + prng.int(28))
    writeFile(`${name}.csv`, sizes[p]!, addedBy, start, rngFor(S_ROWS, p + 1))
  }
  return { distinctTracks: distinct, bytes }
}

// ---------------------------------------------------------------------------------------------
// Entry point: last, so every declaration above is initialised.

function isScript (argv1: string | undefined): boolean {
  try {
    return argv1 !== undefined && fs.realpathSync(path.resolve(argv1)) === fs.realpathSync(SCRIPT)
  } catch {
    return false
  }
}

// Imported (for the generator), nothing runs.
if (IS_MAIN) {
  await main()
}
