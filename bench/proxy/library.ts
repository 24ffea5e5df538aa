// The quota replay's fake Spotify library and the sync script run against it.
//
// The library is deterministic (seeded): playlists of log-normal sizes whose entries draw from a
// catalogue so that popular tracks repeat across playlists, as in a real library. It is served by
// the upstream double through its public `set(rule)` API, in Spotify's shapes (Feb 2026 names:
// playlist `items` refs and entries with `item`, plus the deprecated `tracks`/`track` aliases
// Spotify still sends). The sync is what a library-sync script does, sequentially, one request at
// a time: list the playlists, page every playlist, then audio features and full tracks for every
// distinct track in batches.
import { createHash } from 'node:crypto'
import { behave, type Behaviour, type BehaviourRule, type RecordedRequest } from '../../test/helpers/upstream-double.js'
import { Rng } from '../rng.js'

export interface Library {
  playlists: Array<{ id: string, name: string, trackIds: string[] }>
  /** Distinct track ids, in first-seen order over the playlists. */
  distinctTracks: number
  entries: number
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'
const SEED = 0x5907_2026
/** Share of playlist entries whose track is seen for the first time. */
const DISTINCT_SHARE = 0.7
const OWNER = 'benchuser'

/** A 22-character base62 id, unique per (kind, index). */
function spotifyId (kind: string, index: number): string {
  const digest = createHash('sha256').update(`${kind}:${index}`).digest()
  let id = ''
  for (let k = 0; k < 22; k++) id += BASE62[digest[k]! % 62]
  return id
}

/** `playlists` playlists of 1 to 400 entries (median ~60). */
export function makeLibrary (playlists: number): Library {
  const rng = new Rng(SEED)
  const sizes = Array.from({ length: playlists }, () => Math.max(1, Math.min(400, Math.round(60 * Math.exp(rng.gauss() * 0.9)))))
  const entries = sizes.reduce((a, b) => a + b, 0)
  const catalogue = Math.max(1, Math.round(entries * DISTINCT_SHARE))
  // Every catalogue track once, then repeats skewed towards popular (low-index) tracks, shuffled.
  const picks = Array.from({ length: entries }, (_, i) => (i < catalogue ? i : Math.floor(catalogue * rng.next() ** 2)))
  for (let i = picks.length - 1; i > 0; i--) {
    const k = rng.int(i + 1)
    const t = picks[i]!
    picks[i] = picks[k]!
    picks[k] = t
  }
  let cursor = 0
  const lists = sizes.map((n, p) => ({
    id: spotifyId('playlist', p),
    name: `Bench playlist ${p + 1}`,
    trackIds: picks.slice(cursor, (cursor += n)).map(i => spotifyId('track', i))
  }))
  return { playlists: lists, distinctTracks: new Set(picks).size, entries }
}

// ---------------------------------------------------------------------------------------------
// Spotify-shaped answers

function seedOf (id: string): Buffer {
  return createHash('sha256').update(id).digest()
}

function trackObject (id: string, base: string): Record<string, unknown> {
  const seed = seedOf(id)
  const hex = seed.toString('hex')
  const artistId = spotifyId('artist', seed.readUInt16BE(0) % 2000)
  const albumId = spotifyId('album', seed.readUInt16BE(2) % 5000)
  const artist = {
    external_urls: { spotify: `https://open.spotify.com/artist/${artistId}` },
    href: `${base}/v1/artists/${artistId}`,
    id: artistId,
    name: `Artist ${artistId.slice(0, 6)}`,
    type: 'artist',
    uri: `spotify:artist:${artistId}`
  }
  return {
    album: {
      album_type: 'album',
      total_tracks: 12,
      available_markets: ['SE', 'US'],
      external_urls: { spotify: `https://open.spotify.com/album/${albumId}` },
      href: `${base}/v1/albums/${albumId}`,
      id: albumId,
      images: [{ url: `https://i.scdn.co/image/ab67616d0000b273${hex.slice(0, 24)}`, height: 640, width: 640 }],
      name: `Album ${albumId.slice(0, 6)}`,
      release_date: `${1990 + seed[4]! % 36}-0${1 + seed[5]! % 9}-1${seed[6]! % 10}`,
      release_date_precision: 'day',
      type: 'album',
      uri: `spotify:album:${albumId}`,
      artists: [artist]
    },
    artists: [artist],
    available_markets: ['SE', 'US'],
    disc_number: 1,
    duration_ms: 120_000 + seed.readUInt32BE(8) % 240_000,
    explicit: seed[12]! % 7 === 0,
    external_ids: { isrc: `SE${hex.slice(0, 10).toUpperCase()}` },
    external_urls: { spotify: `https://open.spotify.com/track/${id}` },
    href: `${base}/v1/tracks/${id}`,
    id,
    is_playable: true,
    name: `Track ${hex.slice(10, 16)}`,
    popularity: seed[13]! % 101,
    preview_url: null,
    track_number: 1 + seed[14]! % 12,
    type: 'track',
    uri: `spotify:track:${id}`,
    is_local: false
  }
}

function audioFeatures (id: string, base: string): Record<string, unknown> {
  const s = seedOf(`features:${id}`)
  const unit = (i: number): number => Math.round(s.readUInt16BE(i) / 65535 * 1000) / 1000
  return {
    acousticness: unit(0),
    analysis_url: `${base}/v1/audio-analysis/${id}`,
    danceability: unit(2),
    duration_ms: 120_000 + s.readUInt32BE(4) % 240_000,
    energy: unit(8),
    id,
    instrumentalness: unit(10),
    key: s[12]! % 12,
    liveness: unit(13),
    loudness: -Math.round(s[15]! / 255 * 20_000) / 1000,
    mode: s[16]! % 2,
    speechiness: unit(17),
    tempo: 60 + Math.round(s.readUInt16BE(19) / 65535 * 140_000) / 1000,
    time_signature: 4,
    track_href: `${base}/v1/tracks/${id}`,
    type: 'audio_features',
    uri: `spotify:track:${id}`,
    valence: unit(21)
  }
}

function userRef (base: string): Record<string, unknown> {
  return { external_urls: { spotify: `https://open.spotify.com/user/${OWNER}` }, href: `${base}/v1/users/${OWNER}`, id: OWNER, type: 'user', uri: `spotify:user:${OWNER}` }
}

function page (href: string, items: unknown[], limit: number, offset: number, total: number): Record<string, unknown> {
  const at = (o: number): string => `${href}?offset=${o}&limit=${limit}`
  return {
    href: at(offset),
    items,
    limit,
    next: offset + limit < total ? at(offset + limit) : null,
    offset,
    previous: offset > 0 ? at(Math.max(0, offset - limit)) : null,
    total
  }
}

function json (body: unknown, cacheControl: string): Behaviour {
  const text = JSON.stringify(body)
  // Spotify sends a strong ETag and `max-age=0` on these (docs/spotify-api.md §1).
  const etag = `"${createHash('sha256').update(text).digest('hex').slice(0, 32)}"`
  return behave.status(200, text, { 'content-type': 'application/json; charset=utf-8', 'cache-control': cacheControl, etag })
}

function badRequest (message: string): Behaviour {
  return behave.status(400, { error: { status: 400, message } })
}

/** Limit and offset as Spotify checks them (`limit` 1..max, default 20). */
function paging (q: URLSearchParams, max: number): { limit: number, offset: number } | null {
  const limit = Number(q.get('limit') ?? 20)
  const offset = Number(q.get('offset') ?? 0)
  if (!Number.isInteger(limit) || limit < 1 || limit > max || !Number.isInteger(offset) || offset < 0) return null
  return { limit, offset }
}

function idList (q: URLSearchParams, max: number): string[] | null {
  const ids = (q.get('ids') ?? '').split(',').filter(id => id !== '')
  return ids.length === 0 || ids.length > max ? null : ids
}

/**
 * The double's rule for the library's endpoints, for callers holding one of `tokens`; anything
 * else (e.g. `/v1/tracks/{id}`, `/v1/me`) gets the double's own plausible answers.
 */
export function libraryRule (lib: Library, base: string, tokens: readonly string[]): BehaviourRule {
  const byId = new Map(lib.playlists.map(p => [p.id, p]))
  return (req: RecordedRequest): Behaviour => {
    const url = new URL(req.url, 'http://double')
    const path = url.pathname
    const q = url.searchParams
    const isLibraryPath = path === '/v1/me/playlists' || path === '/v1/audio-features' || path === '/v1/tracks' || /^\/v1\/playlists\/[^/]+\/items$/.test(path)
    if (!isLibraryPath || req.method !== 'GET') return behave.ok()
    const token = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1]
    if (token === undefined || !tokens.includes(token)) return behave.status(401)

    if (path === '/v1/me/playlists') {
      const p = paging(q, 50)
      if (p === null) return badRequest('Invalid limit')
      const items = lib.playlists.slice(p.offset, p.offset + p.limit).map(pl => {
        const ref = { href: `${base}/v1/playlists/${pl.id}/items`, total: pl.trackIds.length }
        return {
          collaborative: false,
          description: '',
          external_urls: { spotify: `https://open.spotify.com/playlist/${pl.id}` },
          href: `${base}/v1/playlists/${pl.id}`,
          id: pl.id,
          images: [],
          name: pl.name,
          owner: { ...userRef(base), display_name: 'Bench User' },
          primary_color: null,
          public: false,
          snapshot_id: `AAAA${pl.id}`,
          items: ref,
          tracks: ref,
          type: 'playlist',
          uri: `spotify:playlist:${pl.id}`
        }
      })
      return json(page(`${base}/v1/me/playlists`, items, p.limit, p.offset, lib.playlists.length), 'private, max-age=0')
    }
    const playlistId = /^\/v1\/playlists\/([^/]+)\/items$/.exec(path)?.[1]
    if (playlistId !== undefined) {
      const pl = byId.get(playlistId)
      if (pl === undefined) return behave.status(404)
      const p = paging(q, 50)
      if (p === null) return badRequest('Invalid limit')
      const items = pl.trackIds.slice(p.offset, p.offset + p.limit).map((id, k) => {
        const track = trackObject(id, base)
        const addedAt = new Date(Date.UTC(2024, 0, 1) + (p.offset + k) * 86_400_000).toISOString().replace(/\.\d{3}Z$/, 'Z')
        return { added_at: addedAt, added_by: userRef(base), is_local: false, primary_color: null, item: track, track, video_thumbnail: { url: null } }
      })
      return json(page(`${base}/v1/playlists/${pl.id}/items`, items, p.limit, p.offset, pl.trackIds.length), 'private, max-age=0')
    }
    if (path === '/v1/audio-features') {
      const ids = idList(q, 100)
      if (ids === null) return badRequest('Invalid ids')
      return json({ audio_features: ids.map(id => audioFeatures(id, base)) }, 'public, max-age=0')
    }
    const ids = idList(q, 50)
    if (ids === null) return badRequest('Invalid ids')
    return json({ tracks: ids.map(id => trackObject(id, base)) }, 'public, max-age=0')
  }
}

