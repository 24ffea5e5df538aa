import t, { type Test } from 'tap'
import { readFileSync } from 'node:fs'
import { detectDelimiter, parseCsv, type CsvParseResult } from '../../src/library/csv-reader.js'
import { decodeCsvBytes } from '../../src/library/decode.js'

const FIXTURES = new URL('../fixtures/exportify-real/', import.meta.url)

/** Records as [line, cells] pairs: compact to write, and line numbers are part of every case. */
function rows (r: CsvParseResult): Array<[number, string[]]> {
  return r.records.map(rec => [rec.line, rec.cells])
}

interface Case {
  label: string
  text: string
  delimiter?: string
  records: Array<[number, string[]]>
  problems?: Array<[number, string]>
}

function check (t: Test, cases: Case[]): void {
  for (const c of cases) {
    const got = parseCsv(c.text, c.delimiter ?? ',')
    t.same(rows(got), c.records, `${c.label}: records`)
    t.same(got.problems.map(p => [p.line, p.reason]), c.problems ?? [], `${c.label}: problems`)
  }
}

// Real lines from the fixtures.
const W1_HEADER = 'Spotify URI,Track Name,Artist Name,Album Name,Disc Number,Track Number,Track Duration (ms),Added By,Added At'
const W1_RITE = '"spotify:track:7uQekeEOVeXWtPEaL3IlCU","The Rite of Spring, Pt. 1 "Adoration of the Earth": II. The Augurs of Spring - Dances of the Young Girls","Igor Stravinsky, Park Avenue Chamber Symphony, David Bernard","Stravinsky: The Rite of Spring & The Firebird Suite","1","2","190466","spotify:user:","2018-12-24T11:22:14Z"'
const P3_HEADER = 'Spotify ID,Artist IDs,Track Name,Album Name,Artist Name(s),Release Date,Duration (ms),Popularity,Added By,Added At,Genres,Danceability,Energy,Key,Loudness,Mode,Speechiness,Acousticness,Instrumentalness,Liveness,Valence,Tempo,Time Signature'
const P3_FULL = '4oZRdDmetYCOI1qwaHeSzH,"36gl2NBJNRaQakdS4fTKGW","Lagos Love","Lagos Love","Ajebutter22",2019-03-01,181818,34,spotify:user:seankmchenry,2022-06-03T16:10:56Z,"afro dancehall,afropop,azonto,nigerian hip hop,nigerian pop",0.849,0.531,4,-9.618,0,0.0624,0.548,0.0324,0.0893,0.521,99.021,4'
const P3_RAGGED = '5g8e0DVT296yBxSbL0EMpr,"0XqLMMiljB30SqHKV9PYsD,36gl2NBJNRaQakdS4fTKGW,4qYpTEJThZ8FC8KzyFrSWW","Damiloun","Palmwine Music 2","Show Dem Camp,Ajebutter22,Boj",2018-10-15,257153,30,spotify:user:seankmchenry,2022-06-03T16:11:03Z,"afro dancehall,afropop,alte,nigerian hip hop,nigerian pop,azonto"'
const P6_HEADER = 'Track ID,Track Name,Album Name,Artist Name(s),Release Date,Duration (ms),Popularity,Added By,Added At,Genres,Record Label,\t\t\t\tDanceability,Energy,Key,Loudness,Mode,Speechiness,Acousticness,Instrumentalness,Liveness,Valence,Tempo,Time Signature'
const P10_TITANIC = 'spotify:track:33LC84JgLvK2KuW43MfaNq,"My Heart Will Go On - Love Theme from ""Titanic""","Let\'s Talk About Love","Céline Dion",1997-11-14,280000,75,false,,2026-02-20T11:35:43Z,"variété française","Columbia",0.428,0.276,4,-11.729,1,0.0312,0.732,0.00000533,0.117,0.0382,99.195,1'

