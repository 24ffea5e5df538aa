// The fields remediation compares, how a Notion property holds each one, and what "the same"
// means per type: numbers within a tolerance, dates by their precision, artists as a set,
// durations in ms or m:ss, text without case and spacing noise.
import type { LibraryTrack } from '../library/types.js'

export type Field = 'title' | 'artists' | 'album' | 'spotifyId' | 'isrc' | 'durationMs' | 'tempo' | 'key' | 'energy' | 'danceability' | 'releaseDate' | 'popularity' | 'explicit'

/** Notion property types this tool reads and writes. */
export type PropType = 'title' | 'rich_text' | 'number' | 'select' | 'multi_select' | 'date' | 'checkbox' | 'url'

export const FIELDS: Field[] = ['title', 'artists', 'album', 'spotifyId', 'isrc', 'durationMs', 'tempo', 'key', 'energy', 'danceability', 'releaseDate', 'popularity', 'explicit']

// Names users give these properties (folded: lower case, no spaces or punctuation).
const NAMES: Record<Field, string[]> = {
  title: ['title', 'name', 'track', 'trackname', 'song'],
  artists: ['artists', 'artist', 'artistnames', 'artistname'],
  album: ['album', 'albumname'],
  spotifyId: ['spotifyid', 'spotifyurl', 'spotifyuri', 'spotify', 'trackid', 'trackuri', 'url', 'link'],
  isrc: ['isrc'],
  durationMs: ['duration', 'durationms', 'length', 'time'],
  tempo: ['tempo', 'bpm'],
  key: ['key', 'musicalkey'],
  energy: ['energy'],
  danceability: ['danceability', 'dance'],
  releaseDate: ['releasedate', 'released', 'release', 'date'],
  popularity: ['popularity'],
  explicit: ['explicit']
}

const fold = (s: string): string => s.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/[^a-z0-9]/g, '')

export type PropertyMap = Partial<Record<Field, string>>

/** Which property holds which field: by name (the title field also by type), then overrides. */
export function detectMap (schema: Record<string, PropType | string>, overrides: PropertyMap = {}): PropertyMap {
  const map: PropertyMap = {}
  const taken = new Set<string>()
  for (const field of FIELDS) {
    const name = Object.keys(schema).find(n => !taken.has(n) && NAMES[field].includes(fold(n)) && usable(field, schema[n]!))
    if (name !== undefined) {
      map[field] = name
      taken.add(name)
    }
  }
  if (map.title === undefined) {
    const t = Object.keys(schema).find(n => schema[n] === 'title')
    if (t !== undefined) map.title = t
  }
  for (const [field, name] of Object.entries(overrides)) if (name !== undefined && name in schema) map[field as Field] = name
  return map
}

function usable (field: Field, type: string): boolean {
  switch (field) {
    case 'title': case 'album': case 'isrc': return type === 'title' || type === 'rich_text' || type === 'select'
    case 'artists': return type === 'rich_text' || type === 'multi_select' || type === 'select' || type === 'title'
    case 'spotifyId': return type === 'url' || type === 'rich_text' || type === 'title'
    case 'durationMs': return type === 'number' || type === 'rich_text'
    case 'key': return type === 'number' || type === 'select' || type === 'rich_text'
    case 'releaseDate': return type === 'date' || type === 'rich_text'
    case 'explicit': return type === 'checkbox' || type === 'select'
    default: return type === 'number'
  }
}

/** A normalised value: text, number, a set of names, a date with its precision, a boolean. */
export type Value = string | number | boolean | string[] | null

const PITCHES = ['C', 'C♯/D♭', 'D', 'D♯/E♭', 'E', 'F', 'F♯/G♭', 'G', 'G♯/A♭', 'A', 'A♯/B♭', 'B']

/** The library's value of `field`, normalised as Notion values are; null when the library lacks it. */
export function libraryValue (t: LibraryTrack, field: Field): Value {
  switch (field) {
    case 'title': return t.name
    case 'artists': return t.artists.map(a => a.name)
    case 'album': return t.album.name || null
    case 'spotifyId': return t.id
    case 'isrc': return t.isrc
    case 'durationMs': return t.durationMs
    case 'tempo': return t.features?.tempo ?? null
    case 'key': return t.features?.key === undefined || t.features.key === null || t.features.key < 0 ? null : t.features.key
    case 'energy': return t.features?.energy ?? null
    case 'danceability': return t.features?.danceability ?? null
    case 'releaseDate': return t.album.releaseDate ?? null
    case 'popularity': return t.popularity
    case 'explicit': return t.explicit
  }
}

type Prop = Record<string, unknown> & { type: string }
const plain = (rich: unknown): string => (Array.isArray(rich) ? rich.map(r => String((r as { plain_text?: string }).plain_text ?? (r as { text?: { content?: string } }).text?.content ?? '')).join('') : '')

