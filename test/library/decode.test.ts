import t from 'tap'
import { gzipSync } from 'node:zlib'
import iconv from 'iconv-lite'
import { BinaryFileError, decodeCsvBytes } from '../../src/library/decode.js'

const BOM8 = Buffer.from([0xef, 0xbb, 0xbf])
const BOM16LE = Buffer.from([0xff, 0xfe])
const BOM16BE = Buffer.from([0xfe, 0xff])

// Real header and rows from the fixtures (P10, W1) plus text that needs more than one UTF-16 unit.
const P10_HEADER = 'Track URI,Track Name,Album Name,Artist Name(s),Release Date,Duration (ms),Popularity,Explicit,Added By,Added At'
const UNICODE_CSV = [
  P10_HEADER,
  'spotify:track:3b6RZmPmYzg2mRyfoIznYS,"福气马上来","福气马上来","1119",2025-12-12,195717,65,false,,2026-03-10T13:44:11Z',
  'spotify:track:2orh0fTsNokKCIxZ3c4OIN,"Nghe Nói Anh Sắp Kết Hôn (feat. Bùi Anh Tuấn)","x","Văn Mai Hương;Bùi Anh Tuấn",2019-10-24,265161,33,false,,2026-03-09T11:29:31Z',
  'spotify:track:0QIYINh2AwmOmdu8CRYvlw,"Halo","I Am... Sasha Fierce","Beyoncé",2008-11-14,261640,80,false,,2026-03-01T00:00:00Z',
  'spotify:track:1DcwvDcBKeATLX85CKbHFM,"🎸 Dad & Patti\'s 🫂","❤️‍🩹","𝄞 Clef",2020,1000,0,false,,2026-03-01T00:00:00Z',
  ''
].join('\n')
const W1_LINE = '"spotify:track:5e0vfjC19908HLerbfbEkv","Red Flags And Long Nights","She Wants Revenge","She Wants Revenge","1","1","308986","spotify:user:","2018-12-24T11:22:14Z"\n'

function decodeError (buf: Buffer): Error {
  try {
    decodeCsvBytes(buf)
  } catch (err) {
    return err as Error
  }
  throw new Error('expected decodeCsvBytes to throw')
}

// Deterministic "random" bytes (a 31-bit LCG), so a failure is reproducible.
function junk (length: number, seed: number, { noNul = false } = {}): Buffer {
  const out = Buffer.alloc(length)
  let x = seed
  for (let i = 0; i < length; i++) {
    x = (Math.imul(x, 1103515245) + 12345) & 0x7fffffff
    out[i] = (x >>> 16) & 0xff
    if (noNul && out[i] === 0) out[i] = 0x01
  }
  return out
}

t.test('UTF-8: BOMs stripped (none, one, two, three), text otherwise untouched', async (t) => {
  const cases: Array<[string, Buffer]> = [
    ['no BOM (zip export)', Buffer.from(UNICODE_CSV)],
    ['one BOM (pavelkomarov single export)', Buffer.concat([BOM8, Buffer.from(UNICODE_CSV)])],
    ['two BOMs EF BB BF EF BB BF (watsonbox 2015–2020)', Buffer.concat([BOM8, BOM8, Buffer.from(UNICODE_CSV)])],
    ['three BOMs', Buffer.concat([BOM8, BOM8, BOM8, Buffer.from(UNICODE_CSV)])]
  ]
  for (const [label, buf] of cases) {
    const { text, encoding } = decodeCsvBytes(buf)
    t.equal(encoding, 'utf-8', label)
    t.equal(text, UNICODE_CSV, label)
    t.equal(text.charCodeAt(0), 'T'.charCodeAt(0), `${label}: no U+FEFF at the start`)
  }
})

