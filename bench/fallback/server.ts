// The fallback bench's server: the app as `serve` builds it (buildApp over loadConfig), run as a
// child process so it has a core (and an event loop) of its own. Its environment is given whole,
// as a JSON file (--env), so no .env or variable of the caller's changes what is measured.
// Prints `@@bench:ready {"port":N,"startupSeconds":S}` once listening; exits when told `exit` or
// when its stdin closes (the bench died), so it can never outlive the bench. Takes `profile start`
// / `profile stop FILE` (V8's CPU profiler, the one behind `node --cpu-prof`).
import fs from 'node:fs'
import { Session } from 'node:inspector/promises'
import { performance } from 'node:perf_hooks'
import readline from 'node:readline'
import { parseArgs } from 'node:util'
import { buildApp } from '../../src/http/app.js'
import { loadConfig } from '../../src/config.js'
import { loggerOptions } from '../../src/http/logger.js'
import { PROFILED_PREFIX, READY_PREFIX } from '../proxy/wire.js'

const { values: args } = parseArgs({ options: { env: { type: 'string' } }, strict: true })
if (args.env === undefined) throw new Error('bench/fallback/server.ts needs --env FILE')
const env = JSON.parse(fs.readFileSync(args.env, 'utf8')) as Record<string, string>

const t0 = performance.now()
const config = loadConfig({}, env)
// Startup indexes the library (unchanged files: only stat'ed).
const app = await buildApp(config, { logger: loggerOptions(config.logLevel, false) })
await app.listen({ host: config.host, port: config.port })
const startupSeconds = (performance.now() - t0) / 1000
const address = app.server.address()
const port = typeof address === 'object' && address !== null ? address.port : 0
process.stdout.write(`${READY_PREFIX}${JSON.stringify({ port, startupSeconds })}\n`)

let session: Session | null = null
let closing = false
async function exit (): Promise<void> {
  if (closing) return
  closing = true
  await app.close()
  process.exit(0)
}
process.on('SIGTERM', () => { exit().catch(() => process.exit(1)) })
process.stdin.on('end', () => { exit().catch(() => process.exit(1)) })
readline.createInterface({ input: process.stdin }).on('line', line => {
  (async () => {
    if (line === 'exit') return await exit()
    if (line === 'profile start') {
      session = new Session()
      session.connect()
      await session.post('Profiler.enable')
      await session.post('Profiler.start')
      process.stdout.write(`${PROFILED_PREFIX}started\n`)
    } else if (line.startsWith('profile stop ') && session !== null) {
      const { profile } = await session.post('Profiler.stop')
      session.disconnect()
      session = null
      fs.writeFileSync(line.slice('profile stop '.length), JSON.stringify(profile))
      process.stdout.write(`${PROFILED_PREFIX}stopped\n`)
    }
  })().catch(err => { process.stderr.write(`bench server: ${String(err)}\n`); process.exit(1) })
})
