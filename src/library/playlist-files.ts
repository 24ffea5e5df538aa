// What a CSV's file name says about its playlist. Exportify writes no playlist metadata inside
// the file, so the name (lossy), the Liked Songs marker and any id come from the path.
import path from 'node:path'
import { ARCHIVE_MARK } from './sources.js'
import { syntheticId } from './synthetic-ids.js'

export interface PlaylistFileInfo {
  name: string
  isLiked: boolean
  /** A Spotify playlist id the file name carries (exportify-cli's `Name [id].csv`). */
  idFromName: string | null
}

// The Liked Songs export's file name by exporter: `liked.csv` (github.com/watsonbox/exportify
// since 2020-11: a pseudo-playlist named "Liked" in every interface language), `liked_songs.csv`
// then `Liked_Songs.csv` (github.com/pavelkomarov/exportify since 2024-08),
// `Liked Songs [liked_songs].csv` (github.com/donmerendolo/exportify-cli). Compared with `_` read
// as a space, case ignored, and a browser's ` (1)` for a second download of the same name dropped.
const LIKED = new Set(['liked', 'liked songs', 'liked songs [liked songs]'])
export const LIKED_FILE_NAMES = ['liked.csv', 'liked_songs.csv', 'Liked_Songs.csv', 'Liked Songs [liked_songs].csv'] as const
const DOWNLOAD_COPY = /\s*\(\d+\)$/
const BRACKET_ID = /^(.*?)\s*\[([0-9A-Za-z]{22})\]$/

/** The CSV's own file name: the last part of its path, inside an archive too (`a.zip:x/liked.csv`). */
function fileName (relativePath: string): string {
  return path.posix.basename(relativePath.split(ARCHIVE_MARK).at(-1)!)
}

export function describePlaylistFile (relativePath: string): PlaylistFileInfo {
  const stem = fileName(relativePath).replace(/\.csv$/i, '')
  if (LIKED.has(stem.replace(/_/g, ' ').replace(DOWNLOAD_COPY, '').trim().toLowerCase())) return { name: 'Liked Songs', isLiked: true, idFromName: null }
  const m = BRACKET_ID.exec(stem)
  const base = m ? m[1]! : stem
  // Exportify replaces spaces with underscores; `name (1)` marks a duplicate inside a zip.
  const name = base.replace(/_+/g, ' ').replace(/\s+\(\d+\)$/, '').trim()
  return { name: name === '' ? stem : name, isLiked: false, idFromName: m ? m[2]! : null }
}

/** A stable Spotify-shaped (22-char base62) id for a playlist known only by its file. */
export function syntheticPlaylistId (relativePath: string): string {
  return syntheticId(relativePath)
}

/**
 * The names the library can hold for a playlist called `name` on Spotify, lower-cased: the name
 * itself, and what describePlaylistFile makes of each file name Exportify has given it
 * (docs/exportify.md §2.2), since those drop characters: since 2025-09-02 `/\\:*?"<>|` are
 * removed and spaces become `_`; before, everything but ASCII letters, digits, `-` and space was
 * removed and the name lower-cased.
 */
export function libraryNamesFor (name: string): string[] {
  const files = [
    name.replace(/[/\\:*?"<>|]/g, '').replace(/\s+/g, '_'),
    name.replace(/[^a-z0-9\- ]/gi, '').replace(/ /g, '_').toLowerCase()
  ]
  const names = [name.trim(), ...files.map(f => (f.replace(/_/g, '') === '' ? '' : describePlaylistFile(`${f}.csv`).name))]
  return [...new Set(names.map(n => n.toLowerCase()).filter(n => n !== ''))]
}
