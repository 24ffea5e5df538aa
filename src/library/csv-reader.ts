// CSV text → cell arrays with line numbers. Exportify writes quirky CSV (unescaped quotes
// inside quoted fields, ragged rows) but never a line break inside a field, so records are read
// line by line: a stray quote costs its own line, never the rows after it.
import { parse, CsvError } from 'csv-parse/sync'

export interface CsvRecord {
  /** 1-based line of the file where the record starts. */
  line: number
  cells: string[]
}

export interface CsvProblem {
  line: number
  reason: string
}

export interface CsvParseResult {
  records: CsvRecord[]
  problems: CsvProblem[]
}

const OPTIONS = {
  relax_quotes: true,
  relax_column_count: true,
  skip_empty_lines: true
} as const

export function detectDelimiter (headerLine: string): string {
  // Exportify writes `,`; Excel re-saves in some locales write `;` or TAB.
  const counts = { ',': 0, ';': 0, '\t': 0 }
  let inQuotes = false
  for (const ch of headerLine) {
    if (ch === '"') inQuotes = !inQuotes
    else if (!inQuotes && ch in counts) counts[ch as keyof typeof counts]++
  }
  // TABs inside a comma header are a known exporter bug (P6), so `,` wins ties.
  if (counts[','] > 0 && counts[','] >= counts[';']) return ','
  if (counts[';'] > 0 && counts[';'] >= counts['\t']) return ';'
  return counts['\t'] > 0 ? '\t' : ','
}

export type CsvItem = CsvRecord | (CsvProblem & { cells?: undefined })

/**
 * Bounds on what one line or one cell may hold. Exportify's longest lines are a few KB (a track
 * with every optional column and a long copyright); anything near these is not an export row,
 * and a 50 MB "track name" would be kept, indexed and served.
 */
export const MAX_LINE_CHARS = 1024 * 1024
export const MAX_FIELD_CHARS = 64 * 1024

/**
 * Records one at a time, so a file of any size costs one row of memory beyond its text.
 * Lines in plain RFC 4180 (all of Exportify's output but its known bugs) are split here, several
 * times faster than csv-parse; any other line is handed to csv-parse's lenient mode.
 */
export function * readCsv (text: string, delimiter: string): Generator<CsvItem> {
  const lines = new CsvLines(delimiter)
  yield * lines.push(text)
  yield * lines.end()
}

/**
 * readCsv over text that comes in pieces (a file decoded as it is read): the same records, a
 * piece's worth at a time (one await per piece, not per record: a million awaits cost seconds).
 */
export async function * readCsvStream (texts: AsyncIterable<string>, delimiter: string): AsyncGenerator<CsvItem[]> {
  const lines = new CsvLines(delimiter)
  for await (const text of texts) yield [...lines.push(text)]
  yield [...lines.end()]
}

/**
 * Text in, records out, one piece of text at a time: a line split across pieces is held until its
 * end comes, and a line longer than MAX_LINE_CHARS is counted, not held, so memory stays bounded
 * whatever the file holds.
 */
class CsvLines {
  readonly #delimiter: string
  readonly #delim: number
  #line = 0
  /** The start of a line whose end has not come yet. */
  #pending = ''
  /** Characters of a line too long to hold (-1: none). */
  #over = -1
  /** The last piece ended in \r: a \n opening the next one ends no other line. */
  #cr = false

  constructor (delimiter: string) {
    this.#delimiter = delimiter
    this.#delim = delimiter.charCodeAt(0)
  }

