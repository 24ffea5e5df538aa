// The undo journal: JSON Lines, appended and synced to disk before each write goes to Notion
// (`intent`), and again once Notion accepted it (`written`). A run that dies half-way leaves a
// journal saying exactly which writes were made: those with both lines.
import fs from 'node:fs'

export interface JournalEntry { page: string, property: string, old: unknown, new: unknown }
type Line = ({ kind: 'intent' } & JournalEntry) | { kind: 'written', page: string, property: string }

export class Journal {
  readonly #fd: number
  constructor (readonly file: string) {
    this.#fd = fs.openSync(file, 'a')
  }

  #append (line: Line): void {
    fs.writeSync(this.#fd, `${JSON.stringify({ at: new Date().toISOString(), ...line })}\n`)
    fs.fsyncSync(this.#fd)
  }

  intent (e: JournalEntry): void { this.#append({ kind: 'intent', ...e }) }
  written (page: string, property: string): void { this.#append({ kind: 'written', page, property }) }
  close (): void { fs.closeSync(this.#fd) }
}

/** The writes a journal records as done (both lines present), in the order they were made. */
export function writtenEntries (file: string): JournalEntry[] {
  const intents = new Map<string, JournalEntry>()
  const done: JournalEntry[] = []
  for (const raw of fs.readFileSync(file, 'utf8').split('\n')) {
    if (raw.trim() === '') continue
    const l = JSON.parse(raw) as Line
    const key = `${l.page}\u0000${l.property}`
    if (l.kind === 'intent') intents.set(key, { page: l.page, property: l.property, old: l.old, new: l.new })
    else if (intents.has(key)) done.push(intents.get(key)!)
  }
  return done
}
