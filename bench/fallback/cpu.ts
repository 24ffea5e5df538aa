// CPU time during a load, from /proc (Linux): the server's, the bench's own (autocannon and the
// upstream double) and everything else's, in cores (CPU seconds ÷ wall seconds). On a 2-core
// machine the server and autocannon have a core each; anything else running meanwhile takes
// from them, so the bench reports it (and refuses to record a run disturbed by it).
import fs from 'node:fs'
import { performance } from 'node:perf_hooks'

/** USER_HZ: the unit of /proc's CPU times (100 on every Linux platform Node supports). */
const TICKS_PER_SECOND = 100

export interface CpuShares {
  seconds: number
  /** The server process, in cores. */
  server: number
  /** This process (autocannon, the double) and its children that ended meanwhile (wrk), in cores. */
  bench: number
  /** Every other process (user + system time outside these two), in cores. */
  others: number
}

interface Sample { at: number, server: number, bench: number, all: number }

function procSeconds (pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
  // utime and stime are fields 14 and 15 of the whole line, 12 and 13 after the command.
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND
}

/** User, nice and system time of all CPUs (not interrupts, which no process is charged with). */
function allSeconds (): number {
  const cpu = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number)
  return ((cpu[0] ?? 0) + (cpu[1] ?? 0) + (cpu[2] ?? 0)) / TICKS_PER_SECOND
}

/** CPU time of this process's children that have ended and been waited for (cutime, cstime). */
function endedChildrenSeconds (): number {
  const fields = fs.readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ')
  return (Number(fields[13]) + Number(fields[14])) / TICKS_PER_SECOND
}

function take (serverPid: number): Sample | null {
  try {
    const own = process.cpuUsage()
    return { at: performance.now(), server: procSeconds(serverPid), bench: (own.user + own.system) / 1e6 + endedChildrenSeconds(), all: allSeconds() }
  } catch {
    return null // not Linux
  }
}

/** Starts measuring; the returned function stops and gives the shares (null where /proc is missing). */
export function measureCpu (serverPid: number): () => CpuShares | null {
  const start = take(serverPid)
  return () => {
    const end = take(serverPid)
    if (start === null || end === null) return null
    const seconds = (end.at - start.at) / 1000
    const server = end.server - start.server
    const bench = end.bench - start.bench
    const others = Math.max(0, end.all - start.all - server - bench)
    return { seconds, server: server / seconds, bench: bench / seconds, others: others / seconds }
  }
}
