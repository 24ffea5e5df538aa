// Hostile inputs for the importer: every kind of broken, foreign or enormous file a user's backup
// folder can hold. Each case is real bytes on disk imported into a real SQLite file; each asserts
// the exact summary, the file and 1-based line of every problem, and that every valid row is in
// the store. The CLI runs as a child process for the exit codes and the JSON summary.
import fs from 'node:fs'
import path from 'node:path'
import iconv from 'iconv-lite'
import t, { type Test } from 'tap'
import { MAX_FIELD_CHARS } from '../../src/library/csv-reader.js'
import type { ImportProblem } from '../../src/library/importer.js'
import {
  csvRow,
  EXPORTIFY_HEADER,
  exportifyFile,
  importInto,
  randomTrackId,
  runCli,
  trackCells,
  writeLibrary,
  type Imported
} from '../helpers/library.js'

interface ExpectedProblem { file: string, line: number | null, reason: RegExp }

interface Case {
  name: string
  files: Record<string, string | Uint8Array>
  indexed: number
  skipped: number
  read: number
  rejected: number
  problems: ExpectedProblem[]
  /** Every indexed file → the ids of its valid rows, in file order. */
  playlists: Record<string, string[]>
  /** Case-specific assertions on the imported library. */
  check?: (t: Test, imp: Imported) => void
}

const id = (c: string, n: number): string => randomTrackId(`hostile-${c}-${n}`)
const ids = (c: string, ns: number[]): string[] => ns.map(n => id(c, n))
const NOT_A_URI = /^".*" is not a Spotify track, episode or local-file URI$/
const NEVER_CLOSED = /^a quoted field is never closed$/
const NULL_TRACK = /^no track id and no track name \(an empty or deleted track\)$/

interface FileRow { status: string, reason: string | null, encoding: string | null, dialect: string | null }

function fileRow (db: Imported['db'], file: string): FileRow | undefined {
  return db.prepare('SELECT status, reason, encoding, dialect FROM library_files WHERE path = ?').get(file) as FileRow | undefined
}

// ---------------------------------------------------------------------------------------------
// The cases. Line n of a file built by exportifyFile is rows[n - 2] (line 1 is the header).

const ragged: Case = (() => {
  const c = 'ragged'
  return {
    name: 'ragged rows: missing audio features give features null, the row is kept; a row cut off before Added At is rejected',
    files: {
      'ragged.csv': exportifyFile([
        trackCells(id(c, 1)),
        trackCells(id(c, 2), { features: false }), // 12 cells: a failed audio-features chunk
        trackCells(id(c, 3)).slice(0, 5), // stops after Release Date
        trackCells(id(c, 4)).slice(0, 2), // URI and name only
        trackCells(id(c, 5)),
        trackCells(id(c, 6)).slice(0, 10) // stops after Added At: Genres and Label empty, dropped (Excel)
      ], { bom: true })
    },
    indexed: 1,
    skipped: 0,
    read: 6,
    rejected: 2,
    problems: [
      { file: 'ragged.csv', line: 4, reason: /^5 cells where a row of this export has at least 10 \(the row is cut off\)$/ },
      { file: 'ragged.csv', line: 5, reason: /^2 cells where .* at least 10/ }
    ],
    playlists: { 'ragged.csv': ids(c, [1, 2, 5, 6]) },
    check (t, { store }) {
      t.ok(store.getTrackById(id(c, 1))?.features, 'a full row has features')
      t.equal(store.getTrackById(id(c, 1))?.features?.tempo, 113.331)
      for (const n of [2, 6]) t.equal(store.getTrackById(id(c, n))?.features, null, `short row ${n} has features null`)
      for (const n of [3, 4]) t.equal(store.getTrackById(id(c, n)), null, `cut-off row ${n} is not a track`)
      t.same(store.getTrackById(id(c, 2))?.genres, ['pop', 'dance pop'])
      t.same(store.getTrackById(id(c, 6))?.genres, [])
    }
  }
})()