/** A Notion property's value for `field`, normalised; null when empty. */
export function notionValue (prop: Prop | undefined, field: Field): Value {
  if (prop === undefined) return null
  let raw: Value
  switch (prop.type) {
    case 'title': case 'rich_text': raw = plain(prop[prop.type]); break
    case 'number': raw = prop.number as number | null; break
    case 'select': raw = (prop.select as { name?: string } | null)?.name ?? null; break
    case 'multi_select': raw = (prop.multi_select as Array<{ name: string }>).map(o => o.name); break
    case 'date': raw = (prop.date as { start?: string } | null)?.start ?? null; break
    case 'checkbox': raw = prop.checkbox as boolean; break
    case 'url': raw = prop.url as string | null; break
    default: return null
  }
  if (raw === '' || (Array.isArray(raw) && raw.length === 0)) return null
  if (raw === null) return null
  switch (field) {
    case 'artists': return Array.isArray(raw) ? raw : String(raw).split(/\s*[,;]\s*/).filter(Boolean)
    case 'spotifyId': return spotifyIdIn(String(raw))
    case 'durationMs': return typeof raw === 'number' ? raw : parseDuration(String(raw))
    case 'key': return typeof raw === 'number' ? raw : keyNumber(String(raw))
    case 'explicit': return typeof raw === 'boolean' ? raw : /^(yes|true|explicit)$/i.test(String(raw))
    case 'tempo': case 'energy': case 'danceability': case 'popularity': return typeof raw === 'number' ? raw : Number(raw)
    default: return typeof raw === 'string' ? raw : String(raw)
  }
}

/** The 22-character id in an id, a `spotify:track:` URI or an open.spotify.com link. */
export function spotifyIdIn (s: string): string | null {
  const m = /(?:^|track[/:])([0-9A-Za-z]{22})(?:$|[?/#])/.exec(s.trim())
  return m?.[1] ?? null
}

function parseDuration (s: string): number | null {
  const m = /^(?:(\d+):)?(\d{1,2}):(\d{2})$/.exec(s.trim())
  if (m) return ((Number(m[1] ?? 0) * 60 + Number(m[2])) * 60 + Number(m[3])) * 1000
  const n = Number(s)
  return Number.isFinite(n) ? n : null
}

function keyNumber (s: string): number | null {
  const i = PITCHES.findIndex(p => p.split('/').some(name => name.replace('♯', '#').replace('♭', 'b').toLowerCase() === s.trim().replace('♯', '#').replace('♭', 'b').toLowerCase()))
  return i === -1 ? null : i
}

export type Verdict = 'same' | 'differs' | 'missing in Notion' | 'missing in library'

/** Type-aware comparison. */
export function compare (field: Field, notion: Value, library: Value, propType: string): Verdict {
  if (library === null) return notion === null ? 'same' : 'missing in library'
  if (notion === null) return 'missing in Notion'
  switch (field) {
    case 'durationMs': {
      // m:ss text holds whole seconds; numbers are taken as ms.
      const tolerance = propType === 'number' ? 1000 : 1000
      return Math.abs(Number(notion) - Number(library)) < tolerance ? 'same' : 'differs'
    }
    case 'tempo': return Math.abs(Number(notion) - Number(library)) <= 0.5 ? 'same' : 'differs'
    case 'energy': case 'danceability': return Math.abs(Number(notion) - Number(library)) <= 0.005 ? 'same' : 'differs'
    case 'popularity': case 'key': return Number(notion) === Number(library) ? 'same' : 'differs'
    case 'explicit': return notion === library ? 'same' : 'differs'
    case 'artists': {
      const a = new Set((notion as string[]).map(x => textKey(x)))
      const b = new Set((library as string[]).map(x => textKey(x)))
      return a.size === b.size && [...a].every(x => b.has(x)) ? 'same' : 'differs'
    }
    case 'releaseDate': {
      // Compared at the coarser precision: "2012" equals "2012-04-09".
      const [x, y] = [String(notion), String(library)]
      const n = Math.min(x.length, y.length)
      return x.slice(0, n) === y.slice(0, n) ? 'same' : 'differs'
    }
    default: return textKey(String(notion)) === textKey(String(library)) ? 'same' : 'differs'
  }
}

const textKey = (s: string): string => s.normalize('NFC').trim().replace(/\s+/g, ' ').toLowerCase()

/** The Notion property payload that writes `value` into a property of `type`. */
export function notionPayload (type: string, field: Field, value: Value): Record<string, unknown> | null {
  const text = (s: string): Array<Record<string, unknown>> => [{ type: 'text', text: { content: s } }]
  const str = Array.isArray(value) ? value.join(', ') : field === 'durationMs' && type !== 'number' ? mss(Number(value)) : field === 'key' && type !== 'number' ? PITCHES[Number(value)] ?? '' : String(value)
  switch (type) {
    case 'title': return { title: text(str) }
    case 'rich_text': return { rich_text: text(str) }
    case 'number': return { number: Number(value) }
    case 'select': return { select: { name: str } }
    case 'multi_select': return { multi_select: (Array.isArray(value) ? value : [str]).map(name => ({ name })) }
    case 'date': return { date: { start: String(value) } }
    case 'checkbox': return { checkbox: Boolean(value) }
    case 'url': return { url: field === 'spotifyId' ? `https://open.spotify.com/track/${String(value)}` : str }
    default: return null
  }
}

function mss (ms: number): string {
  const s = Math.round(ms / 1000)
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`
}