  * push (text: string): Generator<CsvItem> {
    if (this.#cr && text.charCodeAt(0) === 10) text = text.slice(1)
    this.#cr = text.charCodeAt(text.length - 1) === 13
    // One line ending throughout (CRLF from Excel, a lone CR from classic Mac OS).
    if (text.includes('\r')) text = text.replace(/\r\n?/g, '\n')
    let start = 0
    for (let nl = text.indexOf('\n'); nl !== -1; start = nl + 1, nl = text.indexOf('\n', start)) {
      const item = this.#close(this.#over === -1 ? this.#pending + text.slice(start, nl) : null, nl - start)
      if (item !== null) yield item
    }
    const rest = text.length - start
    if (this.#over !== -1) this.#over += rest
    else if (this.#pending.length + rest > MAX_LINE_CHARS) {
      this.#over = this.#pending.length + rest
      this.#pending = ''
    } else if (rest > 0) this.#pending += text.slice(start)
  }

  * end (): Generator<CsvItem> {
    if (this.#over === -1 && this.#pending === '') return
    const item = this.#close(this.#over === -1 ? this.#pending : null, 0)
    if (item !== null) yield item
  }

  /** The record of the line that just ended (`raw`, or null when it was too long to hold). */
  #close (raw: string | null, lastPiece: number): CsvItem | null {
    const line = ++this.#line
    const length = raw === null ? this.#over + lastPiece : raw.length
    this.#pending = ''
    this.#over = -1
    if (raw === null || length > MAX_LINE_CHARS) return { line, reason: `line of ${length} characters (longer than ${MAX_LINE_CHARS}): not an export row` }
    if (raw.trim() === '') return null
    const cells = splitStrict(raw, this.#delim) ?? lenient(raw, this.#delimiter)
    if (typeof cells === 'string') return { line, reason: cells }
    const big = cells.findIndex(c => c.length > MAX_FIELD_CHARS)
    if (big === -1) return { line, cells }
    return { line, reason: `cell ${big + 1} holds ${cells[big]!.length} characters (more than ${MAX_FIELD_CHARS}): not an export row` }
  }
}

export function parseCsv (text: string, delimiter: string): CsvParseResult {
  const records: CsvRecord[] = []
  const problems: CsvProblem[] = []
  for (const item of readCsv(text, delimiter)) {
    if (item.cells === undefined) problems.push(item)
    else records.push(item)
  }
  return { records, problems }
}

/** Cells of a line in strict RFC 4180, or null when it needs leniency. */
function splitStrict (line: string, delim: number): string[] | null {
  const cells: string[] = []
  let i = 0
  for (;;) {
    if (line.charCodeAt(i) === 34) {
      let value = ''
      let from = i + 1
      for (;;) {
        const q = line.indexOf('"', from)
        if (q === -1) return null
        if (line.charCodeAt(q + 1) === 34) {
          value += line.slice(from, q + 1)
          from = q + 2
          continue
        }
        value += line.slice(from, q)
        i = q + 1
        break
      }
      cells.push(value)
      if (i >= line.length) return cells
      if (line.charCodeAt(i) !== delim) return null
      i++
    } else {
      let end = i
      while (end < line.length && line.charCodeAt(end) !== delim) {
        if (line.charCodeAt(end) === 34) return null
        end++
      }
      cells.push(line.slice(i, end))
      if (end >= line.length) return cells
      i = end + 1
    }
  }
}

/** csv-parse's relaxed reading of one line, or the reason it cannot be read. */
function lenient (line: string, delimiter: string): string[] | string {
  try {
    return parseLine(line, delimiter)
  } catch (err) {
    if (!(err instanceof CsvError)) throw err
    return err.code === 'CSV_QUOTE_NOT_CLOSED' ? 'a quoted field is never closed' : err.message
  }
}

/** The cells of one line, read as leniently as whole files are. */
export function parseLine (line: string, delimiter: string): string[] {
  const [one] = parse(line, { ...OPTIONS, delimiter }) as string[][]
  return one ? unwrapRelaxed(one, line, delimiter) : []
}

// With relax_quotes, a field like `"Pt. 1 "Adoration": II"` comes back with its outer quotes.
// A valid RFC 4180 field can decode to the same shape (`"""Awaken, My Love!"""` is
// `"Awaken, My Love!"`, quotes included), so a record is only unwrapped when a strict parse of
// its line does not give the very same cells.
function unwrapRelaxed (record: string[], line: string, delimiter: string): string[] {
  if (!record.some(isWrapped)) return record
  try {
    const [strict] = parse(line, { delimiter, relax_column_count: true }) as string[][]
    if (strict && strict.length === record.length && strict.every((c, i) => c === record[i])) return record
  } catch (err) {
    if (!(err instanceof CsvError)) throw err
  }
  return record.map(c => (isWrapped(c) ? c.slice(1, -1) : c))
}

function isWrapped (cell: string): boolean {
  return cell.length >= 2 && cell.charCodeAt(0) === 34 && cell.charCodeAt(cell.length - 1) === 34
}
