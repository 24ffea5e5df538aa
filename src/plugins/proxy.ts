// Wires the proxy's parts (upstream client, caches, trust, cooldown, breaker, the library's
// answers) into one flow, decorated as `proxy` for the /v1 route and the admin routes.
import fp from 'fastify-plugin'
import { answerFromLibrary, type LibraryAnswers } from '../answers/index.js'
import { LibraryAnswerMemo } from '../answers/memo.js'
import { answerBytes, raiseMallocThresholds } from '../answers/serialize.js'
import { EntityCache } from '../cache/entity-cache.js'
import { ResponseCache } from '../cache/response-cache.js'
import { PlaylistSnapshots } from '../cache/snapshots.js'
import { ttlResolver } from '../cache/ttl.js'
import { failSoftAnswers, failSoftEntities, failSoftSnapshots, storeFailureLog } from '../cache/fail-soft.js'
import { CircuitBreaker } from '../policy/breaker.js'
import { CooldownStore } from '../policy/cooldown.js'
import { exportsOwnerOf, LibraryOwner } from '../policy/owner.js'
import { createProxyFlow, type ProxyFlow } from '../policy/flow/flow.js'
import { learnPlaylistIds } from '../policy/playlist-learning.js'
import { RefusedEndpoints } from '../policy/refusals.js'
import { TrustStore } from '../policy/trust.js'
import { isLoopbackHost } from '../config.js'
import { metaValue } from '../db.js'
import type { RequestTarget } from '../endpoints.js'
import { createUpstreamClient } from '../upstream/client.js'
import { DEFAULT_MAX_WAIT_MS, Pacer } from '../upstream/pacing.js'

const SPOTIFY_API_BASE = 'https://api.spotify.com/v1'
/** Memory for kept library answers, used only as answers are asked: a 100-track page is ~200 KB,
 * so an offline sync of ~1,300 pages (60,000 playlist entries) stays in memory. */
const LIBRARY_MEMO_BYTES = 256 * 1024 * 1024

export interface ProxyParts extends ProxyFlow {
  cooldown: CooldownStore
  breaker: CircuitBreaker
  trust: TrustStore
  owner: LibraryOwner
  cache: ResponseCache | null
  pacer: Pacer | null
  refusals: RefusedEndpoints
  entities: EntityCache | null
}

declare module 'fastify' {
  interface FastifyInstance {
    proxy: ProxyParts
  }
}

