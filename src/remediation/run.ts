// Remediation: match each Notion page to a library track, compare field by field, and (with
// fix) write what differs or is missing in Notion, journaling every write first. Undo replays a
// journal backwards.
import type { ChangeHistory } from '../library/history-log.js'
import type { LibraryStore } from '../library/store.js'
import type { LibraryTrack } from '../library/types.js'
import { compare, detectMap, FIELDS, libraryValue, notionPayload, notionValue, type Field, type PropertyMap, type Value, type Verdict } from './fields.js'
import { Journal, writtenEntries } from './journal.js'
import type { NotionDatabase, NotionPage } from './notion.js'

export interface FieldResult {
  field: Field
  property: string
  notion: Value
  library: Value
  verdict: Verdict
  /** For a value that differs: when an import changed the library's value away from Notion's (the history between exports). */
  lastRight?: string
}
export interface PageResult {
  pageId: string
  title: string
  matchedBy: 'spotify id' | 'isrc' | 'title + artist' | null
  trackId: string | null
  problem?: 'unmatched' | 'ambiguous'
  candidates?: string[]
  fields: FieldResult[]
}
export interface Summary { pages: number, matched: number, unmatched: number, ambiguous: number, same: number, differs: number, missingInNotion: number, missingInLibrary: number }
export interface Report {
  generatedAt: string
  database: string
  map: PropertyMap
  pages: PageResult[]
  summary: Summary
  fix?: { journal: string, written: number, pages: number, failed: { page: string, error: string } | null }
}

export interface RemediateOptions {
  store: LibraryStore
  notion: NotionDatabase
  databaseId: string
  mapOverrides?: PropertyMap
  /** The library's history between exports, to say when a differing Notion value was last the library's. */
  changes?: ChangeHistory
  /** Write the differences (dry run without). */
  fix?: boolean
  journalFile?: string
}

export async function remediate (opts: RemediateOptions): Promise<Report> {
  const { dataSourceId, schema } = await opts.notion.open(opts.databaseId)
  const map = detectMap(schema, opts.mapOverrides)
  const pages = await opts.notion.pages(dataSourceId)
  const results = pages.map(p => examine(opts.store, p, map, opts.changes))
  const report: Report = { generatedAt: new Date().toISOString(), database: opts.databaseId, map, pages: results, summary: summarise(results) }
  if (opts.fix === true) report.fix = await fix(opts, pages, results, schema)
  return report
}

function examine (store: LibraryStore, page: NotionPage, map: PropertyMap, changes?: ChangeHistory): PageResult {
  const get = (f: Field): Value => (map[f] === undefined ? null : notionValue(page.properties[map[f]!], f))
  const title = String(get('title') ?? '')
  const base = { pageId: page.id, title }
  let track: LibraryTrack | null = null
  let matchedBy: PageResult['matchedBy'] = null
  const id = get('spotifyId')
  if (typeof id === 'string') {
    track = store.getTrackById(id)
    if (track !== null) matchedBy = 'spotify id'
  }
  const isrc = get('isrc')
  if (track === null && typeof isrc === 'string') {
    track = store.getTrackByIsrc(isrc)
    if (track !== null) matchedBy = 'isrc'
  }
  const artists = get('artists')
  if (track === null && title !== '' && Array.isArray(artists) && artists.length > 0) {
    const found = store.tracksByNameArtist(title, artists[0]!)
    const ids = [...new Set(found.map(t => t.key))]
    if (ids.length > 1) return { ...base, matchedBy: null, trackId: null, problem: 'ambiguous', candidates: found.map(t => t.id ?? t.key), fields: [] }
    if (found.length === 1) {
      track = found[0]!
      matchedBy = 'title + artist'
    }
  }
  if (track === null) return { ...base, matchedBy: null, trackId: null, problem: 'unmatched', fields: [] }
  const fields: FieldResult[] = []
  const history = changes?.fieldChanges(track.key) ?? []
  for (const f of FIELDS) {
    const property = map[f]
    if (property === undefined) continue
    const prop = page.properties[property]
    const notion = notionValue(prop, f)
    const library = libraryValue(track, f)
    const verdict = compare(f, notion, library, prop?.type ?? '')
    const lastRight = verdict === 'differs' ? lastRightAt(history, f, notion, prop?.type ?? '') : null
    fields.push({ field: f, property, notion, library, verdict, ...(lastRight === null ? {} : { lastRight }) })
  }
  return { ...base, matchedBy, trackId: track.id ?? track.key, fields }
}

