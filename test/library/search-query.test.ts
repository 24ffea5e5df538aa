import t from 'tap'
import Database from 'better-sqlite3'
import {
  foldText,
  parseSearchQuery,
  toFtsMatch,
  type ParsedSearch
} from '../../src/library/search-query.js'

function parsed (p: Partial<ParsedSearch>): ParsedSearch {
  return {
    text: [],
    track: [],
    artist: [],
    album: [],
    genre: [],
    isrc: [],
    year: null,
    unsupported: [],
    ...p
  }
}

t.test('parseSearchQuery', async (t) => {
  const cases: Array<[string, ParsedSearch]> = [
    ['remaster track:Doxy artist:Miles Davis', parsed({ text: ['remaster', 'Davis'], track: ['Doxy'], artist: ['Miles'] })],
    ['track:"Lose Yourself" artist:eminem', parsed({ track: ['Lose Yourself'], artist: ['eminem'] })],
    ['artist:"Daft Punk" year:2001', parsed({ artist: ['Daft Punk'], year: { from: 2001, to: 2001 } })],
    ['year:1990-1999 genre:"hip hop"', parsed({ genre: ['hip hop'], year: { from: 1990, to: 1999 } })],
    ['isrc:USUM71703861', parsed({ isrc: ['USUM71703861'] })],
    ['isrc:us-um7-17-03861', parsed({ isrc: ['USUM71703861'] })],
    ['genre:house', parsed({ genre: ['house'] })],
    ['Ana Sol', parsed({ text: ['Ana', 'Sol'] })],
    ['track:"Café Olé"', parsed({ track: ['Café Olé'] })],
    ['artist:', parsed({ unsupported: ['artist:'] })],
    ['artist:""', parsed({ unsupported: ['artist:""'] })],
    ['artist: Drake', parsed({ text: ['Drake'], unsupported: ['artist:'] })],
    ['year:abc', parsed({ unsupported: ['year:abc'] })],
    ['year:99', parsed({ unsupported: ['year:99'] })],
    ['year:1990-', parsed({ unsupported: ['year:1990-'] })],
    ['year:2010-2001', parsed({ year: { from: 2001, to: 2010 } })],
    ['year:"1999"', parsed({ year: { from: 1999, to: 1999 } })],
    ['year:1990 year:2005', parsed({ year: { from: 2005, to: 2005 } })],
    ['year:2001 year:nope', parsed({ year: { from: 2001, to: 2001 }, unsupported: ['year:nope'] })],
    ['"', parsed({})],
    ['""', parsed({})],
    ['NOT', parsed({ text: ['NOT'] })],
    ['OR', parsed({ text: ['OR'] })],
    ['a OR b', parsed({ text: ['a', 'OR', 'b'] })],
    ['*', parsed({ text: ['*'] })],
    ['-', parsed({ text: ['-'] })],
    ['-live', parsed({ text: ['-live'] })],
    ['', parsed({})],
    ['   \t\n ', parsed({})],
    ['tag:new', parsed({ unsupported: ['tag:new'] })],
    ['tag:hipster rock', parsed({ text: ['rock'], unsupported: ['tag:hipster'] })],
    ['upc:00602537518357', parsed({ unsupported: ['upc:00602537518357'] })],
    ['name:x', parsed({ text: ['name:x'] })],
    ['Re:Zero', parsed({ text: ['Re:Zero'] })],
    ['ARTIST:Eminem Track:Stan', parsed({ track: ['Stan'], artist: ['Eminem'] })],
    ['artist:"', parsed({ unsupported: ['artist:"'] })],
    [')(', parsed({ text: [')('] })],
    ['"daft punk" discovery', parsed({ text: ['daft punk', 'discovery'] })],
    ['track:"Lose Yourself', parsed({ track: ['Lose Yourself'] })],
    ['artist:"Daft Punk"discovery', parsed({ text: ['discovery'], artist: ['Daft Punk'] })],
    ['artist:ac/dc album:"  Back in Black "', parsed({ artist: ['ac/dc'], album: ['Back in Black'] })],
    ['artist:a artist:b', parsed({ artist: ['a', 'b'] })],
    ['artist:foo:bar', parsed({ artist: ['foo:bar'] })],
    ['福气马上来\u3000卓依婷', parsed({ text: ['福气马上来', '卓依婷'] })],
    ['genre:"hip hop" isrc:--', parsed({ genre: ['hip hop'], unsupported: ['isrc:--'] })]
  ]
  for (const [q, expected] of cases) {
    t.strictSame(parseSearchQuery(q), expected, JSON.stringify(q))
  }

  t.test('very long input is truncated, not rejected', async (t) => {
    const p = parseSearchQuery('word '.repeat(100_000))
    t.equal(p.text.length, 200)
    t.ok(p.text.every((w) => w === 'word'))
    const big = parseSearchQuery('x'.repeat(1_000_000))
    t.strictSame(big.text, ['x'.repeat(1000)])
    // Never splits a surrogate pair.
    const emoji = parseSearchQuery('a' + '😀'.repeat(1000))
    t.equal(emoji.text.length, 1)
    t.notOk(/[\ud800-\udbff]$/.test(emoji.text[0] ?? ''))
  })

  t.test('never throws on arbitrary input', async (t) => {
    const alphabet = ['a', 'É', ' ', '"', ':', '-', '*', 'artist', 'year', 'tag', '1999', '2010', '(', ')', '\u0301', '\ud83d', '😀', '\t']
    let seed = 42
    const rnd = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648
      return seed % n
    }
    for (let i = 0; i < 2000; i++) {
      let q = ''
      const len = rnd(20)
      for (let j = 0; j < len; j++) q += alphabet[rnd(alphabet.length)]
      const p = parseSearchQuery(q)
      toFtsMatch(p, [1999, 2010])
      if (p.year !== null && p.year.from > p.year.to) t.fail(`reversed year for ${JSON.stringify(q)}`)
    }
    t.pass('2000 random queries parsed')
  })
})