t.test('line endings, quoting and escapes', async (t) => {
  check(t, [
    { label: 'LF', text: 'a,b\n1,2\n', records: [[1, ['a', 'b']], [2, ['1', '2']]] },
    { label: 'CRLF', text: 'a,b\r\n1,2\r\n', records: [[1, ['a', 'b']], [2, ['1', '2']]] },
    { label: 'CR only (old Mac Excel)', text: 'a,b\r1,2\r', records: [[1, ['a', 'b']], [2, ['1', '2']]] },
    { label: 'no trailing newline', text: 'a,b\n1,2', records: [[1, ['a', 'b']], [2, ['1', '2']]] },
    { label: 'empty text', text: '', records: [] },
    { label: 'RFC 4180 "" escapes', text: 'a,b\n"say ""hi""","x,y"\n', records: [[1, ['a', 'b']], [2, ['say "hi"', 'x,y']]] },
    { label: 'empty quoted and unquoted cells kept', text: 'a,b,c\n"",,""\n', records: [[1, ['a', 'b', 'c']], [2, ['', '', '']]] },
    { label: 'cells are not trimmed', text: 'a,b\n  x ,"y "\n', records: [[1, ['a', 'b']], [2, ['  x ', 'y ']]] },
    { label: 'a bare quote inside an unquoted cell', text: 'a,b\n5\'9",2\n', records: [[1, ['a', 'b']], [2, ['5\'9"', '2']]] },
    {
      label: 'P10 (2025-09+) doubled quotes, real row',
      text: `Track URI,Track Name\n${P10_TITANIC}\n`,
      records: [[1, ['Track URI', 'Track Name']], [2, [
        'spotify:track:33LC84JgLvK2KuW43MfaNq', 'My Heart Will Go On - Love Theme from "Titanic"', 'Let\'s Talk About Love', 'Céline Dion',
        '1997-11-14', '280000', '75', 'false', '', '2026-02-20T11:35:43Z', 'variété française', 'Columbia',
        '0.428', '0.276', '4', '-11.729', '1', '0.0312', '0.732', '0.00000533', '0.117', '0.0382', '99.195', '1'
      ]]]
    },
    {
      // A valid field that starts and ends with an escaped quote must keep those quotes.
      label: 'RFC 4180 field that is quoted text from end to end',
      text: '"Track Name","Album Name"\n"""Awaken, My Love!""","""Heroes"" (2017 Remaster)"\n"""a"" b ""c""",""""\n',
      records: [
        [1, ['Track Name', 'Album Name']],
        [2, ['"Awaken, My Love!"', '"Heroes" (2017 Remaster)']],
        [3, ['"a" b "c"', '"']]
      ]
    }
  ])
})

t.test('watsonbox 2015–2020: unescaped quotes inside quoted fields (W1 line 40)', async (t) => {
  check(t, [
    {
      label: 'the real line',
      text: `${W1_HEADER}\n${W1_RITE}\n`,
      records: [
        [1, W1_HEADER.split(',')],
        [2, [
          'spotify:track:7uQekeEOVeXWtPEaL3IlCU',
          'The Rite of Spring, Pt. 1 "Adoration of the Earth": II. The Augurs of Spring - Dances of the Young Girls',
          'Igor Stravinsky, Park Avenue Chamber Symphony, David Bernard',
          'Stravinsky: The Rite of Spring & The Firebird Suite',
          '1', '2', '190466', 'spotify:user:', '2018-12-24T11:22:14Z'
        ]]
      ]
    },
    {
      label: 'the short form from the brief',
      text: 'a,b\n"The Rite of Spring, Pt. 1 "Adoration of the Earth": II. The Augurs","x"\n',
      records: [[1, ['a', 'b']], [2, ['The Rite of Spring, Pt. 1 "Adoration of the Earth": II. The Augurs', 'x']]]
    },
    {
      label: 'inner quotes in several fields of one row',
      text: 'a,b,c\n"say "a"","b "c" d","e"\n',
      records: [[1, ['a', 'b', 'c']], [2, ['say "a"', 'b "c" d', 'e']]]
    }
  ])
})

t.test('Royce Da 5\'9": a quote before a comma closes the field early, giving one extra cell', async (t) => {
  // Re-merging is the row mapper's job; the reader reports what the bytes say.
  check(t, [
    {
      label: 'artist in the middle',
      text: 'Track Name,Artist Name(s),Release Date\n"Fast Lane","Eminem,Royce Da 5\'9",Joell Ortiz",2011-06-14\n',
      records: [
        [1, ['Track Name', 'Artist Name(s)', 'Release Date']],
        [2, ['Fast Lane', 'Eminem,Royce Da 5\'9', 'Joell Ortiz"', '2011-06-14']]
      ]
    },
    {
      label: 'artist first',
      text: 'Track Name,Artist Name(s),Release Date\n"x","Royce Da 5\'9",Eminem",2011\n',
      records: [[1, ['Track Name', 'Artist Name(s)', 'Release Date']], [2, ['x', 'Royce Da 5\'9', 'Eminem"', '2011']]]
    }
  ])
})

