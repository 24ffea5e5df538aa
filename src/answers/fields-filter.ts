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
// - A filter longer than MAX_FIELDS_LENGTH is refused (FieldsFilterError, a 400): no real one
//   comes near it. Parsing is one pass, and each group of the filter is merged once, so applying
//   it costs time in proportion to the filter plus the answer, never their product.
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
/** Longest filter accepted, in characters; Spotify's own examples are under 100. */
export const MAX_FIELDS_LENGTH = 2000

/** A filter refused outright; a 400 in Spotify's error shape wherever it is thrown from a route. */
export class FieldsFilterError extends Error {
  override name = 'FieldsFilterError'
  readonly statusCode = 400
}

/** Why `expr` is refused as a fields filter, or null. */
export function fieldsProblem (expr: string): string | null {
  return expr.length > MAX_FIELDS_LENGTH ? `fields filter longer than ${MAX_FIELDS_LENGTH} characters` : null
}

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

// `excluded`: under a `!`, which reaches every leaf below it.
function parseEntry (c: Cursor, depth: number, excluded: boolean): FieldEntry | null {
  const from = c.i
  while (!c.done() && !NAME_END.has(c.peek()!)) c.take()
  let name = c.s.slice(from, c.i).trim()
  const bang = name.startsWith('!')
  if (bang) name = name.slice(1).trim()
  const exclude = excluded || bang
  let sub: FieldEntry[] | null = null
  if (depth >= MAX_DEPTH) {
    skipSelection(c)
  } else if (c.peek() === '.') {
    c.take()
    const next = parseEntry(c, depth + 1, exclude)
    sub = next === null ? null : [next]
  } else if (c.peek() === '(') {
    c.take()
    const list = parseList(c, depth + 1, exclude)
    sub = list.length === 0 ? null : list
  }
  if (name === '') return null
  return { name, exclude, sub }
}

function parseList (c: Cursor, depth: number, excluded: boolean): FieldEntry[] {
  const entries: FieldEntry[] = []
  while (!c.done()) {
    const ch = c.peek()
    if (ch === ',') {
      c.take()
    } else if (ch === ')') {
      c.take()
      if (depth > 0) return entries
    } else {
      const e = parseEntry(c, depth, excluded)
      if (e !== null) entries.push(e)
    }
  }
  return entries
}

/** The filter as a list of entries; empty when it selects nothing nameable. Throws FieldsFilterError when too long. */
export function parseFields (expr: string): FieldEntry[] {
  const problem = fieldsProblem(expr)
  if (problem !== null) throw new FieldsFilterError(problem)
  return parseList(new Cursor(expr), 0, false)
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

/** What a group of entries does to one key of an object. */
type Rule = { kind: 'drop' } | { kind: 'keep' } | { kind: 'select', entries: FieldEntry[], group?: Group }

/** A group of entries merged by name, once: applied to any number of objects without re-merging. */
interface Group {
  entries: FieldEntry[]
  excluding: boolean
  rules: Map<string, Rule>
  /** The same group as applied to a paging object (see pushIntoItems), merged when first needed. */
  paging?: Group
}

function group (entries: FieldEntry[]): Group {
  const byName = new Map<string, FieldEntry[]>()
  for (const e of entries) {
    const named = byName.get(e.name)
    if (named === undefined) byName.set(e.name, [e])
    else named.push(e)
  }
  const rules = new Map<string, Rule>()
  for (const [name, named] of byName) {
    if (named.some(e => e.sub === null && e.exclude)) rules.set(name, { kind: 'drop' })
    else if (named.some(e => e.sub === null)) rules.set(name, { kind: 'keep' })
    else rules.set(name, { kind: 'select', entries: named.flatMap(e => e.sub ?? []) })
  }
  return { entries, excluding: entries.some(e => e.exclude), rules }
}

function select (value: unknown, g: Group): unknown {
  if (Array.isArray(value)) return value.map(v => select(v, g))
  if (typeof value !== 'object' || value === null) return value
  const obj = value as Record<string, unknown>
  const active = isPaging(obj) ? (g.paging ??= group(pushIntoItems(g.entries))) : g
  const out: Record<string, unknown> = {}
  for (const [key, v] of Object.entries(obj)) {
    const rule = active.rules.get(key)
    if (rule === undefined) {
      if (active.excluding) out[key] = v
    } else if (rule.kind === 'keep') {
      out[key] = v
    } else if (rule.kind === 'select') {
      out[key] = select(v, rule.group ??= group(rule.entries))
    }
  }
  return out
}

/** The value with only the fields the filter asks for; unchanged for an empty or blank filter. Throws FieldsFilterError when too long. */
export function applyFields (value: unknown, expr: string): unknown {
  if (expr.trim() === '') return value
  return select(value, group(parseFields(expr)))
}
