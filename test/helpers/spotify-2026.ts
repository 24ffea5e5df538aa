// Spotify as a development-mode app sees it in late 2026 (docs/spotify-api.md §3, §5), over a
// small library whose data is the demo CSV library's: a BehaviourRule for upstream-double.ts
// (`double.set(spotify2026(double.url))`).
//
// The library: the playlists "Deep Focus" and "Café Classics" and the Liked Songs (every row of
// demo-library/Deep_Focus.csv, Café_Classics.csv and Liked_Songs.csv, read here with csv-parse,
// not through the code under test), owned by the user of the ALICE token; and "Everything", every
// track of the demo library once (52: the only playlist longer than an /items page), which
// writeLibrary() adds to a copy of the demo library for the proxy's CSV library. The catalog
// (/v1/tracks/{id}, search) is every Spotify track of the demo library (TRACKS). So whether the
// proxy answers from upstream, its cache or the CSV library, the same ids, names, artists, ISRCs
// and order come back. A few tracks are pinned below with their values written out (PICKS),
// checked against the CSVs when this module loads, so tests can assert on literal data.
//
// What it answers, as Spotify does for a development-mode app since March 2026:
// - GET /v1/me (per token; dev mode no longer sends country, email, product, followers,
//   explicit_content), /v1/tracks/{id}, /v1/playlists/{id} (first page embedded under both `items`
//   and `tracks`), /v1/playlists/{id}/items (limit 1-50; entries with both `item` and `track`),
//   /v1/me/tracks, /v1/me/playlists (limit 1-50), /v1/search?type=track (limit 1-10, default 5).
//   Paging links are absolute on `base` (the double's own origin), as Spotify's are on its own.
// - 403 {"error":{"status":403,"message":"Forbidden"}} for the endpoints removed for such apps:
//   GET /v1/tracks?ids=, /v1/audio-features (single and ?ids=), /v1/audio-analysis/{id},
//   /v1/playlists/{id}/tracks (every verb), /v1/users/{id}/playlists (GET and POST).
// - A playlist the caller neither owns nor collaborates on: metadata only, and 403 on /items.
// - 400 for a bad limit/offset, 401 for an unknown token, 404 "Service not found" for unknown
//   paths, 404 "Resource not found" for unknown ids, 405 for another method on a known path.
// Dev-mode track objects lack the fields the February 2026 changes removed for such apps
// (popularity, preview_url, available_markets, linked_from); the album keeps `available_markets`
// (empty), which the spec's AlbumBase requires. The double ignores `fields` (the proxy applies it).
import { createHash } from 'node:crypto'
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'csv-parse/sync'
import { ALICE, USERS } from './proxy.js'
import { behave, type Behaviour, type DoubleUser, type RecordedRequest } from './upstream-double.js'

export interface AudioFeatures {
  danceability: number
  energy: number
  key: number
  loudness: number
  mode: number
  speechiness: number
  acousticness: number
  instrumentalness: number
  liveness: number
  valence: number
  tempo: number
  time_signature: number
}

/** A track as the demo CSVs hold it. */
export interface DemoTrack {
  id: string
  name: string
  artists: string[]
  album: string
  isrc: string
  releaseDate: string
  durationMs: number
  explicit: boolean
  /** In the CSV; not sent to development-mode apps since February 2026. */
  popularity: number
  features: AudioFeatures
}

/** A row of a playlist or of the Liked Songs: the track and when it was added. */
export interface DemoEntry {
  track: DemoTrack
  addedAt: string
  /** The row as the CSV file has it (with its line end). */
  row: string
}

export interface DemoPlaylist {
  /** Spotify's id for it (the CSV file names carry none: the proxy learns it from answers). */
  id: string
  name: string
  snapshotId: string
  entries: DemoEntry[]
}

const DEMO = new URL('../../demo-library/', import.meta.url)
const DEMO_FILES = readdirSync(DEMO).filter(f => f.endsWith('.csv')).sort()

