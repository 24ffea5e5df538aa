// What a library folder holds for the importer: CSV files, and the CSVs inside zip archives
// (Exportify's "Export All" downloads spotify_playlists.zip), each named by its path relative to
// the library root; a CSV inside an archive is `archive.zip:inner.csv`. Archives are read with
// yauzl; nothing is ever extracted to disk.
import fs from 'node:fs'
import path from 'node:path'
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

/** Marks a CSV inside an archive: `archive.zip:inner.csv`. */
export const ARCHIVE_MARK = /\.zip:/i

/**
 * A zip-bomb guard: an entry declaring more than this is refused unread (yauzl also checks that no
 * entry inflates past what it declares). Exportify's largest CSVs are tens of MB.
 */
export const MAX_ENTRY_BYTES = 512 * 1024 * 1024

const CSV = /\.csv$/i
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
 * The bytes of each file in turn (none for an unreadable one). An archive stays open while its
 * CSVs are read: listLibrary's order keeps them together. A CSV that fails to come out of its
 * archive (damaged, or the archive replaced meanwhile) comes back marked unreadable.
 */
export async function * readSources<F extends SourceFile> (files: readonly F[]): AsyncGenerator<{ file: F, bytes: Buffer }> {
  let zip: Archive | null = null
  let zipPath: string | null = null
  try {
    for (const file of files) {
      if (file.unreadable !== null) {
        yield { file, bytes: Buffer.alloc(0) }
        continue
      }
      if (file.entry === null) {
        yield { file, bytes: fs.readFileSync(file.abs) }
        continue
      }
      let bytes: Buffer
      try {
        if (zip === null || zipPath !== file.abs) {
          zip?.close()
          zip = null
          zip = await openArchive(file.abs)
          zipPath = file.abs
        }
        bytes = await zip.read(file.entry)
      } catch (err) {
        yield { file: { ...file, unreadable: `cannot be read from the archive (${(err as Error).message})` }, bytes: Buffer.alloc(0) }
        continue
      }
      yield { file, bytes }
    }
  } finally {
    zip?.close()
  }
}

interface Archive {
  entries: Map<string, yauzl.Entry>
  read: (name: string) => Promise<Buffer>
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
      read: async name => await readEntry(zip, entries.get(name)),
      close: () => { zip.close() }
    }
  } catch (err) {
    zip.close()
    throw err
  }
}

async function readEntry (zip: yauzl.ZipFile, entry: yauzl.Entry | undefined): Promise<Buffer> {
  if (entry === undefined) throw new Error('it is no longer in the archive')
  const stream = await new Promise<NodeJS.ReadableStream>((resolve, reject) => {
    zip.openReadStream(entry, (err, s) => { if (err) reject(err); else resolve(s) })
  })
  const chunks: Buffer[] = []
  for await (const chunk of stream) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}
