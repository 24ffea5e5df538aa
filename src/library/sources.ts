// What a library folder holds for the importer: CSV files, and the CSVs inside zip archives
// (Exportify's "Export All" downloads spotify_playlists.zip), each named by its path relative to
// the library root; a CSV inside an archive is `archive.zip:inner.csv`. Archives are read with
// yauzl; nothing is ever extracted to disk.
import fs from 'node:fs'
import path from 'node:path'
import type { Readable } from 'node:stream'
import yauzl from 'yauzl'

export interface SourceFile {
  /** Relative to the library root, '/'-separated; `archive.zip:inner.csv` inside an archive. */
  rel: string
  /** The file on disk (the archive, for a CSV inside one). */
  abs: string
  /** The CSV's name inside the archive, or null for a file on disk. */
  entry: string | null
  size: number
  mtimeMs: number
  /** Why it cannot be read at all (a damaged archive, an encrypted or oversized entry), or null. */
  unreadable: string | null
}

export interface LibraryListing {
  files: SourceFile[]
  /** Other files in the folder (not .csv, not .zip), for the hint when nothing could be read. */
  others: string[]
}

export class LibraryPathError extends Error {
  override name = 'LibraryPathError'
}

/** A CSV inside an archive that fails while it is read (its message says so). */
export class SourceReadError extends Error {
  override name = 'SourceReadError'
}

/** Marks a CSV inside an archive: `archive.zip:inner.csv`. */
export const ARCHIVE_MARK = /\.zip:/i

/**
 * A zip-bomb guard: an entry declaring more than this is refused unread (yauzl also checks that no
 * entry inflates past what it declares). Exportify's largest CSVs are tens of MB.
 */
export const MAX_ENTRY_BYTES = 512 * 1024 * 1024

/** CSV exports, the JSON files of Spotify's account export (account-export.ts) and spotify-backup's text files (tab-backup.ts): their readers say which they are. */
const CSV = /\.(csv|json|txt|tsv)$/i
const ZIP = /\.zip$/i

export async function listLibrary (absRoot: string): Promise<LibraryListing> {
  let st: fs.Stats
  try {
    st = fs.statSync(absRoot)
  } catch {
    throw new LibraryPathError(`library path ${absRoot} does not exist`)
  }
  if (st.isFile()) {
    const rel = path.basename(absRoot)
    return { files: ZIP.test(rel) ? await archiveFiles(absRoot, rel, st) : [plain(absRoot, rel, st)], others: [] }
  }
  const files: SourceFile[] = []
  const others: string[] = []
  const walk = async (dir: string): Promise<void> => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      if (e.name.startsWith('.')) continue
      const abs = path.join(dir, e.name)
      const rel = path.relative(absRoot, abs).split(path.sep).join('/')
      if (e.isDirectory()) await walk(abs)
      else if (!e.isFile()) continue
      else if (CSV.test(e.name)) files.push(plain(abs, rel, fs.statSync(abs)))
      else if (ZIP.test(e.name)) files.push(...await archiveFiles(abs, rel, fs.statSync(abs)))
      else others.push(rel)
    }
  }
  await walk(absRoot)
  return { files: files.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0)), others: others.sort() }
}

function plain (abs: string, rel: string, st: fs.Stats): SourceFile {
  return { rel, abs, entry: null, size: st.size, mtimeMs: Math.trunc(st.mtimeMs), unreadable: null }
}

/** The CSVs inside an archive. Their mtime is the archive's: a new download re-reads them (by hash). */
async function archiveFiles (abs: string, rel: string, st: fs.Stats): Promise<SourceFile[]> {
  const mtimeMs = Math.trunc(st.mtimeMs)
  let zip: Archive
  try {
    zip = await openArchive(abs)
  } catch (err) {
    return [{ rel, abs, entry: null, size: st.size, mtimeMs, unreadable: `not a readable zip archive (${(err as Error).message})` }]
  }
  zip.close()
  const out: SourceFile[] = []
  for (const e of zip.entries.values()) {
    const base = path.posix.basename(e.fileName)
    // Folders, macOS resource forks (__MACOSX/._name.csv) and hidden files are not exports.
    if (!CSV.test(base) || base.startsWith('.') || e.fileName.split('/').includes('__MACOSX')) continue
    const unreadable = e.isEncrypted()
      ? 'encrypted inside the archive'
      : !e.canDecodeFileData()
          ? `compressed with a method zip readers rarely support (${e.compressionMethod})`
          : e.uncompressedSize > MAX_ENTRY_BYTES ? `declares ${e.uncompressedSize} bytes (more than ${MAX_ENTRY_BYTES})` : null
    out.push({ rel: `${rel}:${e.fileName}`, abs, entry: e.fileName, size: e.uncompressedSize, mtimeMs, unreadable })
  }
  return out
}