const strayQuotes: Case = (() => {
  const c = 'stray'
  // The name's closing quote is lost: the field runs on through the following lines, which
  // hold quoted fields of their own (csv-parse would swallow them into one record).
  const broken = `spotify:track:${id(c, 99)},"Unclosed name,Album X,Artist A;Artist B,2021-03-04,201000,42,false,someuser,2024-11-30T02:39:04Z,pop,Label X`
  const rows = [trackCells(id(c, 1)), trackCells(id(c, 2)), broken, trackCells(id(c, 3)), trackCells(id(c, 4))]
  const lf = exportifyFile(rows)
  return {
    name: 'stray quotes: an unclosed quote loses its own line only',
    files: {
      'stray-quote.csv': lf,
      // The same file after an Excel re-save on Windows (CRLF).
      'stray-quote-crlf.csv': lf.replaceAll('\n', '\r\n'),
      // At the very end of the file, where csv-parse itself gives up.
      'stray-quote-eof.csv': exportifyFile([trackCells(id(c, 5)), trackCells(id(c, 6)), broken])
    },
    indexed: 3,
    skipped: 0,
    read: 5 + 5 + 3,
    rejected: 3,
    problems: [
      { file: 'stray-quote-crlf.csv', line: 4, reason: NEVER_CLOSED },
      { file: 'stray-quote-eof.csv', line: 4, reason: NEVER_CLOSED },
      { file: 'stray-quote.csv', line: 4, reason: NEVER_CLOSED }
    ],
    playlists: {
      'stray-quote.csv': ids(c, [1, 2, 3, 4]),
      'stray-quote-crlf.csv': ids(c, [1, 2, 3, 4]),
      'stray-quote-eof.csv': ids(c, [5, 6])
    },
    check (t, { store }) {
      t.equal(store.getTrackById(id(c, 99)), null, 'the broken row is not half-imported')
      t.equal(store.getTrackById(id(c, 3))?.name, `Song ${id(c, 3)}`, 'the row after the stray quote is read whole')
    }
  }
})()

const extraCells: Case = (() => {
  const c = 'extra'
  return {
    name: 'a row with more cells than the header is rejected',
    files: {
      'extra-cells.csv': exportifyFile([trackCells(id(c, 1)), [...trackCells(id(c, 99)), 'surplus'], trackCells(id(c, 2))])
    },
    indexed: 1,
    skipped: 0,
    read: 3,
    rejected: 1,
    problems: [{ file: 'extra-cells.csv', line: 3, reason: /^25 cells where the header has 24$/ }],
    playlists: { 'extra-cells.csv': ids(c, [1, 2]) },
    check (t, { store }) {
      t.equal(store.getTrackById(id(c, 99)), null)
    }
  }
})()

// P7 (2024-12 to 2025-04) had a bare `Track ID` column instead of the URI.
const P7_HEADER = 'Track ID,Track Name,Album Name,Artist Name(s),Release Date,Duration (ms),Popularity,Added By,Added At,Genres,Record Label,Danceability,Energy,Key,Loudness,Mode,Speechiness,Acousticness,Instrumentalness,Liveness,Valence,Tempo,Time Signature'
const p7Row = (trackId: string): string => {
  const cells = trackCells('x'.repeat(22))
  cells.splice(7, 1) // no Explicit column
  cells[0] = trackId
  cells[1] = `Song ${trackId}`
  return csvRow(cells, new Set([1, 2, 3, 9, 10]))
}

