// Several-ids answers assembled from cached entities plus one upstream call for the missing ids.
import t from 'tap'
import { assembleSeveral, byRequestedId, missingIds } from '../../src/cache/assemble.js'

interface E { id: string, v: string }
const e = (id: string, v = 'x'): E => ({ id, v })

t.test('missingIds: each missing id once, in first-request order', async t => {
  t.same(missingIds(['a', 'b', 'c', 'b', 'd', 'a'], [e('a'), null, e('c'), null, null, e('a')]), ['b', 'd'])
  t.same(missingIds(['a'], [e('a')]), [])
  t.same(missingIds(['a', 'b'], []), ['a', 'b'], 'a short cached list means missing')
  t.same(missingIds([], []), [])
})

t.test('byRequestedId pairs by position, not by the entity\'s own id', async t => {
  const m = byRequestedId(['b', 'd', 'r'], [e('b'), null, e('relinked')])
  t.same([...m], [['b', e('b')], ['d', null], ['r', e('relinked')]])
  t.same([...byRequestedId(['a', 'b'], [e('a')])], [['a', e('a')], ['b', null]], 'a short answer: null')
  t.same([...byRequestedId(['a', 'a'], [e('a'), null])], [['a', e('a')]], 'a later null does not erase a duplicate')
})

t.test('assembleSeveral: request order, duplicates, nulls, wrapper per kind', async t => {
  const ids = ['a', 'b', 'c', 'a', 'd', 'b']
  const cached = [e('a', 'cached'), null, e('c', 'cached'), e('a', 'cached'), null, null]
  const ask = missingIds(ids, cached)
  t.same(ask, ['b', 'd'])
  const fetched = byRequestedId(ask, [e('b', 'fetched'), null])
  const body = assembleSeveral('track', ids, cached, fetched)
  t.same(body, { tracks: [e('a', 'cached'), e('b', 'fetched'), e('c', 'cached'), e('a', 'cached'), null, e('b', 'fetched')] })

  t.same(assembleSeveral('audio_features', ['x', 'y'], [null, e('y')], new Map([['x', e('x')]])), { audio_features: [e('x'), e('y')] })
  t.same(assembleSeveral('track', ['x'], [null], new Map()), { tracks: [null] }, 'never fetched: null')
  t.same(assembleSeveral('track', ['x'], [e('x', 'cached')], new Map([['x', e('x', 'fetched')]])), { tracks: [e('x', 'cached')] }, 'cached wins')
  t.same(assembleSeveral('track', [], [], new Map()), { tracks: [] })
})
