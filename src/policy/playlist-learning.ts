// Real playlist ids, learned from upstream: a library playlist whose CSV carried no id (older
// Exportify files) has a synthetic one until an answer to its owner names a playlist of the
// same name. Then it gets the real id (kept across re-imports), so a client asking Spotify's id
// is answered from the CSV when Spotify cannot answer.
import type { LibraryStore } from '../library/store.js'
import { PlaylistLinkError } from '../library/store.js'
import { libraryNamesFor } from '../library/playlist-files.js'

const ID = /^[0-9A-Za-z]{22}$/

/**
 * Links every synthetic-id playlist of the library that an answer listing or showing the
 * caller's own playlists (their own and the ones they follow, which Exportify exports too: the
 * endpoint table's `teachesPlaylists`) names unambiguously (exactly
 * one library playlist of that name, and one playlist of the answer that could have it). Names are
 * matched as Exportify's file names keep them (libraryNamesFor). Returns how many were linked.
 */
export function learnPlaylistIds (store: LibraryStore, json: unknown): number {
  // Library name → id, null when two playlists of the answer could have that name in the library
  // (Exportify's file names drop characters, so `Work: Focus` and `Work Focus` both become `Work_Focus.csv`).
  const named = new Map<string, string | null>()
  for (const p of playlistsIn(json)) {
    for (const key of libraryNamesFor(p.name)) named.set(key, named.has(key) && named.get(key) !== p.id ? null : p.id)
  }
  let linked = 0
  for (const [name, id] of named) {
    if (id === null) continue
    const candidates = store.playlistsNamed(name)
    const only = candidates.length === 1 ? candidates[0]! : null
    if (only === null || only.idSource !== 'synthetic' || only.id === id) continue
    try {
      store.linkPlaylist(only.path, id, 'learned')
      linked++
    } catch (err) {
      // The id already belongs to another file (set by `link` or its file name): that one wins.
      if (!(err instanceof PlaylistLinkError)) throw err
    }
  }
  return linked
}

function playlistsIn (json: unknown): Array<{ id: string, name: string }> {
  if (typeof json !== 'object' || json === null) return []
  const o = json as Record<string, unknown>
  const list = o.type === 'playlist' ? [o] : Array.isArray(o.items) ? o.items as unknown[] : []
  const out: Array<{ id: string, name: string }> = []
  for (const p of list) {
    if (typeof p !== 'object' || p === null) continue
    const { type, id, name } = p as Record<string, unknown>
    if (type === 'playlist' && typeof id === 'string' && ID.test(id) && typeof name === 'string' && name.trim() !== '') out.push({ id, name })
  }
  return out
}
