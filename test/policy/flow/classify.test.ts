// The classify step: what each answer from Spotify means.
import t from 'tap'
import { classify, failureReason } from '../../../src/policy/flow/classify.js'
import { UpstreamFailure } from '../../../src/upstream/types.js'
import { json } from './fakes.js'

const facts: { isGet: boolean, holdsAnswer: boolean, closed: string | null } = { isGet: true, holdsAnswer: false, closed: null }
const raw = (status: number, body: string, type = 'application/json'): ReturnType<typeof json> => ({ status, headers: { 'content-type': type }, body: Buffer.from(body), ms: 1 })

const cases: Array<[string, ReturnType<typeof json>, Partial<typeof facts>, string]> = [
  ['a 200 with JSON', json(200, { id: 'a' }), {}, 'success'],
  ['a 201 to a write', json(201, { snapshot_id: 's' }), { isGet: false }, 'success'],
  ['a 200 that is not JSON is still a success', raw(200, 'ok', 'text/plain'), {}, 'success'],
  ['a 200 whose JSON does not parse is broken', raw(200, '{"broken":'), {}, 'broken'],
  ['a 304 for what the proxy holds', raw(304, ''), { holdsAnswer: true }, 'revalidated'],
  ['a 304 for nothing held is relayed', raw(304, ''), {}, 'other'],
  ['429', json(429, { error: { status: 429, message: 'API rate limit exceeded' } }), {}, 'limited:rate-limited'],
  ['429 QUOTA_EXCEEDED', json(429, { error: { status: 429, message: 'Too many requests', reason: 'QUOTA_EXCEEDED' } }), {}, 'limited:quota-exceeded'],
  ['500', json(500, {}), {}, 'failed'],
  ['503', json(503, {}), {}, 'failed'],
  ['401', json(401, {}), {}, 'token-refused'],
  ['403 from a closed endpoint', json(403, {}), { closed: 'GET /v1/tracks?ids' }, 'closed'],
  ['403 elsewhere is relayed', json(403, {}), {}, 'other'],
  ['404 is relayed', json(404, {}), {}, 'other'],
  ['400 is relayed', json(400, {}), {}, 'other']
]

for (const [name, answer, over, want] of cases) {
  t.test(name, async t => {
    const v = classify(answer, { ...facts, ...over })
    t.equal(v.kind === 'limited' ? `limited:${v.reason}` : v.kind, want)
  })
}

t.test('a 200 to a GET carries its parsed body', async t => {
  const v = classify(json(200, { id: 'a' }), facts)
  t.same(v, { kind: 'success', json: { id: 'a' } })
})

t.test('transport failures: a timeout, or unreachable', async t => {
  t.equal(failureReason(new UpstreamFailure('timeout', 'x')), 'upstream-timeout')
  for (const kind of ['unreachable', 'reset', 'truncated', 'too-large'] as const) t.equal(failureReason(new UpstreamFailure(kind, 'x')), 'upstream-unreachable', kind)
})
