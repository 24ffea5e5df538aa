// Spotify as a development-mode app sees it in late 2026, over the demo library's data (read
// straight from demo-library/*.csv with csv-parse, not through the code under test): /items for
// playlist pages (at most 50), single tracks, saved tracks, playlists, search (at most 10), and a
// 403 for every endpoint removed for such apps (several tracks, audio features, playlist /tracks,
// other users' playlists). A BehaviourRule for test/helpers/upstream-double.ts.
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse } from 'csv-parse/sync'
import { behave, type Behaviour, type RecordedRequest } from './upstream-double.js'

const DEMO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../demo-library')

export interface DemoTrack { id: string, name: string, artists: string[], album: string, isrc: string, durationMs: number, popularity: number, explicit: boolean, releaseDate: string, addedAt: string, tempo: number }
export interface DemoPlaylist { id: string, name: string, tracks: DemoTrack[] }

function idFor (kind: string, name: string): string {
  const d = createHash('sha256').update(`${kind}:${name}`).digest()
  const A = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'
  let s = ''
  for (let i = 0; i < 22; i++) s += A[d[i]! % 62]
  return s
}

function readCsv (file: string): DemoTrack[] {
  const rows = parse(fs.readFileSync(path.join(DEMO, file)), { columns: true, bom: true }) as Array<Record<string, string>>
  return rows.map(r => ({
    id: r['Track URI']!.replace('spotify:track:', ''),
    name: r['Track Name']!,
    artists: r['Artist Name(s)']!.split(';').map(s => s.trim()),
    album: r['Album Name']!,
    isrc: r.ISRC!,
    durationMs: Number(r['Duration (ms)']),
    popularity: Number(r.Popularity),
    explicit: r.Explicit === 'true',
    releaseDate: r['Release Date']!,
    addedAt: r['Added At']!,
    tempo: Number(r.Tempo)
  }))
}

/** The demo library as Spotify holds it: real-looking playlist ids (not the proxy's synthetic ones). */
export const LIKED: DemoTrack[] = readCsv('Liked_Songs.csv')
export const PLAYLISTS: DemoPlaylist[] = ['Deep_Focus.csv', 'Late_Night_Drive.csv'].map(f => {
  const name = f.replace('.csv', '').replaceAll('_', ' ')
  return { id: idFor('playlist', name), name, tracks: readCsv(f) }
})
export const TRACKS = new Map<string, DemoTrack>([...LIKED, ...PLAYLISTS.flatMap(p => p.tracks)].map(t => [t.id, t]))

function trackObject (t: DemoTrack, base: string): Record<string, unknown> {
  const artists = t.artists.map(name => {
    const id = idFor('artist', name)
    return { external_urls: { spotify: `https://open.spotify.com/artist/${id}` }, href: `${base}/v1/artists/${id}`, id, name, type: 'artist', uri: `spotify:artist:${id}` }
  })
  const albumId = idFor('album', t.album)
  return {
    album: { album_type: 'album', total_tracks: 10, available_markets: [], external_urls: { spotify: `https://open.spotify.com/album/${albumId}` }, href: `${base}/v1/albums/${albumId}`, id: albumId, images: [], name: t.album, release_date: t.releaseDate, release_date_precision: 'day', type: 'album', uri: `spotify:album:${albumId}`, artists },
    artists,
    available_markets: [],
    disc_number: 1,
    duration_ms: t.durationMs,
    explicit: t.explicit,
    external_ids: { isrc: t.isrc },
    external_urls: { spotify: `https://open.spotify.com/track/${t.id}` },
    href: `${base}/v1/tracks/${t.id}`,
    id: t.id,
    is_playable: true,
    name: t.name,
    popularity: t.popularity,
    preview_url: null,
    track_number: 1,
    type: 'track',
    uri: `spotify:track:${t.id}`,
    is_local: false
  }
}

function page (base: string, pathname: string, items: unknown[], total: number, limit: number, offset: number): Record<string, unknown> {
  const at = (o: number): string => `${base}${pathname}?offset=${o}&limit=${limit}`
  return { href: at(offset), items, limit, next: offset + limit < total ? at(offset + limit) : null, offset, previous: offset > 0 ? at(Math.max(0, offset - limit)) : null, total }
}

const json = (body: unknown): Behaviour => behave.status(200, body, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'private, max-age=0' })
const error = (status: number, message: string): Behaviour => behave.status(status, { error: { status, message } })