t.test('UTF-8: the real W1 double-BOM shape and a U+FEFF inside the text', async (t) => {
  const header = 'Spotify URI,Track Name,Artist Name,Album Name,Disc Number,Track Number,Track Duration (ms),Added By,Added At\n'
  const { text } = decodeCsvBytes(Buffer.concat([BOM8, BOM8, Buffer.from(header + W1_LINE)]))
  t.equal(text, header + W1_LINE)
  // Only leading BOMs go: a zero-width no-break space inside a cell is data.
  const inner = 'a,b\n"x\uFEFFy",2\n'
  t.equal(decodeCsvBytes(Buffer.concat([BOM8, Buffer.from(inner)])).text, inner)
})

t.test('UTF-16 (Excel "Unicode text")', async (t) => {
  const crlf = UNICODE_CSV.replaceAll('\n', '\r\n')
  const cases: Array<[string, Buffer, string]> = [
    ['LE with BOM', Buffer.concat([BOM16LE, iconv.encode(crlf, 'utf16le')]), 'utf-16le'],
    ['BE with BOM', Buffer.concat([BOM16BE, iconv.encode(crlf, 'utf16be')]), 'utf-16be'],
    ['LE with BOM, LF', Buffer.concat([BOM16LE, iconv.encode(UNICODE_CSV, 'utf16le')]), 'utf-16le'],
    ['LE without BOM (NULs in the odd bytes)', iconv.encode(crlf, 'utf16le'), 'utf-16le'],
    ['BE without BOM (NULs in the even bytes)', iconv.encode(crlf, 'utf16be'), 'utf-16be'],
    ['LE, BOM + an encoded U+FEFF as well', Buffer.concat([BOM16LE, iconv.encode('\uFEFF' + crlf, 'utf16le')]), 'utf-16le']
  ]
  for (const [label, buf, enc] of cases) {
    const got = decodeCsvBytes(buf)
    t.equal(got.encoding, enc, label)
    t.equal(got.text, label.endsWith('LF') ? UNICODE_CSV : crlf, label)
  }
})

t.test('legacy single-byte text: Windows-1252 and Latin-1', async (t) => {
  const w1252 = 'Café Olé – Motörhead’s “naïve” €5'
  const latin1 = 'Café Olé, Motörhead, naïve, Grüße aus Köln, À bientôt, Françoise, ¿Qué?, Ñandú'
  const cases: Array<[string, string, string]> = [
    ['Windows-1252, one line, no newline', w1252, 'win1252'],
    ['Windows-1252 CSV, LF', `Track Name,Artist Name(s)\n"${w1252}","Motörhead"\n`, 'win1252'],
    ['Windows-1252 CSV, CRLF (Excel re-save)', `Track Name;Artist Name(s)\r\n"${w1252}";"Beyoncé"\r\n`, 'win1252'],
    ['ISO-8859-1 CSV', `Track Name,Artist Name(s)\n"${latin1}","Björk"\n`, 'latin1'],
    ['ISO-8859-1, a single word (chardet guesses UTF-8 for it)', 'Café', 'latin1'],
    ['ISO-8859-1, header + one short row', 'Track Name\nCafé\n', 'latin1']
  ]
  for (const [label, text, enc] of cases) {
    const bytes = iconv.encode(text, enc)
    t.not(bytes.toString('utf8'), text, `${label}: really not UTF-8`)
    const got = decodeCsvBytes(bytes)
    t.equal(got.text, text, label)
    // Latin-1 is reported as its superset, Excel's Western default.
    t.equal(got.encoding, 'windows-1252', label)
  }
})