/** The Spotify tracks of one export, in file order (local files, which have no id, left out). */
function readExport (file: string): DemoEntry[] {
  const rows = parse(readFileSync(new URL(file, DEMO)), { columns: true, bom: true, raw: true }) as Array<{ record: Record<string, string>, raw: string }>
  return rows.filter(x => x.record['Track URI']!.startsWith('spotify:track:')).map(({ record: r, raw }) => {
    const num = (col: string): number => Number(r[col])
    return {
      addedAt: r['Added At']!,
      row: raw,
      track: {
        id: r['Track URI']!.replace(/^spotify:track:/, ''),
        name: r['Track Name']!,
        artists: r['Artist Name(s)']!.split(';'),
        album: r['Album Name']!,
        isrc: r.ISRC!,
        releaseDate: r['Release Date']!,
        durationMs: num('Duration (ms)'),
        explicit: r.Explicit === 'true',
        popularity: num('Popularity'),
        features: {
          danceability: num('Danceability'),
          energy: num('Energy'),
          key: num('Key'),
          loudness: num('Loudness'),
          mode: num('Mode'),
          speechiness: num('Speechiness'),
          acousticness: num('Acousticness'),
          instrumentalness: num('Instrumentalness'),
          liveness: num('Liveness'),
          valence: num('Valence'),
          tempo: num('Tempo'),
          time_signature: num('Time Signature')
        }
      }
    }
  })
}

/** The library's owner: the user of the ALICE token (test/helpers/proxy.ts). */
export const OWNER = { token: ALICE, ...USERS[ALICE] }

export const DEEP_FOCUS: DemoPlaylist = { id: 'NQzehgzTrECH5ZGh4WzP9Y', name: 'Deep Focus', snapshotId: 'AAAADGRlZXAtZm9jdXMtMTI=', entries: readExport('Deep_Focus.csv') }
export const CAFE_CLASSICS: DemoPlaylist = { id: '9HgHEPGsTezwJEwJCGF9zh', name: 'Café Classics', snapshotId: 'AAAAD2NhZmUtY2xhc3NpY3M=', entries: readExport('Café_Classics.csv') }
/** Saved tracks, newest first (the order of the export, and of GET /v1/me/tracks). */
export const LIKED: readonly DemoEntry[] = readExport('Liked_Songs.csv')
/** Spotify's catalog as far as the double knows it: every Spotify track of the demo library (all five files), by id. */
export const TRACKS: ReadonlyMap<string, DemoTrack> = new Map(DEMO_FILES.flatMap(readExport).map(e => [e.track.id, e.track]))
/**
 * The one playlist longer than 50 (so a page of 100 takes two /items pages): every Spotify track
 * of the demo library once, each row as its first export has it. Not a file of the demo library:
 * writeLibrary() adds it beside the demo files, so the CSV library holds it too.
 */
export const EVERYTHING: DemoPlaylist = {
  id: 'YU5DsemtROFs8miYxf7Lnj',
  name: 'Everything',
  snapshotId: 'AAAANGV2ZXJ5dGhpbmctNTI=',
  entries: DEMO_FILES.flatMap(readExport).filter((e, i, all) => all.findIndex(x => x.track.id === e.track.id) === i)
}
export const PLAYLISTS: readonly DemoPlaylist[] = [DEEP_FOCUS, CAFE_CLASSICS, EVERYTHING]

/**
 * A CSV library folder for the proxy: the demo library's files, plus Everything.csv (EVERYTHING,
 * in the demo files' format). The demo token is not accepted on it (it is no longer the demo).
 */
export function writeLibrary (dir: string): void {
  mkdirSync(dir, { recursive: true })
  for (const f of DEMO_FILES) copyFileSync(new URL(f, DEMO), join(dir, f))
  const header = readFileSync(new URL(DEMO_FILES[0]!, DEMO), 'utf8').split('\n')[0]!
  writeFileSync(join(dir, 'Everything.csv'), `${header}\n${EVERYTHING.entries.map(e => e.row).join('')}`)
}