const badIds: Case = (() => {
  const c = 'badid'
  const withUri = (uri: string, n: number): string[] => [uri, ...trackCells(id(c, n)).slice(1)]
  return {
    name: 'bad track ids and bad URIs among good rows',
    files: {
      'bad-uris.csv': exportifyFile([
        trackCells(id(c, 1)),
        withUri('spotify:track:short', 90),
        withUri(`https://open.spotify.com/track/${id(c, 91)}`, 91),
        withUri(`spotify:album:${id(c, 92)}`, 92),
        trackCells(id(c, 2)),
        withUri(`spotify:track:${id(c, 93)}X`, 93), // 23 characters
        withUri(`spotify:track:${'!'.repeat(22)}`, 94),
        trackCells(id(c, 3))
      ]),
      'bad-ids.csv': [
        P7_HEADER,
        p7Row(id(c, 11)),
        p7Row('abc'),
        p7Row(`${id(c, 95)}x`),
        p7Row(`spotify:track:${id(c, 96)}`),
        p7Row(id(c, 12)),
        ''
      ].join('\n')
    },
    indexed: 2,
    skipped: 0,
    read: 8 + 5,
    rejected: 5 + 3,
    problems: [
      { file: 'bad-ids.csv', line: 3, reason: /^"abc" is not a 22-character Spotify track id$/ },
      { file: 'bad-ids.csv', line: 4, reason: /is not a 22-character Spotify track id$/ },
      { file: 'bad-ids.csv', line: 5, reason: /is not a 22-character Spotify track id$/ },
      { file: 'bad-uris.csv', line: 3, reason: /^"spotify:track:short" is not/ },
      { file: 'bad-uris.csv', line: 4, reason: NOT_A_URI },
      { file: 'bad-uris.csv', line: 5, reason: NOT_A_URI },
      { file: 'bad-uris.csv', line: 7, reason: NOT_A_URI },
      { file: 'bad-uris.csv', line: 8, reason: NOT_A_URI }
    ],
    playlists: { 'bad-uris.csv': ids(c, [1, 2, 3]), 'bad-ids.csv': ids(c, [11, 12]) },
    check (t, { store, db }) {
      for (const n of [90, 91, 92, 93, 95, 96]) t.equal(store.getTrackById(id(c, n)), null, `bad row ${n} not stored`)
      t.equal(fileRow(db, 'bad-ids.csv')?.dialect, 'pavelkomarov-track-id')
    }
  }
})()

const nullTrack: Case = (() => {
  const c = 'null'
  // item.track === null: `'"' + undefined + '"'` for the names, empty cells for the rest.
  const nullRow = (name: string): string[] => ['', name, 'undefined', 'undefined', '', '0', '0', '', '', '2024-05-01T10:00:00Z', '', 'undefined', ...Array<string>(12).fill('')]
  return {
    name: 'null-track rows are rejected, the rows around them kept',
    files: {
      'null-track.csv': exportifyFile([trackCells(id(c, 1)), nullRow(''), trackCells(id(c, 2)), nullRow('undefined'), trackCells(id(c, 3))])
    },
    indexed: 1,
    skipped: 0,
    read: 5,
    rejected: 2,
    problems: [
      { file: 'null-track.csv', line: 3, reason: NULL_TRACK },
      { file: 'null-track.csv', line: 5, reason: NULL_TRACK }
    ],
    playlists: { 'null-track.csv': ids(c, [1, 2, 3]) },
    check (t, { db }) {
      t.equal(db.prepare("SELECT count(*) FROM tracks WHERE key LIKE 'spotify:local:%'").pluck().get(), 0, 'no local-file track made up from a null row')
    }
  }
})()

const utf16: Case = (() => {
  const c = 'utf16'
  const names = ['Ünïcode Straße', '福气马上来', 'Guitar 🎸 emoji', 'Say "Hi", again', 'Ça va', 'Ελληνικά', '日本語のタイトル']
  // Excel's "Unicode text": UTF-16 LE with BOM, TAB-delimited, CRLF, quotes only where needed.
  const tab = `${[
    EXPORTIFY_HEADER.join('\t'),
    ...[0, 1, 2, 3].map(i => csvRow(trackCells(id(c, i), { name: names[i] }), new Set(), '\t')),
    csvRow(['spotify:track:bad', ...trackCells(id(c, 98)).slice(1)], new Set(), '\t')
  ].join('\r\n')}\r\n`
  const comma = exportifyFile([trackCells(id(c, 4), { name: names[4] }), ['spotify:track:bad', ...trackCells(id(c, 99)).slice(1)], trackCells(id(c, 5), { name: names[5] }), trackCells(id(c, 6), { name: names[6], artists: ['Björk', '坂本龍一'] })])
  return {
    name: 'UTF-16 LE (TAB-delimited) and BE (comma-delimited) with BOM',
    files: {
      'excel-unicode-le.csv': Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode(tab, 'utf16le')]),
      'unicode-be.csv': Buffer.concat([Buffer.from([0xfe, 0xff]), iconv.encode(comma, 'utf16be')])
    },
    indexed: 2,
    skipped: 0,
    read: 5 + 4,
    rejected: 2,
    problems: [
      { file: 'excel-unicode-le.csv', line: 6, reason: NOT_A_URI },
      { file: 'unicode-be.csv', line: 3, reason: NOT_A_URI }
    ],
    playlists: { 'excel-unicode-le.csv': ids(c, [0, 1, 2, 3]), 'unicode-be.csv': ids(c, [4, 5, 6]) },
    check (t, { store, db }) {
      names.forEach((name, i) => t.equal(store.getTrackById(id(c, i))?.name, name, `name ${i} decoded`))
      t.same(store.getTrackById(id(c, 6))?.artists.map(a => a.name), ['Björk', '坂本龍一'])
      t.same(store.getTrackById(id(c, 0))?.artists.map(a => a.name), ['Artist A', 'Artist B'])
      t.ok(store.getTrackById(id(c, 0))?.features, 'TAB file: audio features read')
      t.match(fileRow(db, 'excel-unicode-le.csv'), { encoding: 'utf-16le', dialect: 'pavelkomarov-uri' })
      t.match(fileRow(db, 'unicode-be.csv'), { encoding: 'utf-16be', dialect: 'pavelkomarov-uri' })
    }
  }
})()

