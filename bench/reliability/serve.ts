// The proxy as `serve` builds it, in a child process of the reliability scripts: its own event
// loop, like a user's proxy beside their scripts. Settings come whole as JSON (argv[2]), so no
// .env or variable of the caller's changes what is measured. Prints `@@ready {"port":N}`, exits
// when its stdin closes (the parent died) or on SIGTERM; SIGKILL is the crash test's business.
import { buildApp } from '../../src/http/app.js'
import { loadConfig } from '../../src/config.js'
import { loggerOptions } from '../../src/http/logger.js'

const env = JSON.parse(process.argv[2] ?? '{}') as Record<string, string>
const config = loadConfig({}, { HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'warn', ...env })
const app = await buildApp(config, { logger: loggerOptions(config.logLevel, false) })
await app.listen({ host: '127.0.0.1', port: 0 })
const address = app.server.address()
process.stdout.write(`@@ready ${JSON.stringify({ port: typeof address === 'object' && address !== null ? address.port : 0 })}\n`)

let closing = false
async function exit (): Promise<void> {
  if (closing) return
  closing = true
  await app.close()
  process.exit(0)
}
process.on('SIGTERM', () => { exit().catch(() => process.exit(1)) })
process.stdin.on('end', () => { exit().catch(() => process.exit(1)) })
process.stdin.resume()
