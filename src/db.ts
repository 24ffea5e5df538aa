// The SQLite file that holds the library index (and the response cache). WAL lets the proxy read
// while an import writes; the schema is created idempotently on open.
//
// The library is stored normalised, once: a track is one `tracks` row however many playlists and
// exports name it, its album and artists are rows of their own that tracks point to by rowid,
// and a playlist is its entries in order (`playlist_items`, keyed by playlist and position, so a
// page is a range read). Liked Songs, merged from every Liked Songs export, is written out in its
// answer order at import (`liked_songs`), so paging it is the same range read. The search index
// is contentless FTS5 (only the index is stored, not a second copy of the text) whose rowid
// orders the matches as the answers do (see track-codec.ts, ftsRowid).
import fs from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'

export type Db = Database.Database

/** Bumped when the library tables change shape: an older index is dropped and rebuilt from the CSVs. */
const LIBRARY_SCHEMA = 3

/** Built after the rows on a first import: in bulk, many times faster than updated row by row. */
export const LOOKUP_INDEXES = {
  tracks_key: 'CREATE UNIQUE INDEX IF NOT EXISTS tracks_key ON tracks(key)',
  albums_hash: 'CREATE INDEX IF NOT EXISTS albums_hash ON albums(hash)',
  // An album asked for by id (GET /v1/albums/{id}, synthetic or Spotify's) is found here, at once.
  albums_answer: 'CREATE INDEX IF NOT EXISTS albums_answer ON albums(answer_id)'
}