const latin1: Case = (() => {
  const c = 'latin1'
  const tracks = [
    { name: 'Café Müller', album: 'Ñandú', artists: ['Beyoncé', 'Sigur Rós'] },
    { name: 'Déjà vu — “quoted” for €5', album: 'Garçon', artists: ['Mötley Crüe'] },
    { name: 'Señorita', album: 'Año Nuevo', artists: ['Zoë', 'Åsa'] },
    { name: 'Über Straßen', album: 'Fête', artists: ['Françoise Hardy'] }
  ]
  return {
    name: 'a Windows-1252 file (Excel re-save) reads accented names right',
    files: { 'excel-latin1.csv': iconv.encode(exportifyFile(tracks.map((x, i) => trackCells(id(c, i), x))), 'windows-1252') },
    indexed: 1,
    skipped: 0,
    read: 4,
    rejected: 0,
    problems: [],
    playlists: { 'excel-latin1.csv': ids(c, [0, 1, 2, 3]) },
    check (t, { store, db }) {
      tracks.forEach((x, i) => {
        const got = store.getTrackById(id(c, i))
        t.equal(got?.name, x.name)
        t.equal(got?.album.name, x.album)
        t.same(got?.artists.map(a => a.name), x.artists)
      })
      t.equal(fileRow(db, 'excel-latin1.csv')?.encoding, 'windows-1252')
    }
  }
})()

const excelSep: Case = (() => {
  const c = 'sep'
  const rows = [trackCells(id(c, 1)), ['spotify:track:bad', ...trackCells(id(c, 99)).slice(1)], trackCells(id(c, 2))]
  return {
    name: 'an Excel `sep=;` first line still counts in the line numbers',
    files: { 'excel-sep.csv': `sep=;\r\n${[EXPORTIFY_HEADER.join(';'), ...rows.map(r => csvRow(r, undefined, ';'))].join('\r\n')}\r\n` },
    indexed: 1,
    skipped: 0,
    read: 3,
    rejected: 1,
    problems: [{ file: 'excel-sep.csv', line: 4, reason: NOT_A_URI }],
    playlists: { 'excel-sep.csv': ids(c, [1, 2]) },
    check (t, { store }) {
      t.same(store.getTrackById(id(c, 2))?.artists.map(a => a.name), ['Artist A', 'Artist B'])
    }
  }
})()

const empty: Case = {
  name: 'an empty file and a whitespace-only file are skipped as "empty file"',
  files: { 'empty.csv': '', 'whitespace.csv': '  \n\t\r\n   \n\n' },
  indexed: 0,
  skipped: 2,
  read: 0,
  rejected: 0,
  problems: [
    { file: 'empty.csv', line: null, reason: /^empty file$/ },
    { file: 'whitespace.csv', line: null, reason: /^empty file$/ }
  ],
  playlists: {}
}

const headerOnly: Case = {
  name: 'a header-only file is an empty playlist, not a problem',
  files: { 'Empty_Playlist.csv': exportifyFile([], { bom: true }) },
  indexed: 1,
  skipped: 0,
  read: 0,
  rejected: 0,
  problems: [],
  playlists: { 'Empty_Playlist.csv': [] },
  check (t, { db }) {
    t.match(db.prepare('SELECT name, track_count FROM playlists WHERE path = ?').get('Empty_Playlist.csv'), { name: 'Empty Playlist', track_count: 0 })
  }
}

