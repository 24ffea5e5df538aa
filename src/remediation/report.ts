// The remediation report as a terminal table, Markdown or HTML (JSON is the Report itself).
import type { PageResult, Report } from './run.js'
import type { Value } from './fields.js'

const show = (v: Value): string => (v === null ? '—' : Array.isArray(v) ? v.join(', ') : String(v))
const issues = (p: PageResult): PageResult['fields'] => p.fields.filter(f => f.verdict !== 'same')
/** The verdict, and for a value that differs, when the library last had Notion's (the history between exports). */
const verdictOf = (f: PageResult['fields'][number]): string => (f.lastRight === undefined ? f.verdict : `${f.verdict} (Notion's value was the library's until the import of ${f.lastRight})`)

function summaryLine (r: Report): string {
  const s = r.summary
  const fixed = r.fix === undefined ? 'dry run: nothing written (use --fix)' : r.fix.failed === null ? `fixed: ${r.fix.written} properties on ${r.fix.pages} pages (journal ${r.fix.journal})` : `stopped after ${r.fix.written} properties on ${r.fix.pages} pages: ${r.fix.failed.error} (page ${r.fix.failed.page}); journal ${r.fix.journal}`
  return `${s.pages} pages: ${s.matched} matched, ${s.unmatched} unmatched, ${s.ambiguous} ambiguous; fields: ${s.same} same, ${s.differs} differ, ${s.missingInNotion} missing in Notion, ${s.missingInLibrary} missing in library. ${fixed}.`
}

export function tableReport (r: Report): string {
  const rows: string[][] = [['page', 'field', 'Notion', 'library', 'verdict']]
  for (const p of r.pages) {
    if (p.problem !== undefined) rows.push([p.title || p.pageId, '', '', '', p.problem === 'ambiguous' ? `ambiguous: ${p.candidates!.join(', ')}` : 'unmatched'])
    for (const f of issues(p)) rows.push([p.title, f.property, show(f.notion), show(f.library), verdictOf(f)])
  }
  const widths = rows[0]!.map((_, i) => Math.min(40, Math.max(...rows.map(r => r[i]!.length))))
  const fmt = (r: string[]): string => r.map((c, i) => (c.length > widths[i]! ? `${c.slice(0, widths[i]! - 1)}…` : c.padEnd(widths[i]!))).join('  ').trimEnd()
  return [fmt(rows[0]!), widths.map(w => '-'.repeat(w)).join('  '), ...rows.slice(1).map(fmt), '', summaryLine(r), ''].join('\n')
}

const md = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ')

export function markdownReport (r: Report): string {
  const lines = ['# Notion remediation report', '', `Database \`${r.database}\`, ${r.generatedAt}.`, '', summaryLine(r), '', '| Page | Field | Notion | Library | Verdict |', '|---|---|---|---|---|']
  for (const p of r.pages) {
    if (p.problem !== undefined) lines.push(`| ${md(p.title || p.pageId)} | | | | ${p.problem} |`)
    for (const f of issues(p)) lines.push(`| ${md(p.title)} | ${md(f.property)} | ${md(show(f.notion))} | ${md(show(f.library))} | ${md(verdictOf(f))} |`)
  }
  return `${lines.join('\n')}\n`
}

const esc = (s: string): string => s.replace(/[&<>"']/g, c => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!)

export function htmlReport (r: Report): string {
  const rows: string[] = []
  for (const p of r.pages) {
    if (p.problem !== undefined) rows.push(`<tr><td>${esc(p.title || p.pageId)}</td><td></td><td></td><td></td><td>${p.problem}</td></tr>`)
    for (const f of issues(p)) rows.push(`<tr><td>${esc(p.title)}</td><td>${esc(f.property)}</td><td>${esc(show(f.notion))}</td><td>${esc(show(f.library))}</td><td>${esc(verdictOf(f))}</td></tr>`)
  }
  return `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>Notion remediation report</title></head><body>\n<h1>Notion remediation report</h1>\n<p>Database <code>${esc(r.database)}</code>, ${esc(r.generatedAt)}.</p>\n<p>${esc(summaryLine(r))}</p>\n<table>\n<thead><tr><th>Page</th><th>Field</th><th>Notion</th><th>Library</th><th>Verdict</th></tr></thead>\n<tbody>\n${rows.join('\n')}\n</tbody></table>\n</body></html>\n`
}
