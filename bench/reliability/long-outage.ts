// A day of QUOTA_EXCEEDED with a token that rotates every hour: a library sync runs every hour
// through the proxy (in this process, on its own clock, moved an hour at a time) while the Spotify
// double answers every Web API request 429 QUOTA_EXCEEDED with a Retry-After of `quotaHours`. The
// script refreshes its token through the proxy's POST /api/token before each hour's sync; a
// stranger's token asks for the same user data every hour. What it measures: the sync's answers
// by status and source, Web API requests during the cooldown, 401s, probes when the cooldown
// ends, and anything of the owner's that reached the stranger. Used by `npm run reliability:outage`
// (figures in RELIABILITY.md) and, as it is, by the suite.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { buildApp } from '../../src/http/app.js'
import { loadConfig } from '../../src/config.js'
import { accountsDouble } from '../../test/helpers/accounts-double.js'
import { DEEP_FOCUS, OWNER, PICKS, spotify2026 } from '../../test/helpers/spotify-2026.js'
import { behave, startUpstreamDouble, type DoubleUser } from '../../test/helpers/upstream-double.js'

const HOUR = 3_600_000
const BASIC = `Basic ${Buffer.from('bench-client:bench-secret').toString('base64')}`
const STRANGER = 'tok-a-stranger-never-verified'

/** The hourly sync: who am I, playlists and pages, saved tracks, tracks, audio features. */
const SYNC = [
  '/v1/me', '/v1/me/playlists?limit=50', `/v1/playlists/${DEEP_FOCUS.id}/items?limit=50`, `/v1/playlists/${DEEP_FOCUS.id}/tracks?limit=100`,
  '/v1/me/tracks?limit=50', `/v1/tracks/${PICKS.greenhouse.id}`, `/v1/tracks?ids=${PICKS.cafeAuLait.id},${PICKS.saudade.id}`,
  `/v1/audio-features?ids=${PICKS.greenhouse.id},${PICKS.yoake.id}`
]

export interface OutageResult {
  quotaHours: number
  syncs: number
  /** The script's answers during the cooldown, by status and by source. */
  byStatus: Record<string, number>
  bySource: Record<string, number>
  answers: number
  tokenRefreshes: number
  webApiDuringCooldown: number
  unauthorized: number
  /** Web API requests at the first request after the cooldown's end. */
  probes: number
  /** Stranger answers holding the owner's data. */
  strangerLeaks: number
  strangerByStatus: Record<string, number>
  latencyMs: { p50: number, p99: number }
}

