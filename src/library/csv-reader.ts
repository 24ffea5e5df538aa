// CSV text → cell arrays with line numbers, via csv-parse. Exportify writes quirky CSV
// (unescaped quotes inside quoted fields, ragged rows) but never a line break inside a field,
// so a record spanning lines is a stray quote swallowing rows: those lines are re-read one by
// one, and only the broken line is lost.
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

interface ParsedRecord { record: string[], info: { lines: number } }

const OPTIONS = {
  relax_quotes: true,
  relax_column_count: true,
  skip_empty_lines: true,
  info: true
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

export function parseCsv (text: string, delimiter: string): CsvParseResult {
  // One line ending throughout: csv-parse counts a CRLF inside a runaway quoted field as two
  // lines while countNewlines counts one, and a lone CR (classic Mac) is no '\n' at all; either
  // way the salvage below would re-read the wrong lines.
  if (text.includes('\r')) text = text.replace(/\r\n?/g, '\n')
  let parsed: ParsedRecord[]
  try {
    parsed = parse(text, { ...OPTIONS, delimiter }) as unknown as ParsedRecord[]
  } catch (err) {
    if (err instanceof CsvError) return parseLineByLine(splitLines(text), 1, delimiter)
    throw err
  }
  const records: CsvRecord[] = []
  const problems: CsvProblem[] = []
  let lines: string[] | null = null
  for (const { record, info } of parsed) {
    const spanned = countNewlines(record)
    const start = info.lines - spanned
    if (spanned === 0) {
      const cells = record.some(isWrapped) ? unwrapRelaxed(record, (lines ??= splitLines(text))[start - 1] ?? '', delimiter) : record
      records.push({ line: start, cells })
      continue
    }
    lines ??= splitLines(text)
    const salvaged = parseLineByLine(lines.slice(start - 1, start + spanned), start, delimiter)
    records.push(...salvaged.records)
    problems.push(...salvaged.problems)
  }
  return { records, problems }
}

/** The cells of one line, read as leniently as whole files are. */
export function parseLine (line: string, delimiter: string): string[] {
  const [one] = parse(line, { ...OPTIONS, delimiter }) as unknown as ParsedRecord[]
  return one ? unwrapRelaxed(one.record, line, delimiter) : []
}

function parseLineByLine (lines: string[], firstLine: number, delimiter: string): CsvParseResult {
  const records: CsvRecord[] = []
  const problems: CsvProblem[] = []
  lines.forEach((text, i) => {
    if (text.trim() === '') return
    const line = firstLine + i
    try {
      const [one] = parse(text, { ...OPTIONS, delimiter }) as unknown as ParsedRecord[]
      if (one) records.push({ line, cells: unwrapRelaxed(one.record, text, delimiter) })
    } catch (err) {
      if (!(err instanceof CsvError)) throw err
      problems.push({ line, reason: err.code === 'CSV_QUOTE_NOT_CLOSED' ? 'a quoted field is never closed' : err.message })
    }
  })
  return { records, problems }
}

function splitLines (text: string): string[] {
  return text.split(/\r?\n|\r/)
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

function countNewlines (cells: string[]): number {
  let n = 0
  for (const c of cells) {
    for (let i = c.indexOf('\n'); i !== -1; i = c.indexOf('\n', i + 1)) n++
  }
  return n
}