/** Which kind of sync request an upstream request was, for the breakdown. */
export function requestKind (url: string): 'playlists' | 'playlist pages' | 'audio features' | 'several tracks' | 'the token\'s user' | 'other' {
  const path = url.split('?')[0] ?? ''
  if (path === '/v1/me/playlists') return 'playlists'
  if (path === '/v1/me') return 'the token\'s user'
  if (/^\/v1\/playlists\/[^/]+\/items$/.test(path)) return 'playlist pages'
  if (path === '/v1/audio-features') return 'audio features'
  if (path === '/v1/tracks') return 'several tracks'
  return 'other'
}

// ---------------------------------------------------------------------------------------------
// The sync script

export interface SyncResult {
  requests: number
  /** 429s answered (then retried after their Retry-After, as spotipy and most clients do). */
  retried: number
  seconds: number
  playlists: number
  entries: number
  distinctTracks: number
  /** sha256 over what the sync keeps (ids, names, feature values; not hrefs): equal digests, equal data. */
  digest: string
}

/** A sync gives up after waiting this long in all on 429s. */
const MAX_RETRY_WAIT_MS = 60_000

interface Paging<T> { items: T[], total: number }
interface PlaylistEntry { added_at?: string, item?: { id?: string | null } | null, track?: { id?: string | null } | null }
interface Features { id: string, tempo: number, energy: number, key: number }
interface Track { id: string, name: string, popularity: number, duration_ms: number }

