// A playlist entry for the writer, from a track any reader mapped: the track encoded unless the
// last row that described it said the same (its signature), and numbered when the reader numbers
// tracks (see KeyTable). Shared by the CSV and the JSON readers, so a track met in both is one.
import type { EntryRow } from './file-reader.js'
import type { KeyTable } from './key-table.js'
import { encodeAddedAt } from './added-at.js'
import { encodeTrack, hash32 } from './track-codec.js'
import type { LibraryTrack } from './types.js'

/**
 * Rows (or plays) per message to the writer. Small on purpose: a batch lives until it is posted,
 * and one bigger than the reader thread's young generation can hold (16 MB: importer.ts) outlives
 * a scavenge, is copied and promoted, and dies in the old generation. At 2,000 rows, together with
 * 1 MB pieces of text (sources.ts), the reader promoted ~1 GB on the million-row bench and spent a
 * quarter of its time collecting garbage; at 200, with 64 KB pieces, ~0.25 GB (bench/import.ts).
 */
export const ROWS_PER_MESSAGE = 200

/** What an import's readers share across files: the track keys met, and a memo of folded text. */
export interface EntrySink { seen: KeyTable, fold: (s: string) => string }

/** A signature of the fields a track's name-and-URI sources (JSON) give; below 0xffffffff. */
export function trackSignature (t: LibraryTrack): number {
  return Math.min(hash32(`${t.uri ?? ''}\u0000${t.name}\u0000${t.artists.map(a => a.name).join('\u0001')}\u0000${t.album.name}`), 0xfffffffe)
}

export function entryRow (line: number, track: LibraryTrack, addedAt: string | null, addedBy: string | null, sink: EntrySink, sig = trackSignature(track)): EntryRow {
  const { seen } = sink
  let entry = seen.find(track.key)
  if (entry !== -1 && seen.value(entry) === sig) return [line, track.key, encodeAddedAt(addedAt), addedBy, null, false, seen.rowid(entry)]
  const first = entry === -1
  if (first) entry = seen.add(track.key, sig)
  else seen.setValue(entry, sig)
  return [line, track.key, encodeAddedAt(addedAt), addedBy, encodeTrack(track, sink.fold), first, seen.rowid(entry)]
}
