// npm run reliability:soak [-- --seconds S --rate N --write]
// The soak (bench/reliability/soak.ts); --write records the full 10-minute run in RELIABILITY.md.
import path from 'node:path'
import { parseArgs } from 'node:util'
import { REPO } from './reliability/child.js'
import { runSoak, soakMarkdown } from './reliability/soak.js'
import { writeSection } from './reliability/write-section.js'

const DEFAULTS = { seconds: 600, rate: 200 }
const { values: args } = parseArgs({ options: { seconds: { type: 'string' }, rate: { type: 'string' }, dir: { type: 'string' }, write: { type: 'boolean', default: false } } })
const seconds = Number(args.seconds ?? DEFAULTS.seconds)
const rate = Number(args.rate ?? DEFAULTS.rate)
if (args.write && (seconds !== DEFAULTS.seconds || rate !== DEFAULTS.rate)) {
  process.stderr.write('reliability:soak: --write records the full run only\n')
  process.exit(2)
}
const r = await runSoak({ seconds, rate, dir: path.resolve(args.dir ?? path.join(REPO, 'bench/.work/soak')) })
const md = soakMarkdown(r, 'npm run reliability:soak -- --write')
process.stdout.write(`${md}\n`)
if (args.write) writeSection('soak', md)