function seededBytes (seed: number, n: number): Buffer {
  const out = Buffer.alloc(n)
  let s = seed
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) & 0x7fffffff
    out[i] = s >>> 16
  }
  return out
}

const binary: Case = (() => {
  const junk = seededBytes(7, 8192)
  junk[100] = 0
  junk[2000] = 0
  // A real PNG start: signature, IHDR (13 bytes: 1x1, 8-bit RGBA), CRC, then IDAT.
  const png = Buffer.concat([
    Buffer.from('89504e470d0a1a0a', 'hex'),
    Buffer.from('0000000d494844520000000100000001080600000031c4fc6b', 'hex'),
    Buffer.from('0000000d4944415478da63f8ffff3f0005fe02fe0def46b8', 'hex'),
    Buffer.from('0000000049454e44ae426082', 'hex')
  ])
  return {
    name: 'binary junk and a PNG are skipped as binary',
    files: { 'random-bytes.csv': junk, 'cover.csv': png },
    indexed: 0,
    skipped: 2,
    read: 0,
    rejected: 0,
    problems: [
      { file: 'cover.csv', line: null, reason: /binary/ },
      { file: 'random-bytes.csv', line: null, reason: /binary/ }
    ],
    playlists: {}
  }
})()

const foreignHeader: Case = {
  name: 'an unrecognised header is skipped with a reason naming it',
  files: { 'not-exportify.csv': 'foo,bar,baz\n1,2,3\n4,5,6\n' },
  indexed: 0,
  skipped: 1,
  read: 0,
  rejected: 0,
  problems: [{ file: 'not-exportify.csv', line: null, reason: /unrecognised header.*"foo", "bar", "baz"/ }],
  playlists: {}
}

const formulas: Case = (() => {
  const c = 'formula'
  const tracks = [
    { name: '=HYPERLINK("http://x","y")', album: '=2*3', artists: ['=A1'] },
    { name: '=1+1', album: '+SUM(A1:A2)', artists: ['@SUM(1)', '-2+3'] },
    { name: "=cmd|' /C calc'!A0", album: '\tTAB first', artists: ['+1'] },
    { name: '-10', album: '@x', artists: ['=HYPERLINK("http://evil")'] }
  ]
  return {
    name: 'formula-injection cells are kept verbatim as text',
    files: { 'formulas.csv': exportifyFile(tracks.map((x, i) => trackCells(id(c, i), x))) },
    indexed: 1,
    skipped: 0,
    read: 4,
    rejected: 0,
    problems: [],
    playlists: { 'formulas.csv': ids(c, [0, 1, 2, 3]) },
    check (t, { store }) {
      tracks.forEach((x, i) => {
        const got = store.getTrackById(id(c, i))
        t.equal(got?.name, x.name, `name ${i} verbatim`)
        t.equal(got?.album.name, x.album, `album ${i} verbatim`)
        t.same(got?.artists.map(a => a.name), x.artists, `artists ${i} verbatim`)
      })
    }
  }
})()

// A cell may hold up to MAX_FIELD_CHARS, a line up to MAX_LINE_CHARS; beyond, the row is refused,
// so a 50 MB "track name" is neither stored nor served.
const hugeField: Case = (() => {
  const c = 'huge'
  const longest = `Long ${'ab'.repeat(MAX_FIELD_CHARS / 2)}`.slice(0, MAX_FIELD_CHARS)
  const tooLong = `Huge ${'ab'.repeat(MAX_FIELD_CHARS)}`
  const fifty = 'x'.repeat(50 * 1024 * 1024)
  return {
    name: 'huge cells: a name at the cell cap is kept whole; a longer cell or a 50 MB line is a problem with file:line',
    files: {
      'huge-field.csv': exportifyFile([trackCells(id(c, 1)), trackCells(id(c, 2), { name: longest }), trackCells(id(c, 3), { name: tooLong }), trackCells(id(c, 4))]),
      'fifty-mb.csv': exportifyFile([trackCells(id(c, 5)), trackCells(id(c, 6), { name: fifty }), trackCells(id(c, 7))])
    },
    indexed: 2,
    skipped: 0,
    read: 7,
    rejected: 2,
    problems: [
      { file: 'fifty-mb.csv', line: 3, reason: /^line of 524290\d\d characters \(longer than 1048576\): not an export row$/ },
      { file: 'huge-field.csv', line: 4, reason: /^cell 2 holds 131077 characters \(more than 65536\): not an export row$/ }
    ],
    playlists: { 'huge-field.csv': ids(c, [1, 2, 4]), 'fifty-mb.csv': ids(c, [5, 7]) },
    check (t, { store }) {
      const got = store.getTrackById(id(c, 2))
      t.equal(got?.name.length, MAX_FIELD_CHARS)
      t.ok(got?.name === longest, 'a name at the cap round-trips exactly')
      t.ok(got?.features, 'the cells after the long one are in their columns')
      t.equal(store.getTrackById(id(c, 3)), null, 'the over-long name is not a track')
      t.equal(store.getTrackById(id(c, 6)), null, 'neither is the 50 MB one')
    }
  }
})()

