// The fallback bench's server: the app as `serve` builds it (buildApp over loadConfig), run as a
// child process so it has a core (and an event loop) of its own. Its environment is given whole,
// as a JSON file (--env), so no .env or variable of the caller's changes what is measured.
// Prints `@@bench:ready {"port":N,"startupSeconds":S}` once listening; exits when told `exit` or
// when its stdin closes (the bench died), so it can never outlive the bench. Takes `profile start`
// / `profile stop FILE` (V8's CPU profiler, the one behind `node --cpu-prof`), and `timings start`
// / `timings stop`: each request's time on the server's own clock, from its `request` event to
// the call handing its answer to the socket, with how often the kernel took the core from the
// main thread meanwhile.
import fs from 'node:fs'
import { Session } from 'node:inspector/promises'
import { performance } from 'node:perf_hooks'
import readline from 'node:readline'
import { parseArgs } from 'node:util'
import { buildApp } from '../../src/http/app.js'
import { loadConfig } from '../../src/config.js'
import { loggerOptions } from '../../src/http/logger.js'
import { PROFILED_PREFIX, READY_PREFIX, TIMINGS_PREFIX } from '../proxy/wire.js'

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

// Requests timed between `timings start` and `timings stop` (null: not timing).
let timed: number[] | null = null
let preempted0: number | null = null
// Timed up to the call that hands the answer to the socket, not to its 'finish' event: that event
// waits for the event loop, which a scavenge may hold after the client has its answer.
app.server.prependListener('request', (_req, res) => {
  if (timed === null) return
  const into = timed
  const t0 = performance.now()
  const end = res.end
  res.end = function (this: typeof res, ...args: unknown[]) {
    into.push(performance.now() - t0)
    res.end = end
    return (end as (...a: unknown[]) => typeof res).apply(this, args)
  } as typeof res.end
})

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
    if (line === 'timings start') {
      timed = []
      preempted0 = mainThreadPreempted()
      process.stdout.write(`${TIMINGS_PREFIX}started\n`)
    } else if (line === 'timings stop' && timed !== null) {
      const ms = timed.sort((a, b) => a - b)
      const at = (p: number): number => ms[Math.min(ms.length - 1, Math.ceil(p * ms.length) - 1)] ?? NaN
      const now = mainThreadPreempted()
      const preempted = now === null || preempted0 === null ? null : now - preempted0
      timed = null
      process.stdout.write(`${TIMINGS_PREFIX}${JSON.stringify({ requests: ms.length, p50: at(0.5), p99: at(0.99), max: at(1), preempted })}\n`)
    }
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

/**
 * Times the kernel switched the main thread out while it could still run (Linux only; null
 * elsewhere): another process or thread was given its core.
 */
function mainThreadPreempted (): number | null {
  try {
    const m = /^nonvoluntary_ctxt_switches:\s+(\d+)$/m.exec(fs.readFileSync(`/proc/self/task/${process.pid}/status`, 'utf8'))
    return m === null ? null : Number(m[1])
  } catch {
    return null
  }
}
