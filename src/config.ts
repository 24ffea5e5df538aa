// Environment (+ .env) → a typed, validated config. Precedence (README: Configuration): flags > env > .env
// > defaults. env-schema validates and coerces; dotenv never overrides a variable already set.
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import dotenv from 'dotenv'
import envSchema from 'env-schema'
import { BUILT_IN_TTL_RULES, parseTtlRules, type TtlRule } from './cache/ttl.js'
import { upstreamBaseProblem } from './upstream/base-url.js'
import { DEFAULT_PACE_PER_30S } from './upstream/pacing.js'

export type ProxyMode = 'auto' | 'offline' | 'online'

export interface Config {
  csvBackupEnabled: boolean
  /** The library folder (or file): as configured, else the demo's. Serving, the library plugin sets it to the one served. */
  csvBackupPath: string
  /** Whether SPOTIFY_CSV_BACKUP_PATH (or a flag) named the library; if not, the database's own library is used (library/identity.ts). */
  csvBackupPathSet: boolean
  /** True while the library served is the demo shipped in the package (enables the `demo` token). */
  demoLibrary: boolean
  csvOwner: string | null
  cacheEnabled: boolean
  cacheTtlSeconds: number
  /** Per-endpoint freshness: the built-in rules, then SPOTIFY_PROXY_CACHE_TTLS (later wins). */
  cacheTtlRules: TtlRule[]
  /** Bound on what the cache keeps on disk (whole answers and single entities, half each). */
  cacheMaxBytes: number
  /** Rewrite `href`/`next`/`previous` in upstream answers to the public URL. */
  rewriteLinks: boolean
  fallbackOnRateLimit: boolean
  fallbackOnError: boolean
  fallbackOnAuthError: boolean
  apiBaseUrl: string
  /** Where POST /api/token is forwarded (Spotify's Accounts service). */
  accountsBaseUrl: string
  /** SPOTIFY_PROXY_TRUST=owner-on-loopback: unverified tokens count as the owner's while Spotify cannot be asked. */
  ownerOnLoopback: boolean
  /** `serve --adopt-owner`: the first verified user becomes the library's owner (the explicit consent step). */
  adoptOwner: boolean
  /** The per-client local limit, or null when off (SPOTIFY_PROXY_CLIENT_LIMIT=0). */
  clientLimit: { max: number, windowMs: number } | null
  /** Longest Retry-After on an answer of the proxy's own; longer waits go in X-Proxy-Upstream-Retry-After. */
  maxRetryAfterSeconds: number
  /** Longest cooldown a 429 may start, whatever its Retry-After. */
  cooldownMaxSeconds: number
  /** Longest a request waits for its pacing slot before it falls back (reason `paced`). */
  paceMaxWaitMs: number
  dbPath: string
  mode: ProxyMode
  upstreamTimeoutMs: number
  /** Longest a client may take to send a whole request (headers and body); then a 408. */
  requestTimeoutMs: number
  /** Upstream requests allowed in Spotify's rolling 30 s window; 0 turns pacing off. */
  pacePer30s: number
  publicUrl: string
  localTokens: string[]
  adminToken: string | null
  host: string
  port: number
  logLevel: string
}

