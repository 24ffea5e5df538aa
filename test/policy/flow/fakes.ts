// In-memory stand-ins for the flow's stores (src/policy/state.ts, the caches, the library), for
// the steps' own table-driven tests: no SQLite, no HTTP. Each holds what a test puts in it and
// records what the step did to it. The real stores have their own tests (test/policy,
// test/cache); the steps together, over real stores and a real port, have test/proxy.
import type { LibraryAnswers } from '../../../src/answers/index.js'
import type { CachedResponse, ResponseStore } from '../../../src/cache/response-cache.js'
import type { EntityStore } from '../../../src/cache/entity-cache.js'
import type { SnapshotStore } from '../../../src/cache/snapshots.js'
import { CircuitBreaker } from '../../../src/policy/breaker.js'
import { context, type Ctx, type FlowRequest } from '../../../src/policy/flow/context.js'
import type { FlowDeps, FlowSettings } from '../../../src/policy/flow/deps.js'
import type { Cooldown, CooldownGate, CooldownReason, CooldownState, Identity, Owner, OwnerState, RefusalState, TrustState } from '../../../src/policy/state.js'
import type { UpstreamClient, UpstreamResponse } from '../../../src/upstream/types.js'

export const NOW = Date.parse('2026-12-07T12:00:00Z')

export type Who = 'anonymous' | 'local' | 'owner' | 'other-user' | 'unverified' | 'rejected'

const IDENTITIES: Record<Who, Identity> = {
  anonymous: { anonymous: true, local: false, trusted: false, rejected: false, principal: null, userId: null, country: null, hash: null },
  local: { anonymous: false, local: true, trusted: true, rejected: false, principal: 'local', userId: null, country: null, hash: null },
  owner: { anonymous: false, local: false, trusted: true, rejected: false, principal: 'alice', userId: 'alice', country: 'SE', hash: 'h-alice' },
  'other-user': { anonymous: false, local: false, trusted: true, rejected: false, principal: 'bob', userId: 'bob', country: 'US', hash: 'h-bob' },
  unverified: { anonymous: false, local: false, trusted: false, rejected: false, principal: 'token:stranger', userId: null, country: null, hash: 'h-stranger' },
  rejected: { anonymous: false, local: false, trusted: false, rejected: true, principal: 'token:refused', userId: null, country: null, hash: 'h-refused' }
}

/** Each kind of identity has one token, named after it. */
export class FakeTrust implements TrustState {
  readonly accepted: string[] = []
  readonly rejected: string[] = []
  identify (token: string | null): Identity {
    return token === null ? IDENTITIES.anonymous : IDENTITIES[token as Who] ?? IDENTITIES.unverified
  }

  accept (token: string): void { this.accepted.push(token) }
  learnUser (): void {}
  reject (token: string): void { this.rejected.push(token) }
}

export class FakeOwner implements OwnerState {
  owner: Owner | null = { id: 'alice', displayName: 'Alice' }
  known (): Owner | null { return this.owner }
  forAnswers (): Owner { return this.owner ?? { id: 'local', displayName: null } }
  isOwner (who: Identity): boolean { return who.local || (this.owner !== null && who.userId === this.owner.id) }
  learn (): void {}
  decision (): ReturnType<OwnerState['decision']> { return { owner: this.owner, source: 'configured', detail: '' } }
}

/** A cooldown set by the test: running (until in the future), or over and being probed. */
export class FakeCooldown implements CooldownState {
  current: Cooldown | null = null
  probing = false
  readonly started: Array<{ seconds: number, reason: CooldownReason }> = []
  settled = 0
  active (): Cooldown | null { return this.current !== null && this.current.until > NOW ? this.current : null }
  secondsLeft (): number { const c = this.active(); return c === null ? 0 : Math.ceil((c.until - NOW) / 1000) }
  gate (): CooldownGate {
    const c = this.active()
    if (c !== null) return { open: false, cooldown: c }
    if (this.probing) return { open: false, cooldown: { until: NOW, reason: 'quota-exceeded' } }
    return { open: true, probe: false }
  }

  settle (): void { this.settled++ }
  unsettled (): void {}
  start (seconds: number, reason: CooldownReason): Cooldown {
    this.started.push({ seconds, reason })
    return { until: NOW + seconds * 1000, reason }
  }
}

export class FakeRefusals implements RefusalState {
  readonly refused = new Set<string>()
  isRefused (endpoint: string | null): boolean { return endpoint !== null && this.refused.has(endpoint) }
  refuse (endpoint: string): void { this.refused.add(endpoint) }
  clear (endpoint: string): void { this.refused.delete(endpoint) }
}