const CASES: Case[] = [ragged, strayQuotes, extraCells, badIds, nullTrack, utf16, latin1, excelSep, empty, headerOnly, binary, foreignHeader, formulas, hugeField]

// ---------------------------------------------------------------------------------------------

const byFileLine = (a: { file: string, line: number | null }, b: { file: string, line: number | null }): number =>
  a.file < b.file ? -1 : a.file > b.file ? 1 : (a.line ?? -1) - (b.line ?? -1)

function assertProblems (t: Test, got: ImportProblem[], want: ExpectedProblem[]): void {
  const expected = want.slice().sort(byFileLine)
  t.same(got.map(p => `${p.file}:${p.line ?? '-'}`), expected.map(p => `${p.file}:${p.line ?? '-'}`), 'problems name the file and line')
  got.forEach((p, i) => { if (expected[i]) t.match(p.reason, expected[i].reason, `${p.file}:${p.line ?? '-'} reason`) })
}

/** The summary, the problems, and every valid row of every case, as imported together. */
function assertImported (t: Test, imp: Imported, cases: Case[]): void {
  const { summary, store, db } = imp
  const sum = (f: (c: Case) => number): number => cases.reduce((n, c) => n + f(c), 0)
  const fileCount = sum(c => Object.keys(c.files).length)
  t.same(summary.files, { seen: fileCount, indexed: sum(c => c.indexed), unchanged: 0, removed: 0, skipped: sum(c => c.skipped) }, 'files')
  t.same(summary.rows, { read: sum(c => c.read), rejected: sum(c => c.rejected) }, 'rows')
  assertProblems(t, summary.problems, cases.flatMap(c => c.problems))

  const playlists = cases.flatMap(c => Object.entries(c.playlists))
  t.equal(summary.playlists, playlists.length, 'one playlist per indexed file')
  t.equal(summary.tracks, new Set(playlists.flatMap(([, ids]) => ids)).size, 'one track per distinct valid row')
  const playlistOf = db.prepare('SELECT id, track_count FROM playlists WHERE path = ?')
  const keysOf = db.prepare('SELECT t.key FROM playlist_items i JOIN playlists p ON p.pk = i.playlist JOIN tracks t ON t.pk = i.track WHERE p.id = ? ORDER BY i.position').pluck()
  for (const [file, want] of playlists) {
    const p = playlistOf.get(file) as { id: string, track_count: number } | undefined
    if (!t.ok(p, `${file} is a playlist`) || !p) continue
    t.equal(p.track_count, want.length, `${file}: track count`)
    t.same(keysOf.all(p.id), want, `${file}: every valid row, in order`)
    const missing = want.filter(k => store.getTrackById(k)?.id !== k)
    t.same(missing, [], `${file}: every valid row is in the store by id`)
  }
  for (const c of cases) {
    for (const file of Object.keys(c.files)) {
      if (file in c.playlists) continue
      t.match(fileRow(db, file), { status: 'skipped' }, `${file} is skipped`)
      t.equal(playlistOf.get(file), undefined, `${file} is no playlist`)
    }
  }
}

