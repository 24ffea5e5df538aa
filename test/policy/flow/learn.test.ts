// The learn step: what each answer teaches the shared state, and that only a token Spotify
// accepted moves it for everyone.
import t from 'tap'
import { classify } from '../../../src/policy/flow/classify.js'
import { keep, learnFromAnswer, learnFromFailure, trustFrom } from '../../../src/policy/flow/learn.js'
import { ctxOf, fakes, json, type Who } from './fakes.js'

const TRACK = '/v1/tracks/4uLU6hMCjMI75M1A2tKUQC'
const QUOTA = json(429, { error: { status: 429, message: 'Too many requests', reason: 'QUOTA_EXCEEDED' } }, { 'retry-after': '46800' })

const cases: Array<{ name: string, who: Who, answer: ReturnType<typeof json>, closed?: string, before?: (f: ReturnType<typeof fakes>) => void, want: (f: ReturnType<typeof fakes>) => unknown, expect: unknown }> = [
  { name: 'a verified token\'s 429 starts the cooldown', who: 'owner', answer: QUOTA, want: f => f.cooldown.started, expect: [{ seconds: 46800, reason: 'quota-exceeded' }] },
  { name: 'a stranger\'s 429 starts none', who: 'unverified', answer: QUOTA, want: f => f.cooldown.started, expect: [] },
  { name: 'any other answer ends a cooldown (settle)', who: 'unverified', answer: json(500, {}), want: f => f.cooldown.settled, expect: 1 },
  { name: 'a verified token\'s 403 on a closed endpoint is remembered', who: 'owner', answer: json(403, {}), closed: 'GET /v1/tracks?ids', want: f => [...f.refusals.refused], expect: ['GET /v1/tracks?ids'] },
  { name: 'a stranger\'s 403 marks nothing refused', who: 'unverified', answer: json(403, {}), closed: 'GET /v1/tracks?ids', want: f => [...f.refusals.refused], expect: [] },
  { name: 'a success clears a refusal', who: 'owner', answer: json(200, {}), closed: 'GET /v1/tracks?ids', before: f => { f.refusals.refuse('GET /v1/tracks?ids') }, want: f => [...f.refusals.refused], expect: [] },
  { name: 'a stranger\'s 401: its token is refused from now on', who: 'unverified', answer: json(401, {}), want: f => f.trust.rejected, expect: ['unverified'] },
  { name: 'a verified token\'s 401 (expired) keeps its trust', who: 'owner', answer: json(401, {}), want: f => f.trust.rejected, expect: [] },
  { name: 'a 5xx is an answer: the breaker stays closed', who: 'owner', answer: json(503, {}), want: f => f.breaker.state(), expect: 'closed' }
]

for (const c of cases) {
  t.test(c.name, async t => {
    const f = fakes()
    c.before?.(f)
    const ctx = ctxOf(f, TRACK, c.who)
    learnFromAnswer(ctx, { probe: false, closed: c.closed ?? null }, classify(c.answer, { isGet: true, holdsAnswer: false, closed: c.closed ?? null }), c.answer, f.deps)
    t.same(c.want(f), c.expect)
  })
}

t.test('transport failures trip the breaker only for verified tokens', async t => {
  const f = fakes()
  for (let i = 0; i < 3; i++) learnFromFailure(ctxOf(f, TRACK, 'unverified'), false, true, f.deps)
  t.equal(f.breaker.state(), 'closed', 'a stranger\'s failures')
  for (let i = 0; i < 2; i++) learnFromFailure(ctxOf(f, TRACK, 'owner'), false, true, f.deps)
  t.equal(f.breaker.state(), 'open', 'the owner\'s (2 in a row in these fakes)')
})

t.test('a good answer is kept under its key, and the token accepted', async t => {
  const f = fakes()
  const ctx = ctxOf(f, TRACK, 'owner')
  const answer = json(200, { id: 'a' })
  trustFrom(ctx, { id: 'a' }, f.deps)
  keep(ctx, { id: 'a' }, answer, f.deps)
  t.same(f.trust.accepted, ['owner'])
  t.same(f.cache.puts, [ctx.key])
})

t.test('a store that fails loses nothing but what it would have kept', async t => {
  const f = fakes()
  const failures: unknown[] = []
  f.deps.onStoreError = err => failures.push(err)
  f.cache.put = () => { throw new Error('disk full') }
  keep(ctxOf(f, TRACK, 'owner'), { id: 'a' }, json(200, { id: 'a' }), f.deps)
  t.equal(failures.length, 1)
})
