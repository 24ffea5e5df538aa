// The write side of an import: applies the file reader's events to the library's tables, inside
// the importer's one transaction, with statements prepared once. A track seen again is merged
// (merge.ts); rows are written in batches (batch-insert.ts, fts-buffer.ts); albums, artists and
// users are found or added by catalog-rows.ts, and what is derived from the whole library at the
// end is written by derived-tables.ts.
import { BatchInsert } from './batch-insert.js'
import { LOOKUP_INDEXES, type Db } from '../db.js'
import type { FileEvent, FileMeta } from './file-reader.js'
import { CatalogRows } from './catalog-rows.js'
import { writeLibraryYears, writeLikedSongs } from './derived-tables.js'
import { FtsBuffer } from './fts-buffer.js'
import { mergeTracks } from './merge.js'
import { describePlaylistFile, syntheticPlaylistId } from './playlist-files.js'
import { printable } from '../terminal-text.js'
import { decodeEncoded, encodeTrack, ftsRowid, KIND, RICHNESS, storedValues, TRACK_COLUMNS, TRACK_VALUE_COLUMNS, type EncodedTrack, type StoredTrack } from './track-codec.js'
import { TrackReader } from './track-reader.js'
import { TrackAlbumsWriter } from './track-albums.js'
import { TrackArtistsWriter } from './track-artists.js'
import { historyWriter } from './history-writer.js'
import { changeLog } from './change-log.js'
import type { PlaylistIdSource } from './types.js'

/** The slice of a pino/Fastify logger the importer uses. */
export interface ImportLogger {
  warn: (obj: object, msg: string) => void
}

/** What became of a file once its last event is in (null: more events to come). */
export type Applied = null | 'same' | 'skipped' | { rows: number, rejected: number }

const LOGGED_REJECTS_PER_FILE = 20
/** Columns an INSERT into tracks fills: pk, key, the values, album, artists. */
const TRACK_WIDTH = TRACK_VALUE_COLUMNS.split(',').length + 4
interface OpenFile {
  rel: string
  meta: FileMeta
  dialect: string
  encoding: string
  rows: number
  rejected: number
  /** The playlist its rows go to now (a file of several has one at a time; a history file none). */
  list: OpenList | null
  /** The playlists begun in it by name (a name met again goes on with its playlist), each closed at its end. */
  parts: Map<string, OpenList>
}
interface OpenList {
  path: string
  name: string
  /** Its entries' track keys, kept only to compare with the version it replaces (change-log.ts). */
  keys: string[] | null
  pk: number
  id: string
  position: number
  addedBy: Map<string, number>
  newest: number | null
}

export type LibraryWriter = ReturnType<typeof libraryWriter>