async function importCases (t: Test, cases: Case[]): Promise<{ dir: string, dbFile: string, imp: Imported }> {
  const root = t.testdir()
  const dir = path.join(root, 'library')
  fs.mkdirSync(dir)
  for (const c of cases) writeLibrary(dir, c.files)
  const dbFile = path.join(root, 'index.sqlite')
  const imp = await importInto(dir, dbFile, t)
  return { dir, dbFile, imp }
}

for (const c of CASES) {
  t.test(c.name, async t => {
    const { imp } = await importCases(t, [c])
    assertImported(t, imp, [c])
    c.check?.(t, imp)
  })
}

t.test('the CLI exits 1 over a folder of empty files', async t => {
  const root = t.testdir()
  const dir = writeLibrary(path.join(root, 'library'), empty.files)
  const r = await runCli(['import', dir, '--db', path.join(root, 'index.sqlite'), '--json'])
  t.equal(r.code, 1, 'exit code 1') || t.comment(r.stderr)
  const summary = JSON.parse(r.stdout) as { problems: ImportProblem[] }
  t.same(summary.problems, [
    { file: 'empty.csv', line: null, reason: 'empty file' },
    { file: 'whitespace.csv', line: null, reason: 'empty file' }
  ])
})

// 20 MB: well past the size read in the worker thread (8 MB) and many of its chunks; bench:import
// runs the same path on a 1M-row file.
t.test('a 20 MB file: every valid row imported, the bad ones reported by line', async t => {
  const ROWS = 60_000
  const c = 'big'
  const rows: string[] = []
  const bad: ExpectedProblem[] = []
  const valid: string[] = []
  const file = 'Big_Playlist.csv'
  const album = 'A compilation album with a rather long name, volume '
  for (let i = 0; i < ROWS; i++) {
    const line = rows.length + 2
    // Every 10,000 rows one of four kinds of broken row, from near the top to near the end.
    switch (i % 10_000 === 4_321 ? Math.floor(i / 10_000) % 4 : -1) {
      case 0:
        rows.push(csvRow([`spotify:track:bad${i}`, ...trackCells(id(c, i)).slice(1)]))
        bad.push({ file, line, reason: NOT_A_URI })
        continue
      case 1:
        rows.push(`spotify:track:${id(c, i)},"Unclosed ${i},Album,Artist,2021-03-04,201000,42,false,someuser,2024-11-30T02:39:04Z,pop,Label X`)
        bad.push({ file, line, reason: NEVER_CLOSED })
        continue
      case 2:
        rows.push(csvRow(['', '', 'undefined', 'undefined', '', '0', '0', '', '', '2024-05-01T10:00:00Z', '', 'undefined']))
        bad.push({ file, line, reason: NULL_TRACK })
        continue
      case 3:
        rows.push(csvRow([...trackCells(id(c, i)), 'x', 'y']))
        bad.push({ file, line, reason: /^26 cells where the header has 24$/ })
        continue
    }
    valid.push(id(c, i))
    rows.push(csvRow(trackCells(id(c, i), {
      name: `Track number ${i} with a reasonably long title (2011 Remaster)`,
      album: `${album}${i % 500}`,
      artists: ['First Artist Name', 'Second Artist', 'Third']
    })))
  }
  const content = exportifyFile(rows, { bom: true })
  const root = t.testdir()
  const dir = writeLibrary(path.join(root, 'library'), { [file]: content })
  const bytes = fs.statSync(path.join(dir, file)).size
  t.ok(bytes >= 20_000_000, `the file is ${(bytes / 1e6).toFixed(1)} MB`)
  t.equal(bad.length, 6)

  const started = process.hrtime.bigint()
  const { summary, store, db } = await importInto(dir, path.join(root, 'index.sqlite'), t)
  const ms = Number(process.hrtime.bigint() - started) / 1e6
  t.comment(`imported ${(bytes / 1e6).toFixed(1)} MB, ${ROWS} rows in ${(ms / 1000).toFixed(1)} s (${Math.round(ROWS / (ms / 1000))} rows/s)`)

  t.same(summary.files, { seen: 1, indexed: 1, unchanged: 0, removed: 0, skipped: 0 })
  t.same(summary.rows, { read: ROWS, rejected: bad.length })
  t.equal(summary.tracks, valid.length)
  assertProblems(t, summary.problems, bad)

  const playlistId = db.prepare('SELECT id FROM playlists WHERE path = ?').pluck().get(file) as string
  const keys = db.prepare('SELECT t.key FROM playlist_items i JOIN playlists p ON p.pk = i.playlist JOIN tracks t ON t.pk = i.track WHERE p.id = ? ORDER BY i.position').pluck().all(playlistId) as string[]
  t.equal(keys.length, valid.length, 'one playlist entry per valid row')
  let firstMismatch = -1
  for (let i = 0; i < valid.length && firstMismatch === -1; i++) if (keys[i] !== valid[i]) firstMismatch = i
  t.equal(firstMismatch, -1, 'every valid row, in file order')
  // Look a sample up by id: every 997th row and the neighbours of every bad one.
  const sample = new Set(valid.filter((_, i) => i % 997 === 0))
  for (const b of bad) {
    const i = b.line! - 2
    for (const n of [i - 1, i + 1]) sample.add(id(c, n))
  }
  const missing = [...sample].filter(k => store.getTrackById(k)?.id !== k)
  t.same(missing, [], `${sample.size} sampled ids are in the store`)
  t.equal(store.getTrackById(id(c, ROWS - 1))?.album.name, `${album}${(ROWS - 1) % 500}`)
})

