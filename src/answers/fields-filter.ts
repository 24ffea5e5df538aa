// Spotify's `fields` filter for the playlist endpoints, applied to a finished answer. Pure.
//
// Syntax (spec, GET /playlists/{id} and /items): a comma-separated list of field names; `a.b`
// selects `b` inside the non-repeating object `a`; `a(b,c)` selects inside `a`; `!a` excludes.
// Semantics chosen where the spec is silent:
// - A selection inside an array applies to each element, so `items.track.album(name)` (the
//   spec's own example uses a dot through the `items` array) and `items(track(name))` agree.
// - A group holding any `!` entry keeps every field but the excluded ones; `a(…)` entries there
//   refine `a`, and plain names are no-ops: `album(!name,href)` is the album without its name.
//   Without `!`, only the named fields are kept.
// - `!` before a path or group reaches its leaves: `!a.b` and `!a(b)` keep `a` without `b`.
// - Naming a field plainly keeps all of it, even when another entry refines it (`a,a.b` is `a`).
// - Applied to a paging object, names that are not paging fields select inside its `items`:
//   after the February 2026 rename the spec writes GET /playlists/{id}'s example as
//   `items(added_by.id,track(…))`, one level short of `items.items(…)`; both mean the same here.
// - The parser is forgiving: Spotify's answer to a malformed filter is not documented, and a
//   fallback answer should not fail where Spotify might have answered. Stray `)` are ignored,
//   unclosed `(` close at the end, empty names select nothing, unknown names match nothing.
//   Selections nested deeper than any Spotify object (MAX_DEPTH) keep the whole field, so a
//   hostile filter cannot exhaust the stack.
// - `track`/`item` and `tracks`/`items` need no aliasing: the shapes carry both names, so a
//   client's old or new path each selects its own copy.

export interface FieldEntry {
  name: string
  exclude: boolean
  /** Sub-selection from `a.b` or `a(b)`; null selects the whole field. */
  sub: FieldEntry[] | null
}

class Cursor {
  i = 0
  constructor (readonly s: string) {}
  peek (): string | undefined { return this.s[this.i] }
  take (): string | undefined { return this.s[this.i++] }
  done (): boolean { return this.i >= this.s.length }
}

const NAME_END = new Set([',', '.', '(', ')'])
const MAX_DEPTH = 32

/** Skips what follows a too-deep name: up to the `,` or `)` that ends it, past balanced groups. */
function skipSelection (c: Cursor): void {
  let open = 0
  while (!c.done()) {
    const ch = c.peek()
    if (open === 0 && (ch === ',' || ch === ')')) return
    if (ch === '(') open++
    if (ch === ')') open--
    c.take()
  }
}

function markExcluded (entries: FieldEntry[]): FieldEntry[] {
  return entries.map(e => ({ name: e.name, exclude: true, sub: e.sub && markExcluded(e.sub) }))
}

function parseEntry (c: Cursor, depth: number): FieldEntry | null {
  let name = ''
  while (!c.done() && !NAME_END.has(c.peek()!)) name += c.take()
  name = name.trim()
  const exclude = name.startsWith('!')
  if (exclude) name = name.slice(1).trim()
  let sub: FieldEntry[] | null = null
  if (depth >= MAX_DEPTH) {
    skipSelection(c)
  } else if (c.peek() === '.') {
    c.take()
    const next = parseEntry(c, depth + 1)
    sub = next === null ? null : [next]
  } else if (c.peek() === '(') {
    c.take()
    const list = parseList(c, depth + 1)
    sub = list.length === 0 ? null : list
  }
  if (name === '') return null
  return { name, exclude, sub: exclude && sub !== null ? markExcluded(sub) : sub }
}

function parseList (c: Cursor, depth: number): FieldEntry[] {
  const entries: FieldEntry[] = []
  while (!c.done()) {
    const ch = c.peek()
    if (ch === ',') {
      c.take()
    } else if (ch === ')') {
      c.take()
      if (depth > 0) return entries
    } else {
      const e = parseEntry(c, depth)
      if (e !== null) entries.push(e)
    }
  }
  return entries
}

/** The filter as a list of entries; empty when it selects nothing nameable. */
export function parseFields (expr: string): FieldEntry[] {
  return parseList(new Cursor(expr), 0)
}

const PAGING_KEYS: ReadonlySet<string> = new Set(['href', 'items', 'limit', 'next', 'offset', 'previous', 'total'])

function isPaging (o: Record<string, unknown>): boolean {
  return Array.isArray(o.items) && typeof o.total === 'number' && 'limit' in o && 'href' in o
}

/** Entries naming no paging field are moved into an `items(…)` entry. */
function pushIntoItems (entries: FieldEntry[]): FieldEntry[] {
  const moved = entries.filter(e => !PAGING_KEYS.has(e.name))
  if (moved.length === 0) return entries
  const kept = entries.filter(e => PAGING_KEYS.has(e.name))
  return [...kept, { name: 'items', exclude: moved.every(e => e.exclude), sub: moved }]
}

function select (value: unknown, entries: FieldEntry[]): unknown {
  if (Array.isArray(value)) return value.map(v => select(v, entries))
  if (typeof value !== 'object' || value === null) return value
  const obj = value as Record<string, unknown>
  const group = isPaging(obj) ? pushIntoItems(entries) : entries
  const excluding = group.some(e => e.exclude)
  const byName = new Map<string, FieldEntry[]>()
  for (const e of group) byName.set(e.name, [...(byName.get(e.name) ?? []), e])
  const out: Record<string, unknown> = {}
  for (const [key, v] of Object.entries(obj)) {
    const named = byName.get(key)
    if (named === undefined) {
      if (excluding) out[key] = v
    } else if (named.some(e => e.sub === null && e.exclude)) {
      continue
    } else if (named.some(e => e.sub === null)) {
      out[key] = v
    } else {
      out[key] = select(v, named.flatMap(e => e.sub ?? []))
    }
  }
  return out
}

/** The value with only the fields the filter asks for; unchanged for an empty or blank filter. */
export function applyFields (value: unknown, expr: string): unknown {
  if (expr.trim() === '') return value
  return select(value, parseFields(expr))
}