t.test('ragged rows stay short; extra cells stay', async (t) => {
  check(t, [
    {
      label: 'synthetic',
      text: 'a,b,c\n1,2\n1\n1,2,3\n1,2,3,4\n',
      records: [[1, ['a', 'b', 'c']], [2, ['1', '2']], [3, ['1']], [4, ['1', '2', '3']], [5, ['1', '2', '3', '4']]]
    }
  ])
  const got = parseCsv(`${P3_HEADER}\n${P3_FULL}\n${P3_RAGGED}\n${P3_FULL}\n`, ',')
  t.same(got.records.map(r => [r.line, r.cells.length]), [[1, 23], [2, 23], [3, 11], [4, 23]], 'P3: the 11-cell row without audio features')
  t.equal(got.records[2]!.cells[10], 'afro dancehall,afropop,alte,nigerian hip hop,nigerian pop,azonto')
  t.same(got.problems, [])
})

t.test('blank lines are skipped, line numbers still count them', async (t) => {
  check(t, [
    { label: 'LF', text: 'a,b\n\n1,2\n\n\n3,4\n\n', records: [[1, ['a', 'b']], [3, ['1', '2']], [6, ['3', '4']]] },
    { label: 'CRLF', text: 'a,b\r\n\r\n1,2\r\n\r\n3,4\r\n', records: [[1, ['a', 'b']], [3, ['1', '2']], [5, ['3', '4']]] },
    { label: 'leading blank lines', text: '\n\na,b\n1,2\n', records: [[3, ['a', 'b']], [4, ['1', '2']]] }
  ])
})

t.test('a stray unclosed quote costs only its own line', async (t) => {
  check(t, [
    {
      label: 'at the start of a middle line (the file cannot be parsed as a whole)',
      text: 'a,b\n1,2\n"3,4\n5,6\n7,8\n',
      records: [[1, ['a', 'b']], [2, ['1', '2']], [4, ['5', '6']], [5, ['7', '8']]],
      problems: [[3, 'a quoted field is never closed']]
    },
    {
      label: 'in a later cell of a middle line',
      text: 'a,b\n1,2\nx,"3,4\n5,6\n7,8\n',
      records: [[1, ['a', 'b']], [2, ['1', '2']], [4, ['5', '6']], [5, ['7', '8']]],
      problems: [[3, 'a quoted field is never closed']]
    },
    {
      label: 'CRLF',
      text: 'a,b\r\n1,2\r\nx,"3,4\r\n5,6\r\n7,8\r\n',
      records: [[1, ['a', 'b']], [2, ['1', '2']], [4, ['5', '6']], [5, ['7', '8']]],
      problems: [[3, 'a quoted field is never closed']]
    },
    {
      // Here csv-parse succeeds, with one record spanning lines 3–5; the lines are re-read.
      label: 'the quote closes lines later at a delimiter',
      text: 'a,b\n1,2\nx,"3\n5,6\n7",8\n9,10\n11,12\n',
      records: [[1, ['a', 'b']], [2, ['1', '2']], [4, ['5', '6']], [5, ['7"', '8']], [6, ['9', '10']], [7, ['11', '12']]],
      problems: [[3, 'a quoted field is never closed']]
    },
    {
      label: 'two stray quotes, blank lines around',
      text: 'a,b\n"x,1\n\n2,3\n"y,4\n5,6\n',
      records: [[1, ['a', 'b']], [4, ['2', '3']], [6, ['5', '6']]],
      problems: [[2, 'a quoted field is never closed'], [5, 'a quoted field is never closed']]
    },
    {
      label: 'W1 inner quotes still unwrapped on the re-read lines',
      text: `${W1_HEADER}\n"broken,1\n${W1_RITE}\n`,
      records: [[1, W1_HEADER.split(',')], [3, parseCsv(`${W1_RITE}\n`, ',').records[0]!.cells]],
      problems: [[2, 'a quoted field is never closed']]
    }
  ])
  const rite = parseCsv(`x\n"y\n${W1_RITE}\n`, ',').records[1]!.cells[1]
  t.equal(rite, 'The Rite of Spring, Pt. 1 "Adoration of the Earth": II. The Augurs of Spring - Dances of the Young Girls')
})