/** Hand-picked tracks, written out as the CSVs have them. */
export const PICKS = {
  /** Deep Focus #1 and liked; no key detected (key -1). */
  greenhouse: { id: '1NzkCuszl939j2tb9xPmMQ', name: 'Greenhouse at Dawn', artists: ['Lumen & the Tides'], album: 'Glasshouse Hymns', isrc: 'IEHLT1200144', durationMs: 412877, features: { danceability: 0.184, energy: 0.223, key: -1, loudness: -19.874, mode: 1, speechiness: 0.0381, acousticness: 0.934, instrumentalness: 0.941, liveness: 0.0912, valence: 0.0387, tempo: 70.221, time_signature: 4 } },
  /** Café Classics #1 and liked; release date a year only. */
  cafeAuLait: { id: '6lQSCExMDc4UAzAtdnflE2', name: 'Café au lait à minuit', artists: ['Élodie Marchand'], album: 'Café au lait à minuit', isrc: 'FRPLN1800144', durationMs: 196203, features: { danceability: 0.587, energy: 0.312, key: 7, loudness: -11.204, mode: 1, speechiness: 0.0621, acousticness: 0.884, instrumentalness: 0.000312, liveness: 0.142, valence: 0.498, tempo: 108.42, time_signature: 4 } },
  /** Two artists. */
  saudade: { id: '39qSDVNdDjICKOEx1pOn9r', name: 'Saudade em São Paulo (feat. Trio Fennec)', artists: ['Rosa Quintero-Vale', 'Trio Fennec'], album: 'Mañana, Quizás', isrc: 'ESDCB2300153', durationMs: 256331, features: { danceability: 0.632, energy: 0.352, key: 2, loudness: -11.31, mode: 1, speechiness: 0.0377, acousticness: 0.845, instrumentalness: 0.302, liveness: 0.142, valence: 0.553, tempo: 118.776, time_signature: 4 } },
  /** Quotes and a comma in the name, two artists. */
  paperLanterns: { id: '436cQ74zKGV2A56VRAZTI9', name: 'Paper Lanterns "Live", Part 2', artists: ['Ana Sol', 'The Quiet Harbour'], album: 'Harbour Sessions (Live)', isrc: 'GBLBR2500151', durationMs: 301877, features: { danceability: 0.421, energy: 0.462, key: 4, loudness: -9.337, mode: 1, speechiness: 0.0512, acousticness: 0.611, instrumentalness: 0.00412, liveness: 0.874, valence: 0.352, tempo: 84.733, time_signature: 3 } },
  /** Japanese name, liked only. */
  yoake: { id: '1ky0SVTfPLNS36YzXkoJUI', name: '夜明けのプラットホーム', artists: ['早瀬光司'], album: '夜明けの環状線', isrc: 'JPH7T2100151', durationMs: 262540, features: { danceability: 0.702, energy: 0.683, key: 2, loudness: -6.118, mode: 1, speechiness: 0.0397, acousticness: 0.213, instrumentalness: 0.00108, liveness: 0.0855, valence: 0.781, tempo: 114.033, time_signature: 4 } },
  /** One artist whose name holds a comma; time signature 3. */
  clockmaker: { id: '1DxXEsJbWxYck2g6tUjnyC', name: 'The Clockmaker\'s Waltz', artists: ['Bell, Book & Lantern'], album: 'Parlour Tricks', isrc: 'USKAM1700145', durationMs: 233150, features: { danceability: 0.421, energy: 0.318, key: 0, loudness: -11.82, mode: 1, speechiness: 0.0298, acousticness: 0.822, instrumentalness: 0.0412, liveness: 0.0893, valence: 0.447, tempo: 176.322, time_signature: 3 } }
} as const

