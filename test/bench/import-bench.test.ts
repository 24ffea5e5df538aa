// Smoke run of bench/import.ts on a small library in a temp dir: the three phases run and
// report sane figures. Timing targets are not asserted (they are for the full library).
import { spawnSync } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const ROWS = 5000

interface Row { phase: string, rowsRead: number, seconds: number, rowsPerSec: number, peakRssMb: number }

function tableRows (out: string): Row[] {
  return out.split('\n')
    .filter(l => l.startsWith('| ') && !l.startsWith('| Phase'))
    .map(l => {
      const cells = l.split('|').slice(1, -1).map(c => c.trim())
      const n = (i: number): number => Number((cells[i] ?? '').replaceAll(',', ''))
      return { phase: cells[0] ?? '', rowsRead: n(1), seconds: n(2), rowsPerSec: n(3), peakRssMb: n(5) }
    })
}

t.test('bench:import smoke run', async (t) => {
  const dir = t.testdir()
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'bench/import.ts', '--rows', String(ROWS), '--files', '5', '--dir', dir], {
    cwd: REPO,
    encoding: 'utf8',
    timeout: 60_000
  })
  t.equal(run.status, 0, `exits 0\n${run.stderr}`)

  const rows = tableRows(run.stdout)
  t.same(rows.map(r => r.phase), ['csv-parse alone (ceiling)', 'cold import (empty db)', 'unchanged re-import'], 'reports three phases')
  for (const r of rows) {
    t.ok(r.rowsPerSec > 0, `${r.phase}: positive rows/s (${r.rowsPerSec})`)
    t.ok(r.seconds > 0, `${r.phase}: positive seconds`)
    t.ok(r.peakRssMb > 0, `${r.phase}: peak RSS reported`)
  }
  const [csv, cold, unchanged] = rows
  t.equal(csv?.rowsRead, ROWS, 'csv-parse reads every row')
  t.equal(cold?.rowsRead, ROWS, 'the cold import reads every row')
  t.equal(unchanged?.rowsRead, 0, 'the unchanged re-import reads no rows')
  t.match(run.stdout, /0 rows rejected/, 'the generated rows are all valid')
  t.match(run.stdout, /cold import ≤ 15 s/, 'prints a verdict per target')
})