// Everything the importer builds from the CSVs (not playlist_links: those are the user's).
const LIBRARY_TABLES = ['plays', 'played', 'library_files', 'import_problems', 'playlists', 'playlist_items', 'liked_songs', 'tracks', 'tracks_fts', 'track_albums', 'track_artists', 'albums', 'artists', 'library_users']

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
  pk INTEGER PRIMARY KEY,           -- what playlist_items point to; the id may change (link, learn)
  id TEXT NOT NULL UNIQUE,
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
-- Who added playlist entries (a handful of user ids, named once).
CREATE TABLE IF NOT EXISTS library_users (
  pk INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE
);
CREATE TABLE IF NOT EXISTS artists (
  pk INTEGER PRIMARY KEY,
  spotify_id TEXT NOT NULL,         -- '' when the export has none
  name TEXT NOT NULL,
  UNIQUE (name, spotify_id)
);
-- An album as one track's exports describe it: two tracks whose exports say the same share a row.
CREATE TABLE IF NOT EXISTS albums (
  pk INTEGER PRIMARY KEY,
  hash INTEGER NOT NULL,            -- of all the columns below, to find an equal row
  spotify_id TEXT,
  name TEXT NOT NULL,
  release_date TEXT,
  date_precision TEXT,
  image_url TEXT,
  album_type TEXT,
  total_tracks INTEGER,
  label TEXT,
  artists TEXT NOT NULL,            -- artists.pk list, comma-separated, in order
  -- The id the album answers under: spotify_id, or the synthetic id of its name and first artist
  -- (synthetic-ids.ts), worked out once at import rather than by every search and id lookup.
  answer_id TEXT NOT NULL
);
${LOOKUP_INDEXES.albums_hash};
${LOOKUP_INDEXES.albums_answer};
-- One row per distinct track: the union of what every export knows about it (merge.ts).
-- The Spotify id and URI follow from kind and key (rare holds them when they do not).
CREATE TABLE IF NOT EXISTS tracks (
  pk INTEGER PRIMARY KEY,
  key TEXT NOT NULL,                -- unique: see LOOKUP_INDEXES
  kind INTEGER NOT NULL,            -- 0 track, 1 local file, 2 episode
  name TEXT NOT NULL,
  album INTEGER NOT NULL,           -- albums.pk
  artists TEXT NOT NULL,            -- artists.pk list, comma-separated, in order
  disc_number INTEGER,
  track_number INTEGER,
  duration_ms INTEGER,
  explicit INTEGER,
  popularity INTEGER,
  isrc TEXT,
  preview_url TEXT,
  genres TEXT,                      -- JSON array, NULL for none
  features BLOB,                    -- the 12 audio features, float64 little-endian, in AUDIO_FEATURE_NAMES order
  rare TEXT,                        -- JSON: id/uri when not derived from kind and key, unknown columns
  richness INTEGER NOT NULL
);
${LOOKUP_INDEXES.tracks_key};
-- Every track's album row (0 for none) as int32s, little-endian, indexed by tracks.pk: what an
-- album search reads for each matching track (track-albums.ts). Written by the importer.
CREATE TABLE IF NOT EXISTS track_albums (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  data BLOB NOT NULL
);
-- Every music track's artist rows, as int32s, little-endian: offsets indexed by tracks.pk into
-- refs (track-artists.ts); what an artist search filtered by year or genre reads. By the importer.
CREATE TABLE IF NOT EXISTS track_artists (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  offsets BLOB NOT NULL,
  refs BLOB NOT NULL
);
-- Positions run 0, 1, 2, … in each playlist: a page is the range [offset, offset + limit).
CREATE TABLE IF NOT EXISTS playlist_items (
  playlist INTEGER NOT NULL,        -- playlists.pk
  position INTEGER NOT NULL,
  track INTEGER NOT NULL,           -- tracks.pk
  added_at,                         -- unix seconds for Spotify's own YYYY-MM-DDTHH:MM:SSZ, else the text as exported
  added_by INTEGER,                 -- library_users.pk
  PRIMARY KEY (playlist, position)
) WITHOUT ROWID;
-- Saved tracks in /v1/me/tracks order (each once, most recently added first), rewritten by the
-- importer whenever a Liked Songs export changes.
CREATE TABLE IF NOT EXISTS liked_songs (
  position INTEGER PRIMARY KEY,
  track INTEGER NOT NULL,
  added_at
);
-- Whether tracks are saved (GET /v1/me/tracks/contains), by rowid.
CREATE INDEX IF NOT EXISTS liked_songs_track ON liked_songs(track);
-- Prefix indexes for 1 and 2 characters: the last word of a search matches as a prefix, and
-- without one FTS5 gathers every matching term's entries first ("a": ~25 ms on a million-row
-- library; with them, well under 1 ms). Longer prefixes gather few terms (3 characters would cost
-- an import a quarter more time for "the", its worst case, at ~15 ms).
CREATE VIRTUAL TABLE IF NOT EXISTS tracks_fts USING fts5(
  name, artists, album, genres, year, isrc,
  content='', contentless_delete=1, prefix='1 2', tokenize='unicode61 remove_diacritics 2'
);
CREATE TABLE IF NOT EXISTS meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
-- What each import changed (change-log.ts): kept across re-imports and schema upgrades.
CREATE TABLE IF NOT EXISTS library_imports (
  pk INTEGER PRIMARY KEY,
  at INTEGER NOT NULL,              -- Unix ms
  root TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS library_changes (
  import INTEGER NOT NULL,          -- library_imports.pk
  kind TEXT NOT NULL,               -- added, removed, moved, changed, gone, playlist-added, playlist-removed
  playlist TEXT,                    -- the playlist's name, for entry and playlist changes
  track TEXT,                       -- the track's key
  name TEXT,                        -- the track's name and artists as they were
  artists TEXT,
  detail TEXT                       -- JSON: positions, or {field: [before, after]}, or {tracks: n}
);
CREATE INDEX IF NOT EXISTS library_changes_import ON library_changes(import);
CREATE INDEX IF NOT EXISTS library_changes_track ON library_changes(track);
-- Streaming history (Spotify's account export): each track played once, by id when the history
-- names it (the extended one), else by name and artist (matched to library tracks when answering).
CREATE TABLE IF NOT EXISTS played (
  pk INTEGER PRIMARY KEY,
  id TEXT UNIQUE,
  fold TEXT NOT NULL,               -- folded 'name|artist'
  name TEXT NOT NULL,
  artist TEXT NOT NULL,
  album TEXT
);
CREATE INDEX IF NOT EXISTS played_fold ON played(fold);
-- A play once, however many history files hold it (both histories, successive downloads): by the
-- minute it ended (the account history's precision) and what was played.
CREATE TABLE IF NOT EXISTS plays (
  minute INTEGER NOT NULL,
  played INTEGER NOT NULL,          -- played.pk
  ts INTEGER NOT NULL,              -- Unix seconds the play ended
  ms INTEGER NOT NULL,
  PRIMARY KEY (minute, played)
) WITHOUT ROWID;
`

export class DatabaseOpenError extends Error {
  override name = 'DatabaseOpenError'
}

/**
 * What the server maps of its database file into memory (SQLite's mmap_size). Fallback answers
 * read rows all over the library (an album search, ~1,000 tracks by key for a deep page): through
 * a read call per 4 KB page, copied into SQLite's 16 MB page cache, they took most of the answer's
 * time; mapped, a page already in the OS's file cache costs a memory read (album search p50
 * 0.80x, p99 0.83x; BENCHMARKS.md, fallback section). Writes still go through write calls and
 * the WAL. The mapped pages count in the process's RSS but are the OS's file cache, given back
 * under memory pressure; one-shot commands (import, export) read sequentially and do without.
 * (SQLite's caveat: a file cut short under a running server by another program would stop it
 * with SIGBUS rather than an error; the file is the proxy's own.)
 */
export const SERVE_MMAP_BYTES = 1024 * 1024 * 1024

export interface OpenOptions {
  /** Bytes of the file to map for reading (SERVE_MMAP_BYTES for the server); none by default. */
  mmapBytes?: number
}

/**
 * Opens (creating if needed) the database. The file holds private answers and token digests, so
 * it is created readable by its owner only (0600), in a folder created 0700; SQLite gives the
 * -wal and -shm files the database file's permissions.
 */
export function openDatabase (file: string, opts: OpenOptions = {}): Db {
  let db: Db | null = null
  try {
    if (file !== ':memory:') createPrivate(path.resolve(file))
    db = new Database(file)
    db.pragma('journal_mode = WAL')
    // NORMAL is durable across process crashes in WAL mode; only an OS crash can lose the last commit.
    db.pragma('synchronous = NORMAL')
    db.pragma('busy_timeout = 5000')
    db.pragma('foreign_keys = ON')
    // 16 MB of page cache (default 2 MB). An import writes its tables in order and builds their
    // indexes at the end, so more buys it nothing but memory (bench/import.ts: 32 MB, same time,
    // ~25 MB more at peak); reads beyond it come from the OS's file cache.
    db.pragma('cache_size = -16384')
    // Temporary files in memory: above all the statement journals, which let one multi-row INSERT
    // of the import's single transaction be undone alone. On disk they were ~260,000 small
    // writes to a temp file in a million-row import, ~10% of its time (BENCHMARKS.md, import).
    db.pragma('temp_store = MEMORY')
    // Reads straight from the file's pages, mapped, instead of a read call per page: see SERVE_MMAP_BYTES.
    if (opts.mmapBytes !== undefined && opts.mmapBytes > 0) db.pragma(`mmap_size = ${Math.floor(opts.mmapBytes)}`)
    upgradeLibrary(db)
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

// An index built by an older version is dropped whole (one transaction) and the next import reads
// every file again; the cache and the user's playlist links stay.
function upgradeLibrary (db: Db): void {
  db.exec('CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)')
  const version = db.prepare("SELECT value FROM meta WHERE key = 'library_schema'").pluck().get() as string | undefined
  if (version === String(LIBRARY_SCHEMA)) return
  db.transaction(() => {
    for (const table of LIBRARY_TABLES) db.exec(`DROP TABLE IF EXISTS ${table}`)
    db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('library_schema', ?)").run(String(LIBRARY_SCHEMA))
  })()
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
