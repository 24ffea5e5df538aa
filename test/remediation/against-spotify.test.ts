// `remediate --against spotify`: the demo library against a Spotify double through the proxy's own
// upstream path: renamed and re-ranked tracks, a track gone, and a stop (not a storm) on a 429.
import path from 'node:path'
import t, { type Test } from 'tap'
import { runRemediate } from '../../src/commands/remediate.js'
import { loadConfig } from '../../src/config.js'
import type { DriftReport } from '../../src/remediation/against-spotify.js'
import { behave, startUpstreamDouble, type Behaviour, type RecordedRequest } from '../helpers/upstream-double.js'
import { TRACKS } from '../helpers/spotify-2026.js'

const TOKEN = 'tok-drift-0001'
const GONE = '1R34mvNwllwfJAcbiCuMIN'
const RENAMED = '1NzkCuszl939j2tb9xPmMQ'

function spotify (req: RecordedRequest): Behaviour {
  const id = /^\/v1\/tracks\/([^/?]+)/.exec(req.url)?.[1]
  const t = id === undefined ? undefined : TRACKS.get(id)
  if (id === GONE || t === undefined) return behave.status(404, { error: { status: 404, message: 'Resource not found' } })
  const name = id === RENAMED ? `${t.name} (2026 Remaster)` : t.name
  return behave.status(200, { id, type: 'track', name, popularity: t.popularity, external_ids: { isrc: t.isrc }, album: { id: 'a', name: t.album }, artists: [] }, { 'content-type': 'application/json' })
}

async function run (t: Test, rule: (req: RecordedRequest) => Behaviour): Promise<{ code: number, report: DriftReport, upstream: number }> {
  const double = await startUpstreamDouble()
  t.teardown(async () => await double.close())
  double.set(rule)
  const config = loadConfig({}, { SPOTIFY_API_BASE_URL: double.url, SPOTIFY_PROXY_DB: path.join(t.testdir(), 'p.sqlite'), SPOTIFY_PROXY_PACE_PER_30S: '0', LOG_LEVEL: 'silent' })
  let out = ''
  const code = await runRemediate(config, { against: 'spotify', json: true }, { SPOTIFY_TOKEN: TOKEN }, { write: (s: string) => { out += s; return true } } as unknown as NodeJS.WritableStream)
  return { code, report: JSON.parse(out) as DriftReport, upstream: double.requests.length }
}

t.test('drift of the CSV backup against live Spotify', async t => {
  const { code, report, upstream } = await run(t, spotify)
  t.equal(code, 1, 'drift found: exit 1')
  t.equal(report.summary.tracks, 52, 'every Spotify track of the library (its one local file has nothing to ask)')
  t.equal(upstream, 52, 'one request per track, through the proxy\'s upstream path')
  const renamed = report.tracks.find(x => x.id === RENAMED)!
  t.same([renamed.status, renamed.fields], ['drifted', [{ field: 'name', library: 'Greenhouse at Dawn', spotify: 'Greenhouse at Dawn (2026 Remaster)' }]])
  t.equal(report.tracks.find(x => x.id === GONE)!.status, 'unavailable')
  t.equal(report.stopped, null)
  t.ok(report.summary.same >= 40, `${report.summary.same} up to date`)
})

t.test('a 429 stops the run instead of hammering Spotify', async t => {
  let n = 0
  const { report, upstream } = await run(t, req => (++n === 5 ? behave.status(429, undefined, { 'retry-after': '600' }) : spotify(req)))
  t.match(report.stopped, /429/)
  t.equal(upstream, 5, 'nothing more was asked during the cooldown')
  t.equal(report.summary.notAsked, 52 - 4)
})
