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

export function openDatabase (file: string): Db {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true })
  const db = new Database(file)
  db.pragma('journal_mode = WAL')
  // NORMAL is durable across process crashes in WAL mode; only an OS crash can lose the last commit.
  db.pragma('synchronous = NORMAL')
  db.pragma('busy_timeout = 5000')
  db.pragma('foreign_keys = ON')
  // 32 MB of page cache (default 2 MB): a large import otherwise re-reads index pages all the time.
  db.pragma('cache_size = -32768')
  db.exec(SCHEMA)
  return db
}
