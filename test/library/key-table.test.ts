// The import's table of track keys: every key found again with its value, whatever the keys hold
// and however far the table grows; into an empty store, entries number the rows.
import t from 'tap'
import { KeyTable } from '../../src/library/key-table.js'

const key = (i: number): string => (i % 7 === 0 ? `name:chanson ${i} — café|ẞtraße ${i}` : i % 5 === 0 ? `spotify:local:A+B:C%21:${i}:215` : `${i.toString(36).padStart(22, '0')}`)

t.test('every key comes back with its value, across many growths', async t => {
  const table = new KeyTable(false)
  const n = 300_000
  let early = 0
  for (let i = 0; i < n; i++) {
    if (table.find(key(i)) !== -1) early++
    table.add(key(i), i ^ 0x5a5a)
  }
  t.equal(early, 0, 'no key found before it was added')
  t.equal(table.size, n)
  let wrong = 0
  for (let i = 0; i < n; i++) {
    const e = table.find(key(i))
    if (e !== i || table.value(e) !== (i ^ 0x5a5a)) wrong++
  }
  t.equal(wrong, 0, 'each key at its entry, with its value')
  t.equal(table.find('not a key'), -1)
  t.equal(table.find(key(3).slice(1)), -1, 'a key\'s own suffix is another key')
  table.setValue(table.find(key(42)), 7)
  t.equal(table.value(table.find(key(42))), 7)
})

t.test('numbered: entries are rowids 1, 2, 3, …; otherwise none', async t => {
  const numbered = new KeyTable(true)
  t.same(['a', 'b', 'c'].map(k => numbered.rowid(numbered.add(k, 0))), [1, 2, 3])
  const plain = new KeyTable(false)
  t.equal(plain.rowid(plain.add('a', 0)), null)
})
