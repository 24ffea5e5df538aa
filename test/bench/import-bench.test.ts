// Smoke run of bench/import.ts on a small library in a temp dir, in files and in one file: the
// three phases run for each and report sane figures. Timing targets are not asserted (they are
// for the full library).
import { spawnSync } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { CLI_RUNS } from '../helpers/cli.js'

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const ROWS = 5000

interface Row { library: string, phase: string, rowsRead: number, seconds: number, rowsPerSec: number, peakRssMb: number }

function tableRows (out: string): Row[] {
  return out.split('\n')
    .filter(l => l.startsWith('| ') && !l.startsWith('| Library'))
    .map(l => {
      const cells = l.split('|').slice(1, -1).map(c => c.trim())
      const n = (i: number): number => Number((cells[i] ?? '').replaceAll(',', ''))
      return { library: cells[0] ?? '', phase: cells[1] ?? '', rowsRead: n(2), seconds: n(3), rowsPerSec: n(5), peakRssMb: n(7) }
    })
}

t.test('bench:import smoke run', async (t) => {
  const dir = t.testdir()
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'bench/import.ts', '--rows', String(ROWS), '--files', '5', '--dir', dir, ...(CLI_RUNS === 'dist' ? ['--dist', 'dist'] : [])], {
    cwd: REPO,
    encoding: 'utf8',
    // The phases (bench/import-phase.mjs) run the build `npm test` made; without a fresh one the
    // bench compiles the sources first, ~7 s alone, more beside the suite.
    timeout: 110_000
  })
  t.equal(run.status, 0, `exits 0\n${run.stderr}`)

  const rows = tableRows(run.stdout)
  const phases = ['csv-parse alone (ceiling)', 'cold import (empty db)', 'unchanged re-import']
  t.same(rows.map(r => [r.library, r.phase]), [...phases.map(p => ['5 files', p]), ...phases.map(p => ['one file', p])], 'three phases for each layout')
  for (const r of rows) {
    t.ok(r.rowsPerSec > 0, `${r.library}, ${r.phase}: positive rows/s (${r.rowsPerSec})`)
    t.ok(r.seconds > 0, `${r.library}, ${r.phase}: positive seconds`)
    t.ok(r.peakRssMb > 0, `${r.library}, ${r.phase}: peak RSS reported`)
  }
  for (let i = 0; i < rows.length; i += 3) {
    const [csv, cold, unchanged] = rows.slice(i, i + 3)
    t.equal(csv?.rowsRead, ROWS, `${csv?.library}: csv-parse reads every row`)
    t.equal(cold?.rowsRead, ROWS, `${csv?.library}: the cold import reads every row`)
    t.equal(unchanged?.rowsRead, 0, `${csv?.library}: the unchanged re-import reads no rows`)
  }
  t.match(run.stdout, /Cold import, 5 files: [\d,]+ tracks, [\d,]+ playlists \+ [\d,]+ liked songs, 0 rows rejected/, 'the generated rows are all valid')
  t.match(run.stdout, /Cold import, one file: [\d,]+ tracks, 1 playlists \+ 0 liked songs, 0 rows rejected/, 'the one file is one playlist, every row valid')
  for (const label of ['5 files', 'one file']) {
    for (const target of ['cold import ≥ 1× csv-parse alone', 'unchanged re-import ≤ 1 s', 'import peak RSS ≤ 400 MB', 'database ≤ 1.5× the CSV bytes']) {
      t.ok(run.stdout.includes(`${label}: ${target}: `), `a verdict: ${label}: ${target}`)
    }
  }
})
