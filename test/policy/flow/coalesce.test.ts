// The coalesce step: identical requests in flight share one answer; a slow leader is not waited for.
import t from 'tap'
import { Coalescer } from '../../../src/policy/flow/coalesce.js'
import { local } from '../../../src/policy/flow/reply.js'

t.test('followers share the leader\'s answer, each with its own headers', async t => {
  const c = new Coalescer()
  let runs = 0
  let release!: () => void
  const gate = new Promise<void>(resolve => { release = resolve })
  const fn = async (): Promise<ReturnType<typeof local>> => { runs++; await gate; return local(503, 'x', null) }
  const all = Promise.all([c.run('k', 1000, fn), c.run('k', 1000, fn), c.run('k', 1000, fn)])
  release()
  const [a, b, d] = await all
  t.equal(runs, 1)
  t.same([a.status, b.status, d.status], [503, 503, 503])
  t.not(a.headers, b.headers, 'headers objects are not shared')
  t.equal(c.size, 0, 'nothing left in flight')
})

t.test('a follower waits a bounded time, then asks itself; other keys never share', async t => {
  const c = new Coalescer()
  let runs = 0
  const slow = async (): Promise<ReturnType<typeof local>> => { runs++; await new Promise(resolve => setTimeout(resolve, 200)); return local(504, 'slow', null) }
  const leader = c.run('k', 10, slow)
  const follower = c.run('k', 10, slow)
  const other = c.run('other', 10, slow)
  await Promise.all([leader, follower, other])
  t.equal(runs, 3)
})

t.test('a failed leader counts as no answer: followers ask themselves', async t => {
  const c = new Coalescer()
  let runs = 0
  const leader = c.run('k', 1000, async () => { runs++; throw new Error('boom') })
  const follower = c.run('k', 1000, async () => { runs++; return local(200, '', null) })
  await t.rejects(leader)
  t.equal((await follower).status, 200)
  t.equal(runs, 2)
})