interface Env {
  SPOTIFY_CSV_BACKUP_ENABLED: boolean
  SPOTIFY_CSV_BACKUP_PATH?: string
  SPOTIFY_CSV_OWNER?: string
  SPOTIFY_CSV_CACHE_ENABLED: boolean
  SPOTIFY_CSV_CACHE_TTL: number
  SPOTIFY_PROXY_CACHE_TTLS: string
  SPOTIFY_PROXY_CACHE_MAX_MB: number
  SPOTIFY_PROXY_REWRITE_LINKS: boolean
  SPOTIFY_CSV_FALLBACK_ON_RATE_LIMIT: boolean
  SPOTIFY_CSV_FALLBACK_ON_ERROR: boolean
  SPOTIFY_CSV_FALLBACK_ON_AUTH_ERROR: boolean
  SPOTIFY_API_BASE_URL: string
  SPOTIFY_ACCOUNTS_BASE_URL: string
  SPOTIFY_PROXY_TRUST: 'off' | 'owner-on-loopback'
  SPOTIFY_PROXY_ADOPT_OWNER: boolean
  SPOTIFY_PROXY_CLIENT_LIMIT: string
  SPOTIFY_PROXY_MAX_RETRY_AFTER: number
  SPOTIFY_PROXY_COOLDOWN_MAX: number
  SPOTIFY_PROXY_PACE_MAX_WAIT_MS: number
  SPOTIFY_PROXY_DB: string
  SPOTIFY_PROXY_MODE: ProxyMode
  SPOTIFY_PROXY_UPSTREAM_TIMEOUT_MS: number
  SPOTIFY_PROXY_REQUEST_TIMEOUT_MS: number
  SPOTIFY_PROXY_PACE_PER_30S: number
  SPOTIFY_PROXY_PUBLIC_URL?: string
  SPOTIFY_PROXY_LOCAL_TOKENS: string[]
  SPOTIFY_PROXY_ADMIN_TOKEN?: string
  HOST: string
  PORT: number
  LOG_LEVEL: string
}

/**
 * 600 requests per 10 s per client: far above what a sync script needs from Spotify (the pacer
 * lets ~3/s upstream), so only loops over the cache or the CSV meet it.
 */
export const DEFAULT_CLIENT_LIMIT = { max: 600, windowMs: 10_000 }

const schema = {
  type: 'object',
  properties: {
    SPOTIFY_CSV_BACKUP_ENABLED: { type: 'boolean', default: true },
    SPOTIFY_CSV_BACKUP_PATH: { type: 'string', minLength: 1 },
    SPOTIFY_CSV_OWNER: { type: 'string', minLength: 1 },
    SPOTIFY_CSV_CACHE_ENABLED: { type: 'boolean', default: true },
    SPOTIFY_CSV_CACHE_TTL: { type: 'integer', minimum: 0, default: 3600 },
    SPOTIFY_PROXY_CACHE_TTLS: { type: 'string', default: '' },
    SPOTIFY_PROXY_CACHE_MAX_MB: { type: 'integer', minimum: 1, default: 512 },
    SPOTIFY_PROXY_REWRITE_LINKS: { type: 'boolean', default: true },
    SPOTIFY_CSV_FALLBACK_ON_RATE_LIMIT: { type: 'boolean', default: true },
    SPOTIFY_CSV_FALLBACK_ON_ERROR: { type: 'boolean', default: true },
    SPOTIFY_CSV_FALLBACK_ON_AUTH_ERROR: { type: 'boolean', default: true },
    SPOTIFY_API_BASE_URL: { type: 'string', pattern: '^https?://[^/?#]+', default: 'https://api.spotify.com' },
    SPOTIFY_ACCOUNTS_BASE_URL: { type: 'string', pattern: '^https?://[^/?#]+', default: 'https://accounts.spotify.com' },
    SPOTIFY_PROXY_TRUST: { type: 'string', enum: ['off', 'owner-on-loopback'], default: 'off' },
    SPOTIFY_PROXY_ADOPT_OWNER: { type: 'boolean', default: false },
    SPOTIFY_PROXY_CLIENT_LIMIT: { type: 'string', default: `${DEFAULT_CLIENT_LIMIT.max}/${DEFAULT_CLIENT_LIMIT.windowMs / 1000}s` },
    SPOTIFY_PROXY_MAX_RETRY_AFTER: { type: 'integer', minimum: 1, default: 60 },
    SPOTIFY_PROXY_COOLDOWN_MAX: { type: 'integer', minimum: 1, default: 86400 },
    SPOTIFY_PROXY_PACE_MAX_WAIT_MS: { type: 'integer', minimum: 0, default: 2000 },
    SPOTIFY_PROXY_DB: { type: 'string', minLength: 1, default: './data/spotify-csv-proxy.sqlite' },
    SPOTIFY_PROXY_MODE: { type: 'string', enum: ['auto', 'offline', 'online'], default: 'auto' },
    SPOTIFY_PROXY_UPSTREAM_TIMEOUT_MS: { type: 'integer', minimum: 1, default: 10000 },
    SPOTIFY_PROXY_REQUEST_TIMEOUT_MS: { type: 'integer', minimum: 100, default: 30000 },
    SPOTIFY_PROXY_PACE_PER_30S: { type: 'integer', minimum: 0, default: DEFAULT_PACE_PER_30S },
    SPOTIFY_PROXY_PUBLIC_URL: { type: 'string', pattern: '^https?://' },
    SPOTIFY_PROXY_LOCAL_TOKENS: { type: 'string', separator: ',', default: '' },
    SPOTIFY_PROXY_ADMIN_TOKEN: { type: 'string', minLength: 1 },
    HOST: { type: 'string', minLength: 1, default: '127.0.0.1' },
    PORT: { type: 'integer', minimum: 0, maximum: 65535, default: 8888 },
    LOG_LEVEL: { type: 'string', enum: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], default: 'info' }
  }
} as const