t.test('line endings reach the parser unchanged', async (t) => {
  const cases: Array<[string, Buffer, string]> = [
    ['UTF-8 CRLF', Buffer.from('a,b\r\n1,2\r\n'), 'a,b\r\n1,2\r\n'],
    ['UTF-8 CR only', Buffer.from('a,b\r1,2\r'), 'a,b\r1,2\r'],
    ['UTF-8 mixed', Buffer.from('a,b\r\n1,2\n3,4\r\n'), 'a,b\r\n1,2\n3,4\r\n'],
    ['UTF-8 BOM + CRLF', Buffer.concat([BOM8, Buffer.from('a,b\r\n')]), 'a,b\r\n'],
    ['Windows-1252 CRLF', iconv.encode('a,b\r\n"Olé",2\r\n', 'win1252'), 'a,b\r\n"Olé",2\r\n'],
    ['UTF-16LE CRLF', Buffer.concat([BOM16LE, iconv.encode('a\tb\r\n1\t2\r\n', 'utf16le')]), 'a\tb\r\n1\t2\r\n']
  ]
  for (const [label, buf, want] of cases) t.equal(decodeCsvBytes(buf).text, want, label)
})

t.test('binary files are refused with BinaryFileError', async (t) => {
  const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00, 0x01])
  const gzip = gzipSync(Buffer.from((P10_HEADER + '\n').repeat(20)))
  const xlsx = Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x06, 0x00]), Buffer.from('[Content_Types].xml')])
  const withNul = junk(4096, 42)
  const cases: Array<[string, Buffer, RegExp]> = [
    ['PNG header', png, /^binary data \(NUL byte at offset 8\), not a CSV export$/],
    ['gzip stream', gzip, /^binary data \(NUL byte at offset 3\), not a CSV export$/],
    ['xlsx (zip) header', xlsx, /^binary data \(NUL byte at offset 5\), not a CSV export$/],
    ['random bytes with NULs', withNul, new RegExp(`^binary data \\(NUL byte at offset ${withNul.indexOf(0)}\\), not a CSV export$`)],
    ['random bytes without any NUL', junk(4096, 7, { noNul: true }), /^binary data \(control characters\), not a CSV export$/],
    ['UTF-8 text with a NUL in it', Buffer.from('Track URI,Track Name\nspotify:track:x,"a\u0000b"\n'), /^binary data \(NUL byte at offset 39\)/],
    ['C0 control characters only', Buffer.from([1, 2, 3, 4, 5, 6, 7, 8, 0x0b, 0x0c, 0x0e, 0x0f]), /control characters/]
  ]
  for (const [label, buf, message] of cases) {
    const err = decodeError(buf)
    t.ok(err instanceof BinaryFileError, `${label}: BinaryFileError`)
    t.equal(err.name, 'BinaryFileError', label)
    t.match(err.message, message, label)
  }
})

t.test('empty input decodes to empty text; the importer skips it before decoding', async (t) => {
  t.same(decodeCsvBytes(Buffer.alloc(0)), { text: '', encoding: 'utf-8' }, 'empty buffer')
  t.same(decodeCsvBytes(BOM8), { text: '', encoding: 'utf-8' }, 'a lone UTF-8 BOM')
  t.same(decodeCsvBytes(Buffer.concat([BOM8, BOM8])), { text: '', encoding: 'utf-8' }, 'two BOMs and nothing else')
  t.same(decodeCsvBytes(BOM16LE), { text: '', encoding: 'utf-16le' }, 'a lone UTF-16LE BOM')
  t.same(decodeCsvBytes(Buffer.from('\n')), { text: '\n', encoding: 'utf-8' }, 'a lone newline')
})

t.test('a UTF-8 export with one stray invalid byte stays UTF-8', async (t) => {
  const stray = Buffer.concat([Buffer.from(UNICODE_CSV), Buffer.from([0xe9, 0x0a])])
  const out = decodeCsvBytes(stray)
  t.equal(out.encoding, 'utf-8')
  t.ok(out.text.startsWith(UNICODE_CSV), 'every valid name intact')
  t.ok(out.text.endsWith('\uFFFD\n'), 'only the bad byte is replaced')
  // Genuine Windows-1252 has no valid multi-byte sequence at all, so it is still read as such.
  t.equal(decodeCsvBytes(iconv.encode('a,b\nCafé Olé,naïve Motörhead\n', 'win1252')).encoding, 'windows-1252')
})