t.test('a folder mixing every hostile file: the valid files still load fully', async t => {
  const { dir, imp } = await importCases(t, CASES)
  assertImported(t, imp, CASES)
  for (const c of CASES) c.check?.(t, imp)
  imp.db.close()

  t.test('the CLI over the same folder exits 1 and lists every problem with its file and line', async t => {
    const r = await runCli(['import', dir, '--db', path.join(t.testdir(), 'cli.sqlite'), '--json'])
    t.equal(r.code, 1, 'exit code 1') || t.comment(r.stderr)
    const summary = JSON.parse(r.stdout) as { files: object, rows: object, problems: ImportProblem[] }
    t.same(summary.files, imp.summary.files)
    t.same(summary.rows, imp.summary.rows)
    assertProblems(t, summary.problems, CASES.flatMap(c => c.problems))
  })
})

t.test('the CLI over a clean folder exits 0', async t => {
  const root = t.testdir()
  const dir = path.join(root, 'library')
  for (const c of [latin1, headerOnly, formulas]) writeLibrary(dir, c.files)
  // Short rows real exports write (no audio features; trailing empty cells dropped) are not problems.
  writeLibrary(dir, { 'short.csv': exportifyFile([trackCells(id('clean', 1)), trackCells(id('clean', 2), { features: false }), trackCells(id('clean', 3)).slice(0, 10)]) })
  const r = await runCli(['import', dir, '--db', path.join(root, 'index.sqlite'), '--json'])
  t.equal(r.code, 0, 'exit code 0') || t.comment(r.stderr)
  const summary = JSON.parse(r.stdout) as { files: object, rows: object, problems: unknown[] }
  t.same(summary.problems, [])
  t.same(summary.files, { seen: 4, indexed: 4, unchanged: 0, removed: 0, skipped: 0 })
  t.same(summary.rows, { read: 4 + 0 + 4 + 3, rejected: 0 })
})

t.test('the CLI on a path that does not exist exits 2 with a clear message', async t => {
  const root = t.testdir()
  const missing = path.join(root, 'no-such-folder')
  const r = await runCli(['import', missing, '--db', path.join(root, 'index.sqlite'), '--json'])
  t.equal(r.code, 2)
  t.equal(r.stdout, '')
  t.equal(r.stderr.trim(), `spotify-csv-proxy: library path ${missing} does not exist`)
})

t.test('blank lines (only delimiters or spaces, as Excel leaves them) are neither rows nor problems', async (t) => {
  const dir = t.testdir()
  const a = randomTrackId('blank-a')
  const b = randomTrackId('blank-b')
  writeLibrary(dir, { 'Blanks.csv': exportifyFile([trackCells(a), ',,,,,,,,', '   ', trackCells(b), ',,']) })
  const { summary, store } = await importInto(dir, path.join(dir, 'db.sqlite'), t)
  t.same(summary.problems, [])
  t.same(summary.rows, { read: 2, rejected: 0 })
  t.ok(store.getTrackById(a))
  t.ok(store.getTrackById(b))
})
