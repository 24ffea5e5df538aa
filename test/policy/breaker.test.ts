import t from 'tap'
import { CircuitBreaker } from '../../src/policy/breaker.js'

t.test('opens after repeated failures, lets one probe through after the pause', async t => {
  let clock = 0
  const b = new CircuitBreaker({ failures: 3, openMs: 1000, now: () => clock })
  t.equal(b.state(), 'closed')
  b.failure(); b.failure()
  t.ok(b.allow(), 'still closed below the threshold')
  b.success()
  b.failure(); b.failure()
  t.equal(b.state(), 'closed', 'a success resets the count')
  b.failure()
  t.equal(b.state(), 'open')
  t.notOk(b.allow())
  clock = 999
  t.notOk(b.allow())
  clock = 1000
  t.equal(b.state(), 'half-open')
  t.ok(b.allow(), 'the probe')
  t.notOk(b.allow(), 'only one probe at a time')
  b.failure()
  t.equal(b.state(), 'open', 'a failed probe re-opens')
  clock = 2000
  t.ok(b.allow())
  b.success()
  t.equal(b.state(), 'closed')
  t.ok(b.allow())
})
