// The app's global hooks, listed. The hit lane (src/http/hit-lane.ts) answers fresh cache hits
// before Fastify, doing what these hooks do (admission, the local limit, the outcome record) and
// leaving to the router every request they would treat otherwise (a body, an Origin). A hook
// added at the root changes this list: then look at the lane before changing the test.
import t from 'tap'
import { buildApp } from '../../src/http/app.js'
import { loadConfig } from '../../src/config.js'

t.test('the root hooks are the ones the hit lane knows', async t => {
  const app = await buildApp(loadConfig({}, { SPOTIFY_PROXY_DB: ':memory:', LOG_LEVEL: 'silent' }))
  t.teardown(async () => await app.close())
  // Fastify keeps them under a symbol of its own (lib/symbols.js: kHooks).
  const kHooks = Object.getOwnPropertySymbols(app).find(s => s.description === 'fastify.hooks')!
  const hooks = (app as unknown as Record<symbol, Record<string, unknown>>)[kHooks]!
  const byName = Object.fromEntries(Object.entries(hooks)
    .filter(([, fns]) => Array.isArray(fns) && fns.length > 0)
    .map(([name, fns]) => [name, (fns as Array<{ name: string }>).map(f => f.name || 'anonymous')]))
  t.same(byName, {
    // CORS acts only on requests with an Origin (the lane leaves those to the router); the
    // local limit and the request-line admission are what the lane calls itself.
    onRequest: ['handleCors', 'localLimit', 'admitRequestLine'],
    onResponse: ['recordOutcome'],
    // @fastify/rate-limit's, at route registration; and the app's own close bookkeeping.
    onRoute: ['anonymous'],
    preClose: ['markClosing']
  })
})
