// The local rate limit's counts: fixed windows per client, forgotten least recently seen first,
// answered synchronously and through @fastify/rate-limit's callback interface alike.
import t from 'tap'
import { ClientWindows } from '../../src/policy/client-windows.js'

t.test('counts per key within a window, and starts over when it ends', async t => {
  let now = 1_000
  const w = new ClientWindows(10_000, 100, () => now)
  t.same(w.count('a'), { current: 1, ttl: 10_000 })
  now += 4_000
  t.same(w.count('a'), { current: 2, ttl: 6_000 }, 'the window runs from the first request')
  t.same(w.count('b'), { current: 1, ttl: 10_000 }, 'another key has its own window')
  now += 6_000
  t.same(w.count('a'), { current: 1, ttl: 10_000 }, 'a new window once the old one ended')
})

t.test('the callback interface answers at once, with the same counts', async t => {
  const w = new ClientWindows(1_000)
  const seen: Array<{ current: number } | undefined> = []
  w.incr('k', (err, r) => { t.equal(err, null); seen.push(r) })
  w.incr('k', (_err, r) => seen.push(r))
  t.same(seen.map(r => r?.current), [1, 2], 'called back synchronously, in order')
})

t.test('at capacity the least recently seen client is forgotten, not a busy one', async t => {
  const w = new ClientWindows(60_000, 2, () => 0)
  w.count('busy')
  w.count('idle')
  w.count('busy') // now the most recent
  w.count('new') // evicts `idle`
  t.equal(w.count('busy').current, 3, 'the busy client keeps its count')
  t.equal(w.count('idle').current, 1, 'the idle one was forgotten')
})

t.test('a route\'s own limit counts apart, in its own window', async t => {
  let now = 0
  const w = new ClientWindows(10_000, 100, () => now)
  const child = w.child({ timeWindow: 500, path: '/x', prefix: '' }) as ClientWindows
  w.count('k')
  t.equal(child.count('k').current, 1, 'not the parent\'s count')
  now += 600
  t.equal(child.count('k').current, 1, 'its 500 ms window ended')
  t.equal(w.count('k').current, 2, 'the parent\'s 10 s window did not')
})
