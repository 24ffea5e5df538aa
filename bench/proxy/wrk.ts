// wrk (Debian's package: C, several threads) as a second load generator beside autocannon, so a
// figure is the server's and not the load generator's: each thread sends the track request with
// each token in turn (a Lua script), and the server's own CPU is read from /proc meanwhile
// (bench/fallback/cpu.ts). A server near one core is the limit; one well under it is waiting on
// the load generator.
import { execFileSync, spawn } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { measureCpu, type CpuShares } from '../fallback/cpu.js'

export interface WrkResult {
  reqPerSec: number
  p50: number
  p99: number
  requests: number
  /** Socket errors and non-2xx/3xx answers. */
  errors: number
  /** The server process's CPU and everyone else's, in cores, during the run (null off Linux). */
  cpu: CpuShares | null
}

/** The wrk binary, or null (apt-get install wrk). */
export function findWrk (): string | null {
  try {
    return execFileSync('sh', ['-c', 'command -v wrk'], { encoding: 'utf8' }).trim() || null
  } catch {
    return null
  }
}

export function wrkVersion (bin: string): string {
  const out = spawnSyncText(bin, ['-v'])
  return /wrk \S+/.exec(out)?.[0] ?? 'wrk'
}

function spawnSyncText (bin: string, argv: string[]): string {
  try {
    return execFileSync(bin, argv, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
  } catch (err) {
    return String((err as { stdout?: string }).stdout ?? '')
  }
}

/** Writes the Lua script that sends `path` with each token in turn, per thread. */
export function wrkScript (dir: string, requestPath: string, tokens: readonly string[]): string {
  const file = path.join(dir, 'tokens.lua')
  const list = tokens.map(t => JSON.stringify(`Bearer ${t}`)).join(',\n')
  fs.writeFileSync(file, `local auth = {\n${list}\n}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", ${JSON.stringify(requestPath)}, { ["Authorization"] = auth[(i % #auth) + 1] })
end
`)
  return file
}

export async function runWrk (bin: string, origin: string, script: string, opts: { seconds: number, connections: number, threads: number, serverPid: number | null }): Promise<WrkResult> {
  const stop = opts.serverPid === null ? null : measureCpu(opts.serverPid)
  const out = await new Promise<string>((resolve, reject) => {
    const child = spawn(bin, ['-t', String(opts.threads), '-c', String(opts.connections), '-d', `${opts.seconds}s`, '--latency', '-s', script, origin], { stdio: ['ignore', 'pipe', 'pipe'] })
    let text = ''
    child.stdout.setEncoding('utf8').on('data', (s: string) => { text += s })
    child.stderr.setEncoding('utf8').on('data', (s: string) => { text += s })
    child.once('error', reject)
    child.once('exit', code => (code === 0 ? resolve(text) : reject(new Error(`wrk exited ${code}: ${text}`))))
  })
  const cpu = stop?.() ?? null
  const num = (re: RegExp): number => Number(re.exec(out)?.[1] ?? NaN)
  const errors = [...out.matchAll(/(connect|read|write|timeout) (\d+)/g)].reduce((n, m) => n + Number(m[2]), 0) + (num(/Non-2xx or 3xx responses: (\d+)/) || 0)
  return { reqPerSec: num(/Requests\/sec:\s+([\d.]+)/), p50: ms(/ 50%\s+([\d.]+)(us|ms|s)/.exec(out)), p99: ms(/ 99%\s+([\d.]+)(us|ms|s)/.exec(out)), requests: num(/(\d+) requests in/), errors, cpu }
}

function ms (m: RegExpExecArray | null): number {
  if (m === null) return NaN
  const v = Number(m[1])
  return Math.round((m[2] === 'us' ? v / 1000 : m[2] === 's' ? v * 1000 : v) * 100) / 100
}
