// What an import derives from the whole library once its rows are in: the Liked Songs in answer
// order and the release years search's `year:` reads. Part of the write side (writer.ts).
import { ADDED_AT_TEXT } from './added-at.js'
import type { Db } from '../db.js'

/**
 * Several Liked Songs exports (old and new, both exporters) are one set of saved tracks: each
 * track once, at its latest added_at, most recent first, then in export order. Written out in
 * that order so a page of /v1/me/tracks is a range read.
 */
export function writeLikedSongs (db: Db): void {
  db.exec('DELETE FROM liked_songs')
  db.exec(`INSERT INTO liked_songs (position, track, added_at)
    SELECT row_number() OVER (ORDER BY at IS NULL, at DESC, first, key) - 1, track, at FROM (
      SELECT i.track, max(${ADDED_AT_TEXT('i.added_at')}) AS at, min(i.position) AS first, t.key
      FROM playlist_items i JOIN playlists p ON p.pk = i.playlist JOIN tracks t ON t.pk = i.track
      WHERE p.is_liked = 1 GROUP BY i.track)`)
}

/** The release years the library holds, for search's `year:` (search-query.ts). */
export function writeLibraryYears (db: Db): void {
  db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('library_years', ?)")
    .run(JSON.stringify(db.prepare('SELECT DISTINCT CAST(substr(release_date, 1, 4) AS INTEGER) FROM albums WHERE release_date IS NOT NULL ORDER BY 1').pluck().all()))
}