export async function runLongOutage (opts: { quotaHours?: number } = {}): Promise<OutageResult> {
  const quotaHours = opts.quotaHours ?? 13
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'outage-'))
  const users: Record<string, DoubleUser> = { [OWNER.token]: OWNER }
  const double = await startUpstreamDouble({ users })
  const accounts = accountsDouble({ users, rotate: true })
  const spotify = spotify2026(double.url, { users })
  let quota = false
  double.set(req => accounts.answer(req) ?? (quota ? behave.quotaExceeded(quotaHours * 3600) : spotify(req)))
  const clock = { now: Date.parse('2026-12-07T06:00:00Z') }
  const app = await buildApp(loadConfig({}, {
    SPOTIFY_API_BASE_URL: double.url,
    SPOTIFY_ACCOUNTS_BASE_URL: double.url,
    SPOTIFY_PROXY_DB: path.join(dir, 'outage.sqlite'),
    SPOTIFY_CSV_OWNER: OWNER.id,
    LOG_LEVEL: 'silent'
  }), {}, { now: () => clock.now })
  const r: OutageResult = { quotaHours, syncs: 0, byStatus: {}, bySource: {}, answers: 0, tokenRefreshes: 0, webApiDuringCooldown: 0, unauthorized: 0, probes: 0, strangerLeaks: 0, strangerByStatus: {}, latencyMs: { p50: 0, p99: 0 } }
  const webApi = (): number => double.requests.filter(q => q.url.startsWith('/v1/')).length
  const ask = async (url: string, token: string): Promise<{ status: number, source: string, body: string, ms: number }> => {
    const t0 = performance.now()
    const res = await app.inject({ url, headers: { authorization: `Bearer ${token}` } })
    return { status: res.statusCode, source: String(res.headers['x-proxy-source']), body: res.body, ms: performance.now() - t0 }
  }
  const exchange = async (form: Record<string, string>): Promise<{ access_token: string, refresh_token: string }> => {
    const res = await app.inject({ method: 'POST', url: '/api/token', headers: { authorization: BASIC, 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams(form).toString() })
    if (res.statusCode !== 200) throw new Error(`token request answered ${res.statusCode}: ${res.body}`)
    return res.json()
  }
  const bump = (o: Record<string, number>, k: string | number): void => { o[k] = (o[k] ?? 0) + 1 }
  try {
    let tokens = await exchange({ grant_type: 'authorization_code', code: accounts.code(OWNER) })
    for (const url of SYNC) await ask(url, tokens.access_token)
    // An hour later the quota runs out; the script goes on every hour with a new token.
    quota = true
    clock.now += HOUR
    const latencies: number[] = []
    let atCooldown = -1
    for (let hour = 1; hour <= quotaHours; hour++) {
      if (hour > 1) {
        tokens = { ...tokens, ...await exchange({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token }) }
        r.tokenRefreshes++
      }
      for (const url of SYNC) {
        const a = await ask(url, tokens.access_token)
        if (atCooldown === -1 && app.proxy.cooldown.active() !== null) atCooldown = webApi()
        if (atCooldown === -1) continue // the request that met the 429
        r.answers++
        bump(r.byStatus, a.status)
        bump(r.bySource, a.source)
        if (a.status === 401) r.unauthorized++
        latencies.push(a.ms)
      }
      for (const url of SYNC.slice(0, 5)) {
        const a = await ask(url, STRANGER)
        bump(r.strangerByStatus, a.status)
        if (a.body.includes(`"${OWNER.id}"`) || a.body.includes(DEEP_FOCUS.name)) r.strangerLeaks++
      }
      r.syncs++
      clock.now += HOUR
    }
    r.webApiDuringCooldown = webApi() - atCooldown
    // The cooldown is over: Spotify answers again.
    clock.now += HOUR
    quota = false
    const before = webApi()
    await ask('/v1/me', tokens.access_token)
    r.probes = webApi() - before
    latencies.sort((a, b) => a - b)
    r.latencyMs = { p50: Math.round(latencies[Math.floor(latencies.length / 2)]! * 10) / 10, p99: Math.round(latencies[Math.floor(latencies.length * 0.99)]! * 10) / 10 }
    return r
  } finally {
    await app.close()
    await double.close()
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

export function outageMarkdown (r: OutageResult, command: string): string {
  const list = (o: Record<string, number>): string => Object.entries(o).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`).join(', ')
  return [
    `Command: \`${command}\` · ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    '',
    `Spotify answered every Web API request 429 \`QUOTA_EXCEEDED\` with \`Retry-After: ${r.quotaHours * 3600}\` (${r.quotaHours} h). A library sync (${SYNC.length} requests: profile, playlists, a playlist's /items and /tracks pages, saved tracks, a track, several tracks, audio features) ran every hour on the proxy's clock, each hour with a new access token refreshed through the proxy's \`POST /api/token\` (refresh tokens rotating); a stranger's token asked for the same user data every hour.`,
    '',
    '| Measure | Figure | Goal |',
    '|---|---:|---|',
    `| hourly syncs during the cooldown | ${r.syncs} | |`,
    `| the script's answers during the cooldown | ${r.answers} | |`,
    `| by status | ${list(r.byStatus)} | all 200 |`,
    `| by source | ${list(r.bySource)} | |`,
    `| 401s | ${r.unauthorized} | 0 |`,
    `| token refreshes through the proxy | ${r.tokenRefreshes} | |`,
    `| Web API requests during the cooldown | ${r.webApiDuringCooldown} | 0 |`,
    `| Web API requests at the first request after it | ${r.probes} | 1 (the probe) |`,
    `| stranger's answers holding the owner's data | ${r.strangerLeaks} (statuses: ${list(r.strangerByStatus)}) | 0 |`,
    `| answer latency p50 / p99 (ms, in process) | ${r.latencyMs.p50} / ${r.latencyMs.p99} | |`
  ].join('\n')
}