export class ConfigError extends Error {
  override name = 'ConfigError'
}

/** The folder of the installed package (works from src/ under tsx and from dist/src/). */
export function packageRoot (): string {
  let dir = path.dirname(fileURLToPath(import.meta.url))
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const up = path.dirname(dir)
    if (up === dir) throw new ConfigError('cannot find the package root')
    dir = up
  }
  return dir
}

export const DEMO_LIBRARY = path.join(packageRoot(), 'demo-library')
/** The demo's CSV files and their sha256, by path relative to the demo folder. */
export const DEMO_MANIFEST = '.demo-manifest.json'

/**
 * @param overrides values from CLI flags, by env var name (they win over env and .env)
 * @param env the environment to read (tests pass their own; defaults to process.env + .env)
 */
export function loadConfig (overrides: Record<string, string | undefined> = {}, env?: NodeJS.ProcessEnv): Config {
  const flags = Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined))
  if (env === undefined) dotenv.config({ quiet: true })
  let e: Env
  try {
    e = envSchema<Env>({
      schema,
      // `VAR=` (as compose and shells write it) means unset, not an invalid empty value.
      data: [withoutEmpty(env ?? process.env), flags],
      env: false
    })
  } catch (err) {
    throw new ConfigError(`invalid configuration: ${(err as Error).message}`)
  }
  let cacheTtlRules: TtlRule[]
  try {
    cacheTtlRules = [...parseTtlRules(BUILT_IN_TTL_RULES), ...parseTtlRules(e.SPOTIFY_PROXY_CACHE_TTLS)]
  } catch (err) {
    throw new ConfigError(`invalid configuration: SPOTIFY_PROXY_CACHE_TTLS: ${(err as Error).message}`)
  }
  for (const name of ['SPOTIFY_API_BASE_URL', 'SPOTIFY_ACCOUNTS_BASE_URL'] as const) {
    const problem = upstreamBaseProblem(e[name])
    if (problem !== null) throw new ConfigError(`invalid configuration: ${name}: ${problem}`)
  }
  const clientLimit = parseClientLimit(e.SPOTIFY_PROXY_CLIENT_LIMIT)
  const csvBackupPath = path.resolve(e.SPOTIFY_CSV_BACKUP_PATH ?? DEMO_LIBRARY)
  return {
    csvBackupEnabled: e.SPOTIFY_CSV_BACKUP_ENABLED,
    csvBackupPath,
    csvBackupPathSet: e.SPOTIFY_CSV_BACKUP_PATH !== undefined,
    demoLibrary: isDemoLibrary(csvBackupPath),
    csvOwner: e.SPOTIFY_CSV_OWNER ?? null,
    cacheEnabled: e.SPOTIFY_CSV_CACHE_ENABLED,
    cacheTtlSeconds: e.SPOTIFY_CSV_CACHE_TTL,
    cacheTtlRules,
    cacheMaxBytes: e.SPOTIFY_PROXY_CACHE_MAX_MB * 1024 * 1024,
    rewriteLinks: e.SPOTIFY_PROXY_REWRITE_LINKS,
    fallbackOnRateLimit: e.SPOTIFY_CSV_FALLBACK_ON_RATE_LIMIT,
    fallbackOnError: e.SPOTIFY_CSV_FALLBACK_ON_ERROR,
    fallbackOnAuthError: e.SPOTIFY_CSV_FALLBACK_ON_AUTH_ERROR,
    apiBaseUrl: e.SPOTIFY_API_BASE_URL.replace(/\/+$/, ''),
    accountsBaseUrl: e.SPOTIFY_ACCOUNTS_BASE_URL.replace(/\/+$/, ''),
    ownerOnLoopback: e.SPOTIFY_PROXY_TRUST === 'owner-on-loopback',
    adoptOwner: e.SPOTIFY_PROXY_ADOPT_OWNER,
    clientLimit,
    maxRetryAfterSeconds: e.SPOTIFY_PROXY_MAX_RETRY_AFTER,
    cooldownMaxSeconds: e.SPOTIFY_PROXY_COOLDOWN_MAX,
    paceMaxWaitMs: e.SPOTIFY_PROXY_PACE_MAX_WAIT_MS,
    dbPath: e.SPOTIFY_PROXY_DB === ':memory:' ? ':memory:' : path.resolve(e.SPOTIFY_PROXY_DB),
    mode: e.SPOTIFY_PROXY_MODE,
    upstreamTimeoutMs: e.SPOTIFY_PROXY_UPSTREAM_TIMEOUT_MS,
    requestTimeoutMs: e.SPOTIFY_PROXY_REQUEST_TIMEOUT_MS,
    pacePer30s: e.SPOTIFY_PROXY_PACE_PER_30S,
    publicUrl: (e.SPOTIFY_PROXY_PUBLIC_URL ?? `http://${hostForUrl(e.HOST)}:${e.PORT}`).replace(/\/+$/, ''),
    localTokens: e.SPOTIFY_PROXY_LOCAL_TOKENS.map(t => t.trim()).filter(t => t !== ''),
    adminToken: e.SPOTIFY_PROXY_ADMIN_TOKEN ?? null,
    host: e.HOST,
    port: e.PORT,
    logLevel: e.LOG_LEVEL
  }
}