t.test('foldText', async (t) => {
  const cases: Array<[string, string]> = [
    ['Beyoncé', 'beyonce'],
    ['AC/DC', 'ac dc'],
    ["Guns N' Roses", 'guns n roses'],
    ['福气马上来', '福气马上来'],
    ['Café Olé', 'cafe ole'],
    ['  Miles   Davis  ', 'miles davis'],
    ['Sigur Rós', 'sigur ros'],
    ['Mötley Crüe', 'motley crue'],
    ['ＡＢＣ１２３', 'abc123'], // fullwidth → ASCII (NFKD)
    ['ﬁne', 'fine'], // ligature
    ['Motörhead — Ace of Spades (Live, 1981)', 'motorhead ace of spades live 1981'],
    ['Love * Hate', 'love hate'],
    ['!!!', ''],
    ['', ''],
    ['😀🔥', ''],
    ['Straße', 'straße'],
    ['İstanbul', 'istanbul'],
    ['Ελληνικά', 'ελληνικα'],
    ['Москва', 'москва'],
    ['e\u0301', 'e'], // already-decomposed input
    ['"quoted" & (parens)', 'quoted parens'],
    ['½', '1 2'] // NFKD: 1⁄2, the fraction slash is punctuation
  ]
  for (const [input, expected] of cases) {
    t.equal(foldText(input), expected, JSON.stringify(input))
  }
  t.equal(foldText(foldText('Beyoncé & AC/DC')), foldText('Beyoncé & AC/DC'), 'idempotent')
})

