// `remediate` against a Notion double on 127.0.0.1 and a real CSV library (the demo exports plus
// test/fixtures/remediation/Extra.csv: a second "Small Hours" by the same artist, and a track
// without audio features): the report, the exact update bodies, nothing written without --fix,
// Notion's pace and 429s, a 500 half-way, the journal and --undo, and the admin route.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import t, { type Test } from 'tap'
import { buildApp } from '../../src/http/app.js'
import { runRemediate } from '../../src/commands/remediate.js'
import { DEMO_LIBRARY, loadConfig } from '../../src/config.js'
import { writtenEntries } from '../../src/remediation/journal.js'
import type { Report } from '../../src/remediation/run.js'
import { DATABASE, startNotionDouble, text, TOKEN, type DoublePage, type NotionDouble, type PropValue } from '../helpers/notion-double.js'

const HERE = path.dirname(fileURLToPath(import.meta.url))
const SCHEMA = { Name: 'title', 'Artist(s)': 'multi_select', Album: 'rich_text', 'Spotify URL': 'url', ISRC: 'rich_text', Duration: 'rich_text', BPM: 'number', Energy: 'number', 'Release Date': 'date', Explicit: 'checkbox', Notes: 'rich_text' }

const title = (s: string): PropValue => ({ id: 't', type: 'title', title: text(s) })
const rich = (s: string): PropValue => ({ id: 'r', type: 'rich_text', rich_text: text(s) })
const num = (n: number | null): PropValue => ({ id: 'n', type: 'number', number: n })
const url = (s: string | null): PropValue => ({ id: 'u', type: 'url', url: s })
const tags = (...names: string[]): PropValue => ({ id: 'm', type: 'multi_select', multi_select: names.map(name => ({ id: name, name, color: 'default' })) })
const date = (start: string | null): PropValue => ({ id: 'd', type: 'date', date: start === null ? null : { start, end: null, time_zone: null } })
const check = (b: boolean): PropValue => ({ id: 'c', type: 'checkbox', checkbox: b })

function initialPages (): DoublePage[] {
  const empty = { Album: rich(''), 'Spotify URL': url(null), ISRC: rich(''), Duration: rich(''), BPM: num(null), Energy: num(null), 'Release Date': date(null), Explicit: check(false), Notes: rich('keep me') }
  return [
    // Matched by its URL: BPM drifted (69 vs 70.221); the rest agrees (6:53 is 412,877 ms to the second).
    { id: 'page-1', properties: { ...empty, Name: title('Greenhouse at Dawn'), 'Artist(s)': tags('Lumen & the Tides'), Album: rich('Glasshouse Hymns'), 'Spotify URL': url('https://open.spotify.com/track/1NzkCuszl939j2tb9xPmMQ?si=abc'), ISRC: rich('IEHLT1200144'), Duration: rich('6:53'), BPM: num(69), Energy: num(0.223), 'Release Date': date('2012-04-09') } },
    // Matched by ISRC: a wrong title, no album, no URL.
    { id: 'page-2', properties: { ...empty, Name: title('Afterglow Interchange (old title)'), 'Artist(s)': tags('Neon Cartographers'), ISRC: rich('SEN7A2200153'), Duration: rich('4:36'), BPM: num(98.2), Energy: num(0.702), 'Release Date': date('2022-10-07') } },
    // Matched by title + artist, nearly empty.
    { id: 'page-3', properties: { ...empty, Name: title('Lagos Drive'), 'Artist(s)': tags('Okonkwo Brass Collective') } },
    { id: 'page-4', properties: { ...empty, Name: title('Unknown Song'), 'Artist(s)': tags('Nobody') } },
    // Two library tracks have this title and artist: reported, never guessed.
    { id: 'page-5', properties: { ...empty, Name: title('Small Hours'), 'Artist(s)': tags('Gemma Thorne') } },
    // The library has no tempo for it: the BPM in Notion must stay.
    { id: 'page-6', properties: { ...empty, Name: title('Quiet Room'), 'Artist(s)': tags('Nobody Special'), 'Spotify URL': url('spotify:track:4QuietRoomTrack0000000'), ISRC: rich('GBXYZ2500001'), Duration: rich('3:20'), BPM: num(120), 'Release Date': date('2024-01-01'), Album: rich('Empty Halls') } }
  ]
}

