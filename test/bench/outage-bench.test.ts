// bench/reliability/long-outage.ts as `npm run reliability:outage` runs it: its goals hold.
import t from 'tap'
import { outageMarkdown, runLongOutage } from '../../bench/reliability/long-outage.js'

t.test('a 13-hour QUOTA_EXCEEDED with hourly refreshes through the proxy', async t => {
  const r = await runLongOutage({ quotaHours: 13 })
  t.equal(r.syncs, 13)
  t.same(Object.keys(r.byStatus), ['200'], `every answer 200: ${JSON.stringify(r.byStatus)}`)
  t.ok(r.answers >= 12 * 8, `${r.answers} answers`)
  t.equal(r.tokenRefreshes, 12)
  t.equal(r.webApiDuringCooldown, 0)
  t.equal(r.unauthorized, 0)
  t.equal(r.probes, 1, 'exactly one probe when it ends')
  t.equal(r.strangerLeaks, 0)
  t.notOk(r.strangerByStatus['200'], 'the stranger got no user data')
  t.match(outageMarkdown(r, 'cmd'), /\| Web API requests during the cooldown \| 0 \| 0 \|/)
})