t.test('toFtsMatch', async (t) => {
  // Free text reaches the four text columns, not year or isrc.
  const T = '{name artists album genres} : '
  const years = [1975, 1994, 2001, 2002]
  const cases: Array<[string, string | null]> = [
    ['remaster track:Doxy artist:Miles Davis', `${T}"remaster" AND ${T}"davis"* AND name : "doxy" AND artists : "miles"`],
    ['track:"Lose Yourself" artist:eminem', 'name : "lose yourself" AND artists : "eminem"'],
    ['artist:"Daft Punk" year:2001', 'artists : "daft punk" AND year : ("2001")'],
    ['year:1990-1999 genre:"hip hop"', 'genres : "hip hop" AND year : ("1994")'],
    ['year:2000-2030', 'year : ("2001" OR "2002")'],
    ['year:1980-1990 miles', null], // no year of the library in the range: nothing can match
    ['isrc:USUM71703861', 'isrc : ("usum71703861")'],
    ['isrc:US-UM7-17-03861 isrc:GBAYE0601498', 'isrc : ("usum71703861" OR "gbaye0601498")'],
    ['genre:house', 'genres : "house"'],
    ['Ana Sol', `${T}"ana" AND ${T}"sol"*`],
    ['track:"Café Olé"', 'name : "cafe ole"'],
    ['album:"Kind of Blue"', 'album : "kind of blue"'],
    ['artist:', null],
    ['year:abc', null],
    ['year:2010-2001', 'year : ("2001" OR "2002")'], // a reversed range, normalised
    ['"', null],
    ['NOT', `${T}"not"*`],
    ['OR', `${T}"or"*`],
    ['a OR b', `${T}"a" AND ${T}"or" AND ${T}"b"*`],
    ['*', null],
    ['-', null],
    ['tag:new', null],
    ['upc:123', null],
    ['name:x', `${T}"name x"*`],
    ['artist:"', null],
    [')(', null],
    ['AC/DC', `${T}"ac dc"*`],
    ['"daft punk" -', `${T}"daft punk"*`],
    ['NEAR(a b)', `${T}"near a" AND ${T}"b"*`],
    ['^doxy', `${T}"doxy"*`],
    ['artist:!!! miles', `${T}"miles"*`],
    ['福气马上来', `${T}"福气马上来"*`]
  ]
  for (const [q, expected] of cases) {
    t.equal(toFtsMatch(parseSearchQuery(q), years), expected, JSON.stringify(q))
  }
  t.equal(toFtsMatch(parsed({}), years), null, 'empty parse')
  t.equal(
    toFtsMatch(parsed({ text: ['a"b'], artist: ['x"y'] }), years),
    `${T}"a b"* AND artists : "x y"`,
    'a double quote never survives folding'
  )
})

