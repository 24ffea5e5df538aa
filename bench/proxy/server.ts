// A server of the proxy bench, run as a child process so it has a core (and an event loop) of its
// own: `proxy` is the app as `serve` builds it (buildApp, logging silent), `bare` is one fastify
// route answering the upstream double's bytes for one track. Prints `@@bench:ready {"port":N}`
// once listening; exits when told `exit` or when its stdin closes (the bench died), so it can
// never outlive the bench. The proxy also takes `profile start` / `profile stop FILE` (V8's CPU
// profiler, the one behind `node --cpu-prof`, over exactly the run being profiled).
import fs from 'node:fs'
import { Session } from 'node:inspector/promises'
import readline from 'node:readline'
import { parseArgs } from 'node:util'
import Fastify, { type FastifyInstance } from 'fastify'
import { buildApp } from '../../src/http/app.js'
import { loadConfig } from '../../src/config.js'
import { loggerOptions } from '../../src/http/logger.js'
import { PROFILED_PREFIX, READY_PREFIX } from './wire.js'

const { values: args } = parseArgs({
  options: {
    role: { type: 'string' },
    upstream: { type: 'string' },
    db: { type: 'string' },
    body: { type: 'string' },
    headers: { type: 'string' }
  },
  strict: true
})

async function proxyServer (): Promise<FastifyInstance> {
  if (args.upstream === undefined || args.db === undefined) throw new Error('--role proxy needs --upstream and --db')
  // The environment is given whole, so no .env or variable of the caller's changes what is measured.
  // Pacing is off: it spreads upstream requests over Spotify's 30 s window, which would stretch
  // the replay to minutes and refuse the bench's token warm-up; it changes when requests go
  // upstream, never how many, and a cache hit never meets it.
  const config = loadConfig({}, {
    SPOTIFY_API_BASE_URL: args.upstream,
    SPOTIFY_PROXY_DB: args.db,
    SPOTIFY_PROXY_PACE_PER_30S: '0',
    // Links kept as upstream wrote them, as nginx keeps them: the bench compares exact bytes.
    SPOTIFY_PROXY_REWRITE_LINKS: 'false',
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'silent'
  })
  return await buildApp(config, { logger: loggerOptions(config.logLevel, false) })
}

async function bareServer (): Promise<FastifyInstance> {
  if (args.body === undefined || args.headers === undefined) throw new Error('--role bare needs --body and --headers')
  const body = fs.readFileSync(args.body)
  const headers = JSON.parse(args.headers) as Record<string, string>
  const app = Fastify()
  app.get('/v1/tracks/:id', async (_req, reply) => reply.headers(headers).send(body))
  return app
}

const app = args.role === 'proxy' ? await proxyServer() : args.role === 'bare' ? await bareServer() : null
if (app === null) throw new Error(`unknown --role ${JSON.stringify(args.role)}`)
await app.listen({ host: '127.0.0.1', port: 0 })
const address = app.server.address()
process.stdout.write(`${READY_PREFIX}${JSON.stringify({ port: typeof address === 'object' && address !== null ? address.port : 0 })}\n`)

let session: Session | null = null
let closing = false
async function exit (): Promise<void> {
  if (closing) return
  closing = true
  await app!.close()
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
