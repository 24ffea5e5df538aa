// Plays from the streaming history into `played` and `plays` (db.ts), inside the import's
// transaction. A track played is found by id, else by folded name and artist, and learns its id
// when a later history names it; a play already held (the same minute and track, from the other
// history or an earlier download) is kept once, with the seconds when either history has them.
import type { Db } from '../db.js'
import type { Play } from './account-export.js'
import { foldText } from './search-query.js'

/** Tracks played remembered by key for the import, up to this many, then started over. */
const REMEMBERED = 100_000

export function historyWriter (db: Db) {
  const s = {
    byId: db.prepare('SELECT pk FROM played WHERE id = ?').pluck(),
    byFold: db.prepare('SELECT pk, id FROM played WHERE fold = ? ORDER BY id IS NULL LIMIT 1').raw(),
    setId: db.prepare('UPDATE played SET id = ?, album = coalesce(album, ?) WHERE pk = ?'),
    add: db.prepare('INSERT INTO played (id, fold, name, artist, album) VALUES (?, ?, ?, ?, ?)'),
    play: db.prepare(`INSERT INTO plays (minute, played, ts, ms) VALUES (?, ?, ?, ?)
      ON CONFLICT (minute, played) DO UPDATE SET ts = excluded.ts, ms = excluded.ms WHERE excluded.ts % 60 != 0`),
    files: db.prepare("SELECT count(*) FROM library_files WHERE dialect = 'spotify-account-history'").pluck(),
    clear: db.prepare('DELETE FROM plays')
  }
  const known = new Map<string, number>()
  let wrote = false

  const playedPk = (id: string | null, name: string, artist: string, album: string | null): number => {
    const fold = `${foldText(name)}|${foldText(artist)}`
    const key = id ?? `name:${fold}`
    let pk = known.get(key)
    if (pk !== undefined) return pk
    if (id !== null) pk = s.byId.get(id) as number | undefined
    if (pk === undefined) {
      const byName = s.byFold.get(fold) as [number, string | null] | undefined
      if (byName !== undefined && (id === null || byName[1] === null)) {
        pk = byName[0]
        if (id !== null) s.setId.run(id, album, pk)
      }
    }
    pk ??= Number(s.add.run(id, fold, name, artist, album).lastInsertRowid)
    if (known.size >= REMEMBERED) known.clear()
    known.set(key, pk)
    return pk
  }

  return {
    add (plays: readonly Play[]): void {
      wrote = true
      for (const [ts, ms, id, name, artist, album] of plays) s.play.run(Math.floor(ts / 60), playedPk(id, name, artist, album), ts, ms)
    },
    /** History accumulates across downloads; with no history file left in the library, it goes. */
    finish (): void {
      if (!wrote && s.files.get() === 0) {
        s.clear.run()
        db.exec('DELETE FROM played')
      }
    }
  }
}