interface Rig { notion: NotionDouble, env: NodeJS.ProcessEnv, config: ReturnType<typeof loadConfig>, dir: string, run: (flags: Parameters<typeof runRemediate>[1]) => Promise<{ code: number, out: string }> }

async function rig (t: Test, fastPace = true): Promise<Rig> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'remediate-'))
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }))
  const lib = path.join(dir, 'library')
  fs.cpSync(DEMO_LIBRARY, lib, { recursive: true })
  fs.copyFileSync(path.join(HERE, '../fixtures/remediation/Extra.csv'), path.join(lib, 'Extra.csv'))
  const notion = await startNotionDouble(SCHEMA, initialPages())
  t.teardown(notion.close)
  const env = { NOTION_TOKEN: TOKEN, NOTION_BASE_URL: notion.url, ...(fastPace ? { NOTION_MIN_INTERVAL_MS: '20' } : {}) }
  const config = loadConfig({}, { SPOTIFY_CSV_BACKUP_PATH: lib, SPOTIFY_PROXY_DB: path.join(dir, 'proxy.sqlite'), SPOTIFY_API_BASE_URL: 'http://127.0.0.1:9', LOG_LEVEL: 'silent' })
  return {
    notion,
    env,
    config,
    dir,
    run: async flags => {
      let out = ''
      const stream = { write: (s: string) => { out += s; return true } } as unknown as NodeJS.WritableStream
      const code = await runRemediate(config, flags, env, stream)
      return { code, out }
    }
  }
}

const patches = (r: Rig): Array<{ url: string, body: unknown }> => r.notion.requests.filter(q => q.method === 'PATCH').map(q => ({ url: q.url, body: q.body }))
const content = (s: string): Array<Record<string, unknown>> => [{ type: 'text', text: { content: s } }]

