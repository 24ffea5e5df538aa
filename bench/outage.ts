// npm run reliability:outage [-- --hours N --write]
// A day of QUOTA_EXCEEDED with hourly token refreshes (bench/reliability/long-outage.ts); --write
// records the 13-hour run in RELIABILITY.md.
import { parseArgs } from 'node:util'
import { outageMarkdown, runLongOutage } from './reliability/long-outage.js'
import { writeSection } from './reliability/write-section.js'

const { values: args } = parseArgs({ options: { hours: { type: 'string' }, write: { type: 'boolean', default: false } } })
const quotaHours = Number(args.hours ?? 13)
if (args.write && quotaHours !== 13) {
  process.stderr.write('reliability:outage: --write records the 13-hour run only\n')
  process.exit(2)
}
const r = await runLongOutage({ quotaHours })
const md = outageMarkdown(r, 'npm run reliability:outage -- --write')
process.stdout.write(`${md}\n`)
if (args.write) writeSection('outage', md)
process.exitCode = r.unauthorized === 0 && r.webApiDuringCooldown === 0 && r.probes === 1 && r.strangerLeaks === 0 && Object.keys(r.byStatus).join() === '200' ? 0 : 1
