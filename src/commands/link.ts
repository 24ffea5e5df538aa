// `spotify-csv-proxy link <playlist> <csv-file>`: tell the library which Spotify playlist a CSV
// file is, so answers use the real id. The link outlives re-imports of the file.
// `spotify-csv-proxy link --owner <user id>`: the explicit step that names the library's owner
// (policy/owner.ts, docs/trust.md).
import fs from 'node:fs'
import path from 'node:path'
import type { Config } from '../config.js'
import { openDatabase } from '../db.js'
import { chooseLibrary } from '../library/identity.js'
import { LibraryStore } from '../library/store.js'
import { exportsOwnerOf, LibraryOwner, type OwnerDecision } from '../policy/owner.js'

const PLAYLIST_ID = /^[0-9A-Za-z]{22}$/
// Spotify user ids: letters, digits and `._-` (older accounts chose theirs), as `spotify:user:` URIs carry them.
const USER_ID = /^[0-9A-Za-z._-]{1,64}$/

export class LinkError extends Error {
  override name = 'LinkError'
}

export interface LinkResult {
  path: string
  playlistId: string
  /** The playlist's name in the library, or null when the file is not indexed yet. */
  name: string | null
  /** False when the file already had this id: nothing changed. */
  changed: boolean
}

/**
 * The playlist id in what a user pastes: the id, a `spotify:playlist:` (or older
 * `spotify:user:…:playlist:`) URI, or an open.spotify.com link as the share menu gives it
 * (`?si=…`, `/intl-xx/`, `/embed/`), with or without the scheme.
 */
export function playlistIdOf (input: string): string | null {
  const s = input.trim()
  if (PLAYLIST_ID.test(s)) return s
  const uri = /^spotify:(?:user:[^:]+:)?playlist:([0-9A-Za-z]{22})$/.exec(s)
  if (uri) return uri[1]!
  let url: URL
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(s) ? s : `https://${s}`)
  } catch {
    return null
  }
  if (url.hostname !== 'open.spotify.com' || (url.protocol !== 'https:' && url.protocol !== 'http:')) return null
  const segments = url.pathname.split('/').filter(p => p !== '')
  const at = segments.indexOf('playlist')
  const id = at === -1 ? undefined : segments[at + 1]
  return id !== undefined && PLAYLIST_ID.test(id) ? id : null
}

export function runLink (config: Config, playlist: string, csvFile: string): LinkResult {
  const id = playlistIdOf(playlist)
  if (id === null) throw new LinkError('not a Spotify playlist: give its id (22 letters and digits), its spotify:playlist: URI or its open.spotify.com link')
  const db = openDatabase(config.dbPath)
  try {
    const root = chooseLibrary(config, db).root
    const store = new LibraryStore(db)
    const rel = libraryRelative(root, csvFile, rel => store.hasFile(rel))
    // The id the file has now: its playlist's once indexed, else the link waiting for the import.
    const before = (db.prepare('SELECT id FROM playlists WHERE path = ?').pluck().get(rel) ??
      db.prepare('SELECT playlist_id FROM playlist_links WHERE path = ?').pluck().get(rel)) as string | undefined
    const linked = store.linkPlaylist(rel, id, 'linked')
    return { path: rel, playlistId: id, name: linked?.name ?? null, changed: before !== id }
  } finally {
    db.close()
  }
}

/** Records `user` as the library's confirmed owner; the decision that now stands (a configured owner or agreeing exports still come first). */
export function runLinkOwner (config: Config, user: string): OwnerDecision {
  const id = user.trim().replace(/^spotify:user:/, '')
  if (!USER_ID.test(id)) throw new LinkError('not a Spotify user id: give the id as your profile link shows it (open.spotify.com/user/<id>)')
  const db = openDatabase(config.dbPath)
  try {
    const store = new LibraryStore(db)
    const owner = new LibraryOwner(db, { configured: config.csvOwner, exports: exportsOwnerOf(db, () => store.version()) })
    owner.confirm({ id, displayName: null })
    return owner.decision()
  } finally {
    db.close()
  }
}

/**
 * The file's path as the importer records it: relative to the library root, '/'-separated. The
 * file may be named by a path (from the current folder) or relative to the library folder; it
 * must be in the library (a CSV on disk under it, or one the index holds, such as a CSV inside
 * an archive), or the link could never take effect.
 */
function libraryRelative (root: string, file: string, indexed: (rel: string) => boolean): string {
  const asGiven = file.split(path.sep).join('/')
  if (!path.isAbsolute(file) && indexed(asGiven)) return asGiven
  const base = real(fs.existsSync(root) && fs.statSync(root).isFile() ? path.dirname(root) : root)
  // A path that exists from the current folder means that file; any other is taken in the library.
  const fromHere = path.resolve(file)
  const abs = fs.existsSync(fromHere) ? fromHere : path.resolve(base, file)
  // Symbolic links resolved as far as the path exists, so none leads out of the library unseen.
  const rel = path.relative(base, real(abs))
  if (rel === '' || rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel)) {
    throw new LinkError(`${file} is outside the library (${root}): only a CSV file of the library can be linked`)
  }
  const relPosix = rel.split(path.sep).join('/')
  if (indexed(relPosix) || (/\.csv$/i.test(abs) && fs.existsSync(abs) && fs.statSync(abs).isFile())) return relPosix
  throw new LinkError(`${file}: no such CSV file in the library (${root})`)
}

function real (p: string): string {
  try {
    return fs.realpathSync(p)
  } catch {
    const parent = path.dirname(p)
    return parent === p ? p : path.join(real(parent), path.basename(p))
  }
}
