// `spotify-csv-proxy link <playlist-id> <csv-file>`: tell the library which Spotify playlist a
// CSV file is, so answers use the real id. The link outlives re-imports of the file.
import fs from 'node:fs'
import path from 'node:path'
import type { Config } from '../config.js'
import { openDatabase } from '../library/db.js'
import { LibraryStore } from '../library/store.js'

const PLAYLIST_ID = /^[0-9A-Za-z]{22}$/

export class LinkError extends Error {
  override name = 'LinkError'
}

export function runLink (config: Config, playlistId: string, csvFile: string): { path: string, name: string | null } {
  const id = playlistId.replace(/^spotify:playlist:/, '').replace(/^https:\/\/open\.spotify\.com\/playlist\/([^?/]+).*$/, '$1')
  if (!PLAYLIST_ID.test(id)) throw new LinkError(`"${playlistId}" is not a Spotify playlist id (22 letters and digits, a spotify:playlist: URI or an open.spotify.com link)`)
  const rel = libraryRelative(config.csvBackupPath, csvFile)
  const db = openDatabase(config.dbPath)
  try {
    const store = new LibraryStore(db)
    if (!store.hasFile(rel) && !fs.existsSync(path.resolve(csvFile))) throw new LinkError(`${csvFile}: no such CSV file in the library (${config.csvBackupPath})`)
    const linked = store.linkPlaylist(rel, id, 'linked')
    return { path: rel, name: linked?.name ?? null }
  } finally {
    db.close()
  }
}

/** The file's path as the importer records it: relative to the library root, '/'-separated. */
function libraryRelative (root: string, file: string): string {
  const abs = path.resolve(file)
  const base = path.extname(root).toLowerCase() === '.csv' ? path.dirname(root) : root
  const rel = path.relative(base, abs)
  if (rel.startsWith('..') || path.isAbsolute(rel)) {
    // Not under the library: accept it as already relative to the root (as `import` prints it).
    return file.split(path.sep).join('/')
  }
  return rel.split(path.sep).join('/')
}