/** The change-log's name of each field it records (change-log.ts). */
const LOGGED: Partial<Record<Field, string>> = { title: 'name', artists: 'artists', album: 'album', isrc: 'isrc', durationMs: 'duration_ms', releaseDate: 'release_date', popularity: 'popularity', explicit: 'explicit' }

/** The import that changed the library's value away from `notion`, the newest such, or null. */
function lastRightAt (history: ReturnType<ChangeHistory['fieldChanges']>, f: Field, notion: Value, propType: string): string | null {
  const name = LOGGED[f]
  if (name === undefined) return null
  for (const change of history) {
    const c = change.fields[name]
    if (c === undefined) continue
    const before = f === 'artists' && typeof c[0] === 'string' ? c[0].split(', ') : c[0] as Value
    if (compare(f, notion, before, propType) === 'same') return change.at
  }
  return null
}

function summarise (pages: PageResult[]): Summary {
  const s: Summary = { pages: pages.length, matched: 0, unmatched: 0, ambiguous: 0, same: 0, differs: 0, missingInNotion: 0, missingInLibrary: 0 }
  for (const p of pages) {
    if (p.problem === 'unmatched') s.unmatched++
    else if (p.problem === 'ambiguous') s.ambiguous++
    else s.matched++
    for (const f of p.fields) {
      if (f.verdict === 'same') s.same++
      else if (f.verdict === 'differs') s.differs++
      else if (f.verdict === 'missing in Notion') s.missingInNotion++
      else s.missingInLibrary++
    }
  }
  return s
}

async function fix (opts: RemediateOptions, pages: NotionPage[], results: PageResult[], schema: Record<string, string>): Promise<NonNullable<Report['fix']>> {
  const journalFile = opts.journalFile ?? `remediation-${new Date().toISOString().replace(/[:.]/g, '-')}.jsonl`
  const journal = new Journal(journalFile)
  const byId = new Map(pages.map(p => [p.id, p]))
  let written = 0
  let pagesWritten = 0
  try {
    for (const r of results) {
      // Only what differs or is missing in Notion, and only where the library has a value:
      // nothing is ever blanked.
      const todo = r.fields.filter(f => (f.verdict === 'differs' || f.verdict === 'missing in Notion') && f.library !== null)
      if (todo.length === 0) continue
      const properties: Record<string, unknown> = {}
      const entries = []
      for (const f of todo) {
        const payload = notionPayload(schema[f.property]!, f.field, f.library)
        if (payload === null) continue
        properties[f.property] = payload
        entries.push({ page: r.pageId, property: f.property, old: restorable(byId.get(r.pageId)!.properties[f.property]), new: payload })
      }
      if (entries.length === 0) continue
      for (const e of entries) journal.intent(e)
      try {
        await opts.notion.update(r.pageId, properties)
      } catch (err) {
        return { journal: journalFile, written, pages: pagesWritten, failed: { page: r.pageId, error: (err as Error).message } }
      }
      for (const e of entries) journal.written(e.page, e.property)
      written += entries.length
      pagesWritten++
    }
    return { journal: journalFile, written, pages: pagesWritten, failed: null }
  } finally {
    journal.close()
  }
}

/** A property's current value as a payload that writes it back (empty values included). */
export function restorable (prop: (Record<string, unknown> & { type: string }) | undefined): Record<string, unknown> | null {
  if (prop === undefined) return null
  const t = prop.type
  const text = (rich: unknown): unknown[] => (Array.isArray(rich) ? rich.map(r => ({ type: 'text', text: { content: String((r as { plain_text?: string }).plain_text ?? '') } })) : [])
  switch (t) {
    case 'title': case 'rich_text': return { [t]: text(prop[t]) }
    case 'number': case 'checkbox': case 'url': return { [t]: prop[t] ?? null }
    case 'select': return { select: prop.select === null ? null : { name: (prop.select as { name: string }).name } }
    case 'multi_select': return { multi_select: (prop.multi_select as Array<{ name: string }>).map(o => ({ name: o.name })) }
    case 'date': return { date: prop.date === null ? null : { start: (prop.date as { start: string }).start, end: (prop.date as { end?: string | null }).end ?? null } }
    default: return null
  }
}

/** Puts back what a journal says was written, newest first. Returns how many properties. */
export async function undo (notion: NotionDatabase, journalFile: string): Promise<number> {
  const entries = writtenEntries(journalFile).reverse()
  let n = 0
  for (const e of entries) {
    if (e.old === null) continue
    await notion.update(e.page, { [e.property]: e.old })
    n++
  }
  return n
}