// The pins must say what the CSVs say, or every test built on them would check the wrong thing.
for (const [name, pick] of Object.entries(PICKS)) {
  const t = TRACKS.get(pick.id)
  const csv = t === undefined ? undefined : { id: t.id, name: t.name, artists: t.artists, album: t.album, isrc: t.isrc, durationMs: t.durationMs, features: t.features }
  if (JSON.stringify(csv) !== JSON.stringify(pick)) throw new Error(`spotify-2026: PICKS.${name} differs from the demo CSVs: ${JSON.stringify(csv)}`)
}
if (LIKED.some((e, i) => i > 0 && e.addedAt > LIKED[i - 1]!.addedAt)) throw new Error('spotify-2026: Liked_Songs.csv is not newest first')

const B62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'
/** A stable 22-character base62 id for an artist or album (the CSVs carry none). */
export function derivedId (kind: 'artist' | 'album', name: string): string {
  const d = createHash('sha256').update(`${kind}:${name}`).digest()
  return Array.from(d.subarray(0, 22), b => B62[b % 62]).join('')
}

type Json = Record<string, unknown>
type Users = Record<string, DoubleUser>

const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'private, max-age=0' }
const ok = (body: unknown): Behaviour => behave.status(200, body, JSON_HEADERS)
const fail = (status: number, message: string): Behaviour => behave.status(status, { error: { status, message } }, JSON_HEADERS)

/** Endpoints removed for development-mode apps: 403 whatever the ids or the playlist. */
export function closedFor2026 (method: string, pathname: string): boolean {
  if (/^\/v1\/playlists\/[^/]+\/tracks$/.test(pathname)) return true
  // Saving, removing and checking moved to /v1/me/library.
  if (/^\/v1\/me\/(tracks|albums|episodes|shows|audiobooks)\/contains$/.test(pathname)) return true
  if (/^\/v1\/me\/(tracks|albums|episodes|shows|audiobooks)$/.test(pathname) && (method === 'PUT' || method === 'DELETE')) return true
  if (/^\/v1\/users\/[^/]+\/playlists$/.test(pathname)) return method === 'GET' || method === 'POST'
  if (method !== 'GET') return false
  return pathname === '/v1/tracks' || pathname === '/v1/audio-features' || /^\/v1\/audio-(features|analysis)\/[^/]+$/.test(pathname)
}

export interface Spotify2026Options {
  /** Bearer token → user; default USERS of test/helpers/proxy.ts. Any other token gets a 401. */
  users?: Users
  /** The user id owning the library; default the ALICE token's user. */
  owner?: string
}