export function libraryWriter (db: Db, logger?: ImportLogger, root = '') {
  const s = {
    insertTrack: db.prepare(`INSERT INTO tracks (pk, key, ${TRACK_VALUE_COLUMNS}, album, artists) VALUES (${Array(TRACK_WIDTH).fill('?').join(', ')})`),
    updateTrack: db.prepare(`UPDATE tracks SET (${TRACK_VALUE_COLUMNS}, album, artists) = (${Array(TRACK_WIDTH - 2).fill('?').join(', ')}) WHERE pk = ?`),
    storedValues: db.prepare(`SELECT pk, ${TRACK_VALUE_COLUMNS}, album, artists FROM tracks WHERE key = ?`).raw(),
    storedValuesOf: db.prepare(`SELECT pk, ${TRACK_VALUE_COLUMNS}, album, artists FROM tracks WHERE pk = ?`).raw(),
    storedTrack: db.prepare(`SELECT ${TRACK_COLUMNS} FROM tracks t JOIN albums a ON a.pk = t.album WHERE t.pk = ?`).raw(),
    trackPk: db.prepare('SELECT pk FROM tracks WHERE key = ?').pluck(),
    addPlaylist: db.prepare('INSERT INTO playlists (id, path, name, is_liked, id_source, track_count) VALUES (?, ?, ?, ?, ?, 0)'),
    closePlaylist: db.prepare('UPDATE playlists SET owner_id = ?, track_count = ?, updated_at = ? WHERE pk = ?'),
    fileRow: db.prepare(`INSERT OR REPLACE INTO library_files (path, size, mtime_ms, sha256, status, reason, dialect, encoding, rows, rejected, playlist_id)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
    touch: db.prepare('UPDATE library_files SET size = ?, mtime_ms = ? WHERE path = ?'),
    problem: db.prepare('INSERT INTO import_problems (path, line, reason) VALUES (?, ?, ?)'),
    // The file's playlist, or those of a file of several (`file#name`: see the 'part' event).
    playlistsOfPath: db.prepare("SELECT pk, is_liked, path, name FROM playlists WHERE path = @rel OR (path > @rel || '#' AND path < @rel || '$')"),
    dropItems: db.prepare('DELETE FROM playlist_items WHERE playlist = ?'),
    dropPlaylist: db.prepare('DELETE FROM playlists WHERE pk = ?'),
    dropFile: db.prepare('DELETE FROM library_files WHERE path = ?'),
    dropProblems: db.prepare('DELETE FROM import_problems WHERE path = ?'),
    link: db.prepare('SELECT playlist_id, source FROM playlist_links WHERE path = ?'),
    idTaken: db.prepare('SELECT 1 FROM playlists WHERE id = ?').pluck(),
    orphans: db.prepare('SELECT pk, richness, key FROM tracks WHERE pk NOT IN (SELECT track FROM playlist_items)').raw()
  }
  const reader = new TrackReader(db)
  /** The store holds no track: the reader numbers them (KeyTable), and nothing is merged with stored rows. */
  const fresh = db.prepare('SELECT count(*) FROM tracks').pluck().get() === 0
  // The first import into an empty store is the baseline: only later ones record what changed.
  const log = changeLog(db, { active: !fresh, root })
  // Into an empty table, building the lookup indexes once at the end beats updating them per row.
  // (Albums and artists no track names are leftovers: an empty store starts with none.)
  if (fresh) {
    for (const index of Object.keys(LOOKUP_INDEXES)) db.exec(`DROP INDEX IF EXISTS ${index}`)
    db.exec('DELETE FROM albums; DELETE FROM artists')
  }
  const items = new BatchInsert(db, 'playlist_items (playlist, position, track, added_at, added_by)', 5)
  // Into an empty store, tracks (numbered by the reader), albums and artists (numbered here) are
  // written in batches with their rowids; otherwise one by one, for the rowid SQLite gives.
  const numbered = new BatchInsert(db, `tracks (pk, key, ${TRACK_VALUE_COLUMNS}, album, artists)`, TRACK_WIDTH)
  const catalog = new CatalogRows(db, fresh)
  const fts = new FtsBuffer(db)
  const trackAlbums = new TrackAlbumsWriter(db, fresh)
  const trackArtists = new TrackArtistsWriter(db, fresh)
  /** Everything batched is written, before a read of those tables. */
  const flush = (): void => {
    catalog.flush()
    numbered.flush()
    items.flush()
  }
  /** Tracks added, changed or dropped: the release years are written down again. */
  let dirty = false
  /** Some track's album or artists changed, or tracks went: unused album and artist rows go too. */
  let unlinked = false
  let replaced = false
  let likedChanged = false
  let open: OpenFile | null = null

  const insert = (key: string, e: EncodedTrack, rowid: number | null): number => {
    dirty = true
    const row = [rowid, key, ...storedValues(e[0]), ...catalog.links(e)]
    const pk = rowid ?? Number(s.insertTrack.run(row).lastInsertRowid)
    if (rowid !== null) numbered.addRow(row)
    trackAlbums.set(pk, e[0][KIND], row[row.length - 2] as number)
    trackArtists.set(pk, e[0][KIND], row[row.length - 1] as string)
    fts.add(ftsRowid(pk, e[0][RICHNESS]), e[3])
    return pk
  }
  /** What is stored of a track: [pk, ...TrackValues, album, artists], as `next` below without the pk. */
  const storedOf = (key: string, rowid: number | null): unknown[] | undefined => {
    if (rowid === null) return s.storedValues.get(key) as unknown[] | undefined
    flush()
    return s.storedValuesOf.get(rowid) as unknown[] | undefined
  }
  // What another export (or an earlier import) knew about the track is kept: see merge.ts.
  const track = (key: string, e: EncodedTrack, first: boolean, rowid: number | null): number => {
    const stored = fresh && first ? undefined : storedOf(key, rowid)
    if (stored === undefined) return insert(key, e, rowid)
    const pk = stored[0] as number
    let next = [...storedValues(e[0]), ...catalog.links(e)]
    if (same(stored, next)) return pk
    const prev = reader.decodeOne(s.storedTrack.get(pk) as StoredTrack)!
    const mergedTrack = mergeTracks(prev, decodeEncoded(key, e))
    const merged = encodeTrack(mergedTrack)
    next = [...storedValues(merged[0]), ...catalog.links(merged)]
    if (same(stored, next)) return pk
    log.trackChanged(prev, mergedTrack)
    dirty = true
    unlinked ||= stored[next.length - 1] !== next[next.length - 2] || stored[next.length] !== next[next.length - 1]
    s.updateTrack.run(...next, pk)
    trackAlbums.set(pk, merged[0][KIND], next[next.length - 2] as number)
    trackArtists.set(pk, merged[0][KIND], next[next.length - 1] as string)
    fts.delete(ftsRowid(pk, stored[1 + RICHNESS] as number))
    fts.add(ftsRowid(pk, merged[0][RICHNESS]), merged[3])
    return pk
  }
  const problem = (rel: string, line: number | null, reason: string): void => { s.problem.run(rel, line, reason) }
  const dropFile = (rel: string): void => {
    for (const p of s.playlistsOfPath.all({ rel }) as Array<{ pk: number, is_liked: number, path: string, name: string }>) {
      log.replacing(p.path, p.name, p.pk)
      s.dropItems.run(p.pk)
      s.dropPlaylist.run(p.pk)
      if (p.is_liked === 1) likedChanged = true
    }
    s.dropFile.run(rel)
    s.dropProblems.run(rel)
    replaced = true
  }
  const resolvePlaylistId = (rel: string, fromName: string | null): { id: string, source: PlaylistIdSource } => {
    const link = s.link.get(rel) as { playlist_id: string, source: PlaylistIdSource } | undefined
    const candidates: Array<{ id: string, source: PlaylistIdSource }> = []
    if (link) candidates.push({ id: link.playlist_id, source: link.source })
    if (fromName) candidates.push({ id: fromName, source: 'filename' })
    // Two files naming the same id (a copy of an export): the second one gets its own id.
    for (const c of candidates) if (s.idTaken.get(c.id) === undefined) return c
    return { id: syntheticPlaylistId(rel), source: 'synthetic' }
  }
  const fileRow = (rel: string, meta: FileMeta, status: 'indexed' | 'skipped', reason: string | null, dialect: string | null, encoding: string | null, rows: number, rejected: number, playlistId: string | null): void => {
    s.fileRow.run(rel, meta.size, meta.mtimeMs, meta.sha256, status, reason, dialect, encoding, rows, rejected, playlistId)
  }

  /** A playlist of the open file, stored under `path` (the file's own, or `file#name` for one of several). */
  const openList = (path: string, name: string, isLiked: boolean, idFromName: string | null): OpenList => {
    const { id, source } = resolvePlaylistId(path, idFromName)
    const pk = Number(s.addPlaylist.run(id, path, name, isLiked ? 1 : 0, source).lastInsertRowid)
    if (isLiked) likedChanged = true
    return { path, name, keys: log.compares(path) ? [] : null, pk, id, position: 0, addedBy: new Map(), newest: null }
  }
  const closeList = (l: OpenList): void => {
    const owner = [...l.addedBy.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? null
    s.closePlaylist.run(owner, l.position, l.newest, l.pk)
    if (log.active) {
      flush()
      log.written(l.path, l.name, l.position, l.keys)
    }
  }
  const history = historyWriter(db)

  return {
    fresh,
    dropFile,
    /** Applies one event; says what became of a file once its last event is in. */
    apply (e: FileEvent, wasKnown: boolean): Applied {
      switch (e.t) {
        case 'same':
          s.touch.run(e.meta.size, e.meta.mtimeMs, e.rel)
          return 'same'
        case 'skip':
          if (wasKnown) dropFile(e.rel)
          fileRow(e.rel, e.meta, 'skipped', e.reason, null, e.encoding, 0, 0, null)
          if (e.quiet === true) return 'skipped'
          logger?.warn({ file: printable(e.rel), reason: printable(e.reason) }, 'file skipped')
          problem(e.rel, null, e.reason)
          return 'skipped'
        case 'begin': {
          if (wasKnown) dropFile(e.rel)
          open = { rel: e.rel, meta: e.meta, dialect: e.dialect, encoding: e.encoding, rows: 0, rejected: 0, list: null, parts: new Map() }
          if (e.parts !== true) {
            const info = describePlaylistFile(e.rel)
            open.list = openList(e.rel, info.name, info.isLiked, info.idFromName)
          }
          return null
        }
        case 'part': {
          const f = open!
          let list = f.parts.get(e.name)
          if (list === undefined) {
            list = openList(`${f.rel}#${e.name}`, e.name, e.isLiked, null)
            f.parts.set(e.name, list)
          }
          f.list = list
          return null
        }
        case 'plays':
          open!.rows += e.plays.length
          history.add(e.plays)
          return null
        case 'rows': {
          const f = open!
          for (const r of e.rows) {
            f.rows++
            if (r.length === 2) {
              const [line, reason] = r
              problem(f.rel, line, reason)
              // Every rejection is in the summary; the log names the first few per file, not 10,000.
              if (++f.rejected <= LOGGED_REJECTS_PER_FILE) logger?.warn({ file: printable(f.rel), line, reason: printable(reason) }, 'row rejected')
              continue
            }
            const [, key, addedAt, addedBy, encoded, first, rowid] = r
            const l = f.list!
            const pk = encoded !== null ? track(key, encoded, first, rowid) : rowid ?? s.trackPk.get(key) as number
            l.keys?.push(key)
            items.add(l.pk, l.position++, pk, typeof addedAt === 'number' ? BigInt(addedAt) : addedAt, addedBy === null ? null : catalog.userPk(addedBy))
            if (addedBy !== null) l.addedBy.set(addedBy, (l.addedBy.get(addedBy) ?? 0) + 1)
            const at = typeof addedAt === 'number' ? addedAt * 1000 : addedAt === null ? NaN : Date.parse(addedAt)
            if (!Number.isNaN(at) && (l.newest === null || at > l.newest)) l.newest = at
          }
          return null
        }
        case 'end': {
          const f = open!
          open = null
          if (f.rejected > LOGGED_REJECTS_PER_FILE) logger?.warn({ file: printable(f.rel), rejected: f.rejected }, `${f.rejected - LOGGED_REJECTS_PER_FILE} more rows rejected (see the import summary)`)
          const id = f.parts.size === 0 ? f.list?.id ?? null : null
          for (const l of f.parts.size === 0 ? [f.list] : f.parts.values()) if (l !== null) closeList(l)
          fileRow(f.rel, f.meta, 'indexed', null, f.dialect, f.encoding, f.rows, f.rejected, id)
          return { rows: f.rows, rejected: f.rejected }
        }
      }
    },
    /** Drops what no playlist holds any more, builds what is built in bulk, writes down Liked Songs' order. */
    finish (): void {
      flush()
      if (replaced) {
        const gone = s.orphans.all() as Array<[number, number, string]>
        for (const [pk, richness, key] of gone) {
          log.gone(key)
          fts.delete(ftsRowid(pk, richness))
        }
        if (gone.length > 0) {
          db.exec('DELETE FROM tracks WHERE pk NOT IN (SELECT track FROM playlist_items)')
          dirty = unlinked = true
        }
      }
      if (unlinked) {
        db.exec('DELETE FROM albums WHERE pk NOT IN (SELECT album FROM tracks)')
        db.exec(`DELETE FROM artists WHERE pk NOT IN (
          SELECT j.value FROM tracks, json_each('[' || tracks.artists || ']') j
          UNION SELECT j.value FROM albums, json_each('[' || albums.artists || ']') j)`)
      }
      fts.flush()
      trackAlbums.finish()
      trackArtists.finish()
      history.finish()
      log.finish()
      if (fresh) for (const index of Object.values(LOOKUP_INDEXES)) db.exec(index)
      if (likedChanged) writeLikedSongs(db)
      if (dirty) writeLibraryYears(db)
    }
  }
}

function same (stored: unknown[], next: unknown[]): boolean {
  for (let i = 0; i < next.length; i++) {
    const a = stored[i + 1]
    const b = next[i]
    if (a !== b && !(Buffer.isBuffer(a) && Buffer.isBuffer(b) && a.equals(b))) return false
  }
  return true
}
