// `remediate --against spotify`: which parts of the CSV backup are out of date, asked of live
// Spotify through the proxy's own upstream path (its pacing, cooldown and breaker apply), one
// track at a time (`/v1/tracks?ids=` is closed to development-mode apps).
import type { ProxyParts } from '../plugins/proxy.js'
import type { LibraryStore } from '../library/store.js'

export interface DriftField { field: 'name' | 'popularity' | 'isrc', library: string | number | null, spotify: string | number | null }
export interface DriftTrack { id: string, name: string, status: 'same' | 'drifted' | 'unavailable' | 'not asked', fields: DriftField[] }
export interface DriftReport {
  generatedAt: string
  tracks: DriftTrack[]
  summary: { tracks: number, same: number, drifted: number, unavailable: number, notAsked: number }
  /** Why the run stopped early (a cooldown, Spotify down, the token refused), or null. */
  stopped: string | null
}

export async function driftAgainstSpotify (store: LibraryStore, proxy: ProxyParts, token: string, opts: { onProgress?: (done: number, total: number) => void } = {}): Promise<DriftReport> {
  const tracks: DriftTrack[] = []
  let stopped: string | null = null
  const all = [...store.iterateTracks()].filter(t => t.kind === 'track' && t.id !== null)
  for (const [i, t] of all.entries()) {
    if (stopped !== null) {
      tracks.push({ id: t.id!, name: t.name, status: 'not asked', fields: [] })
      continue
    }
    // Online: Spotify's own answer or its error, never the cache or the CSV.
    const answer = await proxy.handle({ method: 'GET', path: `/v1/tracks/${t.id!}`, headers: { authorization: `Bearer ${token}` }, token, mode: 'online' })
    opts.onProgress?.(i + 1, all.length)
    if (answer.status === 404) {
      tracks.push({ id: t.id!, name: t.name, status: 'unavailable', fields: [] })
      continue
    }
    if (answer.status !== 200) {
      stopped = `Spotify answered ${answer.status}${answer.reason === null ? '' : ` (${answer.reason})`} at track ${i + 1} of ${all.length}`
      tracks.push({ id: t.id!, name: t.name, status: 'not asked', fields: [] })
      continue
    }
    const live = JSON.parse(answer.body.toString('utf8')) as { name?: string, popularity?: number, external_ids?: { isrc?: string } }
    const fields: DriftField[] = []
    if (typeof live.name === 'string' && live.name !== t.name) fields.push({ field: 'name', library: t.name, spotify: live.name })
    if (typeof live.popularity === 'number' && t.popularity !== null && live.popularity !== t.popularity) fields.push({ field: 'popularity', library: t.popularity, spotify: live.popularity })
    const isrc = live.external_ids?.isrc ?? null
    if (isrc !== null && t.isrc !== null && isrc.toUpperCase() !== t.isrc.toUpperCase()) fields.push({ field: 'isrc', library: t.isrc, spotify: isrc })
    tracks.push({ id: t.id!, name: t.name, status: fields.length === 0 ? 'same' : 'drifted', fields })
  }
  const count = (s: DriftTrack['status']): number => tracks.filter(t => t.status === s).length
  return {
    generatedAt: new Date().toISOString(),
    tracks,
    summary: { tracks: tracks.length, same: count('same'), drifted: count('drifted'), unavailable: count('unavailable'), notAsked: count('not asked') },
    stopped
  }
}

export function driftTable (r: DriftReport): string {
  const lines = ['track                                     field       library               Spotify', '-'.repeat(90)]
  for (const t of r.tracks) {
    if (t.status === 'unavailable') lines.push(`${t.name.slice(0, 40).padEnd(40)}  (no longer available on Spotify)`)
    for (const f of t.fields) lines.push(`${t.name.slice(0, 40).padEnd(40)}  ${f.field.padEnd(10)}  ${String(f.library).slice(0, 20).padEnd(20)}  ${String(f.spotify)}`)
  }
  const s = r.summary
  lines.push('', `${s.tracks} tracks: ${s.same} up to date, ${s.drifted} drifted, ${s.unavailable} no longer available, ${s.notAsked} not asked.${r.stopped === null ? '' : ` Stopped: ${r.stopped}.`}`, '')
  return lines.join('\n')
}
