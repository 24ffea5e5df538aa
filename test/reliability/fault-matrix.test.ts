// The fault matrix, bounded: 200 concurrent clients through the proxy (a child process) while the
// Spotify double cycles through every failure. Every request gets an answer (data, or a clean
// Spotify-shaped error), none hangs, and nothing reaches the double during a cooldown.
import path from 'node:path'
import t from 'tap'
import { PHASES, runFaultMatrix } from '../../bench/reliability/fault-matrix.js'

t.test('200 clients through every upstream failure', async t => {
  // The suite runs test files side by side on two cores: the proxy may take a while to read a 429,
  // so requests already on their way are given a second, not 150 ms, and an upstream exchange two
  // (a starved event loop must not turn a 500 into a timeout, and the breaker's transport failures).
  const r = await runFaultMatrix({ clients: 200, phaseMs: 600, rounds: 1, dir: path.join(t.testdir(), 'faults'), inFlightGraceMs: 1000, upstreamTimeoutMs: 2000 })
  t.ok(r.requests > 2000, `${r.requests} client requests`)
  t.equal(r.broken, 0, `no broken answers ${r.brokenSamples.join('; ')}`)
  t.equal(r.hung, 0, 'no request left without an answer')
  t.equal(r.served + r.cleanErrors, r.requests, 'every request answered')
  t.equal(r.upstreamDuringCooldown, 0, `nothing reached the double inside ${r.cooldownWindows} cooldown window(s)`)
  t.ok(r.cooldownWindows >= 1, 'the 429 phases started cooldowns')
  for (const source of ['upstream', 'cache', 'stale', 'local']) t.ok((r.bySource[source] ?? 0) > 0, `some answers came from ${source}`)
  t.equal(r.phases.length, PHASES.length)
  const ok = r.phases[0]!
  t.ok(ok.upstreamRequests > 0 && (ok.byStatus['200'] ?? 0) >= 0.95 * ok.clientRequests, `the first ok phase is (nearly) all 200s: ${JSON.stringify(ok.byStatus)}`)
  t.equal(r.badGatewayWhileOk, 0, 'no 502/504 while the double answers 200 (the breaker counts only transport failures)')
  t.same(r.unexplained, [], 'every fallback reason matches the phase that caused it (or what it left running)')
  for (const p of r.phases) if (p.behaviour.startsWith('50')) t.notOk(p.byReason['upstream-unreachable'], `${p.behaviour}: a 5xx is upstream-5xx, never unreachable`)
  t.ok(r.latency.p99 < r.hangLimitMs, `p99 ${r.latency.p99} ms`)
})