/** The rule: `double.set(spotify2026(double.url))`. `base` is the origin paging links are written on. */
export function spotify2026 (base: string, opts: Spotify2026Options = {}): (req: RecordedRequest) => Behaviour {
  const users: Users = opts.users ?? USERS
  const ownerId = opts.owner ?? OWNER.id
  const owner = Object.values(users).find(u => u.id === ownerId) ?? { id: ownerId }
  const api = `${base}/v1`

  const userRef = (u: DoubleUser): Json => ({ external_urls: { spotify: `https://open.spotify.com/user/${u.id}` }, href: `${api}/users/${u.id}`, id: u.id, type: 'user', uri: `spotify:user:${u.id}` })
  const ownerObject = (): Json => ({ ...userRef(owner), display_name: owner.display_name ?? null })

  function artist (name: string): Json {
    const id = derivedId('artist', name)
    return { external_urls: { spotify: `https://open.spotify.com/artist/${id}` }, href: `${api}/artists/${id}`, id, name, type: 'artist', uri: `spotify:artist:${id}` }
  }

  function track (t: DemoTrack, market: string | null): Json {
    const albumId = derivedId('album', t.album)
    const precision = t.releaseDate.length === 4 ? 'year' : t.releaseDate.length === 7 ? 'month' : 'day'
    const albumTracks = [...TRACKS.values()].filter(x => x.album === t.album)
    const artists = t.artists.map(artist)
    return {
      album: {
        album_type: albumTracks.length > 1 ? 'album' : 'single',
        total_tracks: albumTracks.length,
        available_markets: [],
        external_urls: { spotify: `https://open.spotify.com/album/${albumId}` },
        href: `${api}/albums/${albumId}`,
        id: albumId,
        images: [{ url: `https://i.scdn.co/image/ab67616d0000b273${createHash('sha256').update(albumId).digest('hex').slice(0, 24)}`, height: 640, width: 640 }],
        name: t.album,
        release_date: t.releaseDate,
        release_date_precision: precision,
        type: 'album',
        uri: `spotify:album:${albumId}`,
        artists: [artists[0]]
      },
      artists,
      disc_number: 1,
      duration_ms: t.durationMs,
      explicit: t.explicit,
      external_ids: { isrc: t.isrc },
      external_urls: { spotify: `https://open.spotify.com/track/${t.id}` },
      href: `${api}/tracks/${t.id}`,
      id: t.id,
      ...(market === null ? {} : { is_playable: true }),
      name: t.name,
      track_number: albumTracks.findIndex(x => x.id === t.id) + 1,
      type: 'track',
      uri: `spotify:track:${t.id}`,
      is_local: false
    }
  }

  /** A paging object; links keep the request's other parameters, after offset and limit, as Spotify's do. */
  function page (path: string, query: URLSearchParams, all: unknown[], limit: number, offset: number, rename: Record<string, string> = {}): Json {
    const link = (o: number): string => {
      const q = new URLSearchParams({ offset: String(o), limit: String(limit) })
      for (const [k, v] of query) if (k !== 'offset' && k !== 'limit') q.append(rename[k] ?? k, v)
      return `${api}${path.slice('/v1'.length)}?${q.toString()}`
    }
    return {
      href: link(offset),
      items: all.slice(offset, offset + limit),
      limit,
      next: offset + limit < all.length ? link(offset + limit) : null,
      offset,
      previous: offset > 0 ? link(Math.max(0, offset - limit)) : null,
      total: all.length
    }
  }

  function entry (e: DemoEntry, market: string | null): Json {
    const t = track(e.track, market)
    return { added_at: e.addedAt, added_by: userRef(owner), is_local: false, item: t, track: t }
  }

  function simplifiedPlaylist (p: DemoPlaylist): Json {
    return {
      collaborative: false,
      description: '',
      external_urls: { spotify: `https://open.spotify.com/playlist/${p.id}` },
      href: `${api}/playlists/${p.id}`,
      id: p.id,
      images: [],
      name: p.name,
      owner: ownerObject(),
      public: false,
      snapshot_id: p.snapshotId,
      items: { href: `${api}/playlists/${p.id}/items`, total: p.entries.length },
      tracks: { href: `${api}/playlists/${p.id}/tracks`, total: p.entries.length },
      type: 'playlist',
      uri: `spotify:playlist:${p.id}`
    }
  }

  // What each user saved and removed through /v1/me/library since the double started (URIs).
  const library = new Map<string, { added: string[], removed: Set<string> }>()
  const libraryOf = (userId: string): { added: string[], removed: Set<string> } => {
    let l = library.get(userId)
    if (l === undefined) library.set(userId, l = { added: [], removed: new Set() })
    return l
  }
  const savedTracks = (u: DoubleUser, market: string | null): Json[] => {
    const l = libraryOf(u.id)
    const liked = u.id === ownerId ? LIKED.map(e => ({ added_at: e.addedAt, track: track(e.track, market) })) : []
    const added = l.added.filter(uri => uri.startsWith('spotify:track:')).map(uri => TRACKS.get(uri.slice(14))).filter((t): t is DemoTrack => t !== undefined)
    return [...added.map(t => ({ added_at: '2026-11-01T00:00:00Z', track: track(t, market) })), ...liked.filter(e => !added.some(t => t.id === (e.track as { id: string }).id))]
      .filter(e => !l.removed.has(`spotify:track:${(e.track as { id: string }).id}`))
  }

  return (req: RecordedRequest): Behaviour => {
    const url = new URL(req.url, base)
    // Spotify tolerates one trailing slash (spotify-web-api-node asks for /v1/search/).
    const path = url.pathname.length > 4 && url.pathname.endsWith('/') ? url.pathname.slice(0, -1) : url.pathname
    const q = url.searchParams
    if (!path.startsWith('/v1/')) return fail(404, 'Service not found')

    const auth = req.headers.authorization
    if (auth === undefined) return fail(401, 'No token provided')
    const token = /^Bearer (\S+)$/.exec(auth)?.[1]
    if (token === undefined) return fail(400, 'Only valid bearer authentication supported')
    const user = users[token]
    if (user === undefined) return fail(401, 'Invalid access token')

    if (closedFor2026(req.method, path)) return fail(403, 'Forbidden')

    const isOwner = user.id === ownerId
    const market = q.get('market') === 'from_token' ? (user.country ?? null) : q.get('market')
    /** `limit` within 1..max (absent: fallback), or null. */
    const limitOf = (fallback: number, max: number): number | null => {
      const raw = q.get('limit')
      const n = raw === null ? fallback : /^\d+$/.test(raw) ? Number(raw) : NaN
      return n >= 1 && n <= max ? n : null
    }
    const offsetOf = (max: number): number | null => {
      const raw = q.get('offset')
      const n = raw === null ? 0 : /^\d+$/.test(raw) ? Number(raw) : NaN
      return n >= 0 && n <= max ? n : null
    }
    const paged = (max: number, fallback: number, maxOffset: number, answer: (limit: number, offset: number) => Behaviour): Behaviour => {
      const limit = limitOf(fallback, max)
      if (limit === null) return fail(400, 'Invalid limit')
      const offset = offsetOf(maxOffset)
      if (offset === null) return fail(400, 'Invalid offset')
      return answer(limit, offset)
    }

    let m: RegExpExecArray | null
    if (path === '/v1/me/library' || path === '/v1/me/library/contains') {
      const isWrite = path === '/v1/me/library'
      if (isWrite ? req.method !== 'PUT' && req.method !== 'DELETE' : req.method !== 'GET') return fail(405, 'Method not allowed')
      const raw = q.get('uris')
      if (raw === null || raw === '') return fail(400, 'Missing parameter uris')
      const uris = raw.split(',')
      if (uris.length > 40) return fail(400, 'Too many URIs requested')
      if (!uris.every(uri => /^spotify:(track|album|episode|show|audiobook|user|playlist|artist):[0-9A-Za-z]{22}$/.test(uri))) return fail(400, 'Invalid URI')
      const l = libraryOf(user.id)
      if (!isWrite) {
        const saved = new Set([...savedTracks(user, null).map(e => `spotify:track:${(e.track as { id: string }).id}`), ...l.added])
        return ok(uris.map(uri => saved.has(uri) && !l.removed.has(uri)))
      }
      for (const uri of uris) {
        l.added = l.added.filter(x => x !== uri)
        if (req.method === 'PUT') {
          l.added.unshift(uri)
          l.removed.delete(uri)
        } else {
          l.removed.add(uri)
        }
      }
      return behave.status(200, null)
    }

    const known = path === '/v1/me' || path === '/v1/me/tracks' || path === '/v1/me/playlists' || path === '/v1/search' ||
      /^\/v1\/tracks\/[^/]+$/.test(path) || /^\/v1\/playlists\/[^/]+(\/items)?$/.test(path)
    if (!known) return fail(404, 'Service not found')
    if (req.method !== 'GET') return fail(405, 'Method not allowed')

    if (path === '/v1/me') {
      return ok({
        account_id: createHash('sha256').update(`account:${user.id}`).digest('hex').slice(0, 28),
        display_name: user.display_name ?? null,
        external_urls: { spotify: `https://open.spotify.com/user/${user.id}` },
        href: `${api}/users/${user.id}`,
        id: user.id,
        images: [],
        type: 'user',
        uri: `spotify:user:${user.id}`
      })
    }

    if ((m = /^\/v1\/tracks\/([^/]+)$/.exec(path)) !== null) {
      if (!/^[0-9A-Za-z]{22}$/.test(m[1]!)) return fail(400, 'Invalid base62 id')
      const t = TRACKS.get(m[1]!)
      return t === undefined ? fail(404, 'Resource not found') : ok(track(t, market))
    }

    if (path === '/v1/me/tracks') {
      const saved = savedTracks(user, market)
      return paged(50, 20, 100_000, (limit, offset) => ok(page(path, q, saved, limit, offset)))
    }

    if (path === '/v1/me/playlists') {
      const mine = isOwner ? PLAYLISTS.map(simplifiedPlaylist) : []
      return paged(50, 20, 100_000, (limit, offset) => ok(page(path, q, mine, limit, offset)))
    }

    if ((m = /^\/v1\/playlists\/([^/]+)(\/items)?$/.exec(path)) !== null) {
      const p = PLAYLISTS.find(x => x.id === m![1])
      if (p === undefined) return fail(404, 'Resource not found')
      const entries = p.entries.map(e => entry(e, market))
      if (m[2] !== undefined) {
        // Only for playlists the user owns or collaborates on.
        if (!isOwner) return fail(403, 'Forbidden')
        return paged(50, 20, 100_000, (limit, offset) => ok(page(path, q, entries, limit, offset)))
      }
      const playlist: Json = { ...simplifiedPlaylist(p), followers: { href: null, total: 0 } }
      if (!isOwner) {
        // Someone else's playlist: metadata only.
        delete playlist.items
        delete playlist.tracks
        return ok(playlist)
      }
      const first = (kind: 'items' | 'tracks'): Json => page(`/v1/playlists/${p.id}/${kind}`, new URLSearchParams(), entries, 100, 0)
      return ok({ ...playlist, items: first('items'), tracks: first('tracks') })
    }

    // /v1/search
    const text = q.get('q')
    if (text === null || text.trim() === '') return fail(400, 'No search query')
    const types = (q.get('type') ?? '').split(',')
    const TYPES = ['album', 'artist', 'playlist', 'track', 'show', 'episode', 'audiobook']
    if (types.some(x => !TYPES.includes(x))) return fail(400, types[0] === '' ? 'Missing parameter type' : 'Bad search type field')
    return paged(10, 5, 1000, (limit, offset) => {
      const body: Json = {}
      for (const type of types) {
        const found = type === 'track' ? search(text).map(t => track(t, market)) : []
        body[`${type}s`] = page(path, q, found, limit, offset, { q: 'query' })
      }
      return ok(body)
    })
  }
}

