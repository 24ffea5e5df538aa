// Which library the database holds: the folder it was indexed from (so `serve` and `import` with
// no path keep serving it instead of falling back to the demo), and whether it is the shipped demo
// library (by content, wherever it is mounted). Which users its exports name: policy/owner.ts.
import fs from 'node:fs'
import path from 'node:path'
import { DEMO_LIBRARY, DEMO_MANIFEST, type Config } from '../config.js'
import type { Db } from '../db.js'
import { indexedRoot } from './importer.js'
import { LibraryPathError } from './sources.js'

export interface LibraryChoice {
  /** The folder (or file) to index and serve. */
  root: string
  /** configured: SPOTIFY_CSV_BACKUP_PATH or a flag; indexed: the database's own; demo: an empty database. */
  how: 'configured' | 'indexed' | 'demo'
  /** The library the database indexed last, or null (a new database). */
  indexed: string | null
}

/**
 * The library to use: the configured one, else the one the database indexed, else (only on an
 * empty database) the demo. `db` null means no database yet.
 */
export function chooseLibrary (config: Pick<Config, 'csvBackupPath' | 'csvBackupPathSet'>, db: Db | null): LibraryChoice {
  const indexed = db === null ? null : indexedRoot(db)
  if (config.csvBackupPathSet) return { root: config.csvBackupPath, how: 'configured', indexed }
  if (indexed !== null && fs.existsSync(indexed)) return { root: indexed, how: 'indexed', indexed }
  const files = db === null ? [] : db.prepare('SELECT path, sha256 FROM library_files').all() as IndexedFile[]
  // The demo wherever this package now is (a moved checkout, a new image); any other library is
  // never silently swapped for the demo.
  if (files.length === 0 || sameAsDemo(files)) return { root: DEMO_LIBRARY, how: 'demo', indexed }
  throw new LibraryPathError(indexed !== null
    ? `the library this database indexed, ${indexed}, is gone: name the folder to serve with --library or SPOTIFY_CSV_BACKUP_PATH`
    // A database from before the folder was remembered.
    : 'this database holds a library indexed before spotify-csv-proxy remembered which folder it came from: name that folder once, with --library or SPOTIFY_CSV_BACKUP_PATH')
}

/**
 * Whether the library the database holds now is the shipped demo, computed once per library
 * version (LibraryStore.version(): an import by any process, a link or a learned playlist id).
 */
export class LibraryIdentity {
  readonly #version: () => string
  readonly #files
  #demo: { version: string, value: boolean } | null = null

  constructor (db: Db, version: () => string) {
    this.#version = version
    this.#files = db.prepare('SELECT path, sha256 FROM library_files')
  }

  /** True while the indexed library is exactly the shipped demo: its manifest's files, byte for byte. */
  isDemo (): boolean {
    const version = this.#version()
    if (this.#demo?.version !== version) this.#demo = { version, value: sameAsDemo(this.#files.all() as IndexedFile[]) }
    return this.#demo.value
  }
}

interface IndexedFile { path: string, sha256: string }

let manifest: Record<string, string> | null = null

function sameAsDemo (files: readonly IndexedFile[]): boolean {
  manifest ??= (JSON.parse(fs.readFileSync(path.join(DEMO_LIBRARY, DEMO_MANIFEST), 'utf8')) as { files: Record<string, string> }).files
  const expected = manifest
  return files.length > 0 && files.length === Object.keys(expected).length &&
    files.every(f => expected[f.path.normalize('NFC')] === f.sha256)
}