/**
 * Opens a file's bytes as a stream, as many times as it is called, while readSources is on the
 * file; in pieces of about `pieceBytes` (a look at a file's head needs no megabyte).
 */
export type ByteSource = (pieceBytes?: number) => AsyncIterable<Buffer>

/**
 * Pieces a file on disk is read in: memory holds one (or one inflated piece of a zip entry). A
 * piece's text and the records parsed from it live until its last row is mapped, so a piece must
 * fit the reader thread's young generation with room to spare: 1 MB of CSV is ~3,700 records, ~6 MB
 * of short strings, all of which outlived a scavenge (see ROWS_PER_MESSAGE in entry-row.ts).
 */
const PIECE_BYTES = 64 * 1024

/**
 * Each file in turn, to be read (as often as needed) before asking for the next: none for an
 * unreadable one. An archive stays open while its CSVs are read: listLibrary's order keeps them
 * together. A CSV whose archive cannot be opened (damaged, or replaced meanwhile) comes back
 * marked unreadable; one that fails part-way through reading throws a SourceReadError from its stream.
 */
export async function * readSources<F extends SourceFile> (files: readonly F[]): AsyncGenerator<{ file: F, open: ByteSource }> {
  let zip: Archive | null = null
  let zipPath: string | null = null
  try {
    for (const file of files) {
      if (file.unreadable !== null) {
        yield { file, open: nothing }
        continue
      }
      if (file.entry === null) {
        yield { file, open: (pieceBytes = PIECE_BYTES) => fs.createReadStream(file.abs, { highWaterMark: pieceBytes }) }
        continue
      }
      let archive: Archive
      try {
        if (zip === null || zipPath !== file.abs) {
          zip?.close()
          zip = null
          zip = await openArchive(file.abs)
          zipPath = file.abs
        }
        archive = zip
        await archive.check(file.entry)
      } catch (err) {
        yield { file: { ...file, unreadable: `cannot be read from the archive (${(err as Error).message})` }, open: nothing }
        continue
      }
      const entry = file.entry
      yield { file, open: () => archive.stream(entry) }
    }
  } finally {
    zip?.close()
  }
}

async function * nothing (): AsyncGenerator<Buffer> {}

interface Archive {
  entries: Map<string, yauzl.Entry>
  /** Throws when the entry is gone or cannot be opened. */
  check: (name: string) => Promise<void>
  stream: (name: string) => AsyncIterable<Buffer>
  close: () => void
}

async function openArchive (abs: string): Promise<Archive> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) => {
    yauzl.open(abs, { lazyEntries: true, autoClose: false }, (err, z) => { if (err) reject(err); else resolve(z) })
  })
  try {
    const entries = new Map<string, yauzl.Entry>()
    await new Promise<void>((resolve, reject) => {
      zip.on('entry', (e: yauzl.Entry) => { entries.set(e.fileName, e); zip.readEntry() })
      zip.once('end', resolve)
      zip.once('error', reject)
      zip.readEntry()
    })
    return {
      entries,
      check: async name => { (await openEntry(zip, entries.get(name))).destroy() },
      stream: name => streamEntry(zip, entries.get(name)),
      close: () => { zip.close() }
    }
  } catch (err) {
    zip.close()
    throw err
  }
}

async function openEntry (zip: yauzl.ZipFile, entry: yauzl.Entry | undefined): Promise<Readable> {
  if (entry === undefined) throw new Error('it is no longer in the archive')
  return await new Promise<Readable>((resolve, reject) => {
    zip.openReadStream(entry, (err, s) => { if (err) reject(err); else resolve(s) })
  })
}

async function * streamEntry (zip: yauzl.ZipFile, entry: yauzl.Entry | undefined): AsyncGenerator<Buffer> {
  try {
    for await (const piece of await openEntry(zip, entry)) yield piece as Buffer
  } catch (err) {
    throw new SourceReadError(`cannot be read from the archive (${(err as Error).message})`)
  }
}