t.test('a dry run reports every page and field, and writes nothing', async t => {
  const r = await rig(t)
  const { code, out } = await r.run({ notionDatabase: DATABASE, json: true })
  t.equal(code, 1, 'differences found: exit 1')
  const report = JSON.parse(out) as Report
  t.same(report.map, { title: 'Name', artists: 'Artist(s)', album: 'Album', spotifyId: 'Spotify URL', isrc: 'ISRC', durationMs: 'Duration', tempo: 'BPM', energy: 'Energy', releaseDate: 'Release Date', explicit: 'Explicit' }, 'detected from names and types')
  const page = (id: string): Report['pages'][number] => report.pages.find(p => p.pageId === id)!
  t.same([page('page-1').matchedBy, page('page-2').matchedBy, page('page-3').matchedBy], ['spotify id', 'isrc', 'title + artist'])
  t.same([page('page-4').problem, page('page-5').problem], ['unmatched', 'ambiguous'])
  t.same(page('page-5').candidates?.sort(), ['3aBcDeFgHiJkLmNoPqRsTu', '50TY4evMtmFU480Z79J82V'])
  const verdicts = (id: string): Record<string, string> => Object.fromEntries(page(id).fields.map(f => [f.field, f.verdict]))
  t.same(verdicts('page-1'), { title: 'same', artists: 'same', album: 'same', spotifyId: 'same', isrc: 'same', durationMs: 'same', tempo: 'differs', energy: 'same', releaseDate: 'same', explicit: 'same' })
  t.match(verdicts('page-2'), { title: 'differs', album: 'missing in Notion', spotifyId: 'missing in Notion', tempo: 'same', durationMs: 'same' })
  t.match(verdicts('page-6'), { tempo: 'missing in library', energy: 'same' })
  t.same(report.summary, { pages: 6, matched: 4, unmatched: 1, ambiguous: 1, same: 28, differs: 2, missingInNotion: 9, missingInLibrary: 1 })
  t.equal(patches(r).length, 0, 'nothing written without --fix')
  t.ok(r.notion.requests.filter(q => q.url.endsWith('/query')).length >= 3, 'every page read, following the cursors (2 a page)')
  t.notOk(out.includes(TOKEN), 'no token in the report')

  const table = await r.run({ notionDatabase: DATABASE, out: path.join(r.dir, 'report.md') })
  t.match(table.out, /Greenhouse at Dawn\s+BPM\s+69\s+70\.221\s+differs/)
  t.match(table.out, /Unknown Song.*unmatched/)
  t.match(table.out, /6 pages: 4 matched, 1 unmatched, 1 ambiguous; .* dry run: nothing written/)
  t.match(fs.readFileSync(path.join(r.dir, 'report.md'), 'utf8'), '| Greenhouse at Dawn | BPM | 69 | 70.221 | differs |')
  await r.run({ notionDatabase: DATABASE, out: path.join(r.dir, 'report.html') })
  const html = fs.readFileSync(path.join(r.dir, 'report.html'), 'utf8')
  t.match(html, '<td>Greenhouse at Dawn</td><td>BPM</td><td>69</td><td>70.221</td><td>differs</td>')
  t.notMatch(html, /<td>[^<]*&(?!amp;|lt;|gt;|quot;|#39;)[^<]*<\/td>/, 'text escaped')
})

t.test('--fix writes exactly what differs or is missing in Notion, journaled, at Notion\'s pace', async t => {
  const r = await rig(t, false)
  const journal = path.join(r.dir, 'fix.jsonl')
  const { code, out } = await r.run({ notionDatabase: DATABASE, fix: true, journal })
  t.equal(code, 1, 'unmatched and ambiguous pages remain: exit 1')
  t.match(out, /fixed: 11 properties on 3 pages/)
  t.same(patches(r), [
    { url: '/v1/pages/page-1', body: { properties: { BPM: { number: 70.221 } } } },
    { url: '/v1/pages/page-2', body: { properties: { Name: { title: content('Afterglow Interchange') }, Album: { rich_text: content('Night Grid') }, 'Spotify URL': { url: 'https://open.spotify.com/track/1R34mvNwllwfJAcbiCuMIN' } } } },
    { url: '/v1/pages/page-3', body: { properties: { Album: { rich_text: content('Lagos Drive') }, 'Spotify URL': { url: 'https://open.spotify.com/track/0iq4FdRcSVTqGey49Fx2Bu' }, ISRC: { rich_text: content('IEHLT1500144') }, Duration: { rich_text: content('5:01') }, BPM: { number: 112.41 }, Energy: { number: 0.744 }, 'Release Date': { date: { start: '2015-07-24' } } } } }
  ], 'the exact update bodies')
  t.equal(r.notion.pages.find(p => p.id === 'page-6')!.properties.BPM!.number, 120, 'a field the library lacks is never blanked')
  t.equal(r.notion.pages.find(p => p.id === 'page-1')!.properties.Notes!.type, 'rich_text', 'unmapped properties untouched')
  const gaps = r.notion.requests.slice(1).map((q, i) => q.at - r.notion.requests[i]!.at)
  t.ok(Math.min(...gaps) >= 300, `at most ~3 requests a second (smallest gap ${Math.min(...gaps)} ms)`)
  t.same(writtenEntries(journal).map(e => `${e.page} ${e.property}`), ['page-1 BPM', 'page-2 Name', 'page-2 Album', 'page-2 Spotify URL', 'page-3 Album', 'page-3 Spotify URL', 'page-3 ISRC', 'page-3 Duration', 'page-3 BPM', 'page-3 Energy', 'page-3 Release Date'])
  t.same(writtenEntries(journal)[0], { page: 'page-1', property: 'BPM', old: { number: 69 }, new: { number: 70.221 } })

  const again = await r.run({ notionDatabase: DATABASE, json: true })
  const s = (JSON.parse(again.out) as Report).summary
  t.same([s.differs, s.missingInNotion], [0, 0], 'a second run finds nothing left to fix')
})

t.test('a 429 is waited out for its Retry-After', async t => {
  const r = await rig(t)
  r.notion.rateLimitNextQuery(1)
  const { out } = await r.run({ notionDatabase: DATABASE, json: true })
  t.equal((JSON.parse(out) as Report).summary.pages, 6, 'all pages read in the end')
  const queries = r.notion.requests.filter(q => q.url.endsWith('/query'))
  t.ok(queries[1]!.at - queries[0]!.at >= 1000, `the retry came ${queries[1]!.at - queries[0]!.at} ms after the 429`)
})

t.test('a 500 half-way: the journal says what was written, a re-run finishes, --undo restores all', async t => {
  const r = await rig(t)
  const before = JSON.parse(JSON.stringify(r.notion.pages)) as DoublePage[]
  const journal = path.join(r.dir, 'first.jsonl')
  r.notion.failUpdate(2)
  const first = await r.run({ notionDatabase: DATABASE, fix: true, journal })
  t.equal(first.code, 1)
  t.match(first.out, /stopped after 1 properties on 1 pages: .*page-2/)
  t.same(writtenEntries(journal).map(e => e.page), ['page-1'], 'only page-1 is recorded as written')
  const intents = fs.readFileSync(journal, 'utf8').trim().split('\n').map(l => JSON.parse(l) as { kind: string, page: string })
  t.same(intents.filter(l => l.page === 'page-2').map(l => l.kind), ['intent', 'intent', 'intent'], 'page-2 was attempted, never confirmed')
  t.same(r.notion.pages.find(p => p.id === 'page-2')!.properties.Name!.title, before.find(p => p.id === 'page-2')!.properties.Name!.title, 'and Notion has not changed it')

  const second = path.join(r.dir, 'second.jsonl')
  const rerun = await r.run({ notionDatabase: DATABASE, fix: true, journal: second })
  t.match(rerun.out, /fixed: 10 properties on 2 pages/, 'the re-run writes the rest')

  // Undo the second run, then the first: Notion is back where it started.
  t.match((await r.run({ undo: second })).out, /Restored 10 properties/)
  t.match((await r.run({ undo: journal })).out, /Restored 1 properties/)
  const norm = (pages: DoublePage[]): unknown => pages.map(p => Object.fromEntries(Object.entries(p.properties).map(([k, v]) => [k, JSON.stringify(v[v.type] ?? null).replace(/"(annotations|href|link|id|color|time_zone|end)":[^,}]*,?/g, '')])))
  t.same(norm(r.notion.pages), norm(before), 'every property as it was')
})

t.test('the last report is shown, read-only, at /admin/remediation/report', async t => {
  const r = await rig(t)
  await r.run({ notionDatabase: DATABASE, json: true })
  const app = await buildApp(r.config)
  t.teardown(async () => await app.close())
  const res = await app.inject({ method: 'GET', url: '/admin/remediation/report' })
  t.equal(res.statusCode, 200)
  t.equal(res.json().summary.pages, 6)
  t.equal((await app.inject({ method: 'POST', url: '/admin/remediation/report' })).statusCode, 404, 'read-only')
  t.equal((await app.inject({ method: 'GET', url: '/admin/remediation/report', remoteAddress: '10.1.2.3' })).statusCode, 403, 'behind the admin guard')
})

t.test('without NOTION_TOKEN the command says how to get one', async t => {
  const r = await rig(t)
  await t.rejects(runRemediate(r.config, { notionDatabase: DATABASE }, {}, process.stdout), /NOTION_TOKEN is not set/)
})

t.test('with the history between exports, a differing value says when the library last had it', async t => {
  const r = await rig(t)
  const lib = r.config.csvBackupPath
  const files = fs.readdirSync(lib).filter(f => fs.readFileSync(path.join(lib, f), 'utf8').includes('"Afterglow Interchange"'))
  const retitle = (from: string, to: string, minutes: number): void => {
    for (const f of files) {
      const file = path.join(lib, f)
      fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replaceAll(from, to))
      fs.utimesSync(file, new Date(), new Date(Date.now() + minutes * 60_000))
    }
  }
  retitle('"Afterglow Interchange"', '"Afterglow Interchange (old title)"', 1)
  const before = JSON.parse((await r.run({ notionDatabase: DATABASE, json: true })).out) as Report
  t.equal(before.pages.find(p => p.pageId === 'page-2')!.fields.find(f => f.field === 'title')!.verdict, 'same', 'the export had Notion\'s title')
  retitle('"Afterglow Interchange (old title)"', '"Afterglow Interchange"', 2)
  const after = JSON.parse((await r.run({ notionDatabase: DATABASE, json: true })).out) as Report
  const title = after.pages.find(p => p.pageId === 'page-2')!.fields.find(f => f.field === 'title')!
  t.match(title, { verdict: 'differs', notion: 'Afterglow Interchange (old title)', library: 'Afterglow Interchange', lastRight: /^\d{4}-\d\d-\d\dT/ })
  t.notOk('lastRight' in after.pages.find(p => p.pageId === 'page-1')!.fields.find(f => f.field === 'tempo')!, 'a value the library never had: no date')
  await r.run({ notionDatabase: DATABASE, out: path.join(r.dir, 'report.md') })
  t.match(fs.readFileSync(path.join(r.dir, 'report.md'), 'utf8'), /\| Afterglow Interchange \(old title\) \| Name \| .* \| differs \(Notion's value was the library's until the import of \d{4}-/)
})
