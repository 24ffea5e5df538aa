// What each import changed, kept as changes (never copies): per playlist, the entries added,
// removed and moved; per track, the fields an export changed; tracks gone from every export;
// playlists that came or went. The writer calls it around what it replaces; the first import
// into an empty store is the baseline and records nothing. Read by history-reader.ts.
import type { Db } from '../db.js'
import type { LibraryTrack } from './types.js'

export type ChangeKind = 'added' | 'removed' | 'moved' | 'changed' | 'gone' | 'playlist-added' | 'playlist-removed'

/** Track fields compared for 'changed', as a reader would name them. */
const FIELDS: ReadonlyArray<[string, (t: LibraryTrack) => unknown]> = [
  ['name', t => t.name],
  ['artists', t => t.artists.map(a => a.name).join(', ')],
  ['album', t => t.album.name],
  ['release_date', t => t.album.releaseDate],
  ['duration_ms', t => t.durationMs],
  ['explicit', t => t.explicit],
  ['popularity', t => t.popularity],
  ['isrc', t => t.isrc],
  ['genres', t => t.genres.join(', ')],
  ['label', t => t.album.label]
]

/** Entries of one playlist: what was added, removed, and moved (outside the longest run kept in order). */
export function diffEntries (before: readonly string[], after: readonly string[]): { added: Array<[string, number]>, removed: Array<[string, number]>, moved: Array<[string, number, number]> } {
  // A key met twice in one playlist is two entries: tagged with its occurrence.
  const tag = (keys: readonly string[]): string[] => {
    const n = new Map<string, number>()
    return keys.map(k => { const i = (n.get(k) ?? 0) + 1; n.set(k, i); return `${k}\u0000${i}` })
  }
  const a = tag(before)
  const b = tag(after)
  const inA = new Map(a.map((k, i) => [k, i]))
  const inB = new Set(b)
  const added: Array<[string, number]> = []
  const common: Array<[number, number]> = [] // [position before, position after]
  b.forEach((k, j) => { const i = inA.get(k); if (i === undefined) added.push([after[j]!, j]); else common.push([i, j]) })
  const removed: Array<[string, number]> = a.flatMap((k, i) => (inB.has(k) ? [] : [[before[i]!, i] as [string, number]]))
  const kept = longestIncreasing(common.map(([i]) => i))
  const moved = common.filter((_, x) => !kept.has(x)).map(([i, j]) => [before[i]!, i, j] as [string, number, number])
  return { added, removed, moved }
}

/** Indexes (into `xs`) of one longest strictly increasing subsequence: O(n log n). */
function longestIncreasing (xs: readonly number[]): Set<number> {
  const tails: number[] = []
  const prev = new Array<number>(xs.length).fill(-1)
  for (let x = 0; x < xs.length; x++) {
    let lo = 0
    let hi = tails.length
    while (lo < hi) { const mid = (lo + hi) >> 1; if (xs[tails[mid]!]! < xs[x]!) lo = mid + 1; else hi = mid }
    if (lo > 0) prev[x] = tails[lo - 1]!
    tails[lo] = x
  }
  const out = new Set<number>()
  for (let x = tails.at(-1) ?? -1; x !== -1; x = prev[x]!) out.add(x)
  return out
}

export function changeLog (db: Db, opts: { active: boolean, root: string }) {
  const s = {
    addImport: db.prepare('INSERT INTO library_imports (at, root) VALUES (?, ?)'),
    add: db.prepare('INSERT INTO library_changes (import, kind, playlist, track, name, artists, detail) VALUES (?, ?, ?, ?, ?, ?, ?)'),
    entries: db.prepare('SELECT t.key FROM playlist_items i JOIN tracks t ON t.pk = i.track WHERE i.playlist = ? ORDER BY i.position').pluck(),
    track: db.prepare(`SELECT t.name, (SELECT group_concat(a.name, ', ') FROM json_each('[' || t.artists || ']') j JOIN artists a ON a.pk = j.value)
      FROM tracks t WHERE t.key = ?`).raw()
  }
  /** Playlists as they were before this import replaced them, by path. */
  const before = new Map<string, { name: string, keys: string[] }>()
  let importPk: number | null = null
  const record = (kind: ChangeKind, playlist: string | null, track: string | null, detail: unknown, names?: [string | null, string | null]): void => {
    importPk ??= Number(s.addImport.run(Date.now(), opts.root).lastInsertRowid)
    const [name, artists] = names ?? (track === null ? [null, null] : (s.track.get(track) as [string, string | null] | undefined) ?? [null, null])
    s.add.run(importPk, kind, playlist, track, name, artists, detail === null ? null : JSON.stringify(detail))
  }

  return {
    active: opts.active,
    /** A playlist about to be replaced or dropped: its entries as they are. */
    replacing (path: string, name: string, playlistPk: number): void {
      if (opts.active) before.set(path, { name, keys: s.entries.all(playlistPk) as string[] })
    },
    /** Whether the entries of the playlist at `path` are wanted for a comparison (it had a version before). */
    compares (path: string): boolean {
      return opts.active && before.has(path)
    },
    /** A playlist written: what changed against its earlier version (its entries' keys if it had one). */
    written (path: string, name: string, count: number, keys: readonly string[] | null): void {
      if (!opts.active) return
      const old = before.get(path)
      before.delete(path)
      if (old === undefined || keys === null) { record('playlist-added', name, null, { tracks: count }); return }
      const d = diffEntries(old.keys, keys)
      for (const [key, at] of d.added) record('added', name, key, { at })
      for (const [key, at] of d.removed) record('removed', name, key, { at })
      for (const [key, from, to] of d.moved) record('moved', name, key, { from, to })
    },
    /** A track whose stored fields an import changed. */
    trackChanged (prev: LibraryTrack, next: LibraryTrack): void {
      if (!opts.active) return
      const fields: Record<string, [unknown, unknown]> = {}
      for (const [field, get] of FIELDS) {
        const a = get(prev)
        const b = get(next)
        if (a !== b) fields[field] = [a, b]
      }
      if (Object.keys(fields).length > 0) record('changed', null, next.key, fields, [next.name, next.artists.map(a => a.name).join(', ')])
    },
    /** Tracks no export holds any more, before they are deleted. */
    gone (key: string): void {
      if (opts.active) record('gone', null, key, null)
    },
    /** Playlists replaced by nothing: their files are gone, or no longer hold them. */
    finish (): void {
      for (const [, old] of before) record('playlist-removed', old.name, null, { tracks: old.keys.length })
      before.clear()
    }
  }
}