export default fp(async (app) => {
  const c = app.config
  const upstream = createUpstreamClient({ baseUrl: c.apiBaseUrl, timeoutMs: c.upstreamTimeoutMs })
  app.addHook('onClose', async () => { await upstream.close() })
  const now = app.clock
  const apiBase = `${c.publicUrl}/v1`
  // `demo` is a local token only while the demo library (fictional data) is the one indexed:
  // asked per request, since an import into the same database may replace it at any time.
  const trust = new TrustStore(app.db, c.localTokens, { now, demo: () => c.csvBackupEnabled && app.libraryIdentity.isDemo() })
  const owner = new LibraryOwner(app.db, {
    configured: c.csvOwner,
    exports: exportsOwnerOf(app.db, () => app.library.version()),
    adopt: c.adoptOwner,
    onAdopt: (o) => { app.log.warn({ owner: o.id }, 'the library\'s owner is now the first verified user (--adopt-owner); only their tokens read its user data') }
  })
  const cooldown = new CooldownStore(app.db, { now, maxSeconds: c.cooldownMaxSeconds })
  const breaker = new CircuitBreaker({ failures: 5, openMs: 30_000, now })
  // The size bound (SPOTIFY_PROXY_CACHE_MAX_MB), half for whole answers, half for single entities:
  // stale entries are kept for fallback, the least recently used (entities: oldest) evicted first.
  const cache = c.cacheEnabled ? new ResponseCache(app.db, { maxBytes: Math.floor(c.cacheMaxBytes / 2), now }) : null
  const entities = c.cacheEnabled ? new EntityCache(app.db, { maxBytes: Math.floor(c.cacheMaxBytes / 2), now }) : null
  const snapshots = c.cacheEnabled ? new PlaylistSnapshots(app.db, now) : null
  const refusals = new RefusedEndpoints(app.db, { now })
  // Stored answers hold links on the public base they were rewritten to: another base (or none)
  // makes them wrong, so they go.
  const linksBase = c.rewriteLinks ? apiBase : 'as sent'
  const linksMeta = metaValue(app.db, 'links_base')
  const storedBase = linksMeta.get()
  if (storedBase !== linksBase) {
    if (storedBase !== undefined) {
      cache?.invalidate({ pathPrefix: '/' })
      entities?.clear()
    }
    linksMeta.set(linksBase)
  }
  const pacer = c.pacePer30s > 0 ? new Pacer({ perWindow: c.pacePer30s, maxWaitMs: c.paceMaxWaitMs }) : null
  app.addHook('onClose', async () => { pacer?.close() })
  // The library's answers, serialised and kept (answers/memo.ts); keyed by everything they depend on.
  const ttl = ttlResolver(c.cacheTtlRules, c.cacheTtlSeconds)
  raiseMallocThresholds()
  const memo = new LibraryAnswerMemo({ maxBytes: LIBRARY_MEMO_BYTES, version: () => app.library.answersVersion() })
  const libraryAnswers: LibraryAnswers = (target, who) => {
    const key = `${who.id}\u0000${who.displayName ?? ''}\u0000${target.path}`
    const kept = memo.get(key)
    if (kept !== null) return kept
    const a = answerFromLibrary(app.library, target, { apiBase, owner: who })
    if (a === null) return null
    const answer = { status: a.status, bytes: answerBytes(a.body), ...(a.missing === undefined ? {} : { missing: a.missing }), ...(a.held === undefined ? {} : { held: a.held }) }
    memo.put(key, answer)
    return answer
  }
  const libraryId = (target: RequestTarget): boolean => {
    const kind = target.endpoint?.libraryId
    const id = target.args[0]
    return kind !== undefined && target.method === 'GET' && id !== undefined && app.library.isOwnId(kind, id)
  }
  const flow = createProxyFlow({
    settings: {
      mode: c.mode,
      ttl: (target) => ttl(target.pathname),
      fallbackOnRateLimit: c.fallbackOnRateLimit,
      fallbackOnError: c.fallbackOnError,
      fallbackOnAuthError: c.fallbackOnAuthError,
      // A follower may wait for a leader that sits in the pacing queue first.
      coalesceWaitMs: c.upstreamTimeoutMs + DEFAULT_MAX_WAIT_MS + 1000,
      publicApiBase: apiBase,
      // Spotify writes its own origin into links whatever host was asked; a test double its own.
      upstreamApiBases: [...new Set([`${c.apiBaseUrl}/v1`, SPOTIFY_API_BASE])],
      rewriteLinks: c.rewriteLinks,
      maxRetryAfterSeconds: c.maxRetryAfterSeconds,
      ownerOnLoopback: c.ownerOnLoopback && isLoopbackHost(c.host)
    },
    upstream,
    cache: cache === null ? null : failSoftAnswers(cache, app.log),
    entities: entities === null ? null : failSoftEntities(entities, app.log),
    snapshots: snapshots === null ? null : failSoftSnapshots(snapshots, app.log),
    library: c.csvBackupEnabled ? libraryAnswers : null,
    libraryId: c.csvBackupEnabled ? libraryId : null,
    state: { trust, owner, cooldown, breaker, refusals, pacer },
    onStoreError: storeFailureLog(app.log, 'the proxy\'s database (tokens, cache, learned ids)'),
    onProvisionalRejected: () => { app.log.warn('a token served as the owner\'s while Spotify could not be asked (SPOTIFY_PROXY_TRUST=owner-on-loopback) was refused by Spotify: it is no longer trusted') },
    now,
    learnPlaylists: c.csvBackupEnabled ? (_target, json) => learnPlaylistIds(app.library, json) : null
  })
  app.decorate('proxy', { ...flow, cooldown, breaker, trust, owner, cache, pacer, refusals, entities })
}, { name: 'proxy', dependencies: ['database', 'library'] })
