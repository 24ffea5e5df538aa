// Synthetic ids are stable: scripts keep them, so the digits must never change. Checked against
// an independent base-62 conversion (BigInt) of the same digest, and against ids the demo's
// users already hold.
import { createHash } from 'node:crypto'
import t from 'tap'
import { IdMemo, syntheticAlbumId, syntheticArtistId, syntheticId } from '../../src/library/synthetic-ids.js'
import { syntheticPlaylistId } from '../../src/library/playlist-files.js'

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'

function reference (seed: string): string {
  let n = BigInt(`0x${createHash('sha256').update(`spotify-csv-proxy:${seed}`).digest().subarray(0, 17).toString('hex')}`)
  let out = ''
  for (let i = 0; i < 22; i++) {
    out = BASE62[Number(n % 62n)]! + out
    n /= 62n
  }
  return out
}

t.test('the digest\'s first 17 bytes in base 62, last 22 digits, for any seed', async t => {
  const seeds = ['', 'a', 'Café Classics.csv', 'album\u0000night grid\u0000neon cartographers', '東京 🎧', 'x'.repeat(10_000)]
  for (let i = 0; i < 20_000; i++) seeds.push(`seed ${i} ${'é'.repeat(i % 5)}`)
  const wrong = seeds.filter(s => syntheticId(s) !== reference(s))
  t.same(wrong, [], `${seeds.length} seeds`)
  t.ok(seeds.every(s => /^[0-9A-Za-z]{22}$/.test(syntheticId(s))), 'Spotify-shaped')
})

t.test('ids users hold stay what they were', async t => {
  t.equal(syntheticPlaylistId('Café_Classics.csv'), 'gynwHBWLBITS1YjNwTDEcN', 'the demo playlist the README shows')
  t.equal(syntheticAlbumId('Night Grid', 'Neon Cartographers'), syntheticAlbumId('NIGHT GRID', 'neon cartographers'), 'albums by folded name and first artist')
  t.equal(syntheticArtistId('Mira Okafor'), reference('artist\u0000mira okafor'))
  t.not(syntheticAlbumId('Night Grid', 'Neon Cartographers'), syntheticArtistId('Night Grid'))
})

t.test('the id memo: a working set below its size is digested once; when full, the oldest quarter goes', async t => {
  const memo = new IdMemo(1000)
  let digests = 0
  const ask = (name: string): string => memo.id(name, () => { digests++; return artistSeedOf(name) })
  const names = Array.from({ length: 900 }, (_, i) => `artist ${i}`)
  t.same(names.filter(n => ask(n) !== reference(artistSeedOf(n))), [], 'the ids are the digests\' ids')
  t.equal(digests, 900, 'first sight: a digest each')
  digests = 0
  for (let round = 0; round < 5; round++) for (const n of names) ask(n)
  t.equal(digests, 0, 'asked again and again: no digest')
  // 101 new names fill it: the 250 oldest go, the rest stay (a table emptied whole would lose all).
  for (let i = 0; i <= 100; i++) ask(`new ${i}`)
  t.equal(memo.size, 1000 - 250 + 1, 'a quarter emptied to make room')
  digests = 0
  for (const n of names.slice(250)) ask(n)
  t.equal(digests, 0, 'the newer 650 of the 900 stayed')
  ask('artist 0')
  t.equal(digests, 1, 'the oldest went')
  for (let i = 0; i < 5000; i++) ask(`more ${i}`)
  t.ok(memo.size <= 1000, `never past its size (${memo.size})`)
})

function artistSeedOf (name: string): string {
  return `artist\u0000${name}`
}
