// An entry's added_at as stored. Exportify writes Added At as `2020-07-11T09:34:11Z`: kept as a
// number (a few bytes instead of twenty) when it reads back to the very same text, and as the text
// otherwise.

const ISO_SECONDS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/

/** Unix seconds for Spotify's own form (the writer binds them as BigInt, so SQLite stores an INTEGER: better-sqlite3 binds numbers as REAL). */
export function encodeAddedAt (s: string | null): number | string | null {
  if (s === null || !ISO_SECONDS.test(s)) return s
  const y = digits(s, 0, 4)
  const mo = digits(s, 5, 2)
  const d = digits(s, 8, 2)
  const h = digits(s, 11, 2)
  const mi = digits(s, 14, 2)
  const sec = digits(s, 17, 2)
  // Only a real moment reads back the same (no 30 February, no 24:00; Date.UTC maps years below 100 to 19xx).
  if (y < 1000 || mo < 1 || mo > 12 || d < 1 || d > daysIn(y, mo) || h > 23 || mi > 59 || sec > 59) return s
  return Date.UTC(y, mo - 1, d, h, mi, sec) / 1000
}

function digits (s: string, from: number, count: number): number {
  let n = 0
  for (let i = from; i < from + count; i++) n = n * 10 + s.charCodeAt(i) - 48
  return n
}

function daysIn (year: number, month: number): number {
  return month === 2 ? (year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31
}

const DAY = 86_400
/** Two digits for 0-59. */
const TWO = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, '0'))
/** `YYYY-MM-DDT` per day met (a library's entries were added on a few thousand days at most), up to: */
const DAYS_KEPT = 16_384
const dates = new Map<number, string>()

/** The text a stored added_at stands for: `toISOString()` without the milliseconds, in a tenth of its time (a page of 100 entries has 100). */
export function decodeAddedAt (v: number | string | null): string | null {
  if (typeof v !== 'number') return v
  const day = Math.floor(v / DAY)
  let date = dates.get(day)
  if (date === undefined) {
    if (dates.size >= DAYS_KEPT) dates.clear()
    date = new Date(day * DAY * 1000).toISOString().slice(0, 11)
    dates.set(day, date)
  }
  const s = v - day * DAY
  return `${date}${TWO[Math.floor(s / 3600)]!}:${TWO[Math.floor(s / 60) % 60]!}:${TWO[s % 60]!}Z`
}

/** The same in SQL: a stored added_at as its text, for ordering as the text orders. */
export const ADDED_AT_TEXT = (column: string): string =>
  `CASE typeof(${column}) WHEN 'integer' THEN strftime('%Y-%m-%dT%H:%M:%SZ', ${column}, 'unixepoch') ELSE ${column} END`
