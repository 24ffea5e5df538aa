// A proxy app pointed at a Spotify double on 127.0.0.1, with its own SQLite file and the
// demo library, which belongs to alice (SPOTIFY_CSV_OWNER; pass `SPOTIFY_CSV_OWNER: ''` to leave
// it undecided); both are closed when the test ends.
import path from 'node:path'
import { Writable } from 'node:stream'
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import type { Test } from 'tap'
import { buildApp } from '../../src/http/app.js'
import { loadConfig } from '../../src/config.js'
import { loggerOptions } from '../../src/http/logger.js'
import { startUpstreamDouble, type DoubleUser, type UpstreamDouble } from './upstream-double.js'

export const USERS = {
  'tok-alice-0123456789': { id: 'alice', display_name: 'Alice', country: 'SE' },
  'tok-bob-9876543210': { id: 'bob', display_name: 'Bob', country: 'US' }
}
export const ALICE = 'tok-alice-0123456789'
export const BOB = 'tok-bob-9876543210'
/** A track of the demo library (Grid Runner). */
export const DEMO_TRACK = '456TLP2AylMogQEbXWp18z'

export interface ProxyRig {
  app: FastifyInstance
  double: UpstreamDouble
  dbFile: string
  logs: string[]
  get: (url: string, token?: string | null, headers?: Record<string, string>) => Promise<LightMyRequestResponse>
  upstreamCount: () => number
}

export interface RigOptions {
  /** The proxy's wall clock (the upstream double keeps real time). */
  now?: () => number
  /** Token → user for the double (default USERS); an accounts double adds the tokens it issues. */
  users?: Record<string, DoubleUser>
}

export async function proxyRig (t: Test, env: Record<string, string> = {}, dbFile?: string, opts: RigOptions = {}): Promise<ProxyRig> {
  const double = await startUpstreamDouble({ users: opts.users ?? USERS })
  const file = dbFile ?? path.join(t.testdir(), 'proxy.sqlite')
  const logs: string[] = []
  const stream = new Writable({ write (chunk: Buffer, _enc, done) { logs.push(chunk.toString()); done() } })
  const config = loadConfig({}, {
    SPOTIFY_API_BASE_URL: double.url,
    SPOTIFY_PROXY_DB: file,
    SPOTIFY_ACCOUNTS_BASE_URL: double.url,
    SPOTIFY_PROXY_UPSTREAM_TIMEOUT_MS: '400',
    SPOTIFY_CSV_OWNER: 'alice',
    LOG_LEVEL: 'info',
    ...env
  })
  const app = await buildApp(config, { logger: { ...loggerOptions('info', false), stream } }, { now: opts.now })
  t.teardown(async () => {
    await app.close()
    await double.close()
  })
  return {
    app,
    double,
    dbFile: file,
    logs,
    get: async (url, token = ALICE, headers = {}) => await app.inject({ method: 'GET', url, headers: { ...(token === null ? {} : { authorization: `Bearer ${token}` }), ...headers } }),
    upstreamCount: () => double.requests.length
  }
}
