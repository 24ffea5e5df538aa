// Starts bench/fallback/server.ts as a child process and talks to it over its stdio lines.
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import readline from 'node:readline'
import { fileURLToPath } from 'node:url'
import { READY_PREFIX } from '../proxy/wire.js'
import type { IndexedLibrary } from './library.js'
import { freePort } from '../free-port.js'

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')

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

/**
 * The app over the environment in `envFile` (a JSON object), ready to serve; `root` is the
 * checkout whose sources it runs (bench/fallback-ab.ts starts one of another commit).
 */
export async function startServer (envFile: string, root = REPO): Promise<ServerChild> {
  const server = path.join(root, 'bench', 'fallback', 'server.ts')
  const child = spawn(process.execPath, ['--import', 'tsx', server, '--env', envFile], { cwd: root, stdio: ['pipe', 'pipe', 'inherit'] })
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

/**
 * The app serving a copy of the library's index (`db`), to `local` tokens, with `upstream` as its
 * Spotify, from the checkout at `root`. Its environment is given whole (server.ts), so nothing of
 * the caller's changes what is measured.
 */
export async function serveIndexedLibrary (lib: IndexedLibrary, db: string, local: readonly string[], upstream: string, root = REPO): Promise<ServerChild> {
  for (const suffix of ['', '-wal', '-shm']) fs.rmSync(db + suffix, { force: true })
  fs.copyFileSync(lib.index, db)
  // A fixed port, so the links in the answers (SPOTIFY_PROXY_PUBLIC_URL's default) name the server.
  const port = await freePort()
  const envFile = `${db}.env.json`
  fs.writeFileSync(envFile, `${JSON.stringify({
    SPOTIFY_CSV_BACKUP_PATH: lib.dir,
    SPOTIFY_PROXY_DB: db,
    SPOTIFY_PROXY_LOCAL_TOKENS: local.join(','),
    SPOTIFY_API_BASE_URL: upstream,
    // Pacing spreads upstream requests over Spotify's 30 s window: it would stretch the hit
    // warm-up (one upstream request per token) to minutes. No CSV answer or hit meets it.
    SPOTIFY_PROXY_PACE_PER_30S: '0',
    HOST: '127.0.0.1',
    PORT: String(port),
    LOG_LEVEL: 'silent'
  }, null, 2)}\n`)
  return await startServer(envFile, root)
}