export class FakeCache implements ResponseStore {
  readonly rows = new Map<string, CachedResponse>()
  readonly puts: string[] = []
  gets = 0
  get (key: string): CachedResponse | null { this.gets++; return this.rows.get(key) ?? null }
  put (key: string, answer: CachedResponse): void { this.puts.push(key); this.rows.set(key, answer) }
  refresh (): void {}
  invalidate (): number { return 0 }
}

export class FakeEntities implements EntityStore {
  readonly tracks = new Map<string, Record<string, unknown>>()
  harvest (): number { return 0 }
  getTracks (ids: readonly string[]): Array<Record<string, unknown> | null> { return ids.map(id => this.tracks.get(id) ?? null) }
  getAudioFeatures (ids: readonly string[]): Array<Record<string, unknown> | null> { return ids.map(() => null) }
}

/** Spotify as a list of answers, one per request, recorded. */
export class FakeUpstream implements UpstreamClient {
  readonly sent: string[] = []
  constructor (readonly answers: Array<UpstreamResponse | Error> = []) {}
  async send (req: { method: string, path: string }): Promise<UpstreamResponse> {
    this.sent.push(`${req.method} ${req.path}`)
    const next = this.answers.shift() ?? json(200, { ok: true })
    if (next instanceof Error) throw next
    return next
  }

  async close (): Promise<void> {}
}

export function json (status: number, body: unknown, headers: Record<string, string> = {}): UpstreamResponse {
  return { status, headers: { 'content-type': 'application/json; charset=utf-8', ...headers }, body: Buffer.from(JSON.stringify(body)), ms: 3 }
}

export function cached (body: unknown, ageSeconds: number): CachedResponse {
  return { status: 200, headers: { 'content-type': 'application/json; charset=utf-8' }, body: Buffer.from(JSON.stringify(body)), etag: '"e1"', storedAt: NOW - ageSeconds * 1000 }
}

export const SETTINGS: FlowSettings = {
  mode: 'auto',
  ttl: () => 3600,
  fallbackOnRateLimit: true,
  fallbackOnError: true,
  fallbackOnAuthError: true,
  coalesceWaitMs: 1000,
  publicApiBase: 'http://127.0.0.1:8888/v1',
  upstreamApiBases: ['https://api.spotify.com/v1'],
  rewriteLinks: true,
  maxRetryAfterSeconds: 60,
  ownerOnLoopback: false
}

export interface Fakes {
  deps: FlowDeps
  trust: FakeTrust
  owner: FakeOwner
  cooldown: FakeCooldown
  refusals: FakeRefusals
  breaker: CircuitBreaker
  cache: FakeCache
  entities: FakeEntities
  upstream: FakeUpstream
  /** The library's answers, by target path (the library answers nothing else). */
  library: Map<string, { status: number, body: unknown, missing?: number, held?: number }>
  /** Ids the library made up (synthetic): asked from the library, never from Spotify. */
  libraryIds: Set<string>
}

export function fakes (settings: Partial<FlowSettings> = {}): Fakes {
  const f = {
    trust: new FakeTrust(),
    owner: new FakeOwner(),
    cooldown: new FakeCooldown(),
    refusals: new FakeRefusals(),
    breaker: new CircuitBreaker({ failures: 2, openMs: 30_000, now: () => NOW }),
    cache: new FakeCache(),
    entities: new FakeEntities(),
    upstream: new FakeUpstream(),
    library: new Map<string, { status: number, body: unknown, missing?: number, held?: number }>(),
    libraryIds: new Set<string>()
  }
  const library: LibraryAnswers = (target) => {
    const a = f.library.get(target.path)
    return a === undefined ? null : { status: a.status, bytes: Buffer.from(JSON.stringify(a.body)), ...(a.missing === undefined ? {} : { missing: a.missing }), ...(a.held === undefined ? {} : { held: a.held }) }
  }
  const deps: FlowDeps = {
    settings: { ...SETTINGS, ...settings },
    upstream: f.upstream,
    cache: f.cache,
    entities: f.entities,
    snapshots: null satisfies SnapshotStore | null,
    library,
    libraryId: (target) => target.endpoint?.libraryId !== undefined && f.libraryIds.has(target.args[0] ?? ''),
    state: { trust: f.trust, owner: f.owner, cooldown: f.cooldown, breaker: f.breaker, refusals: f.refusals, pacer: null },
    learnPlaylists: null,
    now: () => NOW
  }
  return { ...f, deps }
}

/** A request as a client sends it: `who` is its token. */
export function request (path: string, who: Who, over: Partial<FlowRequest> = {}): FlowRequest {
  return { method: 'GET', path, headers: {}, token: who === 'anonymous' ? null : who, mode: 'auto', ...over }
}

export function ctxOf (f: Fakes, path: string, who: Who, over: Partial<FlowRequest> = {}): Ctx {
  return context(request(path, who, over), f.deps)
}
