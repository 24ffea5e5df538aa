// The SQLite file that holds the library index (and, later, the response cache). WAL lets the
// proxy read while an import writes; the schema is created idempotently on open.
import fs from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'

export type Db = Database.Database

export const TRACK_INDEXES = `
CREATE INDEX IF NOT EXISTS tracks_isrc ON tracks(isrc) WHERE isrc IS NOT NULL;
CREATE INDEX IF NOT EXISTS tracks_name ON tracks(name);
`

const SCHEMA = `
CREATE TABLE IF NOT EXISTS library_files (
  path TEXT PRIMARY KEY,            -- relative to the library root, '/'-separated
  size INTEGER NOT NULL,
  mtime_ms INTEGER NOT NULL,
  sha256 TEXT NOT NULL,
  status TEXT NOT NULL,             -- 'indexed' | 'skipped'
  reason TEXT,                      -- why a skipped file was skipped
  dialect TEXT,
  encoding TEXT,
  rows INTEGER NOT NULL DEFAULT 0,
  rejected INTEGER NOT NULL DEFAULT 0,
  playlist_id TEXT
);
CREATE TABLE IF NOT EXISTS import_problems (
  path TEXT NOT NULL,
  line INTEGER,
  reason TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS import_problems_path ON import_problems(path);
CREATE TABLE IF NOT EXISTS playlists (
  id TEXT PRIMARY KEY,
  path TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  is_liked INTEGER NOT NULL,
  id_source TEXT NOT NULL,
  owner_id TEXT,
  track_count INTEGER NOT NULL,
  updated_at INTEGER
);
-- Playlist ids learned from upstream or set by 'link': they outlive re-imports of the file.
CREATE TABLE IF NOT EXISTS playlist_links (
  path TEXT PRIMARY KEY,
  playlist_id TEXT NOT NULL UNIQUE,
  source TEXT NOT NULL
);
-- One row per distinct track. name/artists/album/genres hold folded text for matching and FTS;
-- data holds the canonical LibraryTrack as JSON.
CREATE TABLE IF NOT EXISTS tracks (
  rowid INTEGER PRIMARY KEY,
  key TEXT NOT NULL UNIQUE,
  isrc TEXT,
  year INTEGER,
  name TEXT NOT NULL,
  artists TEXT NOT NULL,
  album TEXT NOT NULL,
  genres TEXT NOT NULL,
  richness INTEGER NOT NULL,
  data TEXT NOT NULL
);
${TRACK_INDEXES}
CREATE TABLE IF NOT EXISTS playlist_items (
  playlist_id TEXT NOT NULL,
  position INTEGER NOT NULL,
  track_key TEXT NOT NULL,
  added_at TEXT,
  added_by TEXT,
  PRIMARY KEY (playlist_id, position)
) WITHOUT ROWID;
-- Kept by the importer with one 'rebuild' per import that changed tracks: in bulk, many times
-- faster than triggers row by row on a large library.
CREATE VIRTUAL TABLE IF NOT EXISTS tracks_fts USING fts5(
  name, artists, album, genres,
  content='tracks', content_rowid='rowid', tokenize='unicode61 remove_diacritics 2'
);
CREATE TABLE IF NOT EXISTS meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
`

export class DatabaseOpenError extends Error {
  override name = 'DatabaseOpenError'
}

/**
 * Opens (creating if needed) the database. The file holds private answers and token digests, so
 * it is created readable by its owner only (0600), in a folder created 0700; SQLite gives the
 * -wal and -shm files the database file's permissions.
 */
export function openDatabase (file: string): Db {
  let db: Db | null = null
  try {
    if (file !== ':memory:') createPrivate(path.resolve(file))
    db = new Database(file)
    db.pragma('journal_mode = WAL')
    // NORMAL is durable across process crashes in WAL mode; only an OS crash can lose the last commit.
    db.pragma('synchronous = NORMAL')
    db.pragma('busy_timeout = 5000')
    db.pragma('foreign_keys = ON')
    // 32 MB of page cache (default 2 MB): a large import otherwise re-reads index pages all the time.
    db.pragma('cache_size = -32768')
    db.exec(SCHEMA)
    return db
  } catch (err) {
    db?.close()
    throw new DatabaseOpenError(`cannot open the database ${file}: ${openFailure(err as NodeJS.ErrnoException)}; choose a writable file with --db or SPOTIFY_PROXY_DB`)
  }
}

function openFailure (err: NodeJS.ErrnoException): string {
  const code = err.code ?? ''
  if (['EACCES', 'EPERM', 'EROFS', 'SQLITE_CANTOPEN'].includes(code) || code.startsWith('SQLITE_READONLY')) return 'the file or its folder is not writable by this user'
  // mkdir says EEXIST, open ENOTDIR.
  if (code === 'ENOTDIR' || code === 'EEXIST') return 'a part of its path is a file, not a folder'
  if (code === 'EISDIR') return 'it is a folder'
  if (code === 'SQLITE_NOTADB') return 'the file is not a SQLite database'
  return err.message
}

function createPrivate (file: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 })
  // 'a' creates the file if it is missing and never truncates one that exists.
  fs.closeSync(fs.openSync(file, 'a', 0o600))
  // A file an older version created world-readable: tightened when it is ours to change.
  if ((fs.statSync(file).mode & 0o077) !== 0) {
    try {
      fs.chmodSync(file, 0o600)
    } catch {
      // Not ours (a shared volume): left as its owner set it.
    }
  }
}

/** One key of the meta table: the database's small settings (salt, cooldown, owner, library root, …). */
export interface MetaValue {
  get: () => string | undefined
  set: (value: string) => void
  /** Sets it only if absent; returns the value it has now. */
  setDefault: (value: string) => string
}

/** Statements prepared once: callers keep the accessor. */
export function metaValue (db: Db, key: string): MetaValue {
  const get = db.prepare('SELECT value FROM meta WHERE key = ?').pluck()
  const set = db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)')
  const insert = db.prepare('INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)')
  return {
    get: () => get.get(key) as string | undefined,
    set: (value) => { set.run(key, value) },
    setDefault: (value) => {
      insert.run(key, value)
      return get.get(key) as string
    }
  }
}