const fold = (s: string): string => s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase()

/**
 * Tracks matching a query: `field:value` / `field:"some words"` filters (track, artist, album,
 * isrc, year) and free words, all of which must match; exact name matches first, then catalog order.
 */
export function search (query: string): DemoTrack[] {
  const filters: Array<[string | null, string]> = []
  for (const m of query.matchAll(/(?:(\w+):)?(?:"([^"]*)"|(\S+))/g)) filters.push([m[1]?.toLowerCase() ?? null, fold(m[2] ?? m[3] ?? '')])
  const matches = (t: DemoTrack): boolean => filters.every(([field, v]) => {
    switch (field) {
      case 'track': return fold(t.name).includes(v)
      case 'artist': return t.artists.some(a => fold(a).includes(v))
      case 'album': return fold(t.album).includes(v)
      case 'isrc': return fold(t.isrc) === v
      case 'year': return t.releaseDate.startsWith(v)
      default: return fold(`${t.name} ${t.artists.join(' ')} ${t.album}`).includes(field === null ? v : `${field}:${v}`)
    }
  })
  const found = [...TRACKS.values()].filter(matches)
  const exact = fold(query.trim())
  return [...found.filter(t => fold(t.name) === exact), ...found.filter(t => fold(t.name) !== exact)]
}