/**
 * Whether `dir` holds exactly the shipped demo library (its manifest's CSV files, byte for byte),
 * wherever it is mounted (Docker compose mounts it at /library). A folder with any other file,
 * or an edited one, is someone's own library and never opens to the `demo` token.
 */
export function isDemoLibrary (dir: string): boolean {
  try {
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, DEMO_MANIFEST), 'utf8')) as { files?: Record<string, string> }
    const expected = manifest.files ?? {}
    const present = listCsvNames(dir)
    if (present.length === 0 || present.length !== Object.keys(expected).length) return false
    return present.every(name => expected[name] === createHash('sha256').update(fs.readFileSync(path.join(dir, name))).digest('hex'))
  } catch {
    return false
  }
}

// Every CSV (or zip of CSVs) the importer would read (it recurses), by path relative to `dir`.
function listCsvNames (dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[])
    .filter(name => /\.(csv|zip)$/i.test(name))
    .map(name => name.split(path.sep).join('/').normalize('NFC'))
    .sort()
}

/** `N/Ws` (N requests per W seconds; `N/W` and `N/Wms` too), or `0`/`off` for no limit. */
export function parseClientLimit (spec: string): { max: number, windowMs: number } | null {
  const v = spec.trim().toLowerCase()
  if (v === '0' || v === 'off') return null
  const m = /^(\d{1,9})\s*\/\s*(\d{1,9})\s*(s|ms)?$/.exec(v)
  if (m === null || Number(m[1]) === 0 || Number(m[2]) === 0) {
    throw new ConfigError(`invalid configuration: SPOTIFY_PROXY_CLIENT_LIMIT must be N/Ws (e.g. 600/10s) or 0 for no limit, got ${JSON.stringify(spec)}`)
  }
  return { max: Number(m[1]), windowMs: Number(m[2]) * (m[3] === 'ms' ? 1 : 1000) }
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '::1', 'localhost'])

/** Whether HOST reaches this machine only. */
export function isLoopbackHost (host: string): boolean {
  return LOOPBACK_HOSTS.has(host) || /^127\./.test(host)
}

function withoutEmpty (env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(env)) if (v !== undefined && v.trim() !== '') out[k] = v
  return out
}

function hostForUrl (host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1'
  return host.includes(':') ? `[${host}]` : host
}
