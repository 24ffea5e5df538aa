// The upstream pacer on an injected clock and timer: bursts, the rolling window, FIFO order,
// refusals (too long a wait, a full queue), abort and close, and no timer left behind.
import t, { type Test } from 'tap'
import { DEFAULT_MAX_WAIT_MS, Pacer, PacingTimeout, type PacerOptions, type PacingTimeoutKind } from '../../src/upstream/pacing.js'

interface FakeTimer { at: number, fn: () => void }

/** A clock that moves only when told, firing due timers in time order. */
function fakeClock () {
  let now = 0
  const timers = new Set<FakeTimer>()
  const flush = async (): Promise<void> => { await new Promise(resolve => setImmediate(resolve)) }
  return {
    now: () => now,
    setTimer: (fn: () => void, ms: number) => {
      const timer = { at: now + ms, fn }
      timers.add(timer)
      return () => { timers.delete(timer) }
    },
    pending: () => [...timers].map(x => x.at),
    /** Moves the clock without firing anything, as a late timer would. */
    set: (ms: number) => { now = ms },
    async advanceTo (end: number): Promise<void> {
      for (;;) {
        const due = [...timers].filter(x => x.at <= end).sort((a, b) => a.at - b.at)[0]
        if (due === undefined) break
        timers.delete(due)
        now = due.at
        due.fn()
        await flush()
      }
      now = end
      await flush()
    },
    flush
  }
}

type Setup = ReturnType<typeof setup>

function setup (opts: Partial<PacerOptions> = {}) {
  const clock = fakeClock()
  const pacer = new Pacer({ perWindow: 3, windowMs: 1000, maxQueue: 10, maxWaitMs: Infinity, now: clock.now, setTimer: clock.setTimer, ...opts })
  const granted: number[] = []
  const track = (i: number, signal?: AbortSignal): Promise<void> => {
    const p = pacer.acquire(signal)
    p.then(() => granted.push(i), () => {})
    return p
  }
  return { clock, pacer, granted, track }
}

/** A test on a fresh pacer that must end with no timer pending: an idle pacer holds nothing open. */
function pacerTest (name: string, opts: Partial<PacerOptions>, fn: (t: Test, s: Setup) => Promise<void>): void {
  t.test(name, async t => {
    const s = setup(opts)
    await fn(t, s)
    t.same(s.clock.pending(), [], 'no timer left behind')
  })
}

async function refusal (t: Test, p: Promise<unknown>, kind: PacingTimeoutKind): Promise<PacingTimeout> {
  const err = await p.then(() => null, (e: unknown) => e)
  t.ok(err instanceof PacingTimeout, 'a PacingTimeout')
  const pt = err as PacingTimeout
  t.equal(pt.name, 'PacingTimeout')
  t.equal(pt.kind, kind)
  return pt
}

pacerTest('a burst up to perWindow goes at once; the next waits for the oldest send to leave the window', {}, async (t, { clock, pacer, granted, track }) => {
  await Promise.all([track(0), track(1), track(2)])
  t.same(granted, [0, 1, 2])
  t.same(pacer.stats(), { queued: 0, sentInWindow: 3 })
  t.same(clock.pending(), [], 'no timer while nobody waits')

  const fourth = track(3)
  await clock.flush()
  t.same(granted, [0, 1, 2], 'the fourth waits')
  t.same(pacer.stats(), { queued: 1, sentInWindow: 3 })
  t.same(clock.pending(), [1000], 'one timer, for when the first send leaves the window')
  await clock.advanceTo(999)
  t.same(granted, [0, 1, 2], 'not a millisecond early')
  await clock.advanceTo(1000)
  await fourth
  t.same(granted, [0, 1, 2, 3])
  t.same(pacer.stats(), { queued: 0, sentInWindow: 1 }, 'the burst left the window together')
})

pacerTest('the window rolls: spread sends free their slots one by one, in FIFO order', {}, async (t, { clock, pacer, granted, track }) => {
  for (const [i, at] of [0, 400, 800].entries()) {
    await clock.advanceTo(at)
    await track(i)
  }
  await clock.advanceTo(900)
  const waiting = [3, 4, 5, 6].map(i => track(i))
  await clock.flush()
  t.same(pacer.stats(), { queued: 4, sentInWindow: 3 })

  await clock.advanceTo(1000)
  t.same(granted, [0, 1, 2, 3], 'the slot of the send at 0 frees at 1000')
  await clock.advanceTo(1399)
  t.same(granted, [0, 1, 2, 3])
  await clock.advanceTo(1400)
  t.same(granted, [0, 1, 2, 3, 4])
  await clock.advanceTo(1800)
  t.same(granted, [0, 1, 2, 3, 4, 5])
  await clock.advanceTo(2000)
  await Promise.all(waiting)
  t.same(granted, [0, 1, 2, 3, 4, 5, 6], 'the send at 1000 frees a slot at 2000')
  // Never more than perWindow in any window: each grant is ≥ windowMs after the one perWindow before.
  t.same(pacer.stats(), { queued: 0, sentInWindow: 3 })
})

pacerTest('a newcomer never jumps the queue, even when a slot is free before the timer fires', { perWindow: 1 }, async (t, { clock, pacer, granted, track }) => {
  await track(0)
  const queued = [track(1), track(2)]
  await clock.flush()
  clock.set(1000) // the slot is free, but the timer has not run yet
  const late = track(3)
  await clock.flush()
  t.same(granted, [0, 1], 'the first in line took the slot, not the newcomer')
  t.equal(pacer.stats().queued, 2)
  await clock.advanceTo(3000)
  await Promise.all([...queued, late])
  t.same(granted, [0, 1, 2, 3])
})

