// caseychu/spotify-backup's text format (`--format txt`, its default, docs/exportify.md §6.2):
// per playlist a line with its name, then one line per track, `name\tartists\talbum\turi`
// (artists joined with ", "; newer versions add `\trelease_date`), then a blank line; after the
// playlists, `Liked Albums:` and one line per saved album (no tracks: left out). Recognised by
// its lines, not its name; read line by line, streamed.
import { entryRow, ROWS_PER_MESSAGE, type EntrySink } from './entry-row.js'
import type { FileEvent, FileMeta, RowEvent } from './file-reader.js'
import { trackOf } from './account-export.js'

const TRACK_LINE = /^[^\t]*\t[^\t]*\t[^\t]*\tspotify:(track|episode|local):[^\t]*(\t[^\t]*)?$/
const RELEASE_DATE = /^\d{4}(-\d{2}(-\d{2})?)?$/
const PRECISION = { 4: 'year', 7: 'month', 10: 'day' } as const

/** Whether the start of a text file is a spotify-backup export: a name line, then track lines. */
export function isTabBackup (head: string): boolean {
  const lines = head.split(/\r?\n/).slice(0, 20)
  return lines.length > 1 && !lines[0]!.includes('\t') && lines.slice(1).some(l => TRACK_LINE.test(l))
}

export async function * readTabBackup (rel: string, meta: FileMeta, head: string, texts: () => AsyncIterable<string>, sink: EntrySink): AsyncGenerator<FileEvent> {
  if (!isTabBackup(head)) {
    yield { t: 'skip', rel, meta, reason: 'a text file that is not a spotify-backup export', encoding: 'utf-8', quiet: true }
    return
  }
  yield { t: 'begin', rel, meta, dialect: 'spotify-backup-txt', encoding: 'utf-8', parts: true }
  let rows: RowEvent[] = []
  let line = 0
  let inPlaylist = false
  let albums = false
  let rest = ''
  const names = new Map<string, number>()
  const take = function * (text: string): Generator<FileEvent> {
    line++
    if (albums) return
    if (text.trim() === '') { inPlaylist = false; return }
    if (!inPlaylist) {
      if (text.trim() === 'Liked Albums:') { albums = true; return }
      if (rows.length > 0) { yield { t: 'rows', rel, rows }; rows = [] }
      // Two playlists of one name are two playlists.
      const n = (names.get(text) ?? 0) + 1
      names.set(text, n)
      yield { t: 'part', rel, name: n === 1 ? text : `${text} (${n})`, isLiked: text === 'Liked Songs' }
      inPlaylist = true
      return
    }
    const cells = text.split('\t')
    if (!TRACK_LINE.test(text)) { rows.push([line, `${cells.length} tab-separated cells where a track line has 4 or 5 ending in a Spotify URI`]); return }
    const t = trackOf(cells[0]!, null, cells[2]!, cells[3]!)
    if (typeof t === 'string') { rows.push([line, t]); return }
    t.artists = cells[1] === '' ? [] : cells[1]!.split(', ').map(name => ({ id: null, name }))
    t.album.artists = t.artists
    const date = cells[4]?.trim() ?? ''
    if (RELEASE_DATE.test(date)) {
      t.album.releaseDate = date
      t.album.releaseDatePrecision = PRECISION[date.length as 4 | 7 | 10]
    }
    rows.push(entryRow(line, t, null, null, sink))
    if (rows.length >= ROWS_PER_MESSAGE) { yield { t: 'rows', rel, rows }; rows = [] }
  }
  for await (const text of texts()) {
    const parts = (rest + text).split(/\r?\n/)
    rest = parts.pop()!
    for (const p of parts) yield * take(p)
  }
  if (rest !== '') yield * take(rest)
  if (rows.length > 0) yield { t: 'rows', rel, rows }
  yield { t: 'end', rel }
}
