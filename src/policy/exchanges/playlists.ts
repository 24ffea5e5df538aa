// Two playlist bridges: writes to /v1/playlists/{id}/tracks go to /items (DELETE names its list
// `items` instead of `tracks`), and GET /v1/users/{id}/playlists, closed to development-mode
// apps, is /v1/me/playlists when the id is the token's own user.
import type { RequestTarget } from '../../endpoints.js'
import { forward } from './forward.js'
import type { Exchange } from './types.js'

/** A write to /v1/playlists/{id}/tracks, sent to /items: the same query and body (DELETE's list renamed), or null. */
export function translatePlaylistWrite (target: RequestTarget, body: Buffer | undefined): { path: string, body: Buffer | undefined } | null {
  if (target.endpoint?.bridge !== 'playlist-write') return null
  const path = `/v1/playlists/${target.args[0]!}/items${target.rawQuery === null ? '' : `?${target.rawQuery}`}`
  if (target.method !== 'DELETE' || body === undefined || body.length === 0) return { path, body }
  try {
    const json = JSON.parse(body.toString('utf8')) as unknown
    if (typeof json === 'object' && json !== null && !Array.isArray(json) && 'tracks' in json && !('items' in json)) {
      const { tracks, ...rest } = json as Record<string, unknown>
      return { path, body: Buffer.from(JSON.stringify({ items: tracks, ...rest })) }
    }
  } catch {
    // Not JSON: upstream judges it as sent.
  }
  return { path, body }
}

/** The user id of a `GET /v1/users/{id}/playlists` request, or null. */
export function userPlaylistsOwner (target: RequestTarget): string | null {
  return target.endpoint?.bridge === 'own-playlists' ? target.args[0]! : null
}

/** `/v1/users/{id}/playlists?q` → `/v1/me/playlists?q`. */
export function ownPlaylistsPath (target: RequestTarget): string {
  return `/v1/me/playlists${target.rawQuery === null ? '' : `?${target.rawQuery}`}`
}

export const playlistWrite: Exchange = {
  name: 'playlist-write',
  match: (req) => translatePlaylistWrite(req.target, req.body) !== null,
  async run (req, io) {
    const to = translatePlaylistWrite(req.target, req.body)!
    const headers = { ...req.headers }
    return await io.send({ method: req.target.method, path: to.path, headers, ...(to.body === undefined || to.body.length === 0 ? {} : { body: to.body }) })
  }
}

export const ownPlaylists: Exchange = {
  name: 'own-playlists',
  match: (req) => req.userId !== null && userPlaylistsOwner(req.target) === req.userId,
  async run (req, io) {
    return await forward.run({ ...req, target: { ...req.target, path: ownPlaylistsPath(req.target) } }, io)
  }
}
