// Starts bench/reliability/serve.ts as a child process and waits for its port.
import { spawn, type ChildProcess } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const SERVE = path.join(REPO, 'bench/reliability/serve.ts')

export interface ProxyChild {
  origin: string
  process: ChildProcess
  /** stderr lines (warnings, errors) the proxy wrote. */
  stderr: string[]
  stop: () => Promise<void>
}

export async function startProxyChild (env: Record<string, string>, opts: { timeoutMs?: number } = {}): Promise<ProxyChild> {
  const child = spawn(process.execPath, ['--import', 'tsx', SERVE, JSON.stringify(env)], { cwd: REPO, stdio: ['pipe', 'pipe', 'pipe'] })
  const stderr: string[] = []
  child.stderr.setEncoding('utf8').on('data', (s: string) => stderr.push(...s.split('\n').filter(Boolean)))
  const port = await new Promise<number>((resolve, reject) => {
    let out = ''
    const timer = setTimeout(() => reject(new Error(`proxy child not ready within ${opts.timeoutMs ?? 30_000} ms\n${stderr.join('\n')}`)), opts.timeoutMs ?? 30_000)
    child.stdout.setEncoding('utf8').on('data', (s: string) => {
      out += s
      const m = /@@ready (\{.*\})/.exec(out)
      if (m) {
        clearTimeout(timer)
        resolve((JSON.parse(m[1]!) as { port: number }).port)
      }
    })
    child.once('exit', code => { clearTimeout(timer); reject(new Error(`proxy child exited (${code}) before it was ready\n${stderr.join('\n')}`)) })
  })
  const exited = new Promise<void>(resolve => child.once('exit', () => resolve()))
  return {
    origin: `http://127.0.0.1:${port}`,
    process: child,
    stderr,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.stdin.end()
        const timer = setTimeout(() => child.kill('SIGKILL'), 15_000)
        await exited
        clearTimeout(timer)
      }
    }
  }
}