t.test('toFtsMatch against a real SQLite FTS5 table', async (t) => {
  const db = new Database(':memory:')
  t.teardown(() => db.close())
  db.exec("CREATE VIRTUAL TABLE t USING fts5(name, artists, album, genres, year, isrc, tokenize='unicode61 remove_diacritics 2')")
  const rows: Array<[string, string, string, string, string, string]> = [
    ['Doxy', 'Miles Davis', "Bags' Groove (Remaster)", 'jazz, bebop, hard bop', '1957', ''], // 1
    ['So What', 'Miles Davis', 'Kind of Blue', 'jazz', '1959', ''], // 2
    ['Lose Yourself', 'Eminem', '8 Mile', 'hip hop, rap, detroit hip hop', '2002', 'USIR10211559'], // 3
    ['One More Time', 'Daft Punk', 'Discovery', 'french house, filter house', '2001', ''], // 4
    ['Highway to Hell', 'AC/DC', 'Highway to Hell', 'hard rock', '1979', ''], // 5
    ['Halo', 'Beyoncé', 'I Am... Sasha Fierce', 'pop, r&b', '2008', 'USSM10804554'], // 6
    ['Café Olé', 'Ana Sol', 'Mañana', 'latin pop', '', ''], // 7
    ['福气马上来', '卓依婷', '福气', 'c-pop', '', ''], // 8
    ['Do NOT Disturb', 'Drake', 'More Life', 'canadian hip hop, rap', '2017', ''], // 9
    ['Love * Hate', 'The Stars', 'Opposites', 'indie', '', ''], // 10
    ['Nothing Else Matters', 'Metallica', 'Metallica', 'metal', '1991', ''] // 11
  ]
  const years = [...new Set(rows.map(r => Number(r[4])).filter(y => y > 0))]
  const insert = db.prepare('INSERT INTO t (rowid, name, artists, album, genres, year, isrc) VALUES (?, ?, ?, ?, ?, ?, ?)')
  rows.forEach((r, i) => insert.run(i + 1, ...r.map(foldText)))
  const search = db.prepare<[string], { rowid: number }>('SELECT rowid FROM t WHERE t MATCH ? ORDER BY rowid')

  const cases: Array<[string, number[] | null]> = [
    ['remaster track:Doxy artist:Miles Davis', [1]],
    ['track:"Lose Yourself" artist:eminem', [3]],
    ['artist:"Daft Punk" year:2001', [4]],
    ['year:2000-2020 genre:"hip hop"', [3, 9]],
    ['year:1990-1999 genre:"hip hop"', []],
    ['year:1950-1960', [1, 2]],
    ['year:1960-1970', null], // no year of the library in the range
    ['year:2001 2001', []], // a year is not free text
    ['isrc:USIR10211559', [3]],
    ['isrc:usir-10211559 isrc:USSM10804554', [3, 6]],
    ['isrc:USIR10211559 halo', []],
    ['usir10211559', []], // nor is an ISRC
    ['genre:house', [4]],
    ['Ana Sol', [7]],
    ['ana so', [7]], // prefix on the last free-text term
    ['track:"Café Olé"', [7]],
    ['track:"cafe ole"', [7]],
    ['Beyoncé', [6]],
    ['beyonce halo', [6]],
    ['AC/DC', [5]],
    ['artist:ac/dc', [5]],
    ['artist:acdc', []],
    ['miles davis', [1, 2]],
    ['davis miles', [1, 2]],
    ['"miles davis"', [1, 2]],
    ['"davis miles"', []],
    ['artist:Miles artist:Davis', [1, 2]],
    ['hard', [1, 5]], // free text reaches genres too
    ['album:discovery', [4]],
    ['album:disco', []], // filter values are whole words
    ['福气马上来', [8]],
    ['福气', [8]], // prefix: a CJK run is one unicode61 token
    ['love * hate', [10]],
    ['NOT disturb', [9]],
    ['upc:123 eminem', [3]],
    // Hostile input: no SQLite error, and no FTS5 operator semantics.
    ['NOT', [9, 11]], // literal "not", prefix-matched
    ['OR', []],
    ['miles OR eminem', []], // OR is a word, not an operator
    ['a OR b', []],
    ['name:halo', []], // not a column filter
    ['artists:beyonce', []],
    ['*', null],
    ['"', null],
    ['artist:"', null],
    [')(', null],
    ['NEAR(doxy davis)', []],
    ['^doxy', [1]],
    ['doxy*', [1]],
    ['"doxy" OR "halo"', []],
    ['{name}: halo', []],
    ['- miles', [1, 2]],
    ['halo AND', []],
    ['x'.repeat(5000), []],
    ['miles '.repeat(2000), [1, 2]]
  ]
  for (const [q, expected] of cases) {
    const match = toFtsMatch(parseSearchQuery(q), years)
    const label = JSON.stringify(q.length > 40 ? q.slice(0, 40) + '…' : q)
    if (expected === null) {
      t.equal(match, null, `${label}: nothing to match`)
      continue
    }
    if (match === null) {
      t.fail(`${label}: expected an FTS5 expression`)
      continue
    }
    let ids: number[] | undefined
    t.doesNotThrow(() => { ids = search.all(match).map((r) => r.rowid) }, `${label}: valid FTS5 (${match.slice(0, 80)})`)
    t.strictSame(ids, expected, `${label}: rows`)
  }
})