pacerTest('a request that would wait longer than maxWaitMs is refused at once', { perWindow: 2, maxWaitMs: 500 }, async (t, { clock, pacer, granted, track }) => {
  await Promise.all([track(0), track(1)])
  const refused = await refusal(t, track(2), 'wait-too-long')
  t.equal(refused.waitMs, 1000, 'it says how long it would have waited')
  t.match(refused.message, /1000 ms \(limit 500 ms\)/)
  t.same(pacer.stats(), { queued: 0, sentInWindow: 2 }, 'a refusal takes no slot and no place')

  await clock.advanceTo(600)
  const third = track(3) // waits 400 ms
  const fourth = track(4) // also goes at 1000: both sends at 0 leave the window then
  await refusal(t, track(5), 'wait-too-long') // would go at 2000
  t.equal(pacer.stats().queued, 2)
  await clock.advanceTo(1000)
  await Promise.all([third, fourth])
  t.same(granted, [0, 1, 3, 4])
})

pacerTest('the default maxWaitMs refuses a wait of a whole window', { perWindow: 1, windowMs: 30_000, maxWaitMs: undefined }, async (t, { track }) => {
  t.ok(DEFAULT_MAX_WAIT_MS < 30_000)
  await track(0)
  await refusal(t, track(1), 'wait-too-long')
})

pacerTest('a full queue refuses newcomers', { perWindow: 1, maxQueue: 2 }, async (t, { clock, pacer, granted, track }) => {
  await track(0)
  const queued = [track(1), track(2)]
  const refused = await refusal(t, track(3), 'queue-full')
  t.match(refused.message, /queue is full \(2 waiting\)/)
  t.equal(refused.waitMs, null)
  t.equal(pacer.stats().queued, 2)
  await clock.advanceTo(2000)
  await Promise.all(queued)
  t.same(granted, [0, 1, 2])
})

pacerTest('maxQueue defaults to perWindow', { perWindow: 2, maxQueue: undefined }, async (t, { clock, track }) => {
  await Promise.all([track(0), track(1)])
  const queued = [track(2), track(3)]
  await refusal(t, track(4), 'queue-full')
  await clock.advanceTo(1000)
  await Promise.all(queued)
})

pacerTest('abort: a waiting request leaves the queue and rejects with the signal\'s reason', { perWindow: 1 }, async (t, { clock, pacer, granted, track }) => {
  await track(0)
  const ac = new AbortController()
  const aborted = track(1, ac.signal)
  const next = track(2)
  await clock.flush()
  t.equal(pacer.stats().queued, 2)
  const reason = new Error('client went away')
  ac.abort(reason)
  t.equal(await aborted.then(() => null, (e: unknown) => e), reason)
  t.equal(pacer.stats().queued, 1)
  await clock.advanceTo(1000)
  await next
  t.same(granted, [0, 2], 'the next in line got the slot the aborted one would have had')

  // Aborting the only waiter drops the timer too (checked at teardown).
  const lone = new AbortController()
  const alone = track(3, lone.signal)
  await clock.flush()
  lone.abort()
  t.equal((await alone.then(() => null, (e: unknown) => e) as Error).name, 'AbortError')
  t.same(clock.pending(), [])

  // An already aborted signal takes no slot, even a free one.
  await clock.advanceTo(5000)
  await t.rejects(pacer.acquire(AbortSignal.abort()), { name: 'AbortError' })
  t.same(pacer.stats(), { queued: 0, sentInWindow: 0 })
  // Aborting after the grant changes nothing.
  const after = new AbortController()
  await track(4, after.signal)
  after.abort()
  t.same(pacer.stats(), { queued: 0, sentInWindow: 1 })
})

pacerTest('close refuses the waiting and later requests and clears the timer', { perWindow: 1 }, async (t, { pacer, track }) => {
  await track(0)
  const waiting = track(1)
  await Promise.resolve()
  pacer.close()
  await refusal(t, waiting, 'closed')
  await refusal(t, pacer.acquire(), 'closed')
  t.equal(pacer.stats().queued, 0)
})

t.test('options are checked', async t => {
  t.throws(() => new Pacer({ perWindow: 0 }), RangeError)
  t.throws(() => new Pacer({ perWindow: 1.5 }), RangeError)
  t.throws(() => new Pacer({ perWindow: Number.NaN }), RangeError)
  t.throws(() => new Pacer({ perWindow: 10, windowMs: 0 }), RangeError)
  t.throws(() => new Pacer({ perWindow: 10, maxWaitMs: -1 }), RangeError)
  t.throws(() => new Pacer({ perWindow: 10, maxQueue: -1 }), RangeError)
  t.doesNotThrow(() => new Pacer({ perWindow: 10, maxQueue: 0, maxWaitMs: Infinity }))
})

t.test('with real timers: waits for the window, then holds no timer', async t => {
  const timersBefore = process.getActiveResourcesInfo().filter(r => r === 'Timeout').length
  const pacer = new Pacer({ perWindow: 2, windowMs: 40, maxWaitMs: 1000 })
  const started = performance.now()
  await Promise.all([pacer.acquire(), pacer.acquire()])
  t.ok(performance.now() - started < 40, 'the burst went at once')
  const waited = pacer.acquire()
  t.equal(process.getActiveResourcesInfo().filter(r => r === 'Timeout').length, timersBefore + 1, 'one timer while waiting')
  await waited
  t.ok(performance.now() - started >= 39, 'the third waited for the window')
  t.equal(process.getActiveResourcesInfo().filter(r => r === 'Timeout').length, timersBefore, 'none after')
})
