// Starts bench/fallback/server.ts as a child process and talks to it over its stdio lines.
import { spawn } from 'node:child_process'
import path from 'node:path'
import readline from 'node:readline'
import { fileURLToPath } from 'node:url'
import { READY_PREFIX } from '../proxy/wire.js'

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const SERVER = path.join(REPO, 'bench', 'fallback', 'server.ts')

export interface ServerChild {
  url: string
  pid: number
  /** Seconds from loading the config to listening (includes indexing the library at startup). */
  startupSeconds: number
  stop: () => Promise<void>
  send: (line: string) => void
  /** The next stdout line starting with `prefix`, without it. */
  waitFor: (prefix: string) => Promise<string>
}

/** The app over the environment in `envFile` (a JSON object), ready to serve. */
export async function startServer (envFile: string): Promise<ServerChild> {
  const child = spawn(process.execPath, ['--import', 'tsx', SERVER, '--env', envFile], { cwd: REPO, stdio: ['pipe', 'pipe', 'inherit'] })
  const exited = new Promise<void>(resolve => child.once('exit', () => resolve()))
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return
    child.stdin.end('exit\n')
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000)
    await exited
    clearTimeout(timer)
  }
  const waiting: Array<{ prefix: string, resolve: (line: string) => void, reject: (err: Error) => void }> = []
  readline.createInterface({ input: child.stdout }).on('line', line => {
    const i = waiting.findIndex(w => line.startsWith(w.prefix))
    if (i === -1) return
    const w = waiting.splice(i, 1)[0]!
    w.resolve(line.slice(w.prefix.length))
  })
  child.once('exit', code => {
    for (const w of waiting.splice(0)) w.reject(new Error(`the bench server exited (${code}) before saying ${w.prefix.trim()}`))
  })
  const waitFor = async (prefix: string): Promise<string> => await new Promise((resolve, reject) => waiting.push({ prefix, resolve, reject }))
  try {
    const { port, startupSeconds } = JSON.parse(await waitFor(READY_PREFIX)) as { port: number, startupSeconds: number }
    return { url: `http://127.0.0.1:${port}`, pid: child.pid!, startupSeconds, stop, send: line => child.stdin.write(`${line}\n`), waitFor }
  } catch (err) {
    await stop()
    throw err
  }
}
