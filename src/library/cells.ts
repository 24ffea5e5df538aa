// A CSV row's cells read as values: text, numbers, booleans as exports write them, or a RowError
// that says what the cell holds.

/** A row that cannot be loaded, and why (reported with its file and line; the other rows still load). */
export class RowError extends Error {
  override name = 'RowError'
}

export function splitList (cell: string | null): string[] {
  if (cell === null) return []
  return cell.split(',').map(s => s.trim()).filter(s => s !== '')
}

/** A cell's text; empty cells and JavaScript's `undefined`/`null` leaking into exports are null. */
export function text (cells: string[], i: number | undefined): string | null {
  if (i === undefined) return null
  const v = cells[i]
  if (v === undefined || v === '' || v === 'undefined' || v === 'null') return null
  return v
}

// Excel re-saves in comma-decimal locales (the ones that switch the delimiter to `;`) write `0,727`.
const DECIMAL_COMMA = /^[+-]?\d*,\d+$/

/** A number cell: null when empty; a RowError naming `label` when it holds anything but a number. */
export function num (cells: string[], i: number | undefined, label: string): number | null {
  const v = text(cells, i)?.trim()
  if (v === undefined || v === '') return null
  const n = Number(DECIMAL_COMMA.test(v) ? v.replace(',', '.') : v)
  if (!Number.isFinite(n)) throw new RowError(`${label} "${clip(v)}" is not a number`)
  return n
}

export function int (cells: string[], i: number | undefined, label: string): number | null {
  const n = num(cells, i, label)
  if (n !== null && !Number.isInteger(n)) throw new RowError(`${label} "${clip(cells[i!]!.trim())}" is not a whole number`)
  return n
}

export function bool (cells: string[], i: number | undefined): boolean | null {
  // Excel re-saves write TRUE/FALSE.
  const v = text(cells, i)?.toLowerCase()
  return v === 'true' ? true : v === 'false' ? false : null
}

export function stripPrefix (s: string, prefix: string): string {
  return s.startsWith(prefix) ? s.slice(prefix.length) : s
}

export function clip (s: string): string {
  return s.length > 60 ? `${s.slice(0, 57)}…` : s
}