/** Whose token is whose: tokens of `users` are answered, any other gets 401. */
export function spotify2026 (base: string, users: Record<string, { id: string, display_name?: string, country?: string }>, owner: string) {
  return (req: RecordedRequest): Behaviour => {
    const token = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1]
    const user = token === undefined ? undefined : users[token]
    if (user === undefined) return error(401, 'Invalid access token')
    const url = new URL(req.url, 'http://x')
    // Spotify tolerates one trailing slash (spotify-web-api-node asks /v1/search/).
    const p = url.pathname.length > 4 && url.pathname.endsWith('/') ? url.pathname.slice(0, -1) : url.pathname
    const q = url.searchParams
    const limitOf = (fallback: number, max: number): number | null => {
      const raw = q.get('limit')
      const n = raw === null ? fallback : Number(raw)
      return Number.isInteger(n) && n >= 1 && n <= max ? n : null
    }
    const offset = Number(q.get('offset') ?? 0)
    if (req.method !== 'GET') return error(403, 'Forbidden')
    if (p === '/v1/me') return json({ id: user.id, display_name: user.display_name ?? user.id, type: 'user', uri: `spotify:user:${user.id}`, href: `${base}/v1/users/${user.id}`, external_urls: { spotify: `https://open.spotify.com/user/${user.id}` }, images: [], followers: { href: null, total: 0 } })
    let m = /^\/v1\/tracks\/([^/]+)$/.exec(p)
    if (m) {
      const t = TRACKS.get(m[1]!)
      return t === undefined ? error(404, 'Resource not found') : json(trackObject(t, base))
    }
    if (p === '/v1/me/tracks') {
      const limit = limitOf(20, 50)
      if (limit === null) return error(400, 'Invalid limit')
      const items = user.id === owner ? [...LIKED].sort((a, b) => b.addedAt.localeCompare(a.addedAt)) : []
      return json(page(base, p, items.slice(offset, offset + limit).map(t => ({ added_at: t.addedAt, track: trackObject(t, base) })), items.length, limit, offset))
    }
    if (p === '/v1/me/playlists') {
      const limit = limitOf(20, 50)
      if (limit === null) return error(400, 'Invalid limit')
      const mine = user.id === owner ? PLAYLISTS : []
      const items = mine.slice(offset, offset + limit).map(pl => ({ collaborative: false, description: '', external_urls: { spotify: `https://open.spotify.com/playlist/${pl.id}` }, href: `${base}/v1/playlists/${pl.id}`, id: pl.id, images: [], name: pl.name, owner: { id: owner, type: 'user' }, public: false, snapshot_id: `snap-${pl.id}`, items: { href: `${base}/v1/playlists/${pl.id}/items`, total: pl.tracks.length }, tracks: { href: `${base}/v1/playlists/${pl.id}/tracks`, total: pl.tracks.length }, type: 'playlist', uri: `spotify:playlist:${pl.id}` }))
      return json(page(base, p, items, mine.length, limit, offset))
    }
    m = /^\/v1\/playlists\/([^/]+)\/items$/.exec(p)
    if (m) {
      const pl = PLAYLISTS.find(x => x.id === m![1])
      if (pl === undefined) return error(404, 'Resource not found')
      const limit = limitOf(20, 50)
      if (limit === null) return error(400, 'Invalid limit')
      const items = pl.tracks.slice(offset, offset + limit).map(t => ({ added_at: t.addedAt, added_by: { id: owner, type: 'user' }, is_local: false, item: trackObject(t, base), track: trackObject(t, base) }))
      return json(page(base, p, items, pl.tracks.length, limit, offset))
    }
    if (p === '/v1/search') {
      const limit = limitOf(5, 10)
      if (limit === null) return error(400, 'Invalid limit')
      const words = (q.get('q') ?? '').toLowerCase().split(/\s+/).filter(Boolean)
      const found = [...TRACKS.values()].filter(t => words.every(w => `${t.name} ${t.artists.join(' ')}`.toLowerCase().includes(w)))
      return json({ tracks: page(base, p, found.slice(offset, offset + limit).map(t => trackObject(t, base)), found.length, limit, offset) })
    }
    // Removed for development-mode apps (February 2026), or never served here.
    if (/^\/v1\/(tracks|audio-features|audio-analysis)(\/|$)|^\/v1\/playlists\/[^/]+\/tracks$|^\/v1\/users\/[^/]+\/playlists$/.test(p)) return error(403, 'Forbidden')
    return error(404, 'Service not found')
  }
}