/**
 * One sync of the whole library through `origin`, one request at a time. Pages are walked by
 * offset up to `total` rather than by following `next`: Spotify's `next` is an absolute URL on
 * api.spotify.com, which would take a real script past any proxy.
 */
export async function runSync (origin: string, token: string): Promise<SyncResult> {
  const hash = createHash('sha256')
  let requests = 0
  let retried = 0
  let waitedMs = 0
  const get = async <T>(path: string): Promise<T> => {
    for (;;) {
      requests++
      const res = await fetch(`${origin}${path}`, { headers: { authorization: `Bearer ${token}` } })
      const text = await res.text()
      if (res.status === 429 && waitedMs < MAX_RETRY_WAIT_MS) {
        const ms = Math.max(1, Number(res.headers.get('retry-after') ?? 1) || 1) * 1000
        retried++
        waitedMs += ms
        await new Promise(resolve => setTimeout(resolve, ms))
        continue
      }
      if (res.status !== 200) throw new Error(`sync: GET ${path} answered ${res.status}: ${text.slice(0, 200)}`)
      return JSON.parse(text) as T
    }
  }
  const t0 = performance.now()

  const playlists: Array<{ id: string }> = []
  for (let offset = 0, total = 1; offset < total; offset += 50) {
    const p = await get<Paging<{ id: string, name: string }>>(`/v1/me/playlists?limit=50&offset=${offset}`)
    total = p.total
    playlists.push(...p.items)
    for (const pl of p.items) hash.update(`p ${pl.id} ${pl.name}\n`)
  }
  const ids: string[] = []
  const seen = new Set<string>()
  let entries = 0
  for (const pl of playlists) {
    for (let offset = 0, total = 1; offset < total; offset += 50) {
      const p = await get<Paging<PlaylistEntry>>(`/v1/playlists/${pl.id}/items?limit=50&offset=${offset}`)
      total = p.total
      for (const e of p.items) {
        entries++
        const id = (e.item ?? e.track)?.id
        hash.update(`e ${pl.id} ${id} ${e.added_at}\n`)
        if (typeof id === 'string' && !seen.has(id)) { seen.add(id); ids.push(id) }
      }
    }
  }
  for (let i = 0; i < ids.length; i += 100) {
    const { audio_features: list } = await get<{ audio_features: Array<Features | null> }>(`/v1/audio-features?ids=${ids.slice(i, i + 100).join(',')}`)
    for (const f of list) hash.update(f === null ? 'f null\n' : `f ${f.id} ${f.tempo} ${f.energy} ${f.key}\n`)
  }
  for (let i = 0; i < ids.length; i += 50) {
    const { tracks } = await get<{ tracks: Array<Track | null> }>(`/v1/tracks?ids=${ids.slice(i, i + 50).join(',')}`)
    for (const t of tracks) hash.update(t === null ? 't null\n' : `t ${t.id} ${t.name} ${t.popularity} ${t.duration_ms}\n`)
  }

  return { requests, retried, seconds: (performance.now() - t0) / 1000, playlists: playlists.length, entries, distinctTracks: ids.length, digest: hash.digest('hex') }
}