t.test('an unclosed quote on the last line', async (t) => {
  check(t, [
    {
      label: 'with a final newline',
      text: 'a,b\n1,2\n"3,4\n',
      records: [[1, ['a', 'b']], [2, ['1', '2']]],
      problems: [[3, 'a quoted field is never closed']]
    },
    {
      label: 'without a final newline',
      text: 'a,b\n1,2\n3,"4',
      records: [[1, ['a', 'b']], [2, ['1', '2']]],
      problems: [[3, 'a quoted field is never closed']]
    },
    {
      label: 'on the header line itself',
      text: '"a,b\n1,2\n',
      records: [[2, ['1', '2']]],
      problems: [[1, 'a quoted field is never closed']]
    }
  ])
})

t.test('Excel re-saves: `;` and TAB delimiters', async (t) => {
  check(t, [
    {
      label: 'semicolon, CRLF, comma inside a cell',
      delimiter: ';',
      text: 'Track Name;Artist Name(s);Duration (ms)\r\n"Dr. Dre,Snoop Dogg";Still D.R.E.;270000\r\nTyler, The Creator;"A;B";1\r\n',
      records: [
        [1, ['Track Name', 'Artist Name(s)', 'Duration (ms)']],
        [2, ['Dr. Dre,Snoop Dogg', 'Still D.R.E.', '270000']],
        [3, ['Tyler, The Creator', 'A;B', '1']]
      ]
    },
    {
      label: 'TAB (UTF-16 "Unicode text")',
      delimiter: '\t',
      text: 'Track Name\tArtist Name(s)\r\n"a\tb"\tc, d\r\n',
      records: [[1, ['Track Name', 'Artist Name(s)']], [2, ['a\tb', 'c, d']]]
    }
  ])
})

t.test('detectDelimiter', async (t) => {
  const cases: Array<[string, string, string]> = [
    ['P6 header with four TABs inside', P6_HEADER, ','],
    ['P3 header', P3_HEADER, ','],
    ['W6 quoted header', '"Track URI","Track Name","Artist URI(s)","Artist Name(s)"', ','],
    ['semicolon re-save', 'Track URI;Track Name;Artist Name(s);Album Name', ';'],
    ['TAB re-save', 'Track URI\tTrack Name\tArtist Name(s)', '\t'],
    ['semicolons inside quotes do not count', '"a;b;c";"d;e",f,g', ','],
    ['commas inside quotes do not count', '"Artist Name(s), ok";"b";"c"', ';'],
    ['a tie between , and ; goes to ,', 'a;b,c', ','],
    ['a tie between ; and TAB goes to ;', 'a;b\tc', ';'],
    ['a single column', 'Track Name', ','],
    ['an empty line', '', ',']
  ]
  for (const [label, line, want] of cases) t.equal(detectDelimiter(line), want, label)
})

t.test('the real fixtures parse cleanly, one record per line', async (t) => {
  const files: Array<[string, number, Record<number, number>]> = [
    ['pavelkomarov-2019to2024_spotify-id-artist-ids-ragged-row_lagos_jump_.csv', 60, { 1: 23, 2: 23, 54: 11, 60: 23 }],
    ['pavelkomarov-2024-09to12_track-id-tabs-in-header_your_top_songs_2023.csv', 101, { 1: 23, 101: 23 }],
    ['pavelkomarov-2025-09plus_track-uri-semicolon-artists-bom_Liked_Songs.csv', 702, { 1: 24, 702: 24 }],
    ['watsonbox-2015to2020_legacy-9col-bom-unescaped-quotes_your_top_songs_2018.csv', 101, { 1: 9, 40: 9, 101: 9 }],
    ['watsonbox-2022plus_en-19col-isrc_liked.csv', 462, { 1: 19, 266: 19, 462: 19 }],
    ['watsonbox-2024plus_de-localized-19col-local-files_utz_utz_utz.csv', 73, { 1: 19, 39: 19, 73: 19 }]
  ]
  for (const [file, count, widths] of files) {
    const { text } = decodeCsvBytes(readFileSync(new URL(file, FIXTURES)))
    const delimiter = detectDelimiter(text.slice(0, text.indexOf('\n')))
    t.equal(delimiter, ',', `${file}: delimiter`)
    const got = parseCsv(text, delimiter)
    t.same(got.problems, [], `${file}: no problems`)
    t.equal(got.records.length, count, `${file}: record count`)
    t.ok(got.records.every((r, i) => r.line === i + 1), `${file}: line numbers`)
    for (const [line, width] of Object.entries(widths)) {
      t.equal(got.records[Number(line) - 1]!.cells.length, width, `${file}: line ${line} has ${width} cells`)
    }
  }
})
