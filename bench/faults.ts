// npm run reliability:faults [-- --clients N --phase-ms MS --rounds N --write]
// The upstream fault matrix (bench/reliability/fault-matrix.ts); --write records the full run in
// RELIABILITY.md.
import path from 'node:path'
import { parseArgs } from 'node:util'
import { REPO } from './reliability/child.js'
import { matrixMarkdown, runFaultMatrix } from './reliability/fault-matrix.js'
import { writeSection } from './reliability/write-section.js'

const DEFAULTS = { clients: 200, phaseMs: 4000, rounds: 2 }
const { values: args } = parseArgs({
  options: {
    clients: { type: 'string' },
    'phase-ms': { type: 'string' },
    rounds: { type: 'string' },
    dir: { type: 'string' },
    write: { type: 'boolean', default: false }
  }
})
const clients = Number(args.clients ?? DEFAULTS.clients)
const phaseMs = Number(args['phase-ms'] ?? DEFAULTS.phaseMs)
const rounds = Number(args.rounds ?? DEFAULTS.rounds)
const full = clients === DEFAULTS.clients && phaseMs === DEFAULTS.phaseMs && rounds === DEFAULTS.rounds
if (args.write && !full) {
  process.stderr.write('reliability:faults: --write records the full run only\n')
  process.exit(2)
}
const r = await runFaultMatrix({ clients, phaseMs, rounds, dir: path.resolve(args.dir ?? path.join(REPO, 'bench/.work/faults')) })
const md = matrixMarkdown(r, 'npm run reliability:faults -- --write')
process.stdout.write(`${md}\n`)
const ok = r.broken === 0 && r.hung === 0 && r.upstreamDuringCooldown <= r.cooldownWindows
if (args.write) writeSection('faults', md)
process.exitCode = ok ? 0 : 1
