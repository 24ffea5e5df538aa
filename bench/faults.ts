// npm run reliability:faults [-- --clients N --phase-ms MS --rounds N --write]
// The upstream fault matrix (bench/reliability/fault-matrix.ts); --write records the full run in
// RELIABILITY.md.
import fs from 'node:fs'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { REPO } from './reliability/child.js'
import { matrixMarkdown, runFaultMatrix } from './reliability/fault-matrix.js'

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

function writeSection (name: string, body: string): void {
  const file = path.join(REPO, 'RELIABILITY.md')
  const start = `<!-- reliability:${name}:start -->`
  const end = `<!-- reliability:${name}:end -->`
  const text = fs.readFileSync(file, 'utf8')
  const a = text.indexOf(start)
  const b = text.indexOf(end)
  if (a === -1 || b === -1) throw new Error(`RELIABILITY.md lacks the ${name} markers`)
  fs.writeFileSync(file, `${text.slice(0, a + start.length)}\n${body}\n${text.slice(b)}`)
  process.stderr.write('wrote RELIABILITY.md\n')
}
